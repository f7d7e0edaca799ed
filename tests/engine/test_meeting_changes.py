"""Surrey's CP Dissents Group meetings change: stages due at a removed meeting move on, or are flagged."""
import re

import pytest

from core.testing import london, post_action, sign_in

SURREY = "surrey"
PRACTITIONER = "school.nurse@surrey.example.org"
CHAIR = "independent.chair@surrey.example.org"
ADMIN = "admin@surrey.example.org"
LEAD = "lead@surrey.example.org"
DISSENT = {
    "conduct": "no", "conference_date": "2026-12-22", "chair_name": "Blake Farnham", "chair_email": CHAIR, "agency": "Health",
    "decision": "Child protection plan ended.", "dissent": "Injuries remain unexplained.",
}
STAGE = "Review by the CP Dissents Group"


@pytest.fixture(autouse=True)
def christmas_eve(clock):
    clock.set(london(2026, 12, 24, 10, 0))


def csrf(html):
    return re.search(r'name="(?:[a-z-]+-)?csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def moves_on(page):
    if 'data-testid="moves"' not in page:
        return []
    start = page.index('data-testid="moves"')
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', page[start:page.index("</table>", start)], re.S)[1:]
    return [tuple(re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)) for r in rows]


def confirm(admin, page):
    form = page[page.index("/admin/calendar/confirm"):]
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form[:form.index("</form>")]))
    response = admin.post(f"/{SURREY}/admin/calendar/confirm", data=fields)
    assert response.status_code == 302
    return response


def calendar_page(admin):
    return admin.get(f"/{SURREY}/admin/calendar/").get_data(as_text=True)


def meeting_id(page, label):
    """The id of the meeting on ``label`` (e.g. "13 January 2027") from its Remove form."""
    at = page.index(f"meeting on {label}</span></button>")
    return re.findall(r'name="id" value="(\d+)"', page[:at])[-1]


def add_meeting(admin, day, month, year):
    page = calendar_page(admin)
    return admin.post(f"/{SURREY}/admin/calendar/meetings/cp-dissents-group", data={
        "cp-dissents-group-csrf_token": csrf(page), "cp-dissents-group-day": [day, month, year]}).get_data(as_text=True)


def remove_meeting(admin, label):
    page = calendar_page(admin)
    return admin.post(f"/{SURREY}/admin/calendar/meetings/remove",
                      data={"csrf_token": csrf(page), "id": meeting_id(page, label)}).get_data(as_text=True)


@pytest.fixture
def admin(app):
    client = app.test_client()
    sign_in(client, SURREY, ADMIN, "council-admin")
    return client


@pytest.fixture
def at_the_group(app, admin):
    confirm(admin, add_meeting(admin, "13", "1", "2027"))
    confirm(admin, add_meeting(admin, "10", "2", "2027"))
    people = app.test_client()
    sign_in(people, SURREY, PRACTITIONER)
    reference = people.post(f"/{SURREY}/api/cases", json={"process": "conference-dissent", "answers": DISSENT}).get_json()["reference"]
    sign_in(people, SURREY, CHAIR, "manager")
    case = post_action(people, f"/{SURREY}/api/cases/{reference}/actions",
                       {"action": "escalate", "record": {"referral": "Referred with the reports."}}).get_json()
    assert case["stage"]["slug"] == "dissents-group" and case["stage"]["due_on"] == "2027-01-13"
    return reference


def lead_view(app, reference):
    lead = app.test_client()
    sign_in(lead, SURREY, LEAD, "safeguarding-lead")
    return (lead.get(f"/{SURREY}/api/cases/{reference}").get_json(),
            lead.get(f"/{SURREY}/cases/{reference}").get_data(as_text=True),
            lead.get(f"/{SURREY}/cases/").get_data(as_text=True))


