"""Gloucestershire's Child Protection Conference Professional Dissent Process, walked as users would.

One test per rule of the seed; the README's table names them."""
import pytest

from core.testing import CLOSING, london, outbox, post_action, sign_in

GCC = "gloucestershire"
DISSENTER = "health.visitor@gcc.example.org"
LINE_MANAGER = "line.manager@gcc.example.org"
SCU_LEAD = "scu.service.lead@gcc.example.org"
BUSINESS_MANAGER = "gscp.business.manager@gcc.example.org"
SCU_MANAGER = "scu.service.manager@gcc.example.org"
CHAIR = "reviewing.officer@gcc.example.org"

DISSENT = {
    "raising_as": "A professional who attended the conference",
    "attended": "yes",
    "conference_date": "2026-12-17",
    "chair_name": "Reviewing Officer (demo)",
    "chair_email": CHAIR,
    "line_manager_name": "Robin Ashdown",
    "line_manager_email": LINE_MANAGER,
    "agency": "Community health",
    "professional_role": "Health visitor",
    "decision": "The child was not made subject to a child protection plan.",
    "rationale": "The risk from neglect was not weighed against the health evidence.",
}

APPENDIX_1 = {
    "raising_as": "A professional who attended the conference",
    "attended": "yes",
    "reviewed": "yes",
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
    "chair_email": CHAIR,
    "made_subject_to_plan": "no",
    "discussed_with_line_manager": "yes",
    "rationale": "The risk from neglect was not weighed against the health evidence.",
    "signature": "Jo Example",
}


@pytest.fixture
def councils():
    """This council only, from its entry point (``pip install -e`` it first)."""
    return [GCC]


@pytest.fixture(autouse=True)
def after_the_conference(clock):
    clock.set(london(2026, 12, 17, 15, 0))  # Thursday: the conference has just ended


def raise_(client, process, answers, **changes):
    sign_in(client, GCC, DISSENTER)
    return client.post(f"/{GCC}/api/cases", json={"process": process, "answers": {**answers, **changes}})


def raise_dissent(client, **changes):
    return raise_(client, "conference-dissent", DISSENT, **changes)


def raise_formal(client, **changes):
    return raise_(client, "formal-dissent", APPENDIX_1, **changes)


def act(client, reference, email, action, record):
    sign_in(client, GCC, email, "manager")
    response = post_action(client, f"/{GCC}/api/cases/{reference}/actions", {"action": action, "record": {**CLOSING, **record}})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


LINE_MANAGER_RECORD = {"discussed": "Discussed straight after the conference.", "service_lead_advised": "yes"}
REVIEW_RECORD = {"dissent_recorded": "yes", "agency_service_lead": "Health service lead (demo)",
                 "concerns_explored": "Health evidence.", "information_reviewed": "Conference reports and minutes."}


def nothing_saved(client):
    return client.get(f"/{GCC}/api/cases/GCC-2026-0001").status_code == 404


def test_for_professionals_only_not_parents_complaints(client):
    refused = raise_dissent(client, raising_as="A parent, carer or child")
    assert refused.status_code == 400
    assert refused.get_json()["errors"] == {"raising_as": [
        "This dissent process is for professionals only. Parents and children who want to complain about the "
        "service they have received use the complaints procedure of the local authority or the agency concerned."]}
    assert nothing_saved(client)


@pytest.mark.parametrize("raise_form", [raise_dissent, raise_formal])
def test_dissent_only_within_the_conference_by_those_who_attended(client, raise_form):
    refused = raise_form(client, attended="no")
    assert refused.status_code == 400
    assert refused.get_json()["errors"]["attended"][0].startswith(
        "Dissent can only be expressed within a child protection conference")
    assert nothing_saved(client)


def test_the_conference_date_is_not_in_the_future(client):
    refused = raise_dissent(client, conference_date="2026-12-18")
    assert refused.status_code == 400
    assert refused.get_json()["errors"] == {
        "conference_date": ["Date of the child protection conference must be today or in the past"]}
    assert nothing_saved(client)


def test_line_manager_discussion_immediately_following_the_conference(client, clock):
    clock.set(london(2026, 12, 18, 9, 0))  # raised the day after the conference
    opened = raise_dissent(client).get_json()
    assert opened["stage"]["slug"] == "line-manager"
    assert opened["stage"]["assignees"] == [{"name": "Robin Ashdown", "email": LINE_MANAGER}]
    assert opened["stage"]["due_on"] == "2026-12-18", "1 working day from Thursday's conference: not overdue on arrival"


