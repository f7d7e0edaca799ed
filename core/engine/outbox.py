"""Plan a case's notifications as outbox rows, in the transaction of the change.

Registered as a core default plugin through ``concord_case_changed``. Deadline
emails go out at 07:00 Europe/London on their day; the rest as soon as the
scheduler next ticks. Recipients come from the directory when the stage is
entered (``replan`` refreshes them when an admin changes the directory).
"""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, contains_eager, selectinload

from core.engine import directory
from core.engine.access import holders
from core.hookspecs import CaseView, ChangeKind, EmailKind, StageView, hookimpl
from core.model.calendar import calendar_for
from core.model.clock import LONDON, local_date
from core.model.procedures import Council, process_of
from core.model.records import (
    Case,
    ScheduledNotification,
    StageEntry,
    StageOffer,
    User,
    db,
    insert_ignoring_duplicates,
    insert_rows,
)
from core.model.roles import SAFEGUARDING_LEAD
from core.runtime import now

SEND_TIME = time(7, 0)
PLANNED = "concord.planned_notifications"

# Every email core plans, by its ``EmailKind``.
ACKNOWLEDGEMENT: EmailKind = "acknowledgement"
ASSIGNMENT: EmailKind = "assignment"
REMINDER: EmailKind = "reminder"
DUE_TODAY: EmailKind = "due-today"
OVERDUE: EmailKind = "overdue"
OUTCOME: EmailKind = "outcome"
LATE: EmailKind = "late-on-arrival"
RUNG_EMPTY: EmailKind = "rung-empty"
LONG_OVERDUE: EmailKind = "long-overdue"        # planned by core.engine.overdue
DUE_DATE_MOVED: EmailKind = "due-date-moved"    # written by core.engine.recalculate
CALENDAR_CHECK: EmailKind = "calendar-check"    # the daily bank-holiday check, to council admins
FAILURE_DIGEST: EmailKind = "failure-digest"    # planned by core.notify.digest, to council admins
KINDS: tuple[EmailKind, ...] = (ACKNOWLEDGEMENT, ASSIGNMENT, REMINDER, DUE_TODAY, OVERDUE, OUTCOME, LATE, RUNG_EMPTY,
                                LONG_OVERDUE, DUE_DATE_MOVED, CALENDAR_CHECK, FAILURE_DIGEST)
DEADLINE_KINDS: tuple[EmailKind, ...] = (ASSIGNMENT, REMINDER, DUE_TODAY, OVERDUE, DUE_DATE_MOVED)
# Rows that hang on a stage's due date: re-planned when it moves.
DUE_DATE_KINDS: tuple[EmailKind, ...] = (REMINDER, DUE_TODAY, OVERDUE, LONG_OVERDUE)


def morning_of(day: date) -> datetime:
    return datetime.combine(day, SEND_TIME, tzinfo=LONDON)


def schedule(case: Case, entry: StageEntry | None, kind: EmailKind, recipient: str, send_after: datetime,
             planned_at: datetime | None = None) -> None:
    """Plan one message; planned rows are written together by ``write_planned`` (at the latest, at commit).

    ``planned_at``: the moment of the change that plans it, when the caller has it (else now)."""
    owner = f"entry-{entry.id}" if entry is not None else f"case-{case.id}"
    key = f"{owner}/{kind}/{recipient.lower()}"
    db.session.info.setdefault(PLANNED, {}).setdefault(key, dict(
        council=case.council, case_id=case.id, stage_entry_id=entry.id if entry is not None else None,
        kind=kind, recipient=recipient.lower(), dedupe_key=key,
        send_after=send_after, state="pending", attempts=0, created_at=planned_at or now(),
    ))


def write_planned(session=None) -> None:
    """Write the planned rows in one INSERT, skipping any already there (the dedupe key)."""
    session = session or db.session
    _write_many(take_planned(session), session)


def take_planned(session) -> list[dict]:
    """The transaction's planned rows, forgotten by the session: ``write_planned`` them, or send them in
    another statement (``core.engine.references``), skipping any already there (the dedupe key)."""
    return list(session.info.pop(PLANNED, {}).values())


@event.listens_for(Session, "before_commit")
def _write_planned_before_commit(session):
    if session.info.get(PLANNED):
        write_planned(session)


@event.listens_for(Session, "after_rollback")
def _forget_planned(session):
    session.info.pop(PLANNED, None)


