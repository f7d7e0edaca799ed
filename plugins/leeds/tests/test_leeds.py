"""Leeds 2.9 Resolving Professional Disagreements and Escalation: every path of every ladder.

Everything is raised and acted on on Thursday 24 December 2026, so each rung's deadline crosses
Christmas Day, Boxing Day's substitute (Monday 28 December) and New Year's Day:
1 working day -> 29 Dec, 2 -> 30 Dec, 5 -> 5 Jan 2027, 10 -> 12 Jan 2027.
"""
import pytest

from core.testing import london, sign_in, post_action

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

ANSWERS = {
    "referral-enquiry": {"about": "Whether child protection procedures should be invoked", "concern": "c",
                         "discussion_so_far": "d"},
    "need-for-conference": {"involvement": "I took part in the Section 47 enquiry", "concerns": "c",
                            "supported_by": "A Designated or Named Professional", "supporter_name": "Dr Sky Chapeltown"},
    "conference-dissent": {"conference_date": "2026-12-24", "chair_name": "Ellis Meanwood", "chair_email": CHAIR,
                           "decision": "No child protection plan.", "risk": "Neglect continues."},
    "plan-implementation": {"other_agency": "Education", "concern": "Core group meetings missed."},
    "differences-remain": {"agencies": "Health and police", "history": "Steps 1 to 4 failed.", "policy_issues": "no"},
}


def walk(client, process, sector, steps):
    """Raise a case and take each (who acts, action, record, where it goes next, its assignees, due) step."""
    sign_in(client, LEEDS, RAISER)
    answers = {**ANSWERS[process], **({"sector": sector} if sector else {})}
    response = client.post(f"/{LEEDS}/api/cases", json={"process": process, "answers": answers})
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    reference = case["reference"]
    for acting, action, record, then, people, due in steps:
        assert [a["email"] for a in case["stage"]["assignees"]] == ([acting] if isinstance(acting, str) else acting)
        sign_in(client, LEEDS, acting if isinstance(acting, str) else acting[0], "manager")
        response = post_action(client, f"/{LEEDS}/api/cases/{reference}/actions", {"action": action, "record": record})
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


def first_due(client, process, sector):
    sign_in(client, LEEDS, RAISER)
    answers = {**ANSWERS[process], **({"sector": sector} if sector else {})}
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

@pytest.mark.parametrize("sector, second", [("Another agency", LINE_MANAGER), ("Health services", DNP)])
@pytest.mark.parametrize("ending", ["resolved", "further-action"])
def test_the_chair_notes_the_dissent_then_line_manager_or_designated_professional_then_board_manager(
        client, sector, second, ending):
    stage = first_due(client, "conference-dissent", sector)
    assert stage["slug"] == "chair-records" and stage["due_on"] == "2026-12-24"
    walk(client, "conference-dissent", sector, [
        (CHAIR, "escalate", {"dissent_noted": "Health dissent noted."},
         "line-manager" if second == LINE_MANAGER else "designated-named-professional", [second], "2026-12-30"),
        (second, "escalate", DISCUSSED, "board-manager", [BOARD_MANAGER], "2027-01-12"),
        (BOARD_MANAGER, ending, {"further_actions": "Review the plan."}, None, None, None),
    ])


def test_conference_dissent_resolved_with_the_line_manager(client):
    walk(client, "conference-dissent", "Another agency", [
        (CHAIR, "escalate", {"dissent_noted": "Noted."}, "line-manager", [LINE_MANAGER], "2026-12-30"),
        (LINE_MANAGER, "resolved", DISCUSSED, None, None, None),
    ])


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
    assert "from the list" in response.get_json()["errors"]["sector"][0]
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
