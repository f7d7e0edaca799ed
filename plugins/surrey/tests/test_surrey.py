"""Surrey's inter-agency escalation policy and CP conference dissents, walked as users would."""
import re

import pytest

from core.testing import CLOSING, learning_of, london, outbox, post_action, rendered, sign_in

SURREY = "surrey"
PRACTITIONER = "school.nurse@surrey.example.org"
LINE_MANAGER = "line.manager@surrey.example.org"
SAFEGUARDING = "safeguarding.lead@surrey.example.org"
SENIOR = "senior.manager@surrey.example.org"
SRIS = "sris@surrey.example.org"
CHAIR = "independent.chair@surrey.example.org"
GROUP = "cp.dissents.group@surrey.example.org"
CHILDRENS_SERVICE = "childrens.service@surrey.example.org"
HEAD = "head.of.safeguarding@surrey.example.org"

DISAGREEMENT = {
    "conduct": "no", "practitioner_level": "yes", "area": "Level of need or risk assessment", "other_agency": "Police",
    "decision": "No further action on a disclosure.", "tried": "Called the officer twice.", "imminent_risk": "No",
    "line_manager_name": "Kai Reigate", "line_manager_email": LINE_MANAGER,
}
DISSENT = {
    "conduct": "no", "conference_date": "2026-12-22", "chair_name": "Blake Farnham", "chair_email": CHAIR, "agency": "Health",
    "decision": "Child protection plan ended.", "dissent": "Injuries remain unexplained.",
}
RECORD = {"discussion": "Spoke with the officer's sergeant.", "written_confirmation": "Agreed by email."}


@pytest.fixture
def councils():
    """This council only, from its entry point (``pip install -e`` it first)."""
    return [SURREY]


def raise_case(client, process, answers):
    sign_in(client, SURREY, PRACTITIONER)
    return client.post(f"/{SURREY}/api/cases", json={"process": process, "answers": answers})


def act(client, reference, who, action, record):
    sign_in(client, SURREY, who, "manager")
    response = post_action(client, f"/{SURREY}/api/cases/{reference}/actions", {"action": action, "record": {**CLOSING, **record}})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def due_and_people(case):
    return case["stage"]["due_on"], [a["email"] for a in case["stage"]["assignees"]]


@pytest.fixture(autouse=True)
def christmas_eve(clock):
    clock.set(london(2026, 12, 24, 10, 0))


@pytest.mark.parametrize("process, answers", [("escalation", DISAGREEMENT), ("conference-dissent", DISSENT)])
def test_this_procedure_does_not_apply_to_concerns_about_a_professionals_conduct(client, process, answers):
    refused = raise_case(client, process, {**answers, "conduct": "yes"})
    assert refused.status_code == 400
    message = refused.get_json()["errors"]["conduct"][0]
    assert "Whistleblowing Policy" in message and "Local Authority Designated Officer" in message
    assert client.get(f"/{SURREY}/api/cases/SCC-2026-0001").status_code == 404


def test_imminent_risk_does_not_wait_for_practitioner_level(client):
    sign_in(client, SURREY, PRACTITIONER)
    fields = {f["name"]: f for f in client.get(f"/{SURREY}/api/processes").get_json()[0]["fields"]}
    assert fields["practitioner_level"]["shown_when"] == {"field": "imminent_risk", "values": ["No"]}
    case = raise_case(client, "escalation", {**DISAGREEMENT, "imminent_risk": "Yes", "practitioner_level": "no"})
    assert case.status_code == 201
    assert case.get_json()["stage"]["slug"] == "referral-service"


def test_the_start_page_has_no_developer_note_and_marks_each_value_the_policy_does_not_give(client):
    """"Resolution should be sought within the shortest timescale possible": the policy gives no number of days,
    and its section 3 flowchart is missing from the copy Concord was built from. Each deadline and holder Concord
    chose is marked on the page for Surrey to confirm; the start page carries no note to developers."""
    sign_in(client, SURREY, PRACTITIONER)
    for url in (f"/{SURREY}/", f"/{SURREY}/cases/new/escalation"):
        page = client.get(url).get_data(as_text=True)
        assert "flowchart" not in page
    page = client.get(f"/{SURREY}/cases/new/escalation").get_data(as_text=True)
    assert "within 2 working days of the matter reaching this rung; not in the procedure, for the council to confirm" in page
    assert "Senior manager of your agency (not named in the procedure, for the council to confirm)" in page
    assert ("on the same working day as the case being referred; not in the procedure, for the council to confirm"
            in page)
    dissent = {p["slug"]: p for p in client.get(f"/{SURREY}/api/processes").get_json()}["conference-dissent"]
    stages = {s["slug"]: s for s in dissent["ladders"][0]["stages"]}
    assert stages["strategy-meeting"]["holder_to_confirm"] and stages["strategy-meeting"]["deadline_to_confirm"]
    assert stages["dissents-group"]["deadline"].endswith("not in the procedure, for the council to confirm")
    assert not stages["dissents-group"]["holder_to_confirm"]


