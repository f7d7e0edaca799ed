"""Odd input gets a clear message per field and nothing is saved; odd stored text never breaks a page."""
import json
import re

import pytest
from sqlalchemy import func, select

from core.model.records import Case, db
from core.testing import sign_in

WDC = "westdunbartonshire"


def dissent(**answers):
    base = {"conference_date": "2026-11-20", "chair_name": "Pat Example", "chair_email": "chair@wdc.example.org",
            "agency": "Education Services", "decision": "Not registered.", "reasons": "Risk was understated."}
    return {"process": "conference-dissent", "answers": {**base, **answers}}


def cases_saved(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Case.id)))


@pytest.fixture
def practitioner(client):
    sign_in(client, WDC, "practitioner@wdc.example.org")
    return client


@pytest.mark.parametrize("answers, field, message", [
    ({"reasons": "Risk \ud800 understated"}, "reasons", "reasons contains a character that cannot be saved"),
    ({"reasons": "Risk\x00understated"}, "reasons", "reasons contains a character that cannot be saved"),
    ({"reasons": "Risk\x1b[31m understated"}, "reasons", "Your reasons, as noted to the chairperson contains a control character"),
    ({"chair_name": "Pat\nExample"}, "chair_name", "Name of the conference chairperson must be on one line"),
    ({"chair_name": "Pat\tExample"}, "chair_name", "must be on one line"),
    ({"conference_date": "0001-01-01"}, "conference_date", "Date of the case conference must be between 1 1 1900 and 31 12 2100"),
    ({"conference_date": "9999-12-31"}, "conference_date", "Date of the case conference must be between 1 1 1900 and 31 12 2100"),
])
def test_a_dissent_with_odd_characters_or_an_implausible_date_is_refused_per_field(app, practitioner, answers, field, message):
    response = practitioner.post(f"/{WDC}/api/cases", json=dissent(**answers))
    assert response.status_code == 400, response.get_data(as_text=True)
    errors = response.get_json()["errors"]
    assert any(message in m for m in errors[field]), errors
    assert cases_saved(app) == 0


def test_long_answers_keep_their_line_breaks_and_tabs(app, practitioner):
    response = practitioner.post(f"/{WDC}/api/cases", json=dissent(reasons="First,\r\n\tsecond.\nThird."))
    assert response.status_code == 201
    case = practitioner.get(f"/{WDC}/api/cases/{response.get_json()['reference']}").get_json()
    assert case["answers"]["reasons"] == "First,\r\n\tsecond.\nThird."


@pytest.mark.parametrize("body", [
    '{"process": "conference-dissent", "answers": {"reasons\\ud800": "x"}}',
    '{"process": "conference-dissent\\u0000", "answers": {}}',
    '{"process": "\\udfff", "answers": {}}',
])
def test_odd_characters_anywhere_in_the_json_are_refused_not_a_server_error(app, practitioner, body):
    response = practitioner.post(f"/{WDC}/api/cases", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "cannot be saved" in json.dumps(response.get_json()["errors"])
    assert cases_saved(app) == 0


@pytest.mark.parametrize("body", ["[" * 100_000, '{"answers": ' + "[" * 200 + "]" * 200 + "}", "{" * 50_000])
def test_deeply_nested_json_is_refused_with_a_message(app, practitioner, body):
    response = practitioner.post(f"/{WDC}/api/cases", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.get_json()["errors"]["body"][0]
    assert cases_saved(app) == 0


def test_development_sign_in_api_refuses_odd_characters(client):
    response = client.post(f"/{WDC}/api/dev/session", data='{"email": "a\\ud800@wdc.example.org", "role": "practitioner"}',
                           content_type="application/json")
    assert response.status_code == 400
    assert "cannot be saved" in response.get_json()["errors"]["email"][0]


@pytest.mark.parametrize("start", ["9999-12-31", "0001-01-01", "2101-01-01"])
def test_working_days_from_an_implausible_date_is_explained(client, start):
    response = client.get(f"/{WDC}/api/calendar/working-days?from={start}&add=1")
    assert response.status_code == 400
    assert "between 1900-01-01 and 2100-12-31" in response.get_json()["errors"]["from"][0]


def test_an_api_route_asked_with_the_wrong_method_says_which_to_use(client):
    response = client.put(f"/{WDC}/api/cases")  # GET lists cases, POST raises one
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"] and "GET" in response.headers["Allow"]
    assert response.get_json() == {"error": "That action is not available on this page."}


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def test_a_teacher_pasting_a_control_character_into_the_form_sees_which_answer_to_fix(app, client):
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    page = client.get(f"/{WDC}/cases/new/escalation").get_data(as_text=True)
    response = client.post(f"/{WDC}/cases/new/escalation", data={
        "csrf_token": csrf(page), "agency": "Education Services", "learning_community": "Vale of Leven",
        "other_agency": "Area team\x00", "decision": "Closed.", "disagreement": "New\x0bconcerns.", "tried": "Talked."})
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert 'href="#other_agency"' in html and "Which agency or team made the decision? contains a character" in html
    assert 'href="#disagreement"' in html and "Why you disagree contains a control character" in html
    assert cases_saved(app) == 0


def test_a_case_with_odd_text_already_stored_still_shows(app, client):
    """A stage's record stored before the checks (JSON text keeps a lone surrogate and a NUL as escapes).
    A case's answers cannot hold them any more on PostgreSQL (JSONB): migration scale4_list_plans stored
    them as pages show them (tests/ops/test_migrations.py)."""
    sign_in(client, WDC, "practitioner@wdc.example.org")
    reference = client.post(f"/{WDC}/api/cases", json=dissent()).get_json()["reference"]
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == reference))
        case.stages[0].record = {"acknowledgement": "Stored before the check: \ud800 and \x00 and \x1b."}
        db.session.commit()
    page = client.get(f"/{WDC}/cases/{reference}")
    assert page.status_code == 200
    assert "Stored before the check: \ufffd and" in page.get_data(as_text=True)
    assert client.get(f"/{WDC}/api/cases/{reference}").status_code == 200


