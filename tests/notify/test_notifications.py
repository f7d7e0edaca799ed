"""Deadline emails: opened, escalated and left overdue, through a real SMTP server and real brokers."""
import re
from datetime import timedelta

import pytest

from core.testing import CLOSING, drain, london, post_action, sign_in

WDC = "westdunbartonshire"
TEACHER = "teacher.demo@wdc.example.org"
HEAD = "head.establishment@wdc.example.org"
QIO = "qio.valeofleven@wdc.example.org"
ANSWERS = {"agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Area team",
           "decision": "Referral closed with no further action", "disagreement": "Bruising seen on Monday",
           "tried": "Phoned the worker", "child_reference": "CHI-SECRET-123"}
RECORD = {"discussed": "Met.", "agreed": "No."}


@pytest.fixture
def mail_app(make_app, smtp_sink, broker_url):
    app = make_app(MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_sink.port, BROKER_URL=broker_url,
                   BASE_URL="https://concord.example.org")
    app.extensions["concord.queue"].broker.flush_all()
    yield app
    app.extensions["concord.queue"].broker.flush_all()
    app.extensions["concord.queue"].broker.close()


def sent_since(sink, count_before):
    return sorted((m["To"], m["Subject"]) for m in sink.messages[count_before:])


def test_a_case_opened_escalated_and_left_overdue_sends_exactly_the_expected_mail(mail_app, smtp_sink, clock):
    client = mail_app.test_client()
    clock.set(london(2026, 11, 23, 9, 0))  # Monday; due Tuesday 1 December (St Andrew's Day is skipped)
    sign_in(client, WDC, TEACHER)
    reference = client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS}).get_json()["reference"]

    def day(*when):
        clock.set(london(*when))
        before = len(smtp_sink.messages)
        drain(mail_app)
        return sent_since(smtp_sink, before)

    assert day(2026, 11, 23, 9, 1) == [
        (HEAD, f"{reference}: a case is with you, due Tuesday 1 December 2026"),
        (TEACHER, f"{reference}: received – Raise a disagreement with another agency"),
    ]
    assert day(2026, 11, 26, 8, 0) == []
    assert day(2026, 11, 27, 7, 30) == [(HEAD, f"{reference}: reminder – due Tuesday 1 December 2026")]
    assert day(2026, 11, 30, 8, 0) == []
    assert day(2026, 12, 1, 7, 0) == [(HEAD, f"{reference}: due today (Tuesday 1 December 2026)")]
    assert day(2026, 12, 2, 7, 5) == sorted([
        (HEAD, f"{reference}: overdue since Tuesday 1 December 2026"),
        (QIO, f"{reference}: overdue since Tuesday 1 December 2026"),
        (TEACHER, f"{reference}: overdue since Tuesday 1 December 2026"),
    ])

    clock.set(london(2026, 12, 2, 10, 0))
    sign_in(client, WDC, HEAD, "manager")
    post_action(client, f"/{WDC}/api/cases/{reference}/actions", {"action": "escalate", "record": RECORD})
    assert day(2026, 12, 2, 10, 1) == [(QIO, f"{reference}: a case is with you, due Wednesday 9 December 2026")]

    sign_in(client, WDC, QIO, "manager")
    post_action(client, f"/{WDC}/api/cases/{reference}/actions", {"action": "resolved", "record": {**RECORD, **CLOSING}})
    assert day(2026, 12, 2, 11, 0) == [(TEACHER, f"{reference}: outcome recorded")]
    assert day(2026, 12, 8, 7, 0) == [], "the resolved stage's reminders were cancelled"
    assert day(2026, 12, 10, 7, 0) == []


def test_emails_carry_a_link_and_a_calendar_entry_and_no_childs_details(mail_app, smtp_sink, clock):
    client = mail_app.test_client()
    clock.set(london(2026, 11, 23, 9, 0))
    sign_in(client, WDC, TEACHER)
    reference = client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS}).get_json()["reference"]
    drain(mail_app)
    assignment = next(m for m in smtp_sink.messages if m["To"] == HEAD)
    text = assignment.get_body(("plain",)).get_content()
    assert f"https://concord.example.org/{WDC}/cases/{reference}" in text
    ics = next(part for part in assignment.iter_attachments() if part.get_content_type() == "text/calendar")
    assert b"DTSTART;VALUE=DATE:20261201" in ics.get_payload(decode=True)
    for message in smtp_sink.messages:
        raw = message.as_string()
        for secret in ("Bruising", "CHI-SECRET-123", "Referral closed"):
            assert secret not in raw