def test_the_referral_service_may_advise_that_no_referral_is_needed(client):
    """"refer the case to the Surrey Referral Assessment and Information Service who will provide guidance as to
    whether a referral should be made".
    """
    imminent = {**DISAGREEMENT, "imminent_risk": "Yes", "practitioner_level": "no"}
    del imminent["tried"]
    case = raise_case(client, "escalation", imminent).get_json()
    case = act(client, case["reference"], SRIS, "no-referral-needed",
               {"guidance": "The threshold for a referral is not met.", "mars_submitted": "no"})
    assert case["status"] == "closed" and case["outcome"] == "no-referral-needed"


def test_continuing_up_line_management_after_the_referral_service_is_marked_as_surreys_to_confirm(client):
    sign_in(client, SURREY, PRACTITIONER)
    escalation = {p["slug"]: p for p in client.get(f"/{SURREY}/api/processes").get_json()}["escalation"]
    referral = next(ladder for ladder in escalation["ladders"] if ladder["slug"] == "imminent-risk")["stages"][0]
    onwards = next(o for o in referral["outcomes"] if o["slug"] == "escalate")
    assert "not in the procedure, for the council to confirm" in onwards["label"]


def test_the_demo_has_dissents_group_meetings_so_a_dissent_can_be_referred(app, client):
    """"The group meets on a monthly basis": `flask concord seed-demo` gives the demo a monthly meeting, so a
    conference dissent can be referred in `make run` without an admin adding one first."""
    result = app.test_cli_runner().invoke(args=["concord", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert "surrey: 12 demo meetings of the CP Dissents Group added" in result.output
    case = to_dissents_group(client)
    assert case["stage"]["slug"] == "dissents-group" and case["stage"]["due_on"] == "2027-01-13"


def test_feedback_goes_to_the_chair_and_the_dissenting_professional(app, client):
    admin_adds_meetings(client, "2027-01-13")
    case = to_dissents_group(client)
    act(client, case["reference"], GROUP, "not-upheld", GROUP_RECORD)
    assert outbox(app, "outcome") == [CHAIR, PRACTITIONER]


def test_a_conference_date_in_the_future_is_refused(client):
    refused = raise_case(client, "conference-dissent", {**DISSENT, "conference_date": "2026-12-29"})
    assert refused.status_code == 400
    assert refused.get_json()["errors"] == {"conference_date": ["Date of the conference must be today or in the past"]}


def test_disagreements_start_at_practitioner_level(client):
    refused = raise_case(client, "escalation", {**DISAGREEMENT, "practitioner_level": "no"})
    assert refused.status_code == 400
    assert "resolve it at practitioner level" in refused.get_json()["errors"]["practitioner_level"][0]


def test_general_issues_for_the_sscb_representative_are_the_learning_when_the_case_resolves(app, client):
    case = raise_case(client, "escalation", DISAGREEMENT).get_json()
    sign_in(client, SURREY, LINE_MANAGER, "manager")
    page = client.get(f"/{SURREY}/cases/{case['reference']}").get_data(as_text=True)
    assert "General issues to refer to your agency&#39;s SSCB representative for learning (needed if the case closes)" in page
    assert "Learning from this case" not in page
    act(client, case["reference"], LINE_MANAGER, "resolved", {**RECORD, "learning": "Share thresholds."})
    assert learning_of(app, SURREY) == ["Share thresholds."]


@pytest.mark.parametrize("resolved_at", [0, 1, 2])
def test_line_management_ladder_over_christmas(client, resolved_at):
    case = raise_case(client, "escalation", DISAGREEMENT).get_json()
    rungs = [
        (LINE_MANAGER, "2026-12-30"),       # 25 and 28 December are bank holidays
        (SAFEGUARDING, "2026-12-31"),
        (SENIOR, "2027-01-05"),             # and 1 January
    ]
    for i, (who, due) in enumerate(rungs):
        assert due_and_people(case) == (due, [who])
        if i == resolved_at:
            case = act(client, case["reference"], who, "resolved", {**RECORD, "learning": "Share thresholds."})
            assert case["status"] == "closed" and case["outcome"] == "resolved"
            return
        case = act(client, case["reference"], who, "escalate", RECORD)


def test_unresolved_at_the_top_the_senior_managers_decision_is_recorded(client):
    case = raise_case(client, "escalation", DISAGREEMENT).get_json()
    for who in (LINE_MANAGER, SAFEGUARDING):
        case = act(client, case["reference"], who, "escalate", RECORD)
    case = act(client, case["reference"], SENIOR, "unresolved", RECORD)
    assert case["outcome"] == "unresolved"


@pytest.mark.parametrize("outcome", ["referral-made", "escalate"])
def test_imminent_risk_goes_to_the_referral_service_the_same_day(client, outcome):
    imminent = {**DISAGREEMENT, "imminent_risk": "Yes", "practitioner_level": "no"}
    del imminent["tried"]
    case = raise_case(client, "escalation", imminent).get_json()
    assert case["stage"]["title"] == "Surrey Referral Assessment and Information Service"
    assert due_and_people(case) == ("2026-12-24", [SRIS])
    case = act(client, case["reference"], SRIS, outcome,
               {"guidance": "A referral should be made.", "mars_submitted": "yes" if outcome == "referral-made" else "no"})
    if outcome == "referral-made":
        assert case["status"] == "closed"
        return
    for who, due in ((LINE_MANAGER, "2026-12-30"), (SAFEGUARDING, "2026-12-31"), (SENIOR, "2027-01-05")):
        assert due_and_people(case) == (due, [who])
        case = act(client, case["reference"], who, "unresolved" if who == SENIOR else "escalate", RECORD)
    assert case["outcome"] == "unresolved"


def test_the_forms_name_the_multi_agency_referral_form_and_signpost_conduct_concerns(client):
    sign_in(client, SURREY, PRACTITIONER)
    page = client.get(f"/{SURREY}/cases/new/escalation").get_data(as_text=True)
    assert "Multi Agency Referral Form" in page and "sris@surrey.example.org" in page
    assert "Whistleblowing Policy" in page and "Local Authority Designated Officer" in page


def csrf(html):
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def admin_adds_meetings(client, *days):
    sign_in(client, SURREY, "admin@surrey.example.org", "council-admin")
    page = client.get(f"/{SURREY}/admin/calendar/").get_data(as_text=True)
    assert "Meetings of the CP Dissents Group" in page
    for day in days:
        y, m, d = day.split("-")
        preview = client.post(f"/{SURREY}/admin/calendar/meetings/cp-dissents-group", data={
            "cp-dissents-group-csrf_token": csrf(page), "cp-dissents-group-day": [d, m, y]}).get_data(as_text=True)
        form = preview[preview.index("/admin/calendar/confirm"):]
        fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form[:form.index("</form>")]))
        response = client.post(f"/{SURREY}/admin/calendar/confirm", data=fields)
        assert response.status_code == 302


