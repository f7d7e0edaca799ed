"""Leeds 2.9 Resolving Professional Disagreements and Escalation: every path of every ladder.

Everything is raised and acted on on Thursday 24 December 2026, so each rung's deadline crosses
Christmas Day, Boxing Day's substitute (Monday 28 December) and New Year's Day:
1 working day -> 29 Dec, 2 -> 30 Dec, 5 -> 5 Jan 2027, 10 -> 12 Jan 2027.
"""
import pytest

from core.testing import CLOSING, london, outbox, post_action, sign_in, store_answers

LEEDS = "leeds"
RAISER = "practitioner@leeds.example.org"
LINE_MANAGER = "line.manager@leeds.example.org"
TEAM_MANAGER = "csws.team.manager@leeds.example.org"
SENIOR = "senior.manager@leeds.example.org"
DNP = "designated.professional@leeds.example.org"
CHAIR = "cp.chair@leeds.example.org"
REPS = ["board.rep.health@leeds.example.org", "board.rep.police@leeds.example.org"]
BOARD_MANAGER = "board.manager@leeds.example.org"
BOARD_CHAIR = "board.chair@leeds.example.org"

DISCUSSED = {"discussion": "Discussed with both agencies.", "agreed_actions": "Actions recorded."}
# Asked when a rung refers the matter on as a difference that remains (§5 needs them).
REFERRING_ON = {"agencies": ["Health services", "Police"], "history": "The rungs of §1 did not agree.",
                "policy_issues": "No"}

ANSWERS = {
    "referral-enquiry": {"about": "Whether child protection procedures should be invoked", "concern": "c",
                         "discussion_so_far": "d", "equivalent_name": "Kit Seacroft",
                         "equivalent_email": "team.manager@leeds-agency.example.org"},
    "need-for-conference": {"involvement": "I took part in the Section 47 enquiry", "concerns": "c",
                            "supported_by": "A Designated or Named Professional", "supporter_name": "Dr Sky Chapeltown"},
    "conference-dissent": {"further_risk": "yes", "raise_with": "My line manager", "conference_date": "2026-12-24",
                           "chair_name": "Ellis Meanwood", "chair_email": CHAIR, "dissent_noted": "yes",
                           "decision": "No child protection plan.", "risk": "Neglect continues.",
                           "line_manager_name": "Frankie Roundhay", "line_manager_email": LINE_MANAGER},
    "plan-implementation": {"other_agency": "Education", "concern": "Core group meetings missed."},
    "differences-remain": {"agencies": ["Health services", "Police"], "history": "Steps 1 to 4 failed.",
                           "policy_issues": "No"},
}


@pytest.fixture
def councils():
    """This council only, from its entry point (``pip install -e`` it first)."""
    return [LEEDS]


def walk(client, process, sector, steps, **changes):
    """Raise a case and take each (who acts, action, record, where it goes next, its assignees, due) step."""
    sign_in(client, LEEDS, RAISER)
    answers = {**ANSWERS[process], **({"sector": sector} if sector else {}), **changes}
    response = client.post(f"/{LEEDS}/api/cases", json={"process": process, "answers": answers})
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    reference = case["reference"]
    for acting, action, record, then, people, due in steps:
        assert [a["email"] for a in case["stage"]["assignees"]] == ([acting] if isinstance(acting, str) else acting)
        sign_in(client, LEEDS, acting if isinstance(acting, str) else acting[0], "manager")
        if action == "differences-remain":
            record = {**REFERRING_ON, **record}
        response = post_action(client, f"/{LEEDS}/api/cases/{reference}/actions", {"action": action, "record": {**CLOSING, **record}})
        assert response.status_code == 200, response.get_json()
        case = response.get_json()
        if then is None:
            assert case["status"] == "closed" and case["outcome"] == action
        else:
            assert case["stage"]["slug"] == then
            assert [a["email"] for a in case["stage"]["assignees"]] == people
            assert case["stage"]["due_on"] == due
    return case


@pytest.fixture(autouse=True)
def christmas_eve(clock):
    clock.set(london(2026, 12, 24, 10, 0))


def first_due(client, process, sector, **changes):
    sign_in(client, LEEDS, RAISER)
    answers = {**ANSWERS[process], **({"sector": sector} if sector else {}), **changes}
    return client.post(f"/{LEEDS}/api/cases", json={"process": process, "answers": answers}).get_json()["stage"]


# 1. Dissent at referral/enquiry stage

