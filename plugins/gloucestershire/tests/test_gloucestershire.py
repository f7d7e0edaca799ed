"""Gloucestershire's Child Protection Conference Professional Dissent Process, walked as users would."""
import pytest

from core.testing import london, sign_in, post_action

GCC = "gloucestershire"
DISSENTER = "health.visitor@gcc.example.org"
LINE_MANAGER = "line.manager@gcc.example.org"
SCU_LEAD = "scu.service.lead@gcc.example.org"
BUSINESS_MANAGER = "gscp.business.manager@gcc.example.org"
SCU_MANAGER = "scu.service.manager@gcc.example.org"

APPENDIX_1 = {
    "attended": "yes",
    "professional_name": "Jo Example",
    "professional_role": "Health visitor",
    "agency": "Community health",
    "professional_phone": "01632 960000",  # Ofcom's range reserved for fiction
    "professional_email": DISSENTER,
    "manager_details": "Robin Ashdown, line.manager@gcc.example.org",
    "child_names": "Child A",
    "child_dobs": "1 2 2020",
    "conference_date": "2026-12-17",
    "chair_name": "Reviewing Officer (demo)",
    "chair_email": "reviewing.officer@gcc.example.org",
    "made_subject_to_plan": "no",
    "discussed_with_line_manager": "yes",
    "rationale": "The risk from neglect was not weighed against the health evidence.",
    "signature": "Jo Example",
}


def raise_dissent(client, **changes):
    sign_in(client, GCC, DISSENTER)
    return client.post(f"/{GCC}/api/cases", json={"process": "conference-dissent", "answers": {**APPENDIX_1, **changes}})


def act(client, reference, email, action, record):
    sign_in(client, GCC, email, "manager")
    response = post_action(client, f"/{GCC}/api/cases/{reference}/actions", {"action": action, "record": record})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


LINE_MANAGER_RECORD = {"discussed": "Discussed straight after the conference.", "service_lead_advised": "yes"}
REVIEW_RECORD = {"dissent_recorded": "yes", "agency_service_lead": "Health service lead (demo)", "concerns_explored": "Health evidence.",
                 "information_reviewed": "Conference reports and minutes."}


def to_formal_dissent(client, clock):
    clock.set(london(2026, 12, 17, 15, 0))  # Thursday: the conference ends
    opened = raise_dissent(client).get_json()
    assert opened["stage"]["slug"] == "line-manager"
    assert opened["stage"]["assignees"] == [{"name": "Robin Ashdown", "email": LINE_MANAGER}]
    assert opened["stage"]["due_on"] == "2026-12-17", "immediately following the conference"
    case = act(client, opened["reference"], LINE_MANAGER, "escalate", LINE_MANAGER_RECORD)
    assert case["stage"]["slug"] == "service-lead-review"
    assert case["stage"]["assignees"] == [{"name": "Jamie Coldharbour", "email": SCU_LEAD}]
    assert case["stage"]["due_on"] == "2026-12-22", "within 5 days of the conference"
    return act(client, opened["reference"], SCU_LEAD, "escalate", REVIEW_RECORD)


def test_only_conference_attendees_can_dissent(app, client):
    refused = raise_dissent(client, attended="no")
    assert refused.status_code == 400
    assert refused.get_json()["errors"]["attended"] == [
        "Only professionals who attended the conference and dissented in it can use this process. "
        "For other concerns use the GSCP Escalation Protocol."
    ]
    assert client.get(f"/{GCC}/api/cases/GCC-2026-0001").status_code == 404, "nothing was saved"


def test_the_appendix_1_form_asks_every_question(client):
    sign_in(client, GCC, DISSENTER)
    process = client.get(f"/{GCC}/api/processes").get_json()[0]
    labels = [f["label"] for f in process["fields"]]
    for question in ("Name of professional", "Role", "Agency", "Telephone number", "Email address",
                     "Name and contact details of your manager", "Name of child or children",
                     "Date of birth of each child", "Date of the child protection conference",
                     "Who chaired the child protection conference",
                     "Was the child made subject to a child protection plan?",
                     "Have you discussed this dissent with your line manager?", "Rationale for dissent",
                     "Signature: type your full name"):
        assert question in labels
    for name in APPENDIX_1:
        missing = raise_dissent(client, **{name: None})
        assert missing.status_code == 400 and name in missing.get_json()["errors"], name
    assert client.get(f"/{GCC}/api/cases/GCC-2026-0001").status_code == 404, "nothing was saved"