@hookimpl
def concord_case_changed(council: Council, case: CaseView, change: ChangeKind, entry: StageView | None) -> None:
    # The rows the engine just flushed, from the session's identity map (no SQL). Planned rows are
    # written in one INSERT when the action commits.
    plan(council, db.session.get_one(Case, case.id), change,
         db.session.get_one(StageEntry, entry.id) if entry is not None else None)


def plan(council, case, change, entry) -> None:
    moment = now()
    if change == "opened":
        schedule(case, None, ACKNOWLEDGEMENT, case.raised_by.email, moment, moment)
    elif change == "stage-entered":
        plan_stage(council, case, entry, moment)
    elif change == "stage-assigned":
        replan_entry(council, entry, moment)
    elif change == "stage-closed":
        cancel(entry)
        if _tells(council, case, entry):  # an outcome the people on the case hear of though it goes on
            for recipient in _told(council, case):
                schedule(case, entry, OUTCOME, recipient, moment, moment)
    elif change == "closed":
        for recipient in _told(council, case):
            schedule(case, None, OUTCOME, recipient, moment, moment)


def _told(council, case: Case) -> list[str]:
    """Who hears of an outcome: the raiser and the process's ``outcome_to`` people."""
    named = [case.answers[f] for f in process_of(council, case).outcome_to if case.answers.get(f)]
    return list(dict.fromkeys(r.lower() for r in [case.raised_by.email, *named]))


def _tells(council, case: Case, entry: StageEntry) -> bool:
    stage = process_of(council, case).ladder(case.ladder).stage(entry.stage)
    return any(o.slug == entry.outcome and o.tells and not o.closes for o in stage.outcomes)


def tell_leads_rung_empty(council, entry: StageEntry) -> None:
    """A directory change left an open stage with nobody: the leads hear of it once."""
    for email in leads_of(council.slug):
        schedule(entry.case, entry, RUNG_EMPTY, email, now())


LEADS_READ = "concord.leads_read"


def leads_of(council_slug: str) -> list[str]:
    read = db.session.info.get(LEADS_READ, {})
    if council_slug in read:  # inside ``replan``: read once for all the stages
        return read[council_slug]
    users = db.session.scalars(select(User).where(User.council == council_slug))
    return sorted({u.email for u in users if SAFEGUARDING_LEAD in (u.roles or [])})


def rung_emails(council, entry: StageEntry) -> list[str]:
    """Who hears of the stage: its holder, the people it is offered to, or else the leads."""
    if entry.to_lead:
        return leads_of(council.slug)
    return [email for _, email in holders(entry)] or leads_of(council.slug)


def rung_above_emails(council, case: Case, entry: StageEntry) -> list[str]:
    above = process_of(council, case).ladder(case.ladder).above(entry.stage)
    if above is None:
        return []
    person = above.role.named_in(case.answers)
    if person:
        named = [person.lower()]
    else:
        named = [c.email for c in directory.assignees(council.slug, above.role.slug, above.role.scope_in(case.answers))]
    return [email for email in named if email != case.raised_by.email]


def plan_stage(council, case: Case, entry: StageEntry, moment: datetime) -> None:
    rung = rung_emails(council, entry)
    if entry.late_on_arrival:
        # One message saying it arrived late; never a burst of chasers for days already gone.
        for email in rung:
            schedule(case, entry, LATE, email, moment, moment)
        return
    calendar = calendar_for(council)
    reminder_at = morning_of(calendar.previous(entry.due_on))
    overdue_at = morning_of(calendar.add(entry.due_on, 1))
    for email in rung:
        schedule(case, entry, ASSIGNMENT, email, moment, moment)
        if entry.no_meeting:  # no date to chase until a meeting is added (core.engine.recalculate)
            continue
        if reminder_at > moment:
            schedule(case, entry, REMINDER, email, reminder_at, moment)
        schedule(case, entry, DUE_TODAY, email, max(morning_of(entry.due_on), moment), moment)
    if entry.no_meeting:
        return
    for email in dict.fromkeys(rung + rung_above_emails(council, case, entry) + [case.raised_by.email]):
        schedule(case, entry, OVERDUE, email, overdue_at, moment)


def cancel(entry: StageEntry) -> None:
    db.session.execute(
        update(ScheduledNotification)
        .where(ScheduledNotification.stage_entry_id == entry.id, ScheduledNotification.state == "pending")
        .values(state="cancelled")
        .execution_options(synchronize_session=False)
    )


