"""West Dunbartonshire's Multi-Agency Escalation and Dissent Guidance, as users would walk it."""
import re

import pytest

from core.testing import CLOSING, london, outbox, post_action, sign_in

WDC = "westdunbartonshire"
TEACHER = "teacher.demo@wdc.example.org"
HEAD_OF_ESTABLISHMENT = "head.establishment@wdc.example.org"
HEAD_OF_SERVICE = "head.of.service@wdc.example.org"


@pytest.fixture
def councils():
    """This council only, from its entry point (``pip install -e`` it first)."""
    return [WDC]


def education_disagreement(community="Vale of Leven", agency="Education Services", **extra):
    return {
        "process": "escalation",
        "answers": {
            "agency": agency,
            "learning_community": community,
            **extra,
            "other_agency": "Social work area team",
            "decision": "The referral was closed with no further action.",
            "disagreement": "New concerns were raised by the school the same week.",
            "tried": "Discussed with the allocated worker on Monday.",
        },
    }


def conference_dissent(date="2026-11-23"):
    return {
        "process": "conference-dissent",
        "answers": {
            "conference_date": date,
            "chair_name": "Pat Example",
            "chair_email": "conference.chair@wdc.example.org",
            "agency": "Community Health Services",
            "decision": "The child's name was not placed on the child protection register.",
            "reasons": "The health visitor's report of missed appointments was not weighed.",
        },
    }


def raise_case(client, payload, email=TEACHER):
    sign_in(client, WDC, email)
    response = client.post(f"/{WDC}/api/cases", json=payload)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def act(client, reference, email, action, record, role="manager"):
    sign_in(client, WDC, email, role)
    response = post_action(client, f"/{WDC}/api/cases/{reference}/actions", {"action": action, "record": {**CLOSING, **record}})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


DISCUSSED = {"discussed": "Met with both workers.", "agreed": "No agreement reached."}


def test_education_dissent_goes_to_qio_of_the_learning_community(client, clock):
    clock.set(london(2026, 11, 24, 10, 0))
    opened = raise_case(client, education_disagreement("Vale of Leven"))
    assert opened["reference"] == "WDC-2026-0001"
    assert opened["stage"]["title"] == "Head of Establishment"
    assert opened["stage"]["assignees"] == [{"name": "Morgan Lark", "email": HEAD_OF_ESTABLISHMENT}]

    case = act(client, opened["reference"], HEAD_OF_ESTABLISHMENT, "escalate", DISCUSSED)
    assert case["stage"]["slug"] == "qio"
    assert case["stage"]["scope"] == "Vale of Leven"
    assert case["stage"]["assignees"] == [{"name": "Avery Wren", "email": "qio.valeofleven@wdc.example.org"}]


def test_a_qio_of_another_learning_community_cannot_see_or_act_on_the_case(client):
    opened = raise_case(client, education_disagreement("Vale of Leven"))
    act(client, opened["reference"], HEAD_OF_ESTABLISHMENT, "escalate", DISCUSSED)
    sign_in(client, WDC, "qio.clydebank@wdc.example.org", "manager")
    assert client.get(f"/{WDC}/api/cases/{opened['reference']}").status_code == 404
    assert client.get(f"/{WDC}/cases/{opened['reference']}").status_code == 404


def test_each_learning_community_has_its_own_qio(client):
    qios = set()
    for community in ("Our Lady and St Patricks", "Vale of Leven", "Dumbarton Academy",
                      "Clydebank High", "St Peter the Apostle"):
        opened = raise_case(client, education_disagreement(community))
        case = act(client, opened["reference"], HEAD_OF_ESTABLISHMENT, "escalate", DISCUSSED)
        assert case["stage"]["scope"] == community
        qios.add(case["stage"]["assignees"][0]["email"])
    assert len(qios) == 5


def test_the_qio_is_the_top_of_the_education_ladder(client):
    opened = raise_case(client, education_disagreement("Dumbarton Academy"))
    act(client, opened["reference"], HEAD_OF_ESTABLISHMENT, "escalate", DISCUSSED)
    case = act(client, opened["reference"], "qio.dumbarton@wdc.example.org", "final-decision", DISCUSSED)
    assert case["status"] == "closed" and case["outcome"] == "final-decision"