def to_dissents_group(client):
    case = raise_case(client, "conference-dissent", DISSENT).get_json()
    assert due_and_people(case) == ("2026-12-24", [CHAIR])
    return act(client, case["reference"], CHAIR, "escalate", {"referral": "Referred with the conference reports."})


GROUP_RECORD = {"review": "Reports reviewed.", "feedback": "Feedback to both.", "themes": "Unexplained injuries."}


def test_the_dissents_group_is_due_at_its_next_monthly_meeting(client):
    admin_adds_meetings(client, "2026-12-09", "2027-01-13", "2027-02-10")
    case = to_dissents_group(client)
    assert case["stage"]["slug"] == "dissents-group"
    assert due_and_people(case) == ("2027-01-13", [GROUP])
    case = act(client, case["reference"], GROUP, "not-upheld", GROUP_RECORD)
    assert case["status"] == "closed" and case["outcome"] == "not-upheld"
    assert case["stages"][-1]["record"]["themes"] == "Unexplained injuries."


def test_an_upheld_dissent_is_investigated_reviewed_and_goes_to_a_strategy_meeting(client, clock):
    admin_adds_meetings(client, "2027-01-13")
    case = to_dissents_group(client)
    clock.set(london(2027, 1, 13, 14, 0))
    case = act(client, case["reference"], GROUP, "escalate", GROUP_RECORD)
    assert case["stage"]["slug"] == "investigation"
    assert due_and_people(case) == ("2027-02-10", [CHILDRENS_SERVICE])
    clock.set(london(2027, 2, 10, 9, 0))
    case = act(client, case["reference"], CHILDRENS_SERVICE, "escalate", {"report": "r", "recommendations": "m"})
    assert due_and_people(case) == ("2027-02-24", [HEAD])
    clock.set(london(2027, 2, 24, 9, 0))
    case = act(client, case["reference"], HEAD, "escalate", {"actions": "Hold a strategy meeting."})
    assert case["stage"]["slug"] == "strategy-meeting"
    assert due_and_people(case) == ("2027-03-03", [CHILDRENS_SERVICE])
    clock.set(london(2027, 3, 3, 9, 0))
    case = act(client, case["reference"], CHILDRENS_SERVICE, "strategy-meeting-held",
               {"meeting_date": "2027-03-02", "outcome": "Section 47 enquiry."})
    assert case["outcome"] == "strategy-meeting-held"


