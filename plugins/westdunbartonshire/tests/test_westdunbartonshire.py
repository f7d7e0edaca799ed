"""West Dunbartonshire's Multi-Agency Escalation and Dissent Guidance, as users would walk it."""
import pytest

from core.testing import london, sign_in, post_action

WDC = "westdunbartonshire"
TEACHER = "teacher.demo@wdc.example.org"
HEAD_OF_ESTABLISHMENT = "head.establishment@wdc.example.org"
HEAD_OF_SERVICE = "head.of.service@wdc.example.org"


def education_disagreement(community="Vale of Leven", agency="Education Services"):
    return {
        "process": "escalation",
        "answers": {
            "agency": agency,
            "learning_community": community,
            "other_agency": "Social work area team",
            "decision": "The referral was closed with no further action.",
            "disagreement": "New concerns were raised by the school the same week.",
            "tried": "Discussed with the allocated worker on Monday.",
        },
    }


def conference_dissent(date="2026-11-27"):
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
    response = post_action(client, f"/{WDC}/api/cases/{reference}/actions", {"action": action, "record": record})
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
        ("health.servicemanager@wdc.example.org", "Service Manager"),
    ]),
    ("Education Services", [
        (HEAD_OF_ESTABLISHMENT, "Head of Establishment"),
        ("qio.stpeter@wdc.example.org", "Quality Improvement Officer for the learning community"),
    ]),
])
def test_each_agency_escalates_up_its_own_ladder_five_working_days_a_rung(client, clock, agency, route):
    clock.set(london(2026, 11, 23, 9, 0))  # Monday
    case = raise_case(client, education_disagreement("St Peter the Apostle", agency))
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
    case = act(client, opened["reference"], HEAD_OF_SERVICE, "acknowledged", {"acknowledgement": "Received."})
    assert case["stage"]["slug"] == "review"
    assert case["stage"]["due_on"] == "2026-12-15"


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
    act(client, opened["reference"], HEAD_OF_SERVICE, "acknowledged", {})
    case = act(client, opened["reference"], HEAD_OF_SERVICE, outcome, record)
    assert case["status"] == "closed" and case["outcome"] == outcome
    assert case["stages"][-1]["record"]["different_chair"] == record.get("different_chair")


def test_the_dissenter_follows_the_timeline_on_the_case_page(client):
    opened = raise_case(client, conference_dissent())
    act(client, opened["reference"], HEAD_OF_SERVICE, "acknowledged", {"acknowledgement": "Received."})
    sign_in(client, WDC, TEACHER)
    page = client.get(f"/{WDC}/cases/{opened['reference']}").get_data(as_text=True)
    assert "Acknowledgement by the Head of Service: Dissent acknowledged" in page
    assert "Full review by the Head of Service: with the Head of Service" in page