def test_service_leads_review_within_5_days_of_the_conference(client, clock):
    opened = raise_dissent(client).get_json()
    clock.set(london(2026, 12, 18, 9, 0))
    case = act(client, opened["reference"], LINE_MANAGER, "escalate", LINE_MANAGER_RECORD)
    assert case["stage"]["slug"] == "service-lead-review"
    assert case["stage"]["assignees"] == [{"name": "Jamie Coldharbour", "email": SCU_LEAD}]
    assert case["stage"]["due_on"] == "2026-12-22", "5 calendar days from 17 December"


def test_dissents_are_recorded_in_the_decisions_outcome_and_recommendations_form(client):
    reference = raise_dissent(client).get_json()["reference"]
    act(client, reference, LINE_MANAGER, "escalate", LINE_MANAGER_RECORD)
    sign_in(client, GCC, SCU_LEAD, "manager")
    refused = post_action(client, f"/{GCC}/api/cases/{reference}/actions", {
        "action": "formal-dissent", "record": {**REVIEW_RECORD, "dissent_recorded": "no", **CLOSING}})
    assert refused.status_code == 400
    assert refused.get_json()["errors"] == {"dissent_recorded": [
        "All dissents are recorded formally in the Decisions, Outcome and Recommendations form and the child "
        "protection minutes: record this one there before the review."]}
    case = client.get(f"/{GCC}/api/cases/{reference}").get_json()
    assert case["stage"]["slug"] == "service-lead-review" and case["stages"][-1]["record"] is None


def test_upheld_by_the_service_leads_the_conference_is_reconvened_and_the_chair_is_told(app, client):
    reference = raise_dissent(client).get_json()["reference"]
    act(client, reference, LINE_MANAGER, "escalate", LINE_MANAGER_RECORD)
    case = act(client, reference, SCU_LEAD, "conference-reconvened", REVIEW_RECORD)
    assert case["status"] == "closed" and case["outcome"] == "conference-reconvened"
    assert outbox(app, "outcome") == [DISSENTER, CHAIR]


FRIDAY_CONFERENCE = "2026-12-18"   # 10 working days on: Wednesday 6 January 2027 (Christmas, Boxing Day, New Year)


def to_appendix_1(client, clock):
    clock.set(london(2026, 12, 18, 15, 0))
    reference = raise_dissent(client, conference_date=FRIDAY_CONFERENCE).get_json()["reference"]
    act(client, reference, LINE_MANAGER, "escalate", LINE_MANAGER_RECORD)
    return act(client, reference, SCU_LEAD, "formal-dissent", REVIEW_RECORD)


def test_disagreement_after_the_review_is_a_dated_step_of_the_dissenter(app, client, clock):
    """"If there is disagreement, then the formal dissent process should be commenced. The reasons for the dissent
    must be put in writing and sent to the GSCP Business Manager as soon as possible but no later than 10 working
    days from the Child Protection Conference." For a conference on Friday 18 December 2026 that is Wednesday
    6 January 2027: the case stays open at the dissenter's own step, shown on the case page and in their list,
    and they are reminded like anyone holding a stage."""
    case = to_appendix_1(client, clock)
    assert case["status"] == "open"
    stage = case["stage"]
    assert stage["slug"] == "appendix-1" and stage["due_on"] == "2027-01-06"
    assert stage["assignees"] == [{"name": "Health Visitor", "email": DISSENTER}] or \
        [a["email"] for a in stage["assignees"]] == [DISSENTER]
    assert stage["sends"]["process"] == "formal-dissent"
    assert stage["sends"]["answers"]["conference_date"] == FRIDAY_CONFERENCE
    assert stage["sends"]["answers"]["chair_email"] == CHAIR
    sign_in(client, GCC, DISSENTER)
    page = client.get(f"/{GCC}/cases/{case['reference']}").get_data(as_text=True)
    assert "Formal written dissent (Appendix 1)" in page and "Wednesday 6 January 2027" in page
    assert "/gloucestershire/cases/new/formal-dissent" in page
    listed = client.get(f"/{GCC}/api/cases").get_json()["cases"]
    assert [(c["reference"], c["stage"], c["due_on"]) for c in listed] == [
        (case["reference"], "appendix-1", "2027-01-06")]
    their_list = client.get(f"/{GCC}/cases/").get_data(as_text=True)
    assert "Formal written dissent (Appendix 1)" in their_list and case["reference"] in their_list
    assert DISSENTER in outbox(app, "reminder") and DISSENTER in outbox(app, "due-today")


def test_sending_appendix_1_carries_the_case_on_into_the_formal_process(client, clock):
    """"The referral will then be passed onto the Service Manager for Safeguarding Children Unit": the formal
    written dissent continues the same dissent, linked both ways, the conference dissent closing as sent on."""
    case = to_appendix_1(client, clock)
    clock.set(london(2027, 1, 5, 11, 0))
    formal = raise_formal(client, conference_date=FRIDAY_CONFERENCE)
    assert formal.status_code == 201, formal.get_json()
    formal = client.get(f"/{GCC}/api/cases/{formal.get_json()['reference']}").get_json()
    assert formal["opened_from"] == case["reference"]
    assert formal["stage"]["slug"] == "business-manager"
    first = client.get(f"/{GCC}/api/cases/{case['reference']}").get_json()
    assert first["status"] == "closed" and first["outcome"] == "sent"
    assert first["linked"] == [formal["reference"]]
    assert not any(e["kind"] == "late" for e in formal["timeline"] + first["timeline"])


