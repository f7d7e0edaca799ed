"""Working days: bank holidays of the council's nation plus its closure days.

Counting rule (DESIGN.md): the day of the triggering event is day 0 and
"within N working days" ends on the Nth working day after it. An event on a
non-working day counts as happening on the next working day.
"""
from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session

from core.model.deadlines import Deadline
from core.model.deadlines import NoMeetingScheduled as NoMeetingScheduled  # raised by NextMeeting.due_on
from core.model.procedures import Council
from core.model.records import ClosureDay, Meeting, db

if TYPE_CHECKING:
    import holidays


@cache
def bank_holidays(nation: str) -> holidays.HolidayBase:
    import holidays  # a fifth of start-up: imported when a deadline is first counted

    # England without a subdivision drops Easter Monday and the late-August holiday.
    return holidays.UK(subdiv=nation)


class WorkingDayCalendar:
    def __init__(self, nation: str, closures: frozenset[date] = frozenset()):
        self.nation = nation
        self.closures = closures

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in bank_holidays(self.nation) and day not in self.closures

    def day_zero(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add(self, day: date, n: int) -> date:
        day = self.day_zero(day)
        for _ in range(n):
            day = self.day_zero(day + timedelta(days=1))
        return day

    def previous(self, day: date) -> date:
        day -= timedelta(days=1)
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day


CALENDARS = "concord.calendars"


def calendar_for(council: Council) -> WorkingDayCalendar:
    """The council's working days (its nation's bank holidays and its closure days), read once per transaction."""
    calendars = db.session.info.setdefault(CALENDARS, {})
    if council.slug not in calendars:
        closures = db.session.scalars(_closure_days(), {"council": council.slug})
        calendars[council.slug] = WorkingDayCalendar(council.nation, frozenset(closures))
    return calendars[council.slug]


@cache
def _closure_days():
    """Built once: a submission reads the closure days, and building the query cost more CPU than running it."""
    return select(ClosureDay.__table__.c.day).where(ClosureDay.__table__.c.council == bindparam("council"))


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_calendars(session):
    session.info.pop(CALENDARS, None)


@event.listens_for(Session, "before_flush")
def _forget_calendars_when_closures_change(session, flush_context, instances):
    if any(isinstance(o, ClosureDay) for o in (*session.new, *session.dirty, *session.deleted)):
        session.info.pop(CALENDARS, None)


def meeting_dates(council: Council, group: str) -> list[date]:
    """The dates the council admins recorded for a group (e.g. a dissents group)."""
    return list(
        db.session.scalars(select(Meeting.day).where(Meeting.council == council.slug, Meeting.group == group))
    )


def due_on(rule: Deadline, start: date, calendar: WorkingDayCalendar, meetings: Collection[date] = ()) -> date:
    """The date a stage is due, by the rule, from ``start``: whatever its kind, the rule counts it.

    ``meetings`` are the dates of the group the rule names (``rule.meeting``), if it names one.
    """
    return rule.due_on(start, calendar, meetings)


def not_working_note(calendar: WorkingDayCalendar, due: date) -> str:
    """Words for a due date that is not a working day (a calendar-day deadline's end), else ""."""
    if calendar.is_working_day(due):
        return ""
    return f"{due:%A %-d %B %Y} is not a working day"


def demo_meeting_days(calendar: WorkingDayCalendar, today: date, months: int = 12) -> list[date]:
    """A fictional monthly schedule for the demo: the second Wednesday of each of the next ``months``
    months (the next working day when that is a holiday), for a group nobody has given dates yet."""
    days = []
    year, month = today.year, today.month
    for _ in range(months):
        month += 1
        if month > 12:
            year, month = year + 1, 1
        first = date(year, month, 1)
        second_wednesday = first + timedelta(days=(2 - first.weekday()) % 7 + 7)
        days.append(calendar.day_zero(second_wednesday))
    return days
