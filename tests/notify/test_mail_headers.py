"""Every email carries a Date, a Message-ID of Concord's own domain, and a calendar entry mail clients accept."""
import re
from email.utils import parsedate_to_datetime

from core.testing import drain, london, sign_in

WDC = "westdunbartonshire"
TEACHER = "teacher.demo@wdc.example.org"
HEAD = "head.establishment@wdc.example.org"
ANSWERS = {"agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Area team",
           "decision": "Referral closed", "disagreement": "Concern", "tried": "Phoned the worker"}


def raise_and_send(app, clock):
    client = app.test_client()
    clock.set(london(2026, 11, 23, 9, 0))
    sign_in(client, WDC, TEACHER)
    response = client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS})
    assert response.status_code == 201, response.get_json()
    drain(app)
    return response.get_json()["reference"]


def test_escalation_emails_have_a_date_and_a_message_id_on_the_base_urls_domain(mail_app, smtp_sink, clock):
    raise_and_send(mail_app, clock)
    assert len(smtp_sink.messages) == 2
    for message in smtp_sink.messages:
        assert parsedate_to_datetime(message["Date"]) == london(2026, 11, 23, 9, 0)
        assert re.fullmatch(r"<[^@<>\s]+@concord\.example\.org>", message["Message-ID"]), message["Message-ID"]
    assert len({m["Message-ID"] for m in smtp_sink.messages}) == 2


def test_escalation_deadline_calendar_entry_is_published(mail_app, smtp_sink, clock):
    raise_and_send(mail_app, clock)
    assignment = next(m for m in smtp_sink.messages if m["To"] == HEAD)
    ics = next(part for part in assignment.iter_attachments() if part.get_content_type() == "text/calendar")
    assert ics.get_param("method") == "PUBLISH"
    assert b"METHOD:PUBLISH" in ics.get_payload(decode=True)