def test_appendix_1_after_its_deadline_is_accepted_and_flagged_late(client, clock):
    """"no later than 10 working days from the Child Protection Conference": a form that arrives later is still
    the dissenter's formal dissent (it is accepted), and the case says it was late."""
    case = to_appendix_1(client, clock)
    clock.set(london(2027, 1, 7, 9, 0))
    formal = raise_formal(client, conference_date=FRIDAY_CONFERENCE)
    assert formal.status_code == 201
    formal = client.get(f"/{GCC}/api/cases/{formal.get_json()['reference']}").get_json()
    late = [e["summary"] for e in formal["timeline"] if e["kind"] == "late"]
    assert late == ["Formal written dissent (Appendix 1) sent on Thursday 7 January 2027, after its deadline of "
                    "Wednesday 6 January 2027 (within 10 working days of the conference): accepted, and late"]
    assert formal["raiser_late"] is True
    first = client.get(f"/{GCC}/api/cases/{case['reference']}").get_json()
    assert any(e["kind"] == "late" for e in first["timeline"])


def test_appendix_1_sent_on_its_own_two_months_late_is_flagged(client, clock):
    """A formal dissent sent straight on the online form is held to the same 10 working days."""
    clock.set(london(2027, 2, 18, 9, 0))
    formal = raise_formal(client, conference_date=FRIDAY_CONFERENCE)
    assert formal.status_code == 201
    formal = client.get(f"/{GCC}/api/cases/{formal.get_json()['reference']}").get_json()
    assert formal["raiser_late"] is True
    assert formal["opened_from"] is None


def test_a_dissent_withdrawn_with_the_line_manager_closes(client):
    reference = raise_dissent(client).get_json()["reference"]
    case = act(client, reference, LINE_MANAGER, "withdrawn-after-discussion", {**LINE_MANAGER_RECORD, "service_lead_advised": "no"})
    assert case["status"] == "closed" and case["outcome"] == "withdrawn-after-discussion"


def test_the_formal_dissent_is_sent_only_after_the_service_leads_review(client):
    refused = raise_formal(client, reviewed="no")
    assert refused.status_code == 400
    assert refused.get_json()["errors"]["reviewed"][0].startswith("Before the formal dissent process")
    assert nothing_saved(client)


def test_the_appendix_1_form_asks_every_question(client):
    sign_in(client, GCC, DISSENTER)
    process = {p["slug"]: p for p in client.get(f"/{GCC}/api/processes").get_json()}["formal-dissent"]
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
        missing = raise_formal(client, **{name: None})
        assert missing.status_code == 400 and name in missing.get_json()["errors"], name
    assert nothing_saved(client)


def test_the_formal_dissent_is_due_no_later_than_10_working_days_from_the_conference(client):
    sign_in(client, GCC, DISSENTER)
    process = {p["slug"]: p for p in client.get(f"/{GCC}/api/processes").get_json()}["formal-dissent"]
    assert "no later than 10 working days from the conference" in process["summary"]
    hint = client.get(f"/{GCC}/cases/new/formal-dissent").get_data(as_text=True)
    assert "no later than 10 working days from the conference" in hint


@pytest.mark.parametrize("decision", ["decision-confirmed", "conference-reconvened"])
def test_a_response_no_later_than_15_working_days_of_the_meeting(app, client, clock, decision):
    clock.set(london(2027, 1, 4, 10, 0))  # the written dissent is sent
    reference = raise_formal(client).get_json()["reference"]
    case = client.get(f"/{GCC}/api/cases/{reference}").get_json()
    assert case["stage"]["slug"] == "business-manager"
    assert case["stage"]["assignees"] == [{"name": "Alex Brookfield", "email": BUSINESS_MANAGER}]
    assert case["stage"]["due_on"] == "2027-01-06"
    case = act(client, reference, BUSINESS_MANAGER, "escalate", {"qlp_representatives": "Two QLP members (demo)"})
    assert case["stage"]["slug"] == "dissent-meeting"
    assert case["stage"]["assignees"] == [{"name": "Charlie Netherwood", "email": SCU_MANAGER}]
    assert case["stage"]["due_on"] == "2027-01-18"
    clock.set(london(2027, 1, 15, 9, 0))
    case = act(client, reference, SCU_MANAGER, "escalate",
               {"meeting_date": "2027-01-14", "attendees": "Service Manager, QLP", "decision_reasons": "Reasons."})
    assert case["stage"]["slug"] == "written-response"
    assert case["stage"]["due_on"] == "2027-02-04", "15 working days from the meeting on 14 January"
    case = act(client, reference, SCU_MANAGER, decision, {"response": "Letter sent."})
    assert case["status"] == "closed" and case["outcome"] == decision
    assert outbox(app, "outcome") == [DISSENTER, CHAIR]


