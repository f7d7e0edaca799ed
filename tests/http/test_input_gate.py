"""One input gate: dates, ids, text and files that people (or attackers) send never cause a server error.

Each probe below was a 500 on main before the gate: year-9999 dates in reports, audit and the dry
run, a forged calendar confirmation, 21-digit ids, NUL in form bodies (PostgreSQL refuses it), and
CSV files the parser chokes on. Every answer must be a clear 4xx page or message, and nothing saved.
"""
import io
import re

import pytest
from sqlalchemy import func, select

from core.model.records import ClosureDay, CouncilTheme, Meeting, db
from core.testing import sign_in

WDC = "westdunbartonshire"
SURREY = "surrey"
FAR = "9999-12-31"


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


@pytest.fixture
def lead(client):
    sign_in(client, WDC, "lead@wdc.example.org", "safeguarding-lead")
    return client


@pytest.fixture
def admin(client):
    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")
    return client


REPORT_PATHS = [
    "/reports/?from={d}&to={d}", "/reports/?from=2026-01-01&to={d}", "/reports/by-process.csv?from={d}&to={d}",
    "/reports/learning?from={d}&to={d}", "/reports/learning.csv?from={d}&to={d}",
    "/api/reports/summary?from={d}&to={d}", "/reports/?from-day=31&from-month=12&from-year=9999",
    "/reports/?from=0001-01-01&to=0001-12-31",
]


@pytest.mark.parametrize("path", REPORT_PATHS)
@pytest.mark.parametrize("day", [FAR, "0001-01-01", "2026-02-30", "２０２６-01-01"])
def test_a_far_or_impossible_date_in_a_report_is_a_clear_400(lead, path, day):
    response = lead.get(f"/{WDC}" + path.format(d=day))
    assert response.status_code in (400, 404), (path, day, response.status_code)
    if response.status_code == 400 and response.mimetype == "text/html":
        assert "There is a problem" in response.get_data(as_text=True) or "Bad request" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/admin/audit/?from={d}&to={d}", "/admin/audit/audit.csv?from={d}&to={d}",
                                  "/admin/audit/?from=2026-01-01&to={d}"])
def test_a_far_date_in_the_audit_search_is_a_clear_400(admin, path):
    response = admin.get(f"/{WDC}" + path.format(d=FAR))
    assert response.status_code == 400


def test_learning_across_councils_refuses_a_far_date(client):
    sign_in(client, WDC, "partner@wdc.example.org", "partnership-manager")
    for query in (f"from={FAR}", f"to={FAR}", "from=0001-01-01"):
        assert client.get(f"/api/learning?{query}").status_code == 400, query
        assert client.get(f"/learning?{query}").status_code == 400, query


def test_the_dry_run_refuses_far_days_and_a_missing_start_with_a_message(admin):
    page = admin.get(f"/{WDC}/admin/dry-run/").get_data(as_text=True)
    token = csrf(page)
    chosen = admin.post(f"/{WDC}/admin/dry-run/", data={
        "csrf_token": token, "which": "escalation", "start": ["31", "12", "9999"]})
    assert chosen.status_code == 400 and "must be between" in chosen.get_data(as_text=True)
    for start, steps in ((FAR, ""), ("", ""), ("2026-11-24", f"resolved@{FAR}"), ("2026-11-24", "resolved@0001-01-01")):
        response = admin.post(f"/{WDC}/admin/dry-run/escalation", data={
            "csrf_token": token, "start": start, "steps": steps, "do": "show"})
        assert response.status_code == 400, (start, steps)
    run = admin.post(f"/{WDC}/admin/dry-run/", data={"csrf_token": token, "which": "escalation",
                                                    "start": ["24", "11", "2026"]}).get_data(as_text=True)
    answers = dict(re.findall(r'name="(answers-[a-z_]+)"[^>]*value="([^"]*)"', run))
    assert answers, "the run page carries the example answers"
    for start, steps in ((FAR, ""), ("2026-11-24", f"resolved@{FAR}"), ("2100-12-31", "")):
        response = admin.post(f"/{WDC}/admin/dry-run/escalation", data={
            "csrf_token": token, "start": start, "steps": steps, "do": "show", **answers})
        assert response.status_code in (200, 400), (start, steps)
    step = admin.post(f"/{WDC}/admin/dry-run/escalation", data={
        "csrf_token": token, "start": "2026-11-24", "steps": "", "do": "step", "outcome": "resolved",
        "day": ["31", "12", "9999"]})
    assert step.status_code == 400


