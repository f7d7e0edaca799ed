"""A stage left overdue as long again as it was given: the safeguarding leads hear, once, on the right day."""

from core.testing import CLOSING, drain, london, post_action, sign_in

WDC = "westdunbartonshire"
TEACHER = "teacher.demo@wdc.example.org"
LEADS = ("lead@wdc.example.org", "second.lead@wdc.example.org")
ANSWERS = {"agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Area team",
           "decision": "Referral closed with no further action", "disagreement": "Bruising seen on Monday",
           "tried": "Phoned the worker", "child_reference": "CHI-SECRET-123"}


def test_a_stage_left_overdue_tells_the_leads_and_the_raiser_once_on_the_right_working_day(mail_app, smtp_sink, clock):
    clock.set(london(2026, 11, 23, 9, 0))  # Monday: due Tuesday 1 December, 5 working days (St Andrew's Day skipped)
    lead = mail_app.test_client()
    for email in LEADS:
        sign_in(lead, WDC, email, "safeguarding-lead")
    teacher = mail_app.test_client()
    sign_in(teacher, WDC, TEACHER)
    reference = teacher.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS}).get_json()["reference"]

    def long_overdue_mail_on(*when):
        clock.set(london(*when))
        before = len(smtp_sink.messages)
        drain(mail_app)
        return sorted((m["To"], m["Subject"]) for m in smtp_sink.messages[before:] if "long overdue" in m["Subject"])

    def lead_list(query=""):
        sign_in(lead, WDC, LEADS[0], "safeguarding-lead")
        return lead.get(f"/{WDC}/cases/{query}").get_data(as_text=True)

    for day in ((2026, 11, 23, 9, 1), (2026, 12, 1, 7, 5), (2026, 12, 2, 7, 5), (2026, 12, 8, 7, 5)):
        assert long_overdue_mail_on(*day) == []
    # Overdue for 5 whole working days by the end of Tuesday 8 December: long overdue on Wednesday's morning.
    assert ">Overdue</strong>" in lead_list() and ">Long overdue</strong>" not in lead_list()
    assert reference not in lead_list("?status=long-overdue")

    assert long_overdue_mail_on(2026, 12, 9, 7, 5) == sorted(
        [(email, f"{reference}: long overdue – due Tuesday 1 December 2026") for email in LEADS]
        + [(TEACHER, f"{reference}: long overdue – due Tuesday 1 December 2026")])
    for message in smtp_sink.messages:
        for secret in ("Bruising", "CHI-SECRET-123", "Referral closed"):
            assert secret not in message.as_string()
    assert long_overdue_mail_on(2026, 12, 9, 12, 0) == []
    assert long_overdue_mail_on(2026, 12, 10, 7, 5) == []

    assert "Long overdue" in lead_list()
    assert reference in lead_list("?status=long-overdue")
    assert "Long overdue" in lead.get(f"/{WDC}/cases/{reference}").get_data(as_text=True)


def test_acting_on_the_stage_in_time_cancels_the_long_overdue_message(mail_app, smtp_sink, clock):
    clock.set(london(2026, 11, 23, 9, 0))
    lead = mail_app.test_client()
    sign_in(lead, WDC, LEADS[0], "safeguarding-lead")
    sign_in(lead, WDC, TEACHER)
    reference = lead.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS}).get_json()["reference"]
    clock.set(london(2026, 12, 3, 10, 0))
    sign_in(lead, WDC, "head.establishment@wdc.example.org", "manager")
    done = post_action(lead, f"/{WDC}/api/cases/{reference}/actions",
                       {"action": "resolved", "record": {"discussed": "Met.", "agreed": "Yes.", **CLOSING}})
    assert done.status_code == 200, done.get_json()
    clock.set(london(2026, 12, 9, 7, 5))
    before = len(smtp_sink.messages)
    drain(mail_app)
    assert [m["Subject"] for m in smtp_sink.messages[before:] if "long overdue" in m["Subject"]] == []


def test_a_council_can_change_the_long_overdue_rule(make_app, clock):
    from dataclasses import replace

    from core.model.procedures import LongOverdue

    app = make_app()
    council = app.extensions["concord"].councils[WDC]
    app.extensions["concord"].councils[WDC] = replace(council, long_overdue=LongOverdue(times=2))
    clock.set(london(2026, 11, 23, 9, 0))
    client = app.test_client()
    sign_in(client, WDC, TEACHER)
    reference = client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS}).get_json()["reference"]
    with app.app_context():
        from core.model.records import StageEntry, db
        entry = db.session.scalars(db.select(StageEntry)).one()
        # Twice the 5 working days: overdue for 10 whole working days by the end of Tuesday 15 December.
        assert entry.long_overdue_on.isoformat() == "2026-12-16", reference


def test_a_directory_change_keeps_the_long_overdue_message_for_the_leads(mail_app, smtp_sink, clock):
    from core.engine.outbox import replan

    clock.set(london(2026, 11, 23, 9, 0))
    client = mail_app.test_client()
    sign_in(client, WDC, LEADS[0], "safeguarding-lead")
    sign_in(client, WDC, TEACHER)
    reference = client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS}).get_json()["reference"]
    with mail_app.app_context():
        replan(mail_app.extensions["concord"].councils[WDC])  # what saving the directory does
        from core.model.records import db
        db.session.commit()
    clock.set(london(2026, 12, 9, 7, 5))
    before = len(smtp_sink.messages)
    drain(mail_app)
    assert sorted(m["To"] for m in smtp_sink.messages[before:] if "long overdue" in m["Subject"]) == [LEADS[0], TEACHER], reference
