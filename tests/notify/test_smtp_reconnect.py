"""A relay that closes idle connections: the worker's kept-open connection is opened again, at no cost."""
import threading

import pytest

from core.model.records import ScheduledNotification, db
from core.testing import drain, free_port, london, sign_in

WDC = "westdunbartonshire"
TEACHER = "teacher.demo@wdc.example.org"
ANSWERS = {"agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Area team",
           "decision": "Referral closed", "disagreement": "Concern", "tried": "Phoned the worker"}


class ClosingRelay:
    """Accepts every message; ``close_idle`` closes the connections it holds, as a relay's idle timeout does."""

    def __init__(self, goodbye: str | None):
        self.goodbye, self.received, self.servers = goodbye, [], []

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self.servers.append(server)
        return responses

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope.rcpt_tos)
        return "250 OK"

    def close_idle(self, loop):
        closed = threading.Event()

        def close():
            for server in self.servers:
                if self.goodbye:  # Postfix says why before it hangs up: "421 4.4.2 … timeout exceeded"
                    server.transport.write(f"{self.goodbye}\r\n".encode())
                server.transport.close()
            self.servers.clear()
            closed.set()

        loop.call_soon_threadsafe(close)
        assert closed.wait(5)


@pytest.fixture(params=[None, "421 4.4.2 relay.example.org Error: timeout exceeded"], ids=["silent", "421"])
def closing_relay(request):
    from aiosmtpd.controller import Controller

    relay = ClosingRelay(request.param)
    relay.port = free_port()
    controller = Controller(relay, hostname="127.0.0.1", port=relay.port)
    controller.start()
    relay.close_idle_connections = lambda: relay.close_idle(controller.loop)
    yield relay
    controller.stop()


def rows(app):
    with app.app_context():
        return sorted((r.kind, r.state, r.attempts, r.last_error)
                      for r in db.session.scalars(db.select(ScheduledNotification)))


def test_a_connection_the_relay_closed_while_idle_is_opened_again_without_spending_an_attempt(
        make_app, closing_relay, clock):
    app = make_app(MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=closing_relay.port)
    mail = app.extensions["concord.mail"]
    client = app.test_client()
    clock.set(london(2026, 11, 23, 9, 0))
    sign_in(client, WDC, TEACHER)
    assert client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS}).status_code == 201
    from core.model.records import ScheduledNotification as Row
    from core.notify.delivery import deliver

    with app.app_context():
        first = db.session.scalar(db.select(Row.id).where(Row.kind == "acknowledgement"))
        assert deliver([first]) == {first: "sent"}  # the worker keeps the connection open
    assert getattr(mail.local, "smtp", None) is not None

    closing_relay.close_idle_connections()  # the relay's idle timeout
    with app.app_context():
        second = db.session.scalar(db.select(Row.id).where(Row.kind == "assignment"))
        assert deliver([second]) == {second: "sent"}, "sent at once on a new connection"
    assert len(closing_relay.received) == 2
    assert ("assignment", "sent", 1, None) in rows(app), "no attempt spent, no error recorded"
    drain(app)
    assert len(closing_relay.received) == 2
