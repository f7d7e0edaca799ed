"""Dumfries and Galloway's Resolution and Escalation Protocol, walked as users would.

Raised on Thursday 24 December 2026: Scottish bank holidays on 25 and 28 December and on
1 and 4 January 2027 (2 January falls on a Saturday) push every deadline into January.
"""
import pytest

from core.testing import CLOSING, learning_of, london, post_action, sign_in

DG = "dumfriesgalloway"
PRACTITIONER = "health.visitor@dg.example.org"
LINE_MANAGER = "line.manager@dg.example.org"
LEADERSHIP = "girfec.leadership@dg.example.org"
EXECUTIVE = "cssapp.executive@dg.example.org"
SERVICE_LEADS = {
    "Wigtownshire": "service.lead.wigtownshire@dg.example.org",
    "Stewartry": "service.lead.stewartry@dg.example.org",
    "Nithsdale": "service.lead.nithsdale@dg.example.org",
    "Annandale and Eskdale": "service.lead.annandale@dg.example.org",
}
PRIVATE = "A private or voluntary provider (including early years) with no management structure beyond its own service"

INTAKE = {
    "immediate_risk": "no", "about": "A disagreement between professionals planning for a child or young person",
    "complaint": "no", "agency": "Social Work", "locality": "Nithsdale", "issue": "Who should be Lead Professional",
    "other_agency": "Education", "pre_discussion": "Two discussions and a group supervision.",
    "locality_group": "no", "informed": "yes",
    "line_manager_name": "Innes Moffat", "line_manager_email": LINE_MANAGER,
}
STAGE_1 = {"participants": "Health visitor, guidance teacher", "areas_discussed": "Lead Professional role",
           "agreement": "Both agree the plan is needed", "disagreement": "Who leads it",
           "barriers": "Workload in both services"}
STAGE_2 = {"situation": "s", "already_tried": "t", "barriers": "b", "actions_agreed": "a", "recorded_in_record": "yes"}
STAGE_3 = {"decision": "Education leads the plan.", "themes": "Clarify Lead Professional guidance."}
STAGE_4 = {"urgency": "Urgent", "urgency_assessment": "Assessed within 3 days.", "decision": "d", "themes": "t"}


@pytest.fixture
def councils():
    """This council only, from its entry point (``pip install -e`` it first)."""
    return [DG]


@pytest.fixture(autouse=True)
def christmas_eve(clock):
    clock.set(london(2026, 12, 24, 10, 0))


def raise_case(client, **changes):
    sign_in(client, DG, PRACTITIONER)
    return client.post(f"/{DG}/api/cases", json={"process": "escalation", "answers": {**INTAKE, **changes}})


def act(client, reference, who, action, record):
    sign_in(client, DG, who, "manager")
    response = post_action(client, f"/{DG}/api/cases/{reference}/actions", {"action": action, "record": {**CLOSING, **record}})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def at(case):
    return case["stage"]["slug"], [a["email"] for a in case["stage"]["assignees"]], case["stage"]["due_on"]


def test_pre_escalation_is_recorded_before_stage_1(client):
    case = raise_case(client).get_json()
    assert at(case) == ("stage-1", [LINE_MANAGER], "2027-01-06")
    sign_in(client, DG, PRACTITIONER)
    answers = client.get(f"/{DG}/api/cases/{case['reference']}").get_json()["answers"]
    assert answers["pre_discussion"] == "Two discussions and a group supervision."
    assert answers["locality_group"] == "no"


def test_professionals_should_inform_each_other_if_they_intend_to_escalate(client):
    sign_in(client, DG, PRACTITIONER)
    process = next(p for p in client.get(f"/{DG}/api/processes").get_json() if p["slug"] == "escalation")
    informed = next(f for f in process["fields"] if f["name"] == "informed")
    assert informed["type"] == "yesno"
    pages = [client.get(f"/{DG}/cases/new/escalation" + (f"/{n}" if n > 1 else "")) for n in range(1, 20)]
    page = "".join(p.get_data(as_text=True) for p in pages if p.status_code == 200)  # a page at a time
    assert "Professionals should inform each other if they intend to escalate their concerns." in page
    case = raise_case(client, informed="no")
    assert case.status_code == 201, "guidance, not a refusal"
    assert client.get(f"/{DG}/api/cases/{case.get_json()['reference']}").get_json()["answers"]["informed"] == "no"


def test_stage_1_records_areas_discussed_agreement_disagreement_and_barriers(client):
    sign_in(client, DG, PRACTITIONER)
    process = next(p for p in client.get(f"/{DG}/api/processes").get_json() if p["slug"] == "escalation")
    stage_1 = process["ladders"][0]["stages"][0]
    assert [f["name"] for f in stage_1["record"]] == [
        "participants", "areas_discussed", "agreement", "disagreement", "barriers"]
    refused = act_raw(client, raise_case(client).get_json()["reference"], LINE_MANAGER, "escalate", {})
    assert set(refused["errors"]) >= {"areas_discussed", "agreement", "disagreement", "barriers"}