def test_with_no_meeting_scheduled_the_chair_is_told_and_nothing_changes(client):
    case = raise_case(client, "conference-dissent", DISSENT).get_json()
    sign_in(client, SURREY, CHAIR, "manager")
    response = post_action(client, f"/{SURREY}/api/cases/{case['reference']}/actions", {"action": "escalate", "record": {"referral": "r"}})
    assert response.status_code == 400
    assert "No meeting of the CP Dissents Group is scheduled" in response.get_json()["errors"]["action"][0]
    assert client.get(f"/{SURREY}/api/cases/{case['reference']}").get_json()["stage"]["slug"] == "chair-referral"


@pytest.mark.parametrize("referred_on, due", [
    ("2027-01-12", "2027-01-13"),   # the day before a meeting: that meeting
    ("2027-01-13", "2027-02-10"),   # on a meeting day: the next meeting, not that day's
    ("2027-01-14", "2027-02-10"),   # the day after: the next meeting
])
def test_a_dissent_referred_on_a_meeting_day_goes_to_the_next_meeting_after_the_referral(client, clock, referred_on, due):
    """"The Independent CP Conference Chair will make a referral to SSCB Child Protection Dissents (CP Dissents)
    Group for review ... The group meets on a monthly basis." The policy does not say which meeting takes a
    referral made on a meeting day; Surrey's stated rule (for Surrey to confirm) is the next meeting after the
    referral, and the engine and the words agree."""
    admin_adds_meetings(client, "2027-01-13", "2027-02-10")
    case = raise_case(client, "conference-dissent", DISSENT).get_json()
    y, m, d = map(int, referred_on.split("-"))
    clock.set(london(y, m, d, 9, 0))
    case = act(client, case["reference"], CHAIR, "escalate", {"referral": "Referred with the conference reports."})
    assert due_and_people(case) == (due, [GROUP])
    processes = {p["slug"]: p for p in client.get(f"/{SURREY}/api/processes").get_json()}
    group = processes["conference-dissent"]["ladders"][0]["stages"][1]
    assert group["deadline"] == ("at the next meeting of the CP Dissents Group after the referral by the Chair, "
                                 "not that day's meeting if the referral by the Chair is on a meeting day; "
                                 "not in the procedure, for the council to confirm")


def test_an_upheld_dissent_is_fed_back_to_the_chair_and_the_dissenting_professional_at_once(app, client, clock):
    """"Feedback and recommendations are made to the Chair and dissenting professional ... Where a dissent is
    upheld feedback is provided to the dissenting professional on the next steps": told when the group upholds
    it, not only when the case closes after the investigation."""
    admin_adds_meetings(client, "2027-01-13")
    case = to_dissents_group(client)
    clock.set(london(2027, 1, 13, 14, 0))
    case = act(client, case["reference"], GROUP, "escalate", GROUP_RECORD)
    assert case["status"] == "open" and case["stage"]["slug"] == "investigation"
    assert outbox(app, "outcome") == [CHAIR, PRACTITIONER]
    assert "Dissent upheld: feedback on next steps" in rendered(app, "outcome").text
