"""A new case's rows as stored, on SQLite (a statement each) and PostgreSQL (one statement of data-modifying
WITHs): the same rows, and the objects the rest of the request goes on with carry the ids the database gave."""
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from core.model.clock import LONDON
from core.model.records import AuditEvent, Case, CaseEvent, Contact, ScheduledNotification, StageEntry, StageOffer, db
from core.testing import london, sign_in

WDC = "westdunbartonshire"
ESCALATION = {"process": "escalation", "answers": {
    "agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Area team",
    "decision": "Closed.", "disagreement": "New concerns.", "tried": "Talked."}}
HEADS = [("Avery Pine", "avery.pine@wdc.example.org"), ("Blake Reed", "blake.reed@wdc.example.org")]


def test_a_new_case_its_stage_offers_timeline_and_audit_row_are_stored_as_the_request_saw_them(app, client):
    with app.app_context():
        db.session.add_all(Contact(council=WDC, role="head-of-establishment", scope=None, name=name, email=email)
                           for name, email in HEADS)
        db.session.commit()
    seen: dict = {}

    def keep(session, *_):  # what the request's own objects say, just before it commits
        seen[CaseEvent] = sorted((o.id, o.case_id, o.summary)
                                 for o in session.identity_map.values() if isinstance(o, CaseEvent))
        seen[StageOffer] = sorted((o.id, o.stage_entry_id, o.contact_id, o.case_id)
                                  for o in session.identity_map.values() if isinstance(o, StageOffer))
    event.listen(Session, "before_commit", keep)
    try:
        sign_in(client, WDC, "teacher.demo@wdc.example.org")
        response = client.post(f"/{WDC}/api/cases", json=ESCALATION)
    finally:
        event.remove(Session, "before_commit", keep)
    assert response.status_code == 201, response.get_json()
    reference, entry_id = response.get_json()["reference"], response.get_json()["stage"]["entry"]
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        entry = db.session.scalars(select(StageEntry).where(StageEntry.case_id == case.id)).one()
        events = db.session.execute(select(CaseEvent.id, CaseEvent.case_id, CaseEvent.summary)
                                    .where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)).all()
        offers = db.session.execute(select(StageOffer.id, StageOffer.stage_entry_id, StageOffer.contact_id,
                                           StageOffer.case_id)
                                    .where(StageOffer.stage_entry_id == entry.id).order_by(StageOffer.id)).all()
        heads = db.session.scalars(select(Contact.id).where(Contact.role == "head-of-establishment",
                                                            Contact.council == WDC).order_by(Contact.name)).all()
        audit = db.session.execute(select(AuditEvent.case_id, AuditEvent.user_id, AuditEvent.action)
                                   .where(AuditEvent.case_id == case.id)).all()
    assert entry.id == entry_id and entry.stage == "head-of-establishment" and entry.due_on is not None
    assert [summary.split(" ")[0] for _, _, summary in events] == ["Raise", "Head"], events
    assert [tuple(row) for row in events] == seen[CaseEvent], "each timeline object has the id of its own row"
    assert [contact for _, _, contact, _ in offers] == heads and len(heads) == 3, "offered to the rung, by name"
    assert {case_id for *_, case_id in offers} == {case.id}, "each offer names its entry's case"
    assert [tuple(row) for row in offers] == seen[StageOffer], "each offer object has the id and case of its own row"
    assert [(case_id, action) for case_id, _, action in audit] == [(case.id, "open")]
    assert {k: v for k, v in case.answers.items() if v is not None} == ESCALATION["answers"]
    assert case.status == "open" and case.raised_at is not None


def test_a_case_raised_in_british_summer_time_keeps_its_moments_in_utc(app, client, clock):
    """The rows written from JSON (timeline, outbox) hold the same instants as the rows written column by
    column (the case, its stage): 10:00 in London in July is 09:00 UTC, and a reminder at 07:00 London is
    06:00 UTC while summer time lasts. Read back, every moment is the one the request saw."""
    raised = london(2026, 7, 14, 10, 0)
    clock.set(raised)
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    response = client.post(f"/{WDC}/api/cases", json=ESCALATION)
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == response.get_json()["reference"])).one()
        entered = db.session.scalars(select(StageEntry.entered_at).where(StageEntry.case_id == case.id)).all()
        events = db.session.scalars(select(CaseEvent.at).where(CaseEvent.case_id == case.id)).all()
        outbox = db.session.execute(select(ScheduledNotification.kind, ScheduledNotification.created_at,
                                           ScheduledNotification.send_after)
                                    .where(ScheduledNotification.case_id == case.id)).all()
    assert case.raised_at == raised == datetime(2026, 7, 14, 9, 0, tzinfo=UTC)
    assert entered == [raised] and events and set(events) == {raised}
    assert outbox and {created for _, created, _ in outbox} == {raised}
    now_sent = {kind: send_after for kind, _, send_after in outbox if kind in ("acknowledgement", "assignment")}
    assert now_sent == {"acknowledgement": raised, "assignment": raised}, outbox
    reminders = [send_after for kind, _, send_after in outbox if kind not in now_sent]
    assert reminders and all(moment.astimezone(LONDON).time() == time(7, 0) for moment in reminders), outbox
    assert all(moment.utcoffset() == timedelta(0) and moment.hour == 6 for moment in reminders), reminders