@pytest.mark.parametrize("ending", ["resolved", "differences-remain"])
def test_referral_dissent_goes_from_first_line_managers_up_line_management_to_a_meeting_of_all_parties(
        client, ending):
    assert first_due(client, "referral-enquiry", "Another agency")["due_on"] == "2026-12-30"
    walk(client, "referral-enquiry", "Another agency", [
        (TEAM_MANAGER, "escalate", DISCUSSED, "meeting-of-all-parties", [SENIOR], "2027-01-05"),
        (SENIOR, ending, DISCUSSED, None, None, None),
    ])


@pytest.mark.parametrize("ending", ["resolved", "differences-remain"])
def test_health_staff_go_from_first_line_managers_to_a_designated_or_named_professional_instead_of_line_management(
        client, ending):
    stage = first_due(client, "referral-enquiry", "Health services")
    assert stage["slug"] == "first-line-managers" and stage["assignees"][0]["email"] == TEAM_MANAGER
    case = walk(client, "referral-enquiry", "Health services", [
        (TEAM_MANAGER, "escalate", DISCUSSED, "designated-named-professional", [DNP], "2027-01-05"),
        (DNP, ending, DISCUSSED, None, None, None),
    ])
    assert "agency-senior-manager" not in [s["role"] for s in case["stages"]]


@pytest.mark.parametrize("sector", ["Another agency", "Health services"])
def test_referral_dissent_resolved_by_the_first_line_managers(client, sector):
    walk(client, "referral-enquiry", sector, [(TEAM_MANAGER, "resolved", DISCUSSED, None, None, None)])


# 2. Dissent about the need for a child protection conference

def test_a_supported_request_for_a_conference_is_decided_by_childrens_social_work_within_a_working_day(client):
    stage = first_due(client, "need-for-conference", None)
    assert stage["assignees"][0]["email"] == TEAM_MANAGER and stage["due_on"] == "2026-12-29"
    walk(client, "need-for-conference", None, [
        (TEAM_MANAGER, "conference-agreed", {"reasons": "Supported by the Designated Professional."}, None, None, None),
    ])


@pytest.mark.parametrize("ending", ["conference-agreed", "conference-not-needed", "differences-remain"])
def test_a_refused_request_is_discussed_and_explained(client, ending):
    walk(client, "need-for-conference", None, [
        (TEAM_MANAGER, "escalate", {"reasons": "Threshold not met."}, "discussion", [SENIOR], "2027-01-05"),
        (SENIOR, ending, DISCUSSED, None, None, None),
    ])


# 3. Dissent at child protection conferences

AND_OR = [
    ("My line manager", [("line-manager", LINE_MANAGER)]),
    ("A Designated or Named Professional in my agency", [("designated-named-professional", DNP)]),
    ("Both", [("line-manager", LINE_MANAGER), ("designated-named-professional", DNP)]),
]


@pytest.mark.parametrize("raise_with, rungs", AND_OR)
@pytest.mark.parametrize("ending", ["resolved", "further-action"])
def test_raised_formally_with_line_manager_and_or_designated_or_named_professional_then_the_board_manager(
        app, client, raise_with, rungs, ending):
    stage = first_due(client, "conference-dissent", None, raise_with=raise_with)
    assert (stage["slug"], stage["assignees"][0]["email"]) == rungs[0]
    assert stage["due_on"] == "2026-12-30", "2 working days of the matter reaching the rung, not of the conference"
    steps = []
    for (_, who), (next_slug, next_who) in zip(rungs[:-1], rungs[1:], strict=True):
        steps.append((who, "escalate", DISCUSSED, next_slug, [next_who], "2026-12-30"))
    steps.append((rungs[-1][1], "escalate", DISCUSSED, "board-manager", [BOARD_MANAGER], "2027-01-12"))
    steps.append((BOARD_MANAGER, ending, {"further_actions": "Review the plan."}, None, None, None))
    walk(client, "conference-dissent", None, steps, raise_with=raise_with)
    assert CHAIR in outbox(app, "outcome")


def test_the_chair_notes_the_dissent_in_the_conference_not_on_a_rung(client):
    sign_in(client, LEEDS, RAISER)
    process = {p["slug"]: p for p in client.get(f"/{LEEDS}/api/processes").get_json()}["conference-dissent"]
    assert "dissent_noted" in [f["name"] for f in process["fields"]]
    roles = {s["role"] for ladder in process["ladders"] for s in ladder["stages"]}
    assert "conference-chair" not in roles