def act_raw(client, reference, who, action, record):
    sign_in(client, DG, who, "manager")
    return post_action(client, f"/{DG}/api/cases/{reference}/actions", {"action": action, "record": {**CLOSING, **record}}).get_json()


@pytest.mark.parametrize("locality", sorted(SERVICE_LEADS))
def test_stage_2_social_work_goes_to_the_locality_manager_of_the_childs_locality(client, locality):
    case = raise_case(client, locality=locality).get_json()
    case = act(client, case["reference"], LINE_MANAGER, "escalate", STAGE_1)
    assert at(case) == ("stage-2", [SERVICE_LEADS[locality]], "2027-01-06")
    case = act(client, case["reference"], SERVICE_LEADS[locality], "escalate", STAGE_2)
    assert at(case) == ("stage-3", [LEADERSHIP], "2027-01-13")
    case = act(client, case["reference"], LEADERSHIP, "escalate", STAGE_3)
    assert at(case) == ("stage-4", [EXECUTIVE], "2027-01-08"), "urgency assessed within 7 working days"
    case = act(client, case["reference"], EXECUTIVE, "decided", STAGE_4)
    assert case["status"] == "closed" and case["outcome"] == "decided"
    assert case["stages"][2]["record"]["themes"] == "Clarify Lead Professional guidance."


@pytest.mark.parametrize("resolved_at", [1, 2, 3, 4])
def test_a_disagreement_can_be_resolved_at_each_stage(client, resolved_at):
    people = [LINE_MANAGER, SERVICE_LEADS["Nithsdale"], LEADERSHIP, EXECUTIVE]
    records = [STAGE_1, STAGE_2, STAGE_3, STAGE_4]
    case = raise_case(client).get_json()
    for stage in range(1, resolved_at):
        case = act(client, case["reference"], people[stage - 1], "escalate", records[stage - 1])
    case = act(client, case["reference"], people[resolved_at - 1], "resolved", records[resolved_at - 1])
    assert case["status"] == "closed" and case["outcome"] == "resolved"
    assert len(case["stages"]) == resolved_at


def test_private_and_voluntary_providers_go_to_their_line_manager_then_the_leadership_group_at_stage_2(client):
    """Stage 1: disagreements "must be reported by the practitioners concerned to their line manager or
    equivalent". Stage 2: "Private or voluntary providers, including Early Years might not have a management
    structure beyond their own service to refer to. These providers may escalate to the GIRFEC Leadership Group
    for advice and guidance, using [the children's services mailbox] as an initial point of contact."
    """
    case = raise_case(client, agency=PRIVATE).get_json()
    assert at(case) == ("stage-1", [LINE_MANAGER], "2027-01-06")
    case = act(client, case["reference"], LINE_MANAGER, "escalate", STAGE_1)
    assert at(case) == ("stage-2", [LEADERSHIP], "2027-01-06")
    assert "advice and guidance" in case["stage"]["title"]
    case = act(client, case["reference"], LEADERSHIP, "escalate", STAGE_2)
    assert at(case) == ("stage-3", [LEADERSHIP], "2027-01-13")
    case = act(client, case["reference"], LEADERSHIP, "escalate", STAGE_3)
    assert at(case) == ("stage-4", [EXECUTIVE], "2027-01-08")
    case = act(client, case["reference"], EXECUTIVE, "resolved", STAGE_4)
    assert case["status"] == "closed"


def test_the_locality_is_asked_only_of_social_work(client):
    """The protocol's localities (Wigtownshire; Stewartry; Nithsdale; Annandale and Eskdale) choose only the
    Social Work service lead (Locality Managers): no other agency is asked for one."""
    sign_in(client, DG, PRACTITIONER)
    fields = {f["name"]: f for f in client.get(f"/{DG}/api/processes").get_json()[0]["fields"]}
    assert fields["locality"]["shown_when"] == {"field": "agency", "values": ["Social Work"]}
    assert raise_case(client, agency="Health", locality=None).status_code == 201
    refused = raise_case(client, locality=None)
    assert refused.status_code == 400 and "locality" in refused.get_json()["errors"]


