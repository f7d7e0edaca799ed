"""References are human, per council and per year, and never collide."""
from concurrent.futures import ThreadPoolExecutor

from core.testing import counted, london, sign_in

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


def _statements_of_a_submission(app, client):
    with counted(app) as statements:
        response = client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS})
    assert response.status_code == 201
    return statements, response.get_json()["reference"]


def test_the_counter_is_the_last_thing_a_submission_writes(app, client):
    """Its row is locked from the upsert to the commit: everything else is written first, or (on PostgreSQL,
    the outbox's and the monthly report rows) in the same last statement."""
    from core.model.records import db

    sign_in(client, WDC, "teacher@wdc.example.org")
    client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS})
    statements, reference = _statements_of_a_submission(app, client)
    with app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
    counter = [i for i, s in enumerate(statements) if "reference_counter" in s]
    assert len(counter) == 1, statements
    after = statements[counter[0] + 1:]
    assert after == ([] if postgresql else ['UPDATE "case" SET reference=? WHERE "case".id = ?']), statements
    assert any("INSERT INTO scheduled_notification" in s for s in statements[:counter[0] + 1])
    assert reference == "WDC-2026-0002"


def test_a_reference_past_9999_keeps_all_its_digits_on_both_databases(app, client):
    from core.model.records import ReferenceCounter, db

    with app.app_context():
        db.session.add(ReferenceCounter(council=WDC, year=2026, last=9998))
        db.session.commit()
    sign_in(client, WDC, "teacher@wdc.example.org")
    made = [client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS}).get_json()["reference"]
            for _ in range(2)]
    assert made == ["WDC-2026-9999", "WDC-2026-10000"]


def test_concurrent_raises_in_two_councils_number_each_council_without_gaps(make_app):
    """Threads raising at once in two councils: each council's numbers run 1, 2, 3… with none missing
    or repeated (on PostgreSQL the threads really do overlap; SQLite takes them one at a time)."""
    other, other_answers = "gloucestershire", {
        "raising_as": "A professional who attended the conference", "attended": "yes",
        "chair_name": "Reviewing Officer (demo)", "chair_email": "reviewing.officer@gcc.example.org",
        "line_manager_name": "Robin Ashdown", "line_manager_email": "line.manager@gcc.example.org",
        "agency": "Community health", "professional_role": "Health visitor", "decision": "No plan.",
        "rationale": "Risk not weighed.", "conference_date": "2026-11-20"}
    app = make_app(RATE_LIMIT_SIGN_IN="1000/minute", RATE_LIMIT_API_WRITE="1000/minute")

    def submit(i):
        client = app.test_client()
        council = WDC if i % 2 else other
        sign_in(client, council, f"raiser{i}@{'wdc' if council == WDC else 'gcc'}.example.org")
        body = {"process": "escalation", "answers": ANSWERS} if council == WDC else \
            {"process": "conference-dissent", "answers": other_answers}
        response = client.post(f"/{council}/api/cases", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["reference"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        references = list(pool.map(submit, range(40)))
    ours = sorted(r for r in references if r.startswith("WDC-"))
    theirs = sorted(r for r in references if not r.startswith("WDC-"))
    assert ours == [f"WDC-2026-{n:04d}" for n in range(1, 21)]
    prefix = theirs[0].rsplit("-", 1)[0]
    assert theirs == [f"{prefix}-{n:04d}" for n in range(1, 21)]