def test_the_service_leads_cannot_review_a_dissent_missing_from_the_conference_record(client):
    reference = raise_dissent(client).get_json()["reference"]
    act(client, reference, LINE_MANAGER, "escalate", LINE_MANAGER_RECORD)
    sign_in(client, GCC, SCU_LEAD, "manager")
    refused = post_action(client, f"/{GCC}/api/cases/{reference}/actions", {
        "action": "escalate", "record": {**REVIEW_RECORD, "dissent_recorded": "no"}})
    assert refused.status_code == 400
    assert refused.get_json()["errors"] == {"dissent_recorded": [
        "All dissents are recorded formally in the Decisions, Outcome and Recommendations form and the child "
        "protection minutes: record this one there before the review."]}
    case = client.get(f"/{GCC}/api/cases/{reference}").get_json()
    assert case["stage"]["slug"] == "service-lead-review" and case["stages"][-1]["record"] is None


def test_upheld_by_the_service_leads_within_5_days_the_conference_is_reconvened(client, clock):
    clock.set(london(2026, 12, 17, 15, 0))
    reference = raise_dissent(client).get_json()["reference"]
    act(client, reference, LINE_MANAGER, "escalate", LINE_MANAGER_RECORD)
    case = act(client, reference, SCU_LEAD, "conference-reconvened", REVIEW_RECORD)
    assert case["status"] == "closed" and case["outcome"] == "conference-reconvened"


def test_a_dissent_withdrawn_with_the_line_manager_closes(client):
    reference = raise_dissent(client).get_json()["reference"]
    case = act(client, reference, LINE_MANAGER, "withdrawn", {**LINE_MANAGER_RECORD, "service_lead_advised": "no"})
    assert case["status"] == "closed" and case["outcome"] == "withdrawn"


def test_formal_dissent_is_due_10_working_days_from_the_conference_across_christmas(client, clock):
    case = to_formal_dissent(client, clock)
    assert case["stage"]["slug"] == "formal-dissent"
    assert case["stage"]["assignees"] == [{"name": "Alex Brookfield", "email": BUSINESS_MANAGER}]
    # 25 Dec, 28 Dec (Boxing Day's substitute) and 1 Jan are English bank holidays.
    assert case["stage"]["due_on"] == "2027-01-05"


@pytest.mark.parametrize("decision", ["decision-confirmed", "conference-reconvened"])
def test_the_written_response_is_due_15_working_days_after_the_meeting(client, clock, decision):
    case = to_formal_dissent(client, clock)
    reference = case["reference"]
    clock.set(london(2027, 1, 6, 10, 0))
    case = act(client, reference, BUSINESS_MANAGER, "escalate",
               {"received_on": "2027-01-04", "qlp_representatives": "Two QLP members (demo)"})
    assert case["stage"]["slug"] == "dissent-meeting"
    assert case["stage"]["assignees"] == [{"name": "Charlie Netherwood", "email": SCU_MANAGER}]
    assert case["stage"]["due_on"] == "2027-01-20"
    clock.set(london(2027, 1, 15, 9, 0))
    case = act(client, reference, SCU_MANAGER, "escalate",
               {"meeting_date": "2027-01-14", "attendees": "Service Manager, QLP", "decision_reasons": "Reasons."})
    assert case["stage"]["slug"] == "written-response"
    assert case["stage"]["due_on"] == "2027-02-04", "15 working days from the meeting on 14 January"
    case = act(client, reference, SCU_MANAGER, decision, {"response": "Letter sent."})
    assert case["status"] == "closed" and case["outcome"] == decision


def test_the_raise_form_shows_immediate_risk_guidance_and_the_complaints_signpost(client):
    sign_in(client, GCC, DISSENTER)
    page = client.get(f"/{GCC}/cases/new/conference-dissent").get_data(as_text=True)
    assert "If a child is at immediate risk of harm" in page
    assert "front.door@gcc.example.org" in page
    assert "complaints procedure" in page