def test_which_service_lead_takes_each_agency_is_marked_as_the_councils_to_confirm(client):
    """Stage 2: "the relevant service leads, for example: Locality Managers/Team Managers, Detective Inspector,
    Safeguarding Manager, Nurse/Service Managers and Child/Public Protection Advisors (Health)". Only Health's are
    tagged with their agency; the others are Concord's reading. Stages 1 to 3 set no days; Stage 4's 7 working
    days are the protocol's."""
    sign_in(client, DG, PRACTITIONER)
    ladders = {ladder["slug"]: ladder for ladder in client.get(f"/{DG}/api/processes").get_json()[0]["ladders"]}
    for slug, ladder in ladders.items():
        stages = {s["slug"]: s for s in ladder["stages"]}
        # Health's service leads are tagged (Health) in the protocol; providers' Leadership Group is its own words.
        assert stages["stage-2"]["holder_to_confirm"] == (slug not in ("health", "private-voluntary")), slug
        assert all(stages[s]["deadline_to_confirm"] for s in ("stage-1", "stage-2", "stage-3"))
        assert not stages["stage-4"]["deadline_to_confirm"]


@pytest.mark.parametrize("agency, service_lead", [
    ("Health", "health.service.lead@dg.example.org"),
    ("Education", "education.safeguarding@dg.example.org"),
    ("Police", "detective.inspector@dg.example.org"),
])
def test_stage_2_goes_to_the_service_lead_of_the_agency(client, agency, service_lead):
    case = raise_case(client, agency=agency).get_json()
    case = act(client, case["reference"], LINE_MANAGER, "escalate", STAGE_1)
    assert at(case) == ("stage-2", [service_lead], "2027-01-06")
    case = act(client, case["reference"], service_lead, "escalate", STAGE_2)
    assert at(case) == ("stage-3", [LEADERSHIP], "2027-01-13")
    case = act(client, case["reference"], LEADERSHIP, "escalate", STAGE_3)
    case = act(client, case["reference"], EXECUTIVE, "decided", STAGE_4)
    assert case["status"] == "closed"


def test_a_child_at_immediate_risk_is_referred_through_child_protection_procedures_not_here(client):
    refused = raise_case(client, immediate_risk="yes")
    assert refused.status_code == 400
    assert refused.get_json()["errors"] == {"immediate_risk": [
        "If you consider a child or young person to be at immediate risk of significant harm, do not use this "
        "protocol: escalate your concerns on the same working day using the established child protection referral "
        "procedures."]}
    assert client.get(f"/{DG}/api/cases/DG-2026-0001").status_code == 404
    sign_in(client, DG, PRACTITIONER)
    assert [p["slug"] for p in client.get(f"/{DG}/api/processes").get_json()] == ["escalation"]


def test_not_a_framework_for_deciding_whether_a_childs_needs_are_escalating(client):
    refused = raise_case(client, about="Whether a child's needs are escalating")
    assert refused.status_code == 400
    assert refused.get_json()["errors"]["about"][0].startswith("This framework is about how professionals escalate")


def test_it_does_not_replace_complaints_or_adverse_events_procedures(client):
    refused = raise_case(client, complaint="yes")
    assert refused.status_code == 400
    assert refused.get_json()["errors"] == {"complaint": [
        "This framework does not replace the procedures for complaints or adverse events: follow your service's "
        "recognised procedure."]}


def test_every_form_shows_same_day_guidance_and_the_contacts_from_the_directory(client):
    sign_in(client, DG, PRACTITIONER)
    page = client.get(f"/{DG}/cases/new/escalation").get_data(as_text=True)
    assert "same working day" in page
    for contact in ("access.team@dg.example.org", "public.protection@dg.example.org",
                    "education.safeguarding@dg.example.org"):
        assert contact in page


def test_the_general_themes_the_leadership_group_records_are_the_learning_of_a_case_it_resolves(app, client):
    case = raise_case(client, agency=PRIVATE).get_json()
    act(client, case["reference"], LINE_MANAGER, "escalate", STAGE_1)
    act(client, case["reference"], LEADERSHIP, "escalate", STAGE_2)
    sign_in(client, DG, LEADERSHIP, "manager")
    page = client.get(f"/{DG}/cases/{case['reference']}").get_data(as_text=True)
    assert "General themes or learning to cascade to all agencies (needed if the case closes)" in page
    assert "Learning from this case" not in page, "one learning question on the page, in the protocol's words"

    themes = {"case_themes": CLOSING["case_themes"]}
    refused = post_action(client, f"/{DG}/api/cases/{case['reference']}/actions",
                          {"action": "resolved", "record": {**themes, "decision": "Education leads."}})
    assert refused.status_code == 400
    assert refused.get_json()["errors"]["themes"] == ["Enter the learning from this case"]
    escalated = post_action(client, f"/{DG}/api/cases/{case['reference']}/actions",
                            {"action": "escalate", "record": {"decision": "No agreement."}})
    assert escalated.status_code == 200, "only closing the case needs it"

    case = act(client, case["reference"], EXECUTIVE, "resolved", STAGE_4 | {"themes": "Agree the lead early."})
    assert learning_of(app, DG) == ["Agree the lead early."]