def test_the_meeting_date_is_not_in_the_future(client, clock):
    reference = raise_formal(client).get_json()["reference"]
    act(client, reference, BUSINESS_MANAGER, "escalate", {"qlp_representatives": "Two QLP members (demo)"})
    sign_in(client, GCC, SCU_MANAGER, "manager")
    refused = post_action(client, f"/{GCC}/api/cases/{reference}/actions", {"action": "escalate", "record": {
        "meeting_date": "2026-12-24", "attendees": "x", "decision_reasons": "y"}})
    assert refused.status_code == 400
    assert refused.get_json()["errors"] == {"meeting_date": ["Date of the meeting must be today or in the past"]}


def test_the_meeting_that_considers_the_dissent_is_not_before_the_conference(client):
    """"The referral will then be passed onto the Service Manager ... A meeting will be held": after the
    conference the dissent is about, never before it."""
    reference = raise_formal(client).get_json()["reference"]
    act(client, reference, BUSINESS_MANAGER, "escalate", {"qlp_representatives": "Two QLP members (demo)"})
    sign_in(client, GCC, SCU_MANAGER, "manager")
    refused = post_action(client, f"/{GCC}/api/cases/{reference}/actions", {"action": "escalate", "record": {
        "meeting_date": "2026-12-10", "attendees": "x", "decision_reasons": "y"}})
    assert refused.status_code == 400
    assert refused.get_json()["errors"] == {"meeting_date": [
        "Date of the meeting cannot be before the conference (17 December 2026)"]}


def test_the_raise_form_shows_immediate_risk_guidance_and_the_complaints_signpost(client):
    sign_in(client, GCC, DISSENTER)
    page = client.get(f"/{GCC}/cases/new/conference-dissent").get_data(as_text=True)
    assert "If a child is at immediate risk of harm" in page
    assert "front.door@gcc.example.org" in page
    assert "complaints procedure" in page


def test_only_the_dissenters_own_line_manager_holds_the_discussion(client):
    reference = raise_dissent(client).get_json()["reference"]
    sign_in(client, GCC, "another.line.manager@gcc.example.org", "manager")
    assert client.get(f"/{GCC}/api/cases/{reference}").status_code == 404
    sign_in(client, GCC, LINE_MANAGER, "manager")
    assert client.get(f"/{GCC}/api/cases/{reference}").get_json()["stage"]["assignee"]["name"] == "Robin Ashdown"


def test_the_timescales_the_procedure_does_not_give_are_marked_for_the_council_to_confirm(client):
    """The procedure says "immediately following the conference", "within 5 days of the conference", "no later
    than 10 working days from the Child Protection Conference" and "no later than 15 working days of the
    meeting"; it gives the Business Manager's step and the meeting no timescale."""
    sign_in(client, GCC, DISSENTER)
    described = {p["slug"]: p for p in client.get(f"/{GCC}/api/processes").get_json()}
    marked = {(slug, s["slug"]): s["deadline_to_confirm"]
              for slug, p in described.items() for ladder in p["ladders"] for s in ladder["stages"]}
    assert marked == {
        ("conference-dissent", "line-manager"): True,
        ("conference-dissent", "service-lead-review"): False,
        ("conference-dissent", "appendix-1"): False,
        ("formal-dissent", "business-manager"): True,
        ("formal-dissent", "dissent-meeting"): True,
        ("formal-dissent", "written-response"): False,
    }


def test_the_appendix_1_form_starts_with_what_the_dissent_already_says(client, clock):
    """"The reasons for the dissent must be put in writing": the dissenter opening Appendix 1 from their step
    finds the conference, its chair and their own details already in it, to check rather than type again."""
    to_appendix_1(client, clock)
    sign_in(client, GCC, DISSENTER)
    pages = [client.get(f"/{GCC}/cases/new/formal-dissent/{n}").get_data(as_text=True) for n in range(1, 9)]
    conference = next(p for p in pages if 'name="conference_date"' in p)
    assert 'value="18"' in conference and 'value="12"' in conference and 'value="2026"' in conference
    assert DISSENT["chair_name"] in conference
    sign_in(client, GCC, "someone.else@gcc.example.org")
    fresh = [client.get(f"/{GCC}/cases/new/formal-dissent/{n}").get_data(as_text=True) for n in range(1, 9)]
    assert not any(DISSENT["chair_name"] in p for p in fresh), "nobody else's form is filled in"