def test_a_dissent_that_does_not_place_a_child_at_further_risk_is_not_taken_further_here(client):
    sign_in(client, LEEDS, RAISER)
    refused = client.post(f"/{LEEDS}/api/cases", json={
        "process": "conference-dissent", "answers": {**ANSWERS["conference-dissent"], "further_risk": "no"}})
    assert refused.status_code == 400 and "further_risk" in refused.get_json()["errors"]
    assert "LDS-" not in client.get(f"/{LEEDS}/cases/").get_data(as_text=True)


def test_a_conference_date_in_the_future_is_refused(client):
    sign_in(client, LEEDS, RAISER)
    refused = client.post(f"/{LEEDS}/api/cases", json={
        "process": "conference-dissent", "answers": {**ANSWERS["conference-dissent"], "conference_date": "2026-12-25"}})
    assert refused.status_code == 400
    assert refused.get_json()["errors"] == {"conference_date": ["Date of the conference must be today or in the past"]}


def test_conference_dissent_resolved_with_the_line_manager(client):
    walk(client, "conference-dissent", None, [(LINE_MANAGER, "resolved", DISCUSSED, None, None, None)])


# 4. Dissent regarding the implementation of the child protection plan

ABOVE_FIRST_LINE = [("Another agency", "line-management", SENIOR),
                    ("Health services", "designated-named-professional", DNP)]


@pytest.mark.parametrize("sector, second, above", ABOVE_FIRST_LINE)
@pytest.mark.parametrize("ending", ["review-conference", "no-review-conference", "differences-remain"])
def test_plan_dissent_can_end_in_a_review_conference(client, sector, second, above, ending):
    walk(client, "plan-implementation", sector, [
        (LINE_MANAGER, "escalate", DISCUSSED, second, [above], "2027-01-05"),
        (above, "escalate", DISCUSSED, "review-conference", [TEAM_MANAGER], "2026-12-30"),
        (TEAM_MANAGER, ending, {"consideration": "Considered."}, None, None, None),
    ])


@pytest.mark.parametrize("sector, second, above", ABOVE_FIRST_LINE)
def test_plan_dissent_goes_first_to_the_line_managers_then_line_management_or_a_designated_professional(
        client, sector, second, above):
    walk(client, "plan-implementation", sector, [(LINE_MANAGER, "resolved", DISCUSSED, None, None, None)])
    walk(client, "plan-implementation", sector, [
        (LINE_MANAGER, "escalate", DISCUSSED, second, [above], "2027-01-05"),
        (above, "resolved", DISCUSSED, None, None, None),
    ])


# 5. Where professional differences remain

def test_differences_go_to_board_representatives_then_board_manager_then_board_chair(client):
    walk(client, "differences-remain", None, [
        (REPS, "escalate", DISCUSSED, "board-manager", [BOARD_MANAGER], "2027-01-12"),
        (BOARD_MANAGER, "escalate", {"course_of_action": "Report to the Chair."}, "board-chair", [BOARD_CHAIR],
         "2027-01-12"),
        (BOARD_CHAIR, "reported", {"response": "Considered at the board."}, None, None, None),
    ])


@pytest.mark.parametrize("ending", ["resolved", "course-of-action"])
def test_the_board_manager_determines_a_course_of_action(client, ending):
    walk(client, "differences-remain", None, [
        (REPS, "escalate", DISCUSSED, "board-manager", [BOARD_MANAGER], "2027-01-12"),
        (BOARD_MANAGER, ending, {"course_of_action": "Joint review."}, None, None, None),
    ])


def test_significant_policy_issues_go_straight_to_the_board_manager(client):
    stage = first_due(client, "differences-remain", None, policy_issues="Yes")
    assert stage["slug"] == "board-manager" and stage["assignees"][0]["email"] == BOARD_MANAGER
    walk(client, "differences-remain", None, [
        (BOARD_MANAGER, "escalate", {"course_of_action": "Report to the Chair."}, "board-chair", [BOARD_CHAIR],
         "2027-01-12"),
        (BOARD_CHAIR, "reported", {"response": "Considered at the board."}, None, None, None),
    ], policy_issues="Yes")


def test_the_supporters_name_is_asked_only_when_someone_supports_the_request(client):
    sign_in(client, LEEDS, RAISER)
    answers = {**ANSWERS["need-for-conference"]}
    del answers["supporter_name"]
    refused = client.post(f"/{LEEDS}/api/cases", json={"process": "need-for-conference", "answers": answers})
    assert refused.get_json()["errors"] == {"supporter_name": [
        "Enter name of the senior manager or Designated or Named Professional"]}
    # The form is a page at a time: the question that asks for the name, and the name, are on one page.
    pages = [client.get(f"/{LEEDS}/cases/new/need-for-conference" + (f"/{n}" if n > 1 else "")) for n in range(1, 20)]
    page = "".join(p.get_data(as_text=True) for p in pages if p.status_code == 200)
    assert "Answer this only if you chose ‘A senior manager’ or ‘A Designated or Named Professional’." in page
    answers["supported_by"] = "Nobody yet"
    assert client.post(f"/{LEEDS}/api/cases", json={"process": "need-for-conference", "answers": answers}).status_code == 201