@pytest.mark.parametrize("agency, route", [
    ("Social Work Services", [
        ("sw.teamleader@wdc.example.org", "Team Leader (Social Work)"),
        ("cf.fieldworkmanager@wdc.example.org", "Children and Families Fieldwork Manager"),
        (HEAD_OF_SERVICE, "Head of Service"),
    ]),
    ("Community Health Services", [
        ("health.teamleader@wdc.example.org", "Team Leader or Deputy Team Leader"),
        ("health.servicemanager@wdc.example.org", "Manager of the service"),
    ]),
    ("Education Services", [
        (HEAD_OF_ESTABLISHMENT, "Head of Establishment"),
        ("qio.stpeter@wdc.example.org", "Quality Improvement Officer for the learning community"),
    ]),
])
def test_each_agency_escalates_up_its_own_ladder_five_working_days_a_rung(client, clock, agency, route):
    clock.set(london(2026, 11, 23, 9, 0))  # Monday
    case = raise_case(client, education_disagreement(
        "St Peter the Apostle", agency, health_service="Community Health Services (health visiting or school nursing)"))
    # Five working days from Monday 23 Nov skip St Andrew's Day (Mon 30 Nov): Tue 1 Dec.
    due = ["2026-12-01", "2026-12-08", "2026-12-15"]
    for i, (email, title) in enumerate(route):
        assert case["stage"]["title"] == title
        assert case["stage"]["assignees"][0]["email"] == email
        assert case["stage"]["due_on"] == due[i]
        clock.set(london(*map(int, due[i].split("-")), 9, 0))
        last = i == len(route) - 1
        case = act(client, case["reference"], email, "final-decision" if last else "escalate", DISCUSSED)
    assert case["status"] == "closed"


def test_a_disagreement_resolved_at_the_first_rung_closes(client):
    opened = raise_case(client, education_disagreement())
    case = act(client, opened["reference"], HEAD_OF_ESTABLISHMENT, "resolved", DISCUSSED)
    assert case["status"] == "closed" and case["outcome"] == "resolved"
    assert case["stage"] is None


def test_conference_dissent_raised_on_friday_27_november_is_acknowledged_by_tuesday_after_st_andrews_day(client, clock):
    clock.set(london(2026, 11, 27, 15, 30))
    opened = raise_case(client, conference_dissent("2026-11-27"))
    assert opened["stage"]["slug"] == "acknowledgement"
    assert opened["stage"]["assignees"] == [{"name": "Drew Kestrel", "email": HEAD_OF_SERVICE}]
    assert opened["stage"]["due_on"] == "2026-12-01"


def test_full_review_is_due_within_14_days_of_the_acknowledgement(client, clock):
    clock.set(london(2026, 11, 27, 15, 30))
    opened = raise_case(client, conference_dissent())
    clock.set(london(2026, 12, 1, 9, 0))
    case = act(client, opened["reference"], HEAD_OF_SERVICE, "acknowledged",
               {"received_on": "2026-11-30", "acknowledgement": "Received."})
    assert case["stage"]["slug"] == "review"
    assert case["stage"]["due_on"] == "2026-12-14", "14 calendar days from the dissent reaching the Head of Service"


RECEIVED = {"received_on": "2026-11-24"}

REVIEW = {
    "information_reviewed": "Reports from health, education and social work.",
    "discussion": "Risk of neglect was discussed at length.",
    "finding": "The majority view on risk is supported by the information shared.",
}


@pytest.mark.parametrize("outcome, record", [
    ("decision-stands", REVIEW),
    ("conference-reconvened", {**REVIEW, "different_chair": "yes"}),
])
def test_the_review_ends_with_the_decision_standing_or_the_conference_reconvened(client, outcome, record):
    opened = raise_case(client, conference_dissent())
    act(client, opened["reference"], HEAD_OF_SERVICE, "acknowledged", RECEIVED)
    case = act(client, opened["reference"], HEAD_OF_SERVICE, outcome, record)
    assert case["status"] == "closed" and case["outcome"] == outcome
    assert case["stages"][-1]["record"]["different_chair"] == record.get("different_chair")


def test_the_dissenter_follows_the_timeline_on_the_case_page(client):
    opened = raise_case(client, conference_dissent())
    act(client, opened["reference"], HEAD_OF_SERVICE, "acknowledged", {**RECEIVED, "acknowledgement": "Received."})
    sign_in(client, WDC, TEACHER)
    page = client.get(f"/{WDC}/cases/{opened['reference']}").get_data(as_text=True)
    assert "Acknowledgement by the Head of Service: Dissent acknowledged" in page
    assert "Full review by the Head of Service: with the Head of Service" in page


def social_work_disagreement(**changes):
    payload = education_disagreement(agency="Social Work Services")
    del payload["answers"]["learning_community"]
    payload["answers"].update(changes)
    return payload


def test_the_learning_community_is_asked_only_on_the_education_route(client):
    sign_in(client, WDC, TEACHER)
    processes = {p["slug"]: p for p in client.get(f"/{WDC}/api/processes").get_json()}
    fields = {f["name"]: f for f in processes["escalation"]["fields"]}
    assert fields["learning_community"]["shown_when"] == {"field": "agency", "values": ["Education Services"]}
    assert fields["agency"]["shown_when"] is None


