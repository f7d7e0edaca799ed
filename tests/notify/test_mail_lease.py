"""A worker that dies after claiming its rows: they wait out the lease (30 s), then go out once each;
a live worker's heartbeat keeps its rows however long it takes to send them."""
import time
from datetime import timedelta

from core.model.records import ScheduledNotification, db
from core.notify.delivery import claim
from core.testing import drain, london, sign_in

WDC = "westdunbartonshire"
TEACHER = "teacher.demo@wdc.example.org"


def states(app, ids):
    with app.app_context():
        return sorted(db.session.scalars(db.select(ScheduledNotification.state).where(ScheduledNotification.id.in_(ids))))


def test_rows_claimed_by_a_worker_that_died_are_sent_after_the_lease_and_only_once(make_app, smtp_sink, clock):
    app = make_app(MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_sink.port)
    client = app.test_client()
    clock.set(london(2026, 11, 23, 9, 0))
    sign_in(client, WDC, TEACHER)
    client.post(f"/{WDC}/api/cases", json={"process": "conference-dissent", "answers": {
        "conference_date": "2026-11-23", "chair_name": "C", "chair_email": "chair@wdc.example.org",
        "agency": "Health", "decision": "d", "reasons": "r"}})
    with app.app_context():
        due = db.session.scalars(db.select(ScheduledNotification.id).where(
            ScheduledNotification.send_after <= clock.now())).all()
        assert len(claim(due)) == len(due) == 2  # acknowledgement and assignment, claimed; the worker dies here
    assert states(app, due) == ["sending", "sending"]

    clock.set(london(2026, 11, 23, 9, 0, 20))
    drain(app)
    assert smtp_sink.messages == [], "a claimed row is nobody else's until its lease is over"

    clock.set(london(2026, 11, 23, 9, 0, 31))  # the dead worker's lease is over half a minute after its claim
    drain(app)
    assert len(smtp_sink.messages) == 2
    assert states(app, due) == ["sent", "sent"]
    clock.set(clock.now() + timedelta(minutes=20))
    drain(app)
    assert len(smtp_sink.messages) == 2


def test_a_live_workers_heartbeat_keeps_its_rows_past_the_lease_and_a_dead_ones_rows_come_back(make_app, clock):
    from core.notify.delivery import Heartbeat, reclaim_stale

    app = make_app()
    client = app.test_client()
    clock.set(london(2026, 11, 23, 9, 0))
    sign_in(client, WDC, TEACHER)
    client.post(f"/{WDC}/api/cases", json={"process": "conference-dissent", "answers": {
        "conference_date": "2026-11-23", "chair_name": "C", "chair_email": "chair@wdc.example.org",
        "agency": "Health", "decision": "d", "reasons": "r"}})
    with app.app_context():
        due = [row.id for row in claim(db.session.scalars(db.select(ScheduledNotification.id)).all())]
    beat = Heartbeat(app, every=timedelta(milliseconds=20))
    beat.hold(due)  # a worker still sending them, slowly

    clock.set(london(2026, 11, 23, 9, 5))
    with app.app_context():
        while db.session.scalar(db.select(db.func.min(ScheduledNotification.send_after))) < clock.now():
            db.session.rollback()
            time.sleep(0.02)  # until the heartbeat has renewed the lease
        assert reclaim_stale() == 0, "a live worker's rows stay its own"

    beat.release(due)  # the worker dies: no more heartbeats
    clock.set(london(2026, 11, 23, 9, 5, 31))
    with app.app_context():
        assert reclaim_stale() == len(due)
    assert states(app, due) == ["pending"] * len(due)
