"""Retention and data rights: a case past its council's retention is erased, keeping the figures reports need;
old mail is purged; a safeguarding lead exports a whole case for a subject access request. All audited."""
import json

import pytest
from sqlalchemy import select

from core import scheduler
from core.model.records import AuditEvent, Case, CaseLearning, DevMail, ScheduledNotification, db
from core.testing import CLOSING, london, sign_in

WDC = "westdunbartonshire"
TEACHER = "teacher.retention@wdc.example.org"
LEAD = "lead.retention@wdc.example.org"
ANSWERS = {"agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Area team",
           "decision": "Referral closed with no further action", "disagreement": "Bruising seen on Monday",
           "tried": "Phoned the worker"}
RECORD = {"discussed": "Met the area team about the bruising.", "agreed": "A fresh referral is made."}


def raise_and_resolve(app, clock, when, resolve=True):
    client = app.test_client()
    clock.set(when)
    sign_in(client, WDC, TEACHER)
    response = client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS})
    assert response.status_code == 201, response.get_json()
    reference = response.get_json()["reference"]
    if resolve:
        sign_in(client, WDC, LEAD, "safeguarding-lead")
        entry = client.get(f"/{WDC}/api/cases/{reference}").get_json()["stage"]["entry"]
        response = client.post(f"/{WDC}/api/cases/{reference}/actions",
                               json={"action": "resolved", "entry": entry, "record": {**RECORD, **CLOSING}})
        assert response.status_code == 200, response.get_json()
    return reference


def purge(app, *args):
    result = app.test_cli_runner().invoke(args=["concord", "purge", *args])
    assert result.exit_code == 0, result.output
    return result.output


def lead_client(app):
    client = app.test_client()
    sign_in(client, WDC, LEAD, "safeguarding-lead")
    return client


def test_escalation_closed_longer_ago_than_retention_is_erased_keeping_report_figures(app, clock):
    old = raise_and_resolve(app, clock, london(2000, 3, 1, 10, 0))
    recent = raise_and_resolve(app, clock, london(2020, 3, 2, 10, 0))
    still_open = raise_and_resolve(app, clock, london(2000, 3, 3, 10, 0), resolve=False)
    clock.set(london(2026, 11, 24, 10, 0))  # West Dunbartonshire keeps cases 25 years

    output = purge(app, "--dry-run")
    assert f"{WDC}: 1 case(s) past retention: {old}" in output
    lead = lead_client(app)
    assert "Bruising seen on Monday" in lead.get(f"/{WDC}/cases/{old}").get_data(as_text=True)

    output = purge(app)
    assert f"{WDC}: 1 case(s) past retention: {old}" in output
    page = lead.get(f"/{WDC}/cases/{old}").get_data(as_text=True)
    assert "The details of this case were erased on 24 November 2026" in page
    assert "Bruising seen on Monday" not in page and "Met the area team" not in page
    for kept in (recent, still_open):
        assert "Bruising seen on Monday" in lead.get(f"/{WDC}/cases/{kept}").get_data(as_text=True)

    erased = lead.get(f"/{WDC}/api/cases/{old}").get_json()
    assert erased["answers"] == {}
    assert erased["status"] == "closed" and erased["outcome"] == "resolved" and erased["ladder"] == "education"
    assert [(s["slug"], s["due_on"], s["outcome"], s["record"]) for s in erased["stages"]] == [
        ("head-of-establishment", "2000-03-08", "resolved", None)]
    assert all("Vale of Leven" not in event["summary"] for event in erased["timeline"])
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == old))
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.action == "erase"))
        assert not db.session.scalars(select(ScheduledNotification).where(ScheduledNotification.case_id == case.id)).all()
        assert [(e.assignee_email, e.acted_by_id) for e in case.stages] == [(None, None)]
        assert {e.actor_id for e in case.events} == {None}
    assert f"{WDC}: 0 case(s) past retention" in purge(app), "erasing twice finds nothing more"


def test_erasing_a_case_removes_its_learning_text_and_keeps_its_themes_counted(app, clock):
    old = raise_and_resolve(app, clock, london(2000, 3, 1, 10, 0))
    kept = raise_and_resolve(app, clock, london(2020, 3, 2, 10, 0))
    clock.set(london(2026, 11, 24, 10, 0))
    purge(app)
    lead = lead_client(app)
    def row(reference, year):
        csv = lead.get(f"/{WDC}/reports/learning.csv?from={year}-01-01&to={year}-12-31").get_data(as_text=True)
        return next(r for r in csv.splitlines() if r.startswith(reference))

    assert CLOSING["case_learning"] not in row(old, 2000) and "Information sharing" in row(old, 2000)
    assert CLOSING["case_learning"] in row(kept, 2020)
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == old))
        assert not db.session.scalars(select(CaseLearning).where(CaseLearning.case_id == case.id)).all()
        assert db.session.scalar(select(Case).where(Case.reference == old)).stages[0].assignee_id is None


