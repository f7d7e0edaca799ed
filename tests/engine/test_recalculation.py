"""Deadlines that stay true: calendar changes move open stages, recorded, after the admin confirms."""
import re
from datetime import date

import pytest

from core.testing import drain, london, sign_in

WDC = "westdunbartonshire"
TEACHER = "teacher.demo@wdc.example.org"
HEAD = "head.establishment@wdc.example.org"
ADMIN = "admin@wdc.example.org"
LEAD = "lead@wdc.example.org"
DISAGREEMENT = {"agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Area team",
                "decision": "Referral closed", "disagreement": "Concerns remain", "tried": "Phoned the worker"}
DISSENT = {"conference_date": "2026-12-14", "chair_name": "Robin Vale", "chair_email": "chair@wdc.example.org",
           "agency": "Health", "decision": "No plan", "reasons": "Risk remains"}


def csrf(html):
    return re.search(r'name="(?:[a-z-]+-)?csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def hidden_fields(html):
    form = html[html.index('action="/' + html.split('action="/')[-1].split('"')[0]):]
    return dict(re.findall(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', form))


def confirm_form(page):
    """The hidden fields of the confirmation form on a preview page."""
    start = page.index("/admin/calendar/confirm")
    form = page[start:page.index("</form>", start)]
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = value.group(1).replace("&#39;", "'").replace("&amp;", "&") if value else ""
    return fields


def moves_on(page):
    """The preview's table: (reference, stage, old, new) rows."""
    if 'data-testid="moves"' not in page:
        return []
    table = page[page.index('data-testid="moves"'):page.index("</table>", page.index('data-testid="moves"'))]
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table, re.S)[1:]
    return [tuple(re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)) for r in rows]


def raise_case(client, process, answers):
    sign_in(client, WDC, TEACHER)
    response = client.post(f"/{WDC}/api/cases", json={"process": process, "answers": answers})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["reference"]


def due_of(client, reference):
    """The case as a safeguarding lead sees it (in a browser of their own)."""
    lead = client.application.test_client()
    sign_in(lead, WDC, LEAD, "safeguarding-lead")
    return lead.get(f"/{WDC}/api/cases/{reference}").get_json()


def admin_closure(client, day, reason="Council closure day", sign=True):
    if sign:
        sign_in(client, WDC, ADMIN, "council-admin")
    page = client.get(f"/{WDC}/admin/calendar/").get_data(as_text=True)
    return client.post(f"/{WDC}/admin/calendar/closures", data={
        "closure-csrf_token": csrf(page), "closure-day": [str(day.day), str(day.month), str(day.year)],
        "closure-reason": reason})


def sent_since(sink, before, about=""):
    return sorted((m["To"], m["Subject"]) for m in sink.messages[before:] if m["Subject"].startswith(about))


def test_a_closure_day_over_an_open_stages_due_date_moves_it_only_after_confirmation_and_back_when_removed(
        mail_app, smtp_sink, clock):
    teacher, client = mail_app.test_client(), mail_app.test_client()
    clock.set(london(2026, 12, 14, 9, 0))  # Monday
    moving = raise_case(teacher, "escalation", DISAGREEMENT)           # due Monday 21 December
    staying = raise_case(teacher, "conference-dissent", DISSENT)       # due Tuesday 15 December
    drain(mail_app)
    assert due_of(client, moving)["stage"]["due_on"] == "2026-12-21"

    clock.set(london(2026, 12, 14, 11, 0))
    preview = admin_closure(client, date(2026, 12, 18))
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Add Friday 18 December 2026 as a closure day" in page
    assert moves_on(page) == [(moving, "Head of Establishment", "Monday 21 December 2026", "Tuesday 22 December 2026")]
    assert due_of(client, moving)["stage"]["due_on"] == "2026-12-21", "nothing moves before the admin confirms"
    before = len(smtp_sink.messages)
    assert drain(mail_app) == 0 and sent_since(smtp_sink, before) == []

    done = client.post(f"/{WDC}/admin/calendar/confirm", data=confirm_form(page), follow_redirects=True)
    assert "1 open stage moved" in done.get_data(as_text=True)
    case = due_of(client, moving)
    assert case["stage"]["due_on"] == "2026-12-22"
    assert due_of(client, staying)["stage"]["due_on"] == "2026-12-15"
    moved = [e for e in case["timeline"] if e["kind"] == "due-moved"]
    assert [e["summary"] for e in moved] == [
        "Due date moved from Monday 21 December 2026 to Tuesday 22 December 2026 because Friday 18 December 2026 "
        "became a closure day (Council closure day)"]
    assert [e["kind"] for e in due_of(client, staying)["timeline"]].count("due-moved") == 0
    lead = mail_app.test_client()
    sign_in(lead, WDC, LEAD, "safeguarding-lead")
    shown = lead.get(f"/{WDC}/cases/{moving}").get_data(as_text=True)
    assert "Tuesday 22 December 2026 (within 5 working days of" in shown
    assert "because Friday 18 December 2026 became a closure day (Council closure day) (Admin)" in shown

    before = len(smtp_sink.messages)
    drain(mail_app)
    assert sent_since(smtp_sink, before) == [(HEAD, f"{moving}: due date moved – now Tuesday 22 December 2026")]
    assert "because Friday 18 December 2026 became a closure day" in smtp_sink.messages[-1].get_body(("plain",)).get_content()

    # Re-planned: the reminder goes on Monday 21 (the day before the new date), not on the closure day.
    clock.set(london(2026, 12, 18, 7, 5))
    before = len(smtp_sink.messages)
    drain(mail_app)
    assert sent_since(smtp_sink, before, moving) == []

    # Removing the closure day moves it back the same way.
    sign_in(client, WDC, ADMIN, "council-admin")
    calendar = client.get(f"/{WDC}/admin/calendar/").get_data(as_text=True)
    assert "Friday 18 December 2026" in calendar
    closure_id = re.search(r'name="id" value="(\d+)"', calendar).group(1)
    preview = client.post(f"/{WDC}/admin/calendar/closures/remove", data={"csrf_token": csrf(calendar), "id": closure_id})
    page = preview.get_data(as_text=True)
    assert "Remove the closure day on Friday 18 December 2026" in page
    assert moves_on(page) == [(moving, "Head of Establishment", "Tuesday 22 December 2026", "Monday 21 December 2026")]
    client.post(f"/{WDC}/admin/calendar/confirm", data=confirm_form(page))
    case = due_of(client, moving)
    assert case["stage"]["due_on"] == "2026-12-21"
    assert case["timeline"][-1]["summary"] == ("Due date moved from Tuesday 22 December 2026 to Monday 21 December "
                                               "2026 because Friday 18 December 2026 is no longer a closure day")
    before = len(smtp_sink.messages)
    drain(mail_app)
    # Friday's 07:00 reminder time for the new date has passed: the "date moved" message says it instead.
    assert sent_since(smtp_sink, before, moving) == [(HEAD, f"{moving}: due date moved – now Monday 21 December 2026")]
    clock.set(london(2026, 12, 21, 7, 5))
    before = len(smtp_sink.messages)
    drain(mail_app)
    assert sent_since(smtp_sink, before, moving) == [(HEAD, f"{moving}: due today (Monday 21 December 2026)")]


def test_a_confirmation_for_a_list_that_has_changed_since_the_preview_is_shown_again(client, clock):
    clock.set(london(2026, 12, 14, 9, 0))
    teacher = client.application.test_client()
    raise_case(teacher, "escalation", DISAGREEMENT)
    page = admin_closure(client, date(2026, 12, 16)).get_data(as_text=True)
    second = raise_case(teacher, "escalation", DISAGREEMENT)
    again = client.post(f"/{WDC}/admin/calendar/confirm", data=confirm_form(page))
    assert again.status_code == 409
    assert "Open cases changed since you looked" in again.get_data(as_text=True)
    assert len(moves_on(again.get_data(as_text=True))) == 2 and second in again.get_data(as_text=True)
    assert due_of(client, second)["stage"]["due_on"] == "2026-12-21"


@pytest.mark.parametrize("day, reason", [
    (date(2026, 12, 11), "Friday 11 December 2026 is in the past"),
    (date(2026, 12, 19), "Saturday 19 December 2026 is a Saturday: weekends are not working days already"),
    (date(2026, 12, 25), "Friday 25 December 2026 is a bank holiday in Scotland (Christmas Day)"),
])
def test_past_weekend_and_bank_holiday_closure_days_are_refused_with_a_reason(client, clock, day, reason):
    clock.set(london(2026, 12, 14, 9, 0))
    refused = admin_closure(client, day)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "There is a problem" in page and reason in page
    assert "No closure days." in client.get(f"/{WDC}/admin/calendar/").get_data(as_text=True)


def test_the_calendar_shows_the_nations_bank_holidays_for_the_year(client, clock):
    clock.set(london(2026, 12, 14, 9, 0))
    sign_in(client, WDC, ADMIN, "council-admin")
    page = client.get(f"/{WDC}/admin/calendar/").get_data(as_text=True)
    assert "Bank holidays in Scotland, 2026" in page
    assert "Monday 30 November 2026" in page and "Monday 3 August 2026" in page
    sign_in(client, "surrey", "admin@surrey.example.org", "council-admin")
    page = client.get("/surrey/admin/calendar/?year=2027").get_data(as_text=True)
    assert "Bank holidays in England, 2027" in page and "Monday 29 March 2027</td><td class=\"govuk-table__cell\">Easter Monday" in page
    assert "Monday 30 August 2027" in page and "St. Andrew" not in page and "St Andrew" not in page


def test_a_forged_confirmation_is_refused_and_changes_nothing(client, clock):
    clock.set(london(2026, 12, 14, 9, 0))
    page = admin_closure(client, date(2026, 12, 16)).get_data(as_text=True)
    fields = confirm_form(page)
    for forged in ({"change": "drop-table"}, {"day": "2026-12-19"}, {"day": "2026-12-01"}, {"reason": ""},
                   {"change": "add-meeting", "group": ""}):
        assert client.post(f"/{WDC}/admin/calendar/confirm", data={**fields, **forged}).status_code == 400, forged
    assert client.post(f"/{WDC}/admin/calendar/confirm", data={**fields, "csrf_token": "x"}).status_code == 400
    assert "No closure days." in client.get(f"/{WDC}/admin/calendar/").get_data(as_text=True)


def test_a_closure_day_that_has_passed_cannot_be_removed(client, clock):
    clock.set(london(2026, 12, 14, 9, 0))
    client.post(f"/{WDC}/admin/calendar/confirm", data=confirm_form(admin_closure(client, date(2026, 12, 16)).get_data(as_text=True)))
    clock.set(london(2026, 12, 17, 9, 0))
    sign_in(client, WDC, ADMIN, "council-admin")
    page = client.get(f"/{WDC}/admin/calendar/").get_data(as_text=True)
    assert "Wednesday 16 December 2026" in page and "Remove<span class=\"govuk-visually-hidden\"> 16 December 2026" not in page
    with client.application.app_context():
        from core.model.records import ClosureDay, db
        closure_id = db.session.scalars(db.select(ClosureDay.id)).one()
    refused = client.post(f"/{WDC}/admin/calendar/closures/remove", data={"csrf_token": csrf(page), "id": closure_id})
    assert refused.status_code == 400
