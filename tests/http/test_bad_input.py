"""Bad input gets a clear message, and nothing is saved."""
import pytest
from sqlalchemy import func, select

from core.model.records import Case, CaseEvent, db
from core.testing import post_action, sign_in

WDC = "westdunbartonshire"


def dissent(**answers):
    base = {
        "conference_date": "2026-11-23",
        "chair_name": "Pat Example",
        "chair_email": "chair@wdc.example.org",
        "agency": "Education Services",
        "decision": "Not registered.",
        "reasons": "Risk was understated.",
    }
    return {"process": "conference-dissent", "answers": {**base, **answers}}


def saved(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Case.id))), db.session.scalar(select(func.count(CaseEvent.id)))


@pytest.fixture
def practitioner(client):
    sign_in(client, WDC, "practitioner@wdc.example.org")
    return client


@pytest.mark.parametrize("payload, field, message", [
    (dissent(reasons=None), "reasons", "Enter your reasons, as noted to the chairperson"),
    (dissent(reasons="   "), "reasons", "Enter your reasons, as noted to the chairperson"),
    (dissent(conference_date="2026-02-30"), "conference_date", "Date of the case conference must be a real date"),
    (dissent(conference_date="next tuesday"), "conference_date", "Date of the case conference must be a real date"),
    (dissent(chair_email="not-an-email"), "chair_email", "in the right format"),
    (dissent(reasons="x" * 10_001), "reasons", "must be 10,000 characters or fewer"),
    (dissent(chair_name="x" * 201), "chair_name", "must be 200 characters or fewer"),
    (dissent(favourite_colour="blue"), "favourite_colour", "is not a question on this form"),
    ({"process": "complaint", "answers": {}}, "process", "Choose a process this council runs: escalation, conference-dissent"),
    ({"process": "escalation", "answers": {"agency": "Police Scotland"}}, "agency", "from the list"),
    ({"process": "escalation"}, "answers", "Send answers as an object"),
])
def test_bad_answers_are_refused_with_a_clear_message_and_nothing_saved(app, practitioner, payload, field, message):
    response = practitioner.post(f"/{WDC}/api/cases", json=payload)
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert any(message in m for m in errors[field]), errors
    assert saved(app) == (0, 0)


def test_a_body_that_is_not_json_is_refused(app, practitioner):
    response = practitioner.post(f"/{WDC}/api/cases", data="process=escalation")
    assert response.status_code == 400
    assert "Send a JSON object" in response.get_json()["errors"]["body"][0]
    assert saved(app) == (0, 0)


def test_an_oversized_request_is_refused_with_a_message(app, practitioner):
    response = practitioner.post(f"/{WDC}/api/cases", json=dissent(reasons="x" * 2_000_000))
    assert response.status_code == 413
    assert "too large" in response.get_json()["error"]
    assert saved(app) == (0, 0)


def test_an_unknown_council_is_not_found(client):
    assert client.get("/atlantis/api/processes").status_code == 404
    assert client.post("/atlantis/api/cases", json=dissent()).status_code == 404
    assert "Page not found" in client.get("/atlantis/").get_data(as_text=True)


def test_a_case_cannot_be_opened_without_signing_in(app, client):
    response = client.post(f"/{WDC}/api/cases", json=dissent())
    assert response.status_code == 401
    assert saved(app) == (0, 0)


def test_a_signed_in_user_of_another_council_cannot_open_a_case_here(make_app):
    from core.testing_council import plugin as testshire

    app = make_app(PLUGINS=[testshire])
    client = app.test_client()
    sign_in(client, "testshire", "someone@testshire.example.org")
    assert client.post(f"/{WDC}/api/cases", json=dissent()).status_code == 404
    assert saved(app) == (0, 0)


def test_an_action_the_stage_does_not_offer_is_refused(app, client):
    sign_in(client, WDC, "practitioner@wdc.example.org")
    reference = client.post(f"/{WDC}/api/cases", json=dissent()).get_json()["reference"]
    sign_in(client, WDC, "head.of.service@wdc.example.org", "manager")
    response = post_action(client, f"/{WDC}/api/cases/{reference}/actions", {"action": "decision-stands", "record": {}})
    assert response.status_code == 400
    assert response.get_json()["errors"]["action"] == ["Select what happens next"]
    case = client.get(f"/{WDC}/api/cases/{reference}").get_json()
    assert case["stage"]["slug"] == "acknowledgement"


def test_working_days_api_explains_bad_parameters(client):
    response = client.get(f"/{WDC}/api/calendar/working-days?from=27/11/2026&add=-1")
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert "YYYY-MM-DD" in errors["from"][0]
    assert "whole number" in errors["add"][0]


def test_working_days_api_counts_in_the_councils_nation(client):
    got = client.get(f"/{WDC}/api/calendar/working-days?from=2026-11-27&add=1").get_json()
    assert got == {"from": "2026-11-27", "add": 1, "date": "2026-12-01"}
    same_day = client.get(f"/{WDC}/api/calendar/working-days?from=2026-11-28&add=0").get_json()
    assert same_day["date"] == "2026-12-01"