def test_a_retried_action_cannot_double_a_message(mail_app, smtp_sink, clock):
    from core.engine.outbox import schedule
    from core.model.records import ScheduledNotification, db

    client = mail_app.test_client()
    sign_in(client, WDC, TEACHER)
    client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS})
    with mail_app.app_context():
        row = db.session.scalars(db.select(ScheduledNotification).filter_by(kind="assignment")).one()
        schedule(row.case, row.entry, "assignment", HEAD, row.send_after)
        db.session.commit()
        assert db.session.query(ScheduledNotification).filter_by(kind="assignment").count() == 1
    drain(mail_app)
    drain(mail_app)
    assert [m["To"] for m in smtp_sink.messages].count(HEAD) == 1


def test_the_development_outbox_shows_mail_in_the_browser(make_app, clock):
    app = make_app(MAIL_TRANSPORT="dev-outbox")
    client = app.test_client()
    sign_in(client, WDC, TEACHER)
    reference = client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS}).get_json()["reference"]
    drain(app)
    page = client.get(f"/{WDC}/dev/mail/").get_data(as_text=True)
    assert f"{reference}: a case is with you, due" in page and HEAD in page
    first = re.search(rf'href="(/{WDC}/dev/mail/\d+)"', page).group(1)
    assert client.get(first).status_code == 200


class FlakySink:
    """An SMTP server that answers RCPT for an address with the codes given for it, in turn."""

    def __init__(self, codes):
        self.codes, self.messages = {address: list(replies) for address, replies in codes.items()}, []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        replies = self.codes.get(address, [])
        code = replies.pop(0) if replies else "250 OK"
        if code.startswith("250"):
            envelope.rcpt_tos.append(address)
        return code

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def flaky_smtp():
    from aiosmtpd.controller import Controller

    from core.testing import free_port

    sinks = []

    def start(**codes):
        sink = FlakySink({address.replace("_", ".") + "@wdc.example.org": replies for address, replies in codes.items()})
        sink.port = free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
        controller.start()
        sinks.append(controller)
        return sink

    yield start
    for controller in sinks:
        controller.stop()


def outbox_rows(app, kind):
    from core.model.records import ScheduledNotification, db

    with app.app_context():
        return [(r.recipient, r.state, r.attempts, r.last_error)
                for r in db.session.scalars(db.select(ScheduledNotification).filter_by(kind=kind))]


def test_a_temporary_failure_is_retried_with_backoff_and_then_sent(make_app, flaky_smtp, clock):
    sink = flaky_smtp(teacher_demo=["451 Try again later"], head_of_service=["451 Try again later"])
    app = make_app(MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=sink.port)
    client = app.test_client()
    clock.set(london(2026, 11, 23, 9, 0))
    sign_in(client, WDC, TEACHER)
    client.post(f"/{WDC}/api/cases", json={"process": "conference-dissent", "answers": {
        "conference_date": "2026-11-23", "chair_name": "C", "chair_email": "chair@wdc.example.org",
        "agency": "Health", "decision": "d", "reasons": "r"}})
    drain(app)  # acknowledgement refused (451), assignment refused (451)
    assert {(r, s, a) for r, s, a, _ in outbox_rows(app, "acknowledgement")} == {(TEACHER, "pending", 1)}
    clock.set(london(2026, 11, 23, 9, 1))
    drain(app)
    assert sink.messages == [], "not before the backoff has passed"
    clock.set(london(2026, 11, 23, 9, 3))
    drain(app)
    assert sorted(m[0] for m in sink.messages) == ["head.of.service@wdc.example.org", TEACHER]


def test_a_permanent_failure_stops_at_once_and_a_cap_ends_retries(make_app, flaky_smtp, clock):
    sink = flaky_smtp(teacher_demo=["550 No such user"], head_establishment=["451 Later"] * 20)
    app = make_app(MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=sink.port)
    client = app.test_client()
    clock.set(london(2026, 11, 23, 9, 0))
    sign_in(client, WDC, TEACHER)
    client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS})
    for minutes in (0, 3, 8, 20, 40, 80, 160):
        clock.set(london(2026, 11, 23, 9, 0) + timedelta(minutes=minutes))
        drain(app)
    states = outbox_rows(app, "acknowledgement") + outbox_rows(app, "assignment")
    assert sorted((s, a) for _, s, a, _ in states) == [("failed", 1), ("failed", 5)]
    assert any("550" in (e or "") for *_, e in states)
    assert sink.messages == []