def meetings(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Meeting.id))), db.session.scalar(select(func.count(ClosureDay.id)))


@pytest.mark.parametrize("change", [
    {"change": "add-meeting", "day": FAR, "group": "cp-dissents-group"},
    {"change": "add-meeting", "day": "0001-01-01", "group": "cp-dissents-group"},
    {"change": "add-meeting", "day": "1999-06-01", "group": "cp-dissents-group"},
    {"change": "add-closure", "day": FAR, "reason": "Closed"},
    {"change": "add-closure", "day": "2027-03-03", "reason": "Closed\x00\r\nBcc: x@evil.invalid"},
])
def test_a_forged_calendar_confirmation_saves_nothing(app, client, change):
    sign_in(client, SURREY, "admin@surrey.example.org", "council-admin")
    page = client.get(f"/{SURREY}/admin/calendar/").get_data(as_text=True)
    before = meetings(app)
    response = client.post(f"/{SURREY}/admin/calendar/confirm", data={
        "csrf_token": csrf(page), "reason": "", "row": "", "new_day": "", "group": "", "fingerprint": "", **change})
    assert response.status_code == 400
    assert meetings(app) == before


def test_a_meeting_added_long_ago_or_far_ahead_is_refused_on_the_page(app, client):
    sign_in(client, SURREY, "admin@surrey.example.org", "council-admin")
    page = client.get(f"/{SURREY}/admin/calendar/").get_data(as_text=True)
    group = re.search(r'action="/surrey/admin/calendar/meetings/([a-z-]+)"', page).group(1)
    for day, month, year, message in (("1", "6", "1999", "more than 60 days ago"), ("31", "12", "9999", "must be between")):
        response = client.post(f"/{SURREY}/admin/calendar/meetings/{group}", data={
            f"{group}-csrf_token": csrf(page), f"{group}-day": [day, month, year]})
        assert response.status_code == 400 and message in response.get_data(as_text=True), (year, message)


@pytest.mark.parametrize("path", ["/admin/people/100000000000000000000/end-sessions",
                                  "/admin/people/2147483648/end-sessions"])
def test_an_id_too_big_for_the_database_is_not_found(admin, path):
    page = admin.get(f"/{WDC}/admin/people/").get_data(as_text=True)
    assert admin.post(f"/{WDC}{path}", data={"csrf_token": csrf(page)}).status_code == 404


def test_removing_a_theme_by_a_21_digit_id_is_not_found(admin):
    page = admin.get(f"/{WDC}/admin/themes").get_data(as_text=True)
    response = admin.post(f"/{WDC}/admin/themes/remove", data={"csrf_token": csrf(page), "id": "1" * 21})
    assert response.status_code == 404


def test_a_nul_in_the_case_list_search_is_refused_and_later_lists_still_work(lead):
    page = lead.get(f"/{WDC}/cases/").get_data(as_text=True)
    response = lead.post(f"/{WDC}/cases/", data={"csrf_token": csrf(page), "q": "WDC\x00"})
    assert response.status_code == 400
    assert "cannot be saved" in response.get_data(as_text=True)
    assert lead.get(f"/{WDC}/cases/").status_code == 200
    assert lead.get(f"/{WDC}/cases/export.csv").status_code == 200


