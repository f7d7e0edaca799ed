"""Long overdue: the safeguarding leads hear of a stage left overdue as long again as it was given.

Registered as a core default plugin through ``concord_case_changed``: when a
stage is entered, its long-overdue morning is stored on the entry and one
outbox row per lead and for the raiser is planned for that morning. Acting on
the stage cancels them with its other pending rows. The rule is the council's
``long_overdue`` (``core.procedures.LongOverdue``).
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from .calendar import WorkingDayCalendar
from .cases import calendar_for, deadline_start, stage_of
from .clock import local_date
from .defaults.roles import SAFEGUARDING_LEAD
from .hookspecs import hookimpl
from .models import Case, StageEntry, User, db
from .notify.outbox import LONG_OVERDUE, morning_of, schedule
from .procedures import Council, NextMeeting


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
    if isinstance(stage.deadline, NextMeeting):
        start = local_date(entry.entered_at)
    else:
        start = deadline_start(case, stage, entry.entered_at, before=entry.position)
    threshold = rule.threshold(working_days_between(calendar, start, entry.due_on))
    # A stage late on arrival counts from the day it arrived, never from days already gone.
    counted_from = max(entry.due_on, calendar.day_zero(local_date(entry.entered_at)))
    return calendar.add(counted_from, threshold + 1)


def is_long_overdue(entry: StageEntry, today: date) -> bool:
    return entry.closed_at is None and entry.long_overdue_on is not None and entry.long_overdue_on <= today


def long_overdue_case_ids(moment):
    """A subquery: the cases whose open stage is long overdue at ``moment``."""
    return select(StageEntry.case_id).where(StageEntry.closed_at.is_(None),
                                             StageEntry.long_overdue_on <= local_date(moment))


def plan(council: Council, case: Case, entry: StageEntry, calendar: WorkingDayCalendar | None = None) -> None:
    """Store the entry's long-overdue day and plan the message to the leads and the raiser."""
    entry.long_overdue_on = long_overdue_on(council, case, entry, calendar or calendar_for(council))
    if entry.long_overdue_on is None:
        return
    recipients = users_with_role(council.slug, SAFEGUARDING_LEAD) + [case.raised_by.email.lower()]
    for email in dict.fromkeys(recipients):
        schedule(case, entry, LONG_OVERDUE, email, morning_of(entry.long_overdue_on))


@hookimpl
def concord_case_changed(council, case, change, entry):
    if change == "stage-entered":
        plan(council, case, entry)