def test_unresolved_at_the_top_refers_as_a_difference_that_remains(client):
    sign_in(client, LEEDS, RAISER)
    for process in ("referral-enquiry", "need-for-conference", "plan-implementation"):
        described = {p["slug"]: p for p in client.get(f"/{LEEDS}/api/processes").get_json()}[process]
        top = described["ladders"][0]["stages"][-1]
        assert "differences-remain" in [o["slug"] for o in top["outcomes"]]


def test_board_representatives_can_resolve(client):
    walk(client, "differences-remain", None, [(REPS, "resolved", DISCUSSED, None, None, None)])


def test_every_raise_form_shows_immediate_risk_guidance(client):
    sign_in(client, LEEDS, RAISER)
    for process in ANSWERS:
        page = client.get(f"/{LEEDS}/cases/new/{process}").get_data(as_text=True)
        assert "If a child is at immediate risk of harm" in page and "duty.advice@leeds.example.org" in page


def test_an_unsupported_sector_is_refused_and_nothing_saved(client):
    sign_in(client, LEEDS, RAISER)
    response = client.post(f"/{LEEDS}/api/cases", json={
        "process": "referral-enquiry", "answers": {**ANSWERS["referral-enquiry"], "sector": "Space agency"}})
    assert response.status_code == 400
    assert response.get_json()["errors"]["sector"] == ["Select where you work from the list"]
    assert "LDS-" not in client.get(f"/{LEEDS}/cases/").get_data(as_text=True)


def test_a_difference_that_remains_is_referred_on_to_the_board_representatives(client):
    case = walk(client, "referral-enquiry", "Another agency", [
        (TEAM_MANAGER, "escalate", DISCUSSED, "meeting-of-all-parties", [SENIOR], "2027-01-05"),
        (SENIOR, "differences-remain", DISCUSSED, None, None, None),
    ])
    linked = next(e["summary"] for e in case["timeline"] if e["kind"] == "linked")
    reference = linked.split("Referred on: ")[1].split(" ")[0]
    sign_in(client, LEEDS, RAISER)
    opened = client.get(f"/{LEEDS}/api/cases/{reference}").get_json()
    assert opened["process"] == "differences-remain" and opened["opened_from"] == case["reference"]
    assert opened["stage"]["slug"] == "board-representatives"


HEALTH_REP, POLICE_REP = REPS


def test_the_board_representatives_are_those_of_the_agencies_involved(client):
    """§5: "If professional disagreements remain unresolved, the matter must be referred to the LSCB
    representative for each agency involved." A matter involving only Health goes to Health's representative;
    the Police representative is not offered it and cannot act on it."""
    sign_in(client, LEEDS, RAISER)
    fields = {f["name"]: f for f in next(p for p in client.get(f"/{LEEDS}/api/processes").get_json()
                                          if p["slug"] == "differences-remain")["fields"]}
    assert fields["agencies"]["type"] == "checkboxes" and "Health services" in fields["agencies"]["choices"]
    response = client.post(f"/{LEEDS}/api/cases", json={"process": "differences-remain", "answers": {
        **ANSWERS["differences-remain"], "agencies": ["Health services"]}})
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    assert [a["email"] for a in case["stage"]["assignees"]] == [HEALTH_REP]
    sign_in(client, LEEDS, POLICE_REP, "manager")
    refused = post_action(client, f"/{LEEDS}/api/cases/{case['reference']}/actions",
                          {"action": "resolved", "record": {**CLOSING, **DISCUSSED}})
    assert refused.status_code == 404
    both = walk(client, "differences-remain", None, [(REPS, "resolved", DISCUSSED, None, None, None)],
                agencies=["Health services", "Police"])
    assert both["status"] == "closed"


def test_an_agency_not_on_the_list_is_refused(client):
    sign_in(client, LEEDS, RAISER)
    response = client.post(f"/{LEEDS}/api/cases", json={"process": "differences-remain", "answers": {
        **ANSWERS["differences-remain"], "agencies": ["Health services", "Space agency"]}})
    assert response.status_code == 400
    assert response.get_json()["errors"]["agencies"] == ["Select the agencies involved from the list"]