def replan_entry(council, entry: StageEntry, moment: datetime) -> None:
    """Bring an open stage's messages in line with who holds it now.

    Pending rows for people no longer holding it are cancelled; rows cancelled
    earlier for people who hold it again come back, unless their day has
    passed; the rest are planned afresh (the dedupe key stops repeats).
    """
    write_planned()
    wanted = _wanted(council, entry)
    today = local_date(moment)
    rows = db.session.scalars(select(ScheduledNotification).where(
        ScheduledNotification.stage_entry_id == entry.id,
        ScheduledNotification.state.in_(("pending", "cancelled")))).all()
    for row in rows:
        row.state = _replanned_state(row, entry, wanted, today)
    plan_stage(council, entry.case, entry, moment)


def _wanted(council, entry: StageEntry) -> tuple[set[str], set[str]]:
    """Who should hear of the stage now: (its own messages, its overdue message)."""
    case = entry.case
    wanted = set(rung_emails(council, entry))
    return wanted, wanted | set(rung_above_emails(council, case, entry)) | {case.raised_by.email}


def _replanned_state(row, entry: StageEntry, wanted: tuple[set[str], set[str]], today: date) -> str:
    """A pending or cancelled row's state once the stage's recipients are ``wanted`` (``_wanted``)."""
    if row.kind == LONG_OVERDUE:  # to the leads and the raiser, whoever holds the stage
        return row.state
    keep = row.recipient in (wanted[1] if row.kind == OVERDUE else wanted[0])
    if row.state == "pending" and not keep:
        return "cancelled"
    if row.state == "cancelled" and keep and _still_timely(row, entry, today):
        return "pending"
    return row.state


def _still_timely(row: ScheduledNotification, entry: StageEntry, today: date) -> bool:
    if row.kind == DUE_TODAY:
        return today <= entry.due_on
    if row.kind == REMINDER:
        return today < entry.due_on
    return True


def replan(council) -> None:
    """After a directory change: open stages reach the people now on their rung.

    What ``replan_entry`` does for each of the council's open stages, done for them all at once: the
    stages (with their cases, raisers and offers), their messages' rows and the directory are each
    read in one query, the rows whose state changes are updated in one statement, and the new rows
    written in one INSERT, leaving out those already there. A directory import costs the same few
    statements however many open stages the council has.
    """
    moment = now()
    today = local_date(moment)
    write_planned()
    open_stages = (select(StageEntry.id).join(Case)
                   .where(Case.council == council.slug, StageEntry.closed_at.is_(None)))
    entries = db.session.scalars(
        select(StageEntry).join(StageEntry.case).where(Case.council == council.slug, StageEntry.closed_at.is_(None))
        .options(contains_eager(StageEntry.case).selectinload(Case.raised_by),
                 selectinload(StageEntry.offers).joinedload(StageOffer.contact))
    ).all()
    rows: dict[int, list] = {}
    known = set()
    for row in db.session.execute(
            select(ScheduledNotification.id, ScheduledNotification.stage_entry_id, ScheduledNotification.kind,
                   ScheduledNotification.recipient, ScheduledNotification.state, ScheduledNotification.dedupe_key)
            .where(ScheduledNotification.stage_entry_id.in_(open_stages))):
        known.add(row.dedupe_key)
        if row.state in ("pending", "cancelled"):
            rows.setdefault(row.stage_entry_id, []).append(row)
    changed = []
    db.session.info[LEADS_READ] = {council.slug: leads_of(council.slug)}
    try:
        with directory.read_whole(council.slug):
            for entry in entries:
                wanted = _wanted(council, entry)
                changed += [{"id": row.id, "state": state} for row in rows.get(entry.id, ())
                            if (state := _replanned_state(row, entry, wanted, today)) != row.state]
                plan_stage(council, entry.case, entry, moment)
    finally:
        db.session.info.pop(LEADS_READ, None)
    if changed:
        # By primary key, as one executemany; nothing here has these rows loaded as objects.
        db.session.execute(update(ScheduledNotification), changed)
    _write_many([row for key, row in db.session.info.pop(PLANNED, {}).items() if key not in known])


def _write_many(rows: list[dict], session=None) -> None:
    """Planned rows, skipping any already there (the dedupe key), however many: on PostgreSQL one INSERT
    of the rows as one JSON parameter, one statement for the server to run however many rows (a submission plans
    nine; a re-plan may write a hundred thousand: everyone newly above a stage hears if it goes overdue),
    where an executemany runs the INSERT once a row; elsewhere one executemany. The same rows either way
    (tests/engine/test_directory_import.py)."""
    session = session or db.session
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        insert_ignoring_duplicates(ScheduledNotification, rows, session=session)
        return
    insert_rows(session, ScheduledNotification.__table__, rows)
