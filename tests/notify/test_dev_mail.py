"""The development outbox: each council's own mail, for people signed in to that council."""
import re

import pytest

from core.testing import drain, sign_in

WDC, GCC = "westdunbartonshire", "gloucestershire"
ESCALATION = {"agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Area team",
              "decision": "Closed.", "disagreement": "New concerns.", "tried": "Phoned the worker."}
GCC_DISSENT = {"raising_as": "A professional who attended the conference", "attended": "yes",
               "conference_date": "2026-11-20", "chair_name": "C", "chair_email": "chair@gcc.example.org",
               "line_manager_name": "L", "line_manager_email": "line.manager@gcc.example.org",
               "agency": "A", "professional_role": "R", "decision": "D", "rationale": "R"}


@pytest.fixture
def outbox(make_app):
    """Two councils' cases raised, their mail in the development outbox."""
    app = make_app(MAIL_TRANSPORT="dev-outbox")
    wdc, gcc = app.test_client(), app.test_client()
    sign_in(wdc, WDC, "teacher.demo@wdc.example.org")
    wdc_ref = wdc.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ESCALATION}).get_json()["reference"]
    sign_in(gcc, GCC, "worker@gcc.example.org")
    gcc_ref = gcc.post(f"/{GCC}/api/cases", json={"process": "conference-dissent", "answers": GCC_DISSENT}).get_json()["reference"]
    drain(app)
    return app, wdc, gcc, wdc_ref, gcc_ref


def message_links(html):
    return re.findall(r'href="(/[a-z]+/dev/mail/\d+)"', html)


def test_a_teacher_sees_only_their_councils_mail_in_the_development_outbox(outbox):
    app, wdc, gcc, wdc_ref, gcc_ref = outbox
    page = wdc.get(f"/{WDC}/dev/mail/").get_data(as_text=True)
    assert f"{wdc_ref}: a case is with you" in page and f"{wdc_ref}: received" in page
    assert gcc_ref not in page and "gcc.example.org" not in page
    links = message_links(page)
    assert links and all(link.startswith(f"/{WDC}/dev/mail/") for link in links)
    assert wdc_ref in wdc.get(links[0]).get_data(as_text=True)

    other = gcc.get(f"/{GCC}/dev/mail/").get_data(as_text=True)
    assert gcc_ref in other and wdc_ref not in other
    for link in links:  # another council's messages do not exist for them
        assert gcc.get(link).status_code == 404
        assert gcc.get(link.replace(f"/{WDC}/", f"/{GCC}/")).status_code == 404


def test_the_development_outbox_needs_sign_in(outbox):
    app, wdc, *_ = outbox
    stranger = app.test_client()
    response = stranger.get(f"/{WDC}/dev/mail/")
    assert response.status_code == 302 and f"/{WDC}/sign-in" in response.headers["Location"]
    link = message_links(wdc.get(f"/{WDC}/dev/mail/").get_data(as_text=True))[0]
    assert stranger.get(link).status_code == 302


def test_there_is_no_outbox_for_every_council_at_once(outbox):
    _, wdc, *_ = outbox
    assert wdc.get("/dev/mail/").status_code == 404


def test_with_real_mail_there_is_no_development_outbox(make_app):
    app = make_app(MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1")
    client = app.test_client()
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    assert client.get(f"/{WDC}/dev/mail/").status_code == 404