def test_sent_mail_is_purged_after_the_configured_days(make_app, clock):
    app = make_app(SENT_MAIL_DAYS=10)
    reference = raise_and_resolve(app, clock, london(2026, 11, 2, 10, 0), resolve=False)
    with app.app_context():
        rows = db.session.scalars(select(ScheduledNotification)).all()
        sent, pending = rows[0], [r for r in rows[1:] if r.state == "pending"]
        sent.state, sent.sent_at = "sent", london(2026, 11, 2, 10, 1)
        db.session.add(DevMail(at=london(2026, 11, 2, 10, 1), recipient=TEACHER, subject=f"{reference}: received",
                               text="t", html="h"))
        db.session.add(DevMail(at=london(2026, 11, 11, 10, 1), recipient=TEACHER, subject="recent", text="t", html="h"))
        db.session.commit()
        sent_id, pending_ids = sent.id, {r.id for r in pending}
    clock.set(london(2026, 11, 13, 10, 0))
    assert "outbox rows past CONCORD_SENT_MAIL_DAYS: 1" in purge(app, "--dry-run")
    with app.app_context():
        assert db.session.get(ScheduledNotification, sent_id) is not None
    output = purge(app)
    assert "outbox rows past CONCORD_SENT_MAIL_DAYS: 1" in output
    assert "development outbox messages past CONCORD_DEV_MAIL_DAYS: 1" in output
    with app.app_context():
        assert db.session.get(ScheduledNotification, sent_id) is None
        assert {r.id for r in db.session.scalars(select(ScheduledNotification))} >= pending_ids
        assert [m.subject for m in db.session.scalars(select(DevMail))] == ["recent"]


def test_the_scheduler_purges_once_a_day_from_two_in_the_morning(app, clock):
    old = raise_and_resolve(app, clock, london(2000, 3, 1, 10, 0))
    clock.set(london(2026, 11, 24, 1, 59))
    scheduler.tick(app)
    lead = lead_client(app)
    assert lead.get(f"/{WDC}/api/cases/{old}").get_json()["answers"]["disagreement"] == ANSWERS["disagreement"]
    clock.set(london(2026, 11, 24, 2, 0))
    scheduler.tick(app)
    assert lead.get(f"/{WDC}/api/cases/{old}").get_json()["answers"] == {}
    assert app.extensions["concord.retention"]["last"].isoformat() == "2026-11-24"


def test_a_safeguarding_lead_exports_a_whole_case_for_a_subject_access_request(app, clock):
    reference = raise_and_resolve(app, clock, london(2026, 11, 23, 10, 0))
    lead = lead_client(app)
    page = lead.get(f"/{WDC}/cases/{reference}").get_data(as_text=True)
    assert "Export this case (JSON)" in page and "Printable record" in page
    response = lead.get(f"/{WDC}/cases/{reference}/export.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{reference}.json"'
    exported = json.loads(response.get_data(as_text=True))
    assert exported["reference"] == reference and ANSWERS.items() <= exported["answers"].items()
    assert exported["raised_by"]["email"] == TEACHER
    assert exported["stages"][0]["record"] == {**RECORD, **CLOSING} and exported["stages"][0]["acted_by"]["email"] == LEAD
    assert [e["kind"] for e in exported["timeline"]] == ["opened", "stage", "acted", "closed"]
    assert {(n["kind"], n["recipient"]) for n in exported["notifications"]} >= {("acknowledgement", TEACHER)}
    record = lead.get(f"/{WDC}/cases/{reference}/record")
    assert record.status_code == 200 and record.headers["Cache-Control"] == "no-store"
    text = record.get_data(as_text=True)
    for shown in ("the whole record", "Bruising seen on Monday", "Met the area team about the bruising.",
                  f"acknowledgement to {TEACHER}"):
        assert shown in text
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).join(Case).where(Case.reference == reference)).all()
        assert actions.count("export") == 2


@pytest.mark.parametrize("who,role", [(TEACHER, "practitioner"), ("admin.retention@wdc.example.org", "council-admin")])
def test_only_a_safeguarding_lead_may_export_a_case(app, clock, who, role):
    reference = raise_and_resolve(app, clock, london(2026, 11, 23, 10, 0))
    client = app.test_client()
    sign_in(client, WDC, who, role)
    assert "Export this case" not in client.get(f"/{WDC}/cases/{reference}").get_data(as_text=True)
    assert client.get(f"/{WDC}/cases/{reference}/export.json").status_code == 404
    assert client.get(f"/{WDC}/cases/{reference}/record").status_code == 404
    other = app.test_client()
    sign_in(other, "leeds", "lead.retention@leeds.example.org", "safeguarding-lead")
    assert other.get(f"/{WDC}/cases/{reference}/export.json").status_code == 404
    assert app.test_client().get(f"/{WDC}/cases/{reference}/export.json").status_code == 404