def test_a_removed_meeting_moves_the_stages_due_at_it_to_the_next_meeting(app, admin, at_the_group):
    page = remove_meeting(admin, "13 January 2027")
    assert "Remove the meeting of the CP Dissents Group on Wednesday 13 January 2027" in page
    assert moves_on(page) == [(at_the_group, STAGE, "Wednesday 13 January 2027", "Wednesday 10 February 2027")]
    assert lead_view(app, at_the_group)[0]["stage"]["due_on"] == "2027-01-13", "nothing moves before confirming"
    confirm(admin, page)
    case, _, _ = lead_view(app, at_the_group)
    assert case["stage"]["due_on"] == "2027-02-10"
    assert case["timeline"][-1]["summary"] == (
        "Due date moved from Wednesday 13 January 2027 to Wednesday 10 February 2027 because the meeting of the CP "
        "Dissents Group on Wednesday 13 January 2027 was removed")


def test_a_moved_meeting_takes_the_stages_due_at_it_along(app, admin, at_the_group):
    page = calendar_page(admin)
    move = f"/{SURREY}/admin/calendar/meetings/{meeting_id(page, '13 January 2027')}/move"
    form = admin.get(move).get_data(as_text=True)
    page = admin.post(move, data={"move-csrf_token": csrf(form), "move-day": ["20", "1", "2027"]}).get_data(as_text=True)
    assert moves_on(page) == [(at_the_group, STAGE, "Wednesday 13 January 2027", "Wednesday 20 January 2027")]
    confirm(admin, page)
    assert lead_view(app, at_the_group)[0]["stage"]["due_on"] == "2027-01-20"
    assert "Wednesday 20 January 2027" in calendar_page(admin)


def test_with_no_later_meeting_the_stage_is_flagged_and_a_new_meeting_gives_it_a_date(app, admin, at_the_group):
    confirm(admin, remove_meeting(admin, "10 February 2027"))  # not the one it is due at: nothing moves
    assert lead_view(app, at_the_group)[0]["stage"]["due_on"] == "2027-01-13"
    page = remove_meeting(admin, "13 January 2027")
    assert moves_on(page) == [(at_the_group, STAGE, "Wednesday 13 January 2027", "No meeting scheduled")]
    confirm(admin, page)

    case, shown, listed = lead_view(app, at_the_group)
    assert "No meeting scheduled: Review by the CP Dissents Group was due Wednesday 13 January 2027" in case["timeline"][-1]["summary"]
    assert "No meeting scheduled" in shown and "13 January 2027 (" not in shown
    row = listed[listed.index(at_the_group):listed.index("</tr>", listed.index(at_the_group))]
    assert "No meeting scheduled" in row
    assert "No meeting scheduled for 1 open stage" in calendar_page(admin) and f"{at_the_group}: {STAGE}" in calendar_page(admin)
    assert "No meeting scheduled" in moves_on(add_meeting(admin, "10", "3", "2027"))[0][2]

    confirm(admin, add_meeting(admin, "10", "3", "2027"))
    case, shown, _ = lead_view(app, at_the_group)
    assert case["stage"]["due_on"] == "2027-03-10"
    assert "Wednesday 10 March 2027" in shown and "No meeting scheduled" not in shown.split("Timeline")[0]


def test_a_meeting_added_on_a_past_day_moves_a_stage_into_the_past_without_a_due_today_message(app, admin, at_the_group, clock):
    from core.model.records import ScheduledNotification, db

    clock.set(london(2027, 1, 5, 10, 0))
    sign_in(admin, SURREY, ADMIN, "council-admin")
    page = add_meeting(admin, "30", "12", "2026")
    assert moves_on(page) == [(at_the_group, STAGE, "Wednesday 13 January 2027", "Wednesday 30 December 2026")]
    confirm(admin, page)
    assert lead_view(app, at_the_group)[0]["stage"]["due_on"] == "2026-12-30"
    with app.app_context():
        pending = {(r.kind, r.send_after.date().isoformat()) for r in db.session.scalars(db.select(ScheduledNotification).where(
            ScheduledNotification.state == "pending", ScheduledNotification.stage_entry_id.is_not(None)))}
    assert ("due-today", "2026-12-30") not in pending and not any(kind == "reminder" for kind, _ in pending)
    assert ("overdue", "2026-12-31") in pending  # one message: overdue since Wednesday 30 December
    assert any(kind == "due-date-moved" for kind, _ in pending)
