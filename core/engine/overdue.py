"""Long overdue: the safeguarding leads hear of a stage left overdue as long again as it was given.

When a stage entry is inserted its long-overdue morning is stored with it
(a mapper event: no extra statement); registered as a core default plugin
through ``concord_case_changed``, the stage's entry plans two outbox rows for
that morning: one to the raiser and one addressed to the council's
safeguarding leads (``role:safeguarding-lead``), which the scheduler turns into
one row per lead when it falls due — the leads of that day, found without a
query while the case is raised. Acting on the stage cancels them with its
other pending rows. The rule is the council's ``long_overdue``
(``core.model.procedures.LongOverdue``).
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import event, select

from core.engine.due_dates import deadline_start
from core.engine.outbox import LONG_OVERDUE, morning_of, schedule
from core.hookspecs import CaseView, ChangeKind, StageView, hookimpl
from core.model.calendar import WorkingDayCalendar, calendar_for
from core.model.clock import local_date
from core.model.procedures import Council, stage_of
from core.model.records import Case, ScheduledNotification, StageEntry, User, db, insert_ignoring_duplicates
from core.model.roles import SAFEGUARDING_LEAD


def users_with_role(council_slug: str, role: str) -> list[str]:
    users = db.session.scalars(select(User).where(User.council == council_slug))
    return sorted({u.email.lower() for u in users if role in (u.roles or [])})


def working_days_between(calendar: WorkingDayCalendar, start: date, end: date) -> int:
    """Working days after ``start``'s day zero, up to and including ``end``."""
    day, count = calendar.day_zero(start), 0
    while day < end:
        day += timedelta(days=1)
        count += calendar.is_working_day(day)
    return count


def long_overdue_on(council: Council, case: Case, entry: StageEntry, calendar: WorkingDayCalendar) -> date | None:
    """The morning ``entry`` counts as long overdue, or None (no rule, or no meeting to count to)."""
    rule = council.long_overdue
    if rule is None or entry.no_meeting:
        return None
    stage = stage_of(council, case, entry)
    start = deadline_start(case, stage, entry.entered_at, before=entry.position)
    threshold = rule.threshold(working_days_between(calendar, start, entry.due_on))
    arrived = calendar.day_zero(local_date(entry.entered_at))
    if entry.due_on < arrived:
        # Late on arrival: its holder has the day after it arrived, never days already gone.
        return calendar.add(arrived, threshold + 2)
    return calendar.add(entry.due_on, threshold + 1)


def is_long_overdue(entry: StageEntry, today: date) -> bool:
    return entry.closed_at is None and entry.long_overdue_on is not None and entry.long_overdue_on <= today


def long_overdue_case_ids(moment):
    """A subquery: the cases whose open stage is long overdue at ``moment``."""
    return select(StageEntry.case_id).where(StageEntry.closed_at.is_(None),
                                             StageEntry.long_overdue_on <= local_date(moment))


LEADS = f"role:{SAFEGUARDING_LEAD}"


def plan(council: Council, case: Case, entry: StageEntry, calendar: WorkingDayCalendar | None = None) -> None:
    """Store the entry's long-overdue day (again) and plan the message to the leads and the raiser."""
    entry.long_overdue_on = long_overdue_on(council, case, entry, calendar or calendar_for(council))
    _schedule(case, entry)


def _schedule(case: Case, entry: StageEntry) -> None:
    if entry.long_overdue_on is None:
        return
    for recipient in (LEADS, case.raised_by.email.lower()):
        schedule(case, entry, LONG_OVERDUE, recipient, morning_of(entry.long_overdue_on))


@event.listens_for(StageEntry, "before_insert")
def _store_long_overdue_on(mapper, connection, entry):
    case = entry.case
    council = current_app.extensions["concord"].councils.get(case.council) if case is not None else None
    if council is not None and entry.long_overdue_on is None:
        with db.session.no_autoflush:
            entry.long_overdue_on = long_overdue_on(council, case, entry, calendar_for(council))


@hookimpl
def concord_case_changed(council: Council, case: CaseView, change: ChangeKind, entry: StageView | None) -> None:
    if change == "stage-entered" and entry is not None:
        # The rows the engine just flushed, from the session's identity map (no SQL).
        _schedule(db.session.get_one(Case, case.id), db.session.get_one(StageEntry, entry.id))


def expand_due(moment) -> int:
    """Turn due rows addressed to the leads into one row per lead (from the scheduler tick)."""
    rows = db.session.scalars(select(ScheduledNotification).where(
        ScheduledNotification.state == "pending", ScheduledNotification.send_after <= moment,
        ScheduledNotification.recipient == LEADS)).all()
    for row in rows:
        for email in users_with_role(row.council, SAFEGUARDING_LEAD):
            insert_ignoring_duplicates(
                ScheduledNotification, council=row.council, case_id=row.case_id, stage_entry_id=row.stage_entry_id,
                kind=row.kind, recipient=email, dedupe_key=f"entry-{row.stage_entry_id}/{row.kind}/{email}",
                send_after=row.send_after, state="pending", attempts=0, created_at=moment)
        row.state = "expanded"
    return len(rows)
