"""Page latency on PostgreSQL: the case page with 300 timeline events, the directory admin page.

Each page is requested through Flask's test client (no network: what is left
is Concord's own work, SQL round trips included), 30 times to warm up and then
``BENCH_PAGE_RUNS`` (200) times; the figure is the 95th percentile. As in
production (gunicorn.conf.py), the garbage collector's view of the objects
made at start-up is frozen with ``gc.freeze()`` after the app is created.
Prints ``P95MS case-page-300-events`` and ``P95MS directory-page``, goal < 50.
"""
from __future__ import annotations

import gc
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import figure, fresh_database, migrated_app, p95_ms  # noqa: E402

COUNCIL = "westdunbartonshire"
RUNS = int(os.environ.get("BENCH_PAGE_RUNS", "200"))
EVENTS = 300
CONTACTS = 312
ESCALATION = {"process": "escalation", "answers": {
    "agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Area team",
    "decision": "Closed.", "disagreement": "New concerns.", "tried": "Talked."}}


def sign_in(client, email, role):
    response = client.post(f"/{COUNCIL}/api/dev/session", json={"email": email, "role": role})
    assert response.status_code == 200, response.get_json()


def timed(client, path) -> float:
    for _ in range(30):
        assert client.get(path).status_code == 200
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    times.sort()
    print(f"{path}: median {times[len(times) // 2] * 1000:.1f} ms, p95 {p95_ms(times):.1f} ms, max {times[-1] * 1000:.1f} ms")
    return p95_ms(times)


def case_with_events(app, client) -> str:
    from core.model.records import Case, CaseEvent, User, db
    from core.testing import seed_demo_directories

    with app.app_context():
        seed_demo_directories(app)
    sign_in(client, "teacher.demo@wdc.example.org", "practitioner")
    reference = client.post(f"/{COUNCIL}/api/cases", json=ESCALATION).get_json()["reference"]
    with app.app_context():
        case = db.session.scalar(db.select(Case).where(Case.reference == reference))
        actors = [User(council=COUNCIL, issuer="bench", subject=f"actor-{i}", email=f"actor{i}@wdc.example.org",
                       name=f"Actor {i}") for i in range(12)]
        db.session.add_all(actors)
        db.session.flush()
        at = case.raised_at
        db.session.execute(CaseEvent.__table__.insert(), [
            {"case_id": case.id, "at": at + timedelta(minutes=i), "actor_id": actors[i % len(actors)].id,
             "kind": "note", "summary": f"Event {i}: the stage moved on, with a note of a sentence or two."}
            for i in range(EVENTS - len(case.events))])
        db.session.commit()
        assert len(db.session.scalars(db.select(CaseEvent).where(CaseEvent.case_id == case.id)).all()) == EVENTS
    return reference


def fill_directory(app) -> None:
    from core.model.records import Contact, db

    with app.app_context():
        seeds = db.session.scalars(db.select(Contact).where(Contact.council == COUNCIL).order_by(Contact.id)).all()
        db.session.add_all(Contact(council=COUNCIL, role=seeds[i % len(seeds)].role, scope=seeds[i % len(seeds)].scope,
                                   name=f"Contact {i:03d}", email=f"contact{i:03d}@wdc.example.org")
                           for i in range(CONTACTS - len(seeds)))
        db.session.commit()


def main() -> list[str]:
    with fresh_database("pages") as url:
        app = migrated_app(url, DEV_SIGN_IN=True, CONCORD_ENV="development")
        gc.collect()
        gc.freeze()
        client = app.test_client()
        reference = case_with_events(app, client)
        case_page = timed(client, f"/{COUNCIL}/cases/{reference}")
        fill_directory(app)
        sign_in(client, "admin.demo@wdc.example.org", "council-admin")
        directory_page = timed(client, f"/{COUNCIL}/admin/directory/")
        with app.app_context():
            from core.model.records import db

            db.engine.dispose()
    return [figure("P95MS", "case-page-300-events", case_page, "<50"),
            figure("P95MS", "directory-page", directory_page, "<50")]


if __name__ == "__main__":
    main()
