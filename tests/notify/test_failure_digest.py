"""The daily failure digest: every message that could not be sent reaches the council admins once."""
from email import message_from_bytes, policy

import pytest

from core.model.records import ScheduledNotification, db
from core.testing import drain, free_port, london, sign_in

WDC = "westdunbartonshire"
ADMIN = "admin@wdc.example.org"
ANSWERS = {"agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Area team",
           "decision": "Referral closed", "disagreement": "Concern", "tried": "Phoned the worker"}


class RefusingSink:
    """An SMTP server that refuses the addresses given (550) and keeps everything else it receives."""

    def __init__(self, refused):
        self.refused, self.messages = set(refused), []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def digests(self):
        return [m for m in self.messages if "could not be sent" in m["Subject"]]


@pytest.fixture
def refusing_smtp():
    from aiosmtpd.controller import Controller

    started = []

    def start(*refused):
        sink = RefusingSink(refused)
        sink.port = free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
        controller.start()
        started.append(controller)
        return sink

    yield start
    for controller in started:
        controller.stop()


def raise_by(client, email):
    sign_in(client, WDC, email)
    response = client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["reference"]


def reported_at(app, recipient):
    with app.app_context():
        return db.session.scalar(db.select(ScheduledNotification.reported_at).where(
            ScheduledNotification.recipient == recipient, ScheduledNotification.kind == "acknowledgement"))


def body(message):
    return message.get_body(("plain",)).get_content()


def test_failures_after_the_first_digest_go_in_the_next_one(make_app, refusing_smtp, clock):
    early, late = "teacher.early@wdc.example.org", "teacher.late@wdc.example.org"
    sink = refusing_smtp(early, late)
    app = make_app(MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=sink.port)
    client = app.test_client()
    sign_in(client, WDC, ADMIN, "council-admin")

    clock.set(london(2026, 11, 23, 6, 0))
    first = raise_by(client, early)
    drain(app)  # the acknowledgement to the early teacher is refused for good
    clock.set(london(2026, 11, 23, 7, 0))
    drain(app)
    assert len(sink.digests()) == 1
    assert first in body(sink.digests()[0])
    clock.set(london(2026, 11, 23, 7, 1))
    drain(app)  # the next tick sees the digest sent
    assert reported_at(app, early) is not None

    clock.set(london(2026, 11, 23, 8, 0))
    second = raise_by(client, late)
    drain(app)  # refused after the day's digest went out
    clock.set(london(2026, 11, 23, 8, 1))
    drain(app)
    clock.set(london(2026, 11, 23, 15, 0))
    drain(app)
    assert len(sink.digests()) == 1, "one digest a day"
    assert reported_at(app, late) is None, "not reported until a digest carrying it is sent"

    clock.set(london(2026, 11, 24, 7, 0))
    drain(app)
    assert len(sink.digests()) == 2
    assert second in body(sink.digests()[1]) and first not in body(sink.digests()[1])
    assert "1 message(s)" in sink.digests()[1]["Subject"]
    drain(app)
    assert reported_at(app, late) is not None

    clock.set(london(2026, 11, 25, 7, 0))
    drain(app)
    assert len(sink.digests()) == 2, "nothing left to report"


def test_a_digest_no_admin_received_leaves_its_failures_for_the_next_one(make_app, refusing_smtp, clock):
    teacher = "teacher.early@wdc.example.org"
    sink = refusing_smtp(teacher, ADMIN)
    app = make_app(MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=sink.port)
    client = app.test_client()
    sign_in(client, WDC, ADMIN, "council-admin")
    clock.set(london(2026, 11, 23, 6, 0))
    reference = raise_by(client, teacher)
    drain(app)
    clock.set(london(2026, 11, 23, 7, 0))
    drain(app)  # the digest to the only admin is refused too
    drain(app)
    assert reported_at(app, teacher) is None
    sink.refused.discard(ADMIN)  # the admin's address is fixed
    clock.set(london(2026, 11, 24, 7, 0))
    drain(app)
    assert len(sink.digests()) == 1 and reference in body(sink.digests()[0])