def test_a_social_work_escalation_without_a_learning_community_is_accepted(client):
    opened = raise_case(client, social_work_disagreement())
    case = client.get(f"/{WDC}/api/cases/{opened['reference']}").get_json()
    assert case["answers"]["learning_community"] is None
    assert opened["stage"]["title"] == "Team Leader (Social Work)"


def test_a_learning_community_sent_for_social_work_is_not_stored(client):
    opened = raise_case(client, social_work_disagreement(learning_community="Vale of Leven"))
    case = client.get(f"/{WDC}/api/cases/{opened['reference']}").get_json()
    assert case["answers"]["learning_community"] is None
    page = client.get(f"/{WDC}/cases/{opened['reference']}").get_data(as_text=True)
    assert "The child&#39;s learning community" not in page, "a question not asked is not shown back"


def test_an_education_escalation_without_a_learning_community_is_refused(client):
    sign_in(client, WDC, TEACHER)
    payload = education_disagreement()
    del payload["answers"]["learning_community"]
    refused = client.post(f"/{WDC}/api/cases", json=payload)
    assert refused.status_code == 400
    assert refused.get_json()["errors"] == {"learning_community": ["Select the child's learning community"]}
    assert client.get(f"/{WDC}/api/cases/WDC-2026-0001").status_code == 404, "nothing was saved"


def test_the_raise_page_reveals_the_learning_community_under_education_only(client):
    sign_in(client, WDC, TEACHER)
    page = client.get(f"/{WDC}/cases/new/escalation").get_data(as_text=True)
    assert page.count('name="learning_community"') == 5, "the five learning communities, once each"
    reveal = page.index('id="conditional-agency"')
    assert page.index('name="learning_community"') > reveal
    assert 'data-aria-controls="conditional-agency"' in page
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    refused = client.post(f"/{WDC}/cases/new/escalation", data={
        "csrf_token": token, "agency": "Education Services", "other_agency": "SW", "decision": "d", "disagreement": "x", "tried": "t"})
    assert "Select the child&#39;s learning community" in refused.get_data(as_text=True)


def test_the_service_is_selected_in_govuk_words(client):
    sign_in(client, WDC, TEACHER)
    payload = education_disagreement()
    del payload["answers"]["agency"]
    refused = client.post(f"/{WDC}/api/cases", json=payload)
    assert refused.get_json()["errors"]["agency"] == ["Select the service whose escalation route you are following"]


@pytest.mark.parametrize("service, manager", [
    ("Community Health Services (health visiting or school nursing)", "health.servicemanager@wdc.example.org"),
    ("Specialist Children's Services", "specialist.servicemanager@wdc.example.org"),
])
def test_community_health_escalates_to_the_manager_of_the_staff_members_service(client, service, manager):
    payload = education_disagreement(agency="Community Health Services", health_service=service)
    del payload["answers"]["learning_community"]
    opened = raise_case(client, payload)
    case = act(client, opened["reference"], "health.teamleader@wdc.example.org", "escalate", DISCUSSED)
    assert case["stage"]["scope"] == service
    assert [a["email"] for a in case["stage"]["assignees"]] == [manager]


def test_a_different_chair_is_asked_only_when_the_conference_is_reconvened(client):
    opened = raise_case(client, conference_dissent())
    act(client, opened["reference"], HEAD_OF_SERVICE, "acknowledged", RECEIVED)
    sign_in(client, WDC, HEAD_OF_SERVICE, "manager")
    refused = post_action(client, f"/{WDC}/api/cases/{opened['reference']}/actions", {"action": "conference-reconvened", "record": {**REVIEW, **CLOSING}})
    assert refused.get_json()["errors"] == {"different_chair": ["Select whether a different chair will be appointed"]}
    case = act(client, opened["reference"], HEAD_OF_SERVICE, "decision-stands", {**REVIEW, "different_chair": "yes"})
    assert case["stages"][-1]["record"]["different_chair"] is None, "not asked, so not stored"


def test_the_review_outcome_is_notified_to_the_chairperson_and_the_dissenter(app, client):
    opened = raise_case(client, conference_dissent())
    act(client, opened["reference"], HEAD_OF_SERVICE, "acknowledged", RECEIVED)
    act(client, opened["reference"], HEAD_OF_SERVICE, "conference-reconvened", {**REVIEW, "different_chair": "no"})
    assert outbox(app, "outcome") == ["conference.chair@wdc.example.org", TEACHER]


def test_a_conference_date_in_the_future_is_refused_and_nothing_is_saved(client, clock):
    clock.set(london(2026, 11, 24, 10, 0))
    sign_in(client, WDC, TEACHER)
    refused = client.post(f"/{WDC}/api/cases", json=conference_dissent("2026-11-25"))
    assert refused.status_code == 400
    assert refused.get_json()["errors"] == {"conference_date": ["Date of the case conference must be today or in the past"]}
    assert client.get(f"/{WDC}/api/cases/WDC-2026-0001").status_code == 404