def test_a_nul_in_a_new_theme_is_refused_and_nothing_saved(app, admin):
    page = admin.get(f"/{WDC}/admin/themes").get_data(as_text=True)
    response = admin.post(f"/{WDC}/admin/themes", data={"csrf_token": csrf(page), "label": "Sharing\x00"})
    assert response.status_code == 400 and "cannot be saved" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(CouncilTheme.id))) == 0


def test_a_nul_in_the_texts_admin_is_refused(admin):
    page = admin.get(f"/{WDC}/admin/texts/").get_data(as_text=True)
    fields = dict(re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', page))
    response = admin.post(f"/{WDC}/admin/texts/", data={"csrf_token": csrf(page), **fields,
                                                        "note": "Wording\x00", **{k: v + "\x00" for k, v in fields.items()}})
    assert response.status_code == 400 and "cannot be saved" in response.get_data(as_text=True)


@pytest.mark.parametrize("content", [
    "role,scope,name,email\nqio,Vale of Leven,\"" + "x" * 140_000 + "\",big@wdc.example.org\n",
    "role,scope,name,email\rqio,Vale of Leven,Sam,\"sam@wdc.example.org\rx\"\rqio",
    "role,scope,name,email\nqio,Vale of Leven,\"Sam\",\"x\"y\",sam@wdc.example.org\n\"unclosed",
])
def test_a_csv_the_parser_cannot_read_gets_a_message_with_its_line(admin, content):
    page = admin.get(f"/{WDC}/admin/directory/").get_data(as_text=True)
    response = admin.post(f"/{WDC}/admin/directory/import", data={
        "import-csrf_token": csrf(page), "import-note": "Yearly refresh",
        "import-file": (io.BytesIO(content.encode()), "directory.csv")}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)
    assert re.search(r"Line \d+: ", response.get_data(as_text=True))


def test_the_api_withdraw_applies_the_same_text_checks_as_the_page(client, clock):
    sign_in(client, WDC, "practitioner@wdc.example.org")
    made = client.post(f"/{WDC}/api/cases", json={"process": "conference-dissent", "answers": {
        "conference_date": "2026-11-23", "chair_name": "Pat Example", "chair_email": "chair@wdc.example.org",
        "agency": "Education Services", "decision": "Not registered.", "reasons": "Risk."}}).get_json()
    entry = client.get(f"/{WDC}/api/cases/{made['reference']}").get_json()["stage"]["entry"]
    for reason, message in (("Changed\x1bmy mind", "control character"), ("x" * 900_000, "characters or fewer")):
        response = client.post(f"/{WDC}/api/cases/{made['reference']}/actions", json={
            "action": "withdraw", "entry": entry, "record": {"reason": reason}})
        assert response.status_code in (400, 413), reason[:10]
        if response.status_code == 400:
            assert message in str(response.get_json()), response.get_json()
    assert client.get(f"/{WDC}/api/cases/{made['reference']}").get_json()["status"] == "open"


def test_a_practitioner_raising_with_an_id_past_the_database_gets_a_clear_answer(client):
    sign_in(client, WDC, "practitioner@wdc.example.org")
    assert client.get(f"/{WDC}/dev/mail/99999999999999999999").status_code == 404


def test_a_control_character_in_a_new_theme_or_the_texts_is_named_by_the_form(app, admin):
    page = admin.get(f"/{WDC}/admin/themes").get_data(as_text=True)
    refused = admin.post(f"/{WDC}/admin/themes", data={"csrf_token": csrf(page), "label": "Sharing\x1b[31m"})
    assert refused.status_code == 400 and "New theme contains a control character" in refused.get_data(as_text=True)
    page = admin.get(f"/{WDC}/admin/texts/").get_data(as_text=True)
    refused = admin.post(f"/{WDC}/admin/texts/", data={"csrf_token": csrf(page), "immediate_risk": "Phone\x07 the duty team",
                                                       "signposts": "", "note": "Wording"})
    assert refused.status_code == 400 and "contains a control character" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(CouncilTheme.id))) == 0