def test_failures_reach_admins_in_a_daily_digest_and_an_admin_resends_from_the_case_page(make_app, flaky_smtp, clock):
    import re

    sink = flaky_smtp(teacher_demo=["550 No such user"])
    app = make_app(MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=sink.port)
    client = app.test_client()
    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")  # an admin Concord knows of
    clock.set(london(2026, 11, 23, 6, 0))
    sign_in(client, WDC, TEACHER)
    reference = client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS}).get_json()["reference"]
    drain(app)  # the acknowledgement is refused for good (550)
    assert sink.messages == [[HEAD]]
    drain(app)
    assert len(sink.messages) == 1, "no digest before 07:00"
    clock.set(london(2026, 11, 23, 7, 0))
    drain(app)
    assert sink.messages[-1] == ["admin@wdc.example.org"]
    drain(app)
    assert len(sink.messages) == 2, "one digest a day"

    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")
    sign_in(client, WDC, "lead@wdc.example.org", "safeguarding-lead")
    assert "Resend" not in client.get(f"/{WDC}/cases/{reference}").get_data(as_text=True), "admins only"

    with client.session_transaction() as session:
        session["roles"] = ["council-admin", "safeguarding-lead"]
    page = client.get(f"/{WDC}/cases/{reference}").get_data(as_text=True)
    assert f"acknowledgement to {TEACHER} (recipient refused (550))" in page
    action = re.search(r'action="([^"]+/resend)"', page).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post(action, data={"csrf_token": token})
    drain(app)
    assert sink.messages[-1] == [TEACHER]


def test_a_replaced_qio_no_longer_gets_the_reminders_and_the_successor_does(make_app, smtp_sink, clock):
    import re

    app = make_app(MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_sink.port)
    client = app.test_client()
    clock.set(london(2026, 11, 23, 9, 0))
    sign_in(client, WDC, TEACHER)
    reference = client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS}).get_json()["reference"]
    sign_in(client, WDC, HEAD, "manager")
    post_action(client, f"/{WDC}/api/cases/{reference}/actions", {"action": "escalate", "record": RECORD})
    drain(app)

    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")
    page = client.get(f"/{WDC}/admin/directory/").get_data(as_text=True)
    row = re.search(rf'name="(c\d+)-email" type="email" value="{QIO}"', page).group(1)
    form = {m[0]: m[1] for m in re.findall(r'name="(c\d+-(?:name|email))" type="\w+" value="([^"]*)"', page)}
    form.update({m: "y" for m in re.findall(r'name="(c\d+-active)" type="checkbox" value="y" checked', page)})
    form.update({f"{row}-name": "Sam Reed", f"{row}-email": "sam.reed@wdc.example.org", "note": "Avery Wren retires",
                 "csrf_token": re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)})
    client.post(f"/{WDC}/admin/directory/", data=form)

    before = len(smtp_sink.messages)
    clock.set(london(2026, 12, 1, 7, 0))  # due 1 December: the successor is reminded and told it is due
    drain(app)
    clock.set(london(2026, 12, 1, 8, 0))
    drain(app)
    got = sorted((m["To"], m["Subject"].split(": ")[1]) for m in smtp_sink.messages[before:])
    assert ("sam.reed@wdc.example.org", "a case is with you, due Tuesday 1 December 2026") in got
    assert all(to != QIO for to, _ in got)


@pytest.fixture
def notify_server():
    """A stand-in for the GOV.UK Notify API on loopback, speaking its HTTP contract."""
    import json as _json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    received, statuses = [], {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = _json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append({"path": self.path, "auth": self.headers.get("Authorization", ""), **body})
            status = statuses.get(body["email_address"], 201)
            payload = {"id": "00000000-0000-0000-0000-000000000001"} if status == 201 else {
                "status_code": status, "errors": [{"error": "BadRequestError", "message": "Not a valid email address"}]}
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(_json.dumps(payload).encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", received, statuses
    server.shutdown()


def test_gov_uk_notify_gets_the_councils_template_and_a_bad_address_stops_at_once(make_app, notify_server, clock):
    import uuid

    base_url, received, statuses = notify_server
    statuses[TEACHER] = 400
    key = f"concord_test-{uuid.uuid4()}-{uuid.uuid4()}"
    app = make_app(MAIL_TRANSPORT="notify", NOTIFY_API_KEY=key, NOTIFY_BASE_URL=base_url,
                   NOTIFY_TEMPLATES={WDC: {"assignment": "tpl-wdc-assignment"},
                                     "*": {"acknowledgement": "tpl-acknowledgement"}})
    client = app.test_client()
    clock.set(london(2026, 11, 23, 9, 0))
    sign_in(client, WDC, TEACHER)
    reference = client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS}).get_json()["reference"]
    drain(app)
    sent = {r["email_address"]: r for r in received}
    assert sent[HEAD]["template_id"] == "tpl-wdc-assignment"
    assert sent[HEAD]["personalisation"]["reference"] == reference
    assert sent[HEAD]["personalisation"]["due"] == "Tuesday 1 December 2026"
    assert sent[HEAD]["auth"].startswith("Bearer ") and sent[HEAD]["path"] == "/v2/notifications/email"
    assert "Bruising" not in str(received)
    states = {(r, s, a) for r, s, a, _ in outbox_rows(app, "acknowledgement")}
    assert states == {(TEACHER, "failed", 1)}, "a 4xx from Notify is permanent"