def test_a_conference_date_more_than_two_years_back_is_refused(client):
    sign_in(client, WDC, TEACHER)
    refused = client.post(f"/{WDC}/api/cases", json=conference_dissent("2024-11-23"))
    assert refused.get_json()["errors"] == {"conference_date": ["Date of the case conference must be after 24 November 2024"]}


def test_the_dissent_cannot_reach_the_head_of_service_before_the_conference(client, clock):
    """"Acknowledgement of dissent from a child protection case conference must then be passed to the Head of
    Service within one working day": the dissent reaches the Head of Service after the conference, never before.
    The API says which date the answer must follow, and a date before it is refused with nothing saved."""
    clock.set(london(2026, 11, 27, 15, 30))
    opened = raise_case(client, conference_dissent("2026-11-27"))
    described = {p["slug"]: p for p in client.get(f"/{WDC}/api/processes").get_json()}["conference-dissent"]
    received = described["ladders"][0]["stages"][0]["record"][0]
    assert received["name"] == "received_on" and received["after"] == "conference_date"
    sign_in(client, WDC, HEAD_OF_SERVICE, "manager")
    url = f"/{WDC}/api/cases/{opened['reference']}/actions"
    refused = post_action(client, url, {"action": "acknowledged", "record": {"received_on": "2026-11-20"}})
    assert refused.status_code == 400
    assert refused.get_json()["errors"] == {"received_on": [
        "Date the dissent reached the Head of Service cannot be before the conference (27 November 2026)"]}
    assert client.get(f"/{WDC}/api/cases/{opened['reference']}").get_json()["stage"]["slug"] == "acknowledgement"
    assert post_action(client, url, {"action": "acknowledged", "record": {"received_on": "2026-11-27"}}).status_code == 200


@pytest.mark.parametrize("received, due, day", [
    ("2026-11-14", "2026-11-28", "Saturday 28 November 2026 is not a working day"),
    ("2026-11-16", "2026-11-30", "Monday 30 November 2026 is not a working day"),   # St Andrew's Day
])
def test_a_review_due_on_a_non_working_day_says_so_on_the_case(client, clock, received, due, day):
    """"a full review of information shared, the ensuing discussion and the decision reached will then be
    undertaken within 14 days": 14 calendar days, which can end on a weekend or a holiday. The due date stays
    where the guidance puts it (West Dunbartonshire's choice, to confirm), and the case says it is not a working
    day."""
    clock.set(london(2026, 11, 13, 15, 30))
    opened = raise_case(client, conference_dissent("2026-11-13"))
    clock.set(london(2026, 11, 17, 9, 0))
    case = act(client, opened["reference"], HEAD_OF_SERVICE, "acknowledged", {"received_on": received})
    assert case["stage"]["due_on"] == due
    assert day in case["stage"]["due_note"]
    sign_in(client, WDC, TEACHER)
    page = client.get(f"/{WDC}/cases/{opened['reference']}").get_data(as_text=True)
    assert day in page
    sign_in(client, WDC, HEAD_OF_SERVICE, "manager")
    page = client.get(f"/{WDC}/cases/{opened['reference']}").get_data(as_text=True)
    assert f'<strong data-testid="due-note">{day}</strong>' in page, "in the Due row, not only the timeline"


def test_a_face_to_face_discussion_is_expected_above_the_social_work_team_leader(client):
    """"In most cases it would be anticipated that a face to face discussion would ensue to include all parties
    with the intention of reaching a resolution.\""""
    sign_in(client, WDC, TEACHER)
    described = {p["slug"]: p for p in client.get(f"/{WDC}/api/processes").get_json()}["escalation"]
    social_work = next(ladder for ladder in described["ladders"] if ladder["slug"] == "social-work")
    for stage in social_work["stages"][1:]:
        assert "face to face discussion" in stage["guidance"]
        assert "face_to_face" in [f["name"] for f in stage["record"]]


def test_the_rung_deadlines_the_guidance_does_not_set_are_marked_for_the_council_to_confirm(client):
    """The escalation section names the rungs of each service but no number of days; the conference dissent's
    "within one working day" and "within 14 days" are the guidance's own."""
    sign_in(client, WDC, TEACHER)
    described = {p["slug"]: p for p in client.get(f"/{WDC}/api/processes").get_json()}
    for ladder in described["escalation"]["ladders"]:
        for stage in ladder["stages"]:
            assert stage["deadline_to_confirm"]
            assert stage["deadline"].endswith("; not in the procedure, for the council to confirm")
    for stage in described["conference-dissent"]["ladders"][0]["stages"]:
        assert not stage["deadline_to_confirm"] and not stage["holder_to_confirm"]
