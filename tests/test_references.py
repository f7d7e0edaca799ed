"""References are human, per council and per year, and never collide."""
from concurrent.futures import ThreadPoolExecutor

from core.testing import london, sign_in

WDC = "westdunbartonshire"
ANSWERS = {
    "agency": "Education Services", "learning_community": "Clydebank High", "other_agency": "Team",
    "decision": "d", "disagreement": "w", "tried": "t",
}


def test_concurrent_submissions_get_distinct_consecutive_references(app):
    def submit(i):
        client = app.test_client()
        sign_in(client, WDC, f"teacher{i}@wdc.example.org")
        response = client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS})
        assert response.status_code == 201, response.get_json()
        return response.get_json()["reference"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        references = list(pool.map(submit, range(24)))
    assert sorted(references) == [f"WDC-2026-{n:04d}" for n in range(1, 25)]


def test_numbering_starts_again_each_year(client, clock):
    clock.set(london(2026, 12, 31, 23, 30))
    sign_in(client, WDC, "teacher@wdc.example.org")
    assert client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS}).get_json()["reference"] == "WDC-2026-0001"
    clock.set(london(2027, 1, 1, 0, 30))
    sign_in(client, WDC, "teacher@wdc.example.org")
    assert client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS}).get_json()["reference"] == "WDC-2027-0001"