def test_referring_on_asks_for_what_the_board_representatives_need(client):
    """§5 "the LSCB representative for each agency involved": a difference referred on from §1 carries the
    agencies involved and the history, asked when the outcome is chosen, never left empty."""
    case = walk(client, "referral-enquiry", "Another agency", [
        (TEAM_MANAGER, "escalate", DISCUSSED, "meeting-of-all-parties", [SENIOR], "2027-01-05"),
    ])
    sign_in(client, LEEDS, SENIOR, "manager")
    url = f"/{LEEDS}/api/cases/{case['reference']}/actions"
    refused = post_action(client, url, {"action": "differences-remain", "record": {**CLOSING, **DISCUSSED}})
    assert refused.status_code == 400
    assert set(refused.get_json()["errors"]) >= {"agencies", "history"}
    done = post_action(client, url, {"action": "differences-remain", "record": {
        **CLOSING, **DISCUSSED, "agencies": ["Police"], "history": "A meeting of all parties did not agree.",
        "policy_issues": "No"}})
    assert done.status_code == 200, done.get_json()
    linked = next(e["summary"] for e in done.get_json()["timeline"] if e["kind"] == "linked")
    reference = linked.split("Referred on: ")[1].split(" ")[0]
    sign_in(client, LEEDS, RAISER)
    opened = client.get(f"/{LEEDS}/api/cases/{reference}").get_json()
    assert opened["answers"]["agencies"] == ["Police"]
    assert opened["answers"]["history"] == "A meeting of all parties did not agree."
    assert [a["email"] for a in opened["stage"]["assignees"]] == [POLICE_REP]


def test_the_agencies_involved_are_checkboxes_on_the_raise_page(client):
    sign_in(client, LEEDS, RAISER)
    page = client.get(f"/{LEEDS}/cases/new/differences-remain").get_data(as_text=True)
    assert 'type="checkbox"' in page and "Voluntary and community sector" in page


EQUIVALENT = "team.manager@leeds-agency.example.org"


def test_the_first_line_managers_are_the_team_manager_and_their_equivalent_in_your_agency(app, client):
    """§1: "this will require a Children's Social Care team manager or assistant team manager liaising with
    her/his equivalent in the relevant agency." The equivalent is named on the form and told the outcome."""
    stage = first_due(client, "referral-enquiry", "Another agency")
    assert "liaising with the equivalent manager in your agency" in stage["title"] + stage["role_title"]
    walk(client, "referral-enquiry", "Another agency", [(TEAM_MANAGER, "resolved", DISCUSSED, None, None, None)])
    assert EQUIVALENT in outbox(app, "outcome")


def test_deadlines_and_holders_leeds_did_not_write_are_marked_for_leeds_to_confirm(client):
    """The procedure asks for resolution "without delay" and within "a time scale which is acceptable to both";
    it sets no number of days, and does not say who holds "discussion and explanation" (§2) or who considers
    "convening a Child Protection Review Conference" (§4)."""
    sign_in(client, LEEDS, RAISER)
    described = {p["slug"]: p for p in client.get(f"/{LEEDS}/api/processes").get_json()}
    for process in described.values():
        for ladder in process["ladders"]:
            for stage in ladder["stages"]:
                assert stage["deadline_to_confirm"], (process["slug"], stage["slug"])
                assert stage["deadline"].endswith("not in the procedure, for the council to confirm")
    discussion = described["need-for-conference"]["ladders"][0]["stages"][1]
    review = described["plan-implementation"]["ladders"][0]["stages"][-1]
    decision = described["need-for-conference"]["ladders"][0]["stages"][0]
    assert discussion["holder_to_confirm"] and review["holder_to_confirm"] and decision["holder_to_confirm"]
    page = client.get(f"/{LEEDS}/cases/new/referral-enquiry").get_data(as_text=True)
    assert "within 2 working days of the matter reaching this rung; not in the procedure, for the council to confirm" in page


def test_a_case_raised_before_the_agencies_were_a_list_still_shows_its_answer(app, client):
    """Upgrading the plugin must not break an open case: one whose agencies were typed as words."""
    case = walk(client, "differences-remain", None, [])
    store_answers(app, case["reference"], agencies="Health and police")
    sign_in(client, LEEDS, RAISER)
    page = client.get(f"/{LEEDS}/cases/{case['reference']}").get_data(as_text=True)
    assert "Health and police" in page and "H, e, a" not in page