@pytest.mark.parametrize("body", [{"email": 1, "role": None}, {"email": ["a@wdc.example.org"], "role": "practitioner"},
                                  {"email": "a@wdc.example.org", "role": {"x": 1}}])
def test_development_sign_in_api_refuses_answers_that_are_not_text(client, body):
    response = client.post(f"/{WDC}/api/dev/session", json=body)
    assert response.status_code == 400
    assert any("as text" in m[0] for m in response.get_json()["errors"].values())


def form_fields(html, action):
    form = re.search(rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S).group(1)
    return dict(re.findall(r'name="(csrf_token|entry)"[^>]*value="([^"]*)"', form))


def test_a_teacher_withdrawing_with_a_control_character_in_the_reason_is_told_and_nothing_changes(client):
    sign_in(client, WDC, "practitioner@wdc.example.org")
    reference = client.post(f"/{WDC}/api/cases", json=dissent()).get_json()["reference"]
    page = client.get(f"/{WDC}/cases/{reference}").get_data(as_text=True)
    fields = form_fields(page, f"/{WDC}/cases/{reference}/withdraw")
    shown = client.post(f"/{WDC}/cases/{reference}/withdraw", data={**fields, "reason": "Changed\x00my mind"},
                        follow_redirects=True)
    assert shown.status_code == 200
    assert "Why you are withdrawing it contains a character that cannot be saved" in shown.get_data(as_text=True)
    assert client.get(f"/{WDC}/api/cases/{reference}").get_json()["status"] == "open"


def test_a_lead_reassigning_with_a_control_character_in_the_note_is_told_and_nothing_changes(client):
    sign_in(client, WDC, "practitioner@wdc.example.org")
    reference = client.post(f"/{WDC}/api/cases", json=dissent()).get_json()["reference"]
    sign_in(client, WDC, "lead@wdc.example.org", "safeguarding-lead")
    page = client.get(f"/{WDC}/cases/{reference}").get_data(as_text=True)
    fields = form_fields(page, f"/{WDC}/cases/{reference}/reassign")
    person = re.search(r'<option value="(contact-\d+)">', page).group(1)
    shown = client.post(f"/{WDC}/cases/{reference}/reassign", data={
        **fields, "person": person, "note": "Cover\x00for leave"}, follow_redirects=True)
    assert shown.status_code == 200
    assert "Note contains a character that cannot be saved" in shown.get_data(as_text=True)
    assert client.get(f"/{WDC}/api/cases/{reference}").get_json()["stage"]["assignee"] is None
