"""A worker that dies after claiming its rows: they wait out the lease, then go out once each."""
from datetime import timedelta

from core.models import ScheduledNotification, db
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

    clock.set(london(2026, 11, 23, 9, 5))
    drain(app)
    assert smtp_sink.messages == [], "a claimed row is nobody else's until its lease is over"

    clock.set(london(2026, 11, 23, 9, 11))
    drain(app)
    assert len(smtp_sink.messages) == 2
    assert states(app, due) == ["sent", "sent"]
    clock.set(clock.now() + timedelta(minutes=20))
    drain(app)
    assert len(smtp_sink.messages) == 2
