"""Deadline emails: opened, escalated and left overdue, through a real SMTP server and real brokers."""
import pytest

from core.testing import drain, london, sign_in

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
        (TEACHER, f"{reference}: we have your raise a disagreement with another agency"),
    ]
    assert day(2026, 11, 26, 8, 0) == []
    assert day(2026, 11, 27, 7, 30) == [(HEAD, f"{reference}: due tomorrow (Tuesday 1 December 2026)")]
    assert day(2026, 11, 30, 8, 0) == []
    assert day(2026, 12, 1, 7, 0) == [(HEAD, f"{reference}: due today (Tuesday 1 December 2026)")]
    assert day(2026, 12, 2, 7, 5) == sorted([
        (HEAD, f"{reference}: overdue since Tuesday 1 December 2026"),
        (QIO, f"{reference}: overdue since Tuesday 1 December 2026"),
        (TEACHER, f"{reference}: overdue since Tuesday 1 December 2026"),
    ])

    clock.set(london(2026, 12, 2, 10, 0))
    sign_in(client, WDC, HEAD, "manager")
    client.post(f"/{WDC}/api/cases/{reference}/actions", json={"action": "escalate", "record": RECORD})
    assert day(2026, 12, 2, 10, 1) == [(QIO, f"{reference}: a case is with you, due Wednesday 9 December 2026")]

    sign_in(client, WDC, QIO, "manager")
    client.post(f"/{WDC}/api/cases/{reference}/actions", json={"action": "resolved", "record": RECORD})
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
    from core.models import ScheduledNotification, db
    from core.notify.outbox import schedule

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
