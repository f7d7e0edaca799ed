"""Deadline rules: what a stage's deadline counts from and how (working days, calendar days, the same
working day, the next meeting of a group), each a ``Deadline``; a plugin may register others.

Every deadline says what it counts from in words (``since``), so a council's staff read the rule as
their procedure states it.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

# --- deadline rules -------------------------------------------------------
# ``from_`` names a date answer (on the intake form, or recorded at an earlier
# stage, e.g. "conference_date"); None means "when the case reached the stage".
# ``since`` is the event in words ("the conference", "the dissent being
# acknowledged"): every deadline says what it counts from.

PAST_LIMIT_DAYS = 730  # a "past event" date more than two years back is refused as a slip


class Calendar(Protocol):
    """The council's working days as a deadline counts them (``core.model.calendar.WorkingDayCalendar``)."""

    def is_working_day(self, day: date) -> bool: ...

    def day_zero(self, day: date) -> date:
        """``day`` if it is a working day, else the next one: an event on a day off counts from the next."""
        ...

    def add(self, day: date, n: int) -> date:
        """The ``n``th working day after ``day`` (day 0)."""
        ...

    def previous(self, day: date) -> date:
        """The working day before ``day``."""
        ...


class Deadline(Protocol):
    """What core asks of a stage's deadline, whatever its kind.

    A council's procedure words its deadlines many ways ("within 5 working days of the conference",
    "at the next Dissents Group"); core only needs each to say what it counts from, which meeting dates
    it needs, its due date and its words. A kind is any frozen class with these (the four below are
    core's); a plugin registers its own with ``concord_register_deadline_kinds`` and core changes nothing.
    """

    @property
    def counts_from(self) -> str | None:
        """The date answer it counts from (an intake answer or one recorded at an earlier stage);
        None: the day the case reached the stage."""
        ...

    @property
    def meeting(self) -> str | None:
        """The group whose meeting dates the council admins keep, when the due date depends on them."""
        ...

    @property
    def to_confirm(self) -> bool:
        """The procedure does not give this deadline: the council chose it, and the pages say so."""
        ...

    def due_on(self, start: date, calendar: Calendar, meetings: Collection[date] = ()) -> date:
        """The due date counted from ``start`` (the ``counts_from`` date, or the day the stage was reached).

        ``meetings`` are the dates of the ``meeting`` group; raises ``NoMeetingScheduled`` when it needs one
        and there is none.
        """
        ...

    def describe(self) -> str:
        """The deadline in the procedure's words, saying what it counts from ("within 5 working days of …")."""
        ...


class NoMeetingScheduled(LookupError):
    """A deadline counting to a meeting (``NextMeeting``) has no meeting its rule allows from the start date."""

    def __init__(self, group: str, first: date):
        super().__init__(group)
        self.group, self.first = group, first


def event_words(from_: str | None, since: str) -> str:
    if since:
        return since
    if from_:
        name = from_.removesuffix("_date").removesuffix("_on")
        return "the " + name.replace("_", " ")
    return "the case reaching this stage"


# A value the council's own procedure does not give (a deadline where it sets none, a rung's holder it
# does not name) is marked where it is shown, for the council to confirm or change.
TO_CONFIRM = "not in the procedure, for the council to confirm"
HOLDER_TO_CONFIRM = "not named in the procedure, for the council to confirm"


def _confirm(words: str, to_confirm: bool) -> str:
    return f"{words}; {TO_CONFIRM}" if to_confirm else words


def _days(n: int, kind: str) -> str:
    return f"{n} {kind} day" + ("" if n == 1 else "s")


class _FromAnEvent:
    """What the rules counting days from an event share: the event is the ``from_`` answer (or the day the
    case reached the stage), and no meeting group's dates matter."""

    from_: str | None

    @property
    def counts_from(self) -> str | None:
        return self.from_

    @property
    def meeting(self) -> str | None:
        return None


@dataclass(frozen=True)
class WorkingDays(_FromAnEvent):
    n: int
    from_: str | None = None
    since: str = ""
    to_confirm: bool = False

    def due_on(self, start: date, calendar: Calendar, meetings: Collection[date] = ()) -> date:
        return calendar.add(start, self.n)

    def describe(self) -> str:
        return _confirm(f"within {_days(self.n, 'working')} of {event_words(self.from_, self.since)}", self.to_confirm)


@dataclass(frozen=True)
class CalendarDays(_FromAnEvent):
    """``n`` days of the calendar. The end can fall on a weekend or holiday: by default it stays there
    and the case says it is not a working day; ``next_working_day=True`` moves it to the next one."""

    n: int
    from_: str | None = None
    since: str = ""
    next_working_day: bool = False
    to_confirm: bool = False

    def due_on(self, start: date, calendar: Calendar, meetings: Collection[date] = ()) -> date:
        end = start + timedelta(days=self.n)
        return calendar.day_zero(end) if self.next_working_day else end

    def describe(self) -> str:
        words = f"within {_days(self.n, 'calendar')} of {event_words(self.from_, self.since)}"
        if self.next_working_day:
            return _confirm(words + ", moved to the next working day if the last day is not one", self.to_confirm)
        return _confirm(words + ", even if the last day is not a working day", self.to_confirm)


@dataclass(frozen=True)
class SameWorkingDay(_FromAnEvent):
    from_: str | None = None
    since: str = ""
    to_confirm: bool = False

    def due_on(self, start: date, calendar: Calendar, meetings: Collection[date] = ()) -> date:
        return calendar.day_zero(start)

    def describe(self) -> str:
        return _confirm(f"on the same working day as {event_words(self.from_, self.since)}", self.to_confirm)


@dataclass(frozen=True)
class NextMeeting:
    """Due at the next meeting of a group whose dates the council admins keep,
    counting from the day the case reaches the stage.

    The meeting-day rule is one stated setting, read by the engine and the words
    alike: by default a case reaching the stage on a meeting day goes to the
    *next* meeting after that day (the group's papers are set before it sits);
    ``same_day=True`` puts it on that day's meeting instead.
    """

    meeting: str
    since: str = ""
    name: str = ""
    same_day: bool = False
    # The meeting-day rule is the council's choice where its procedure does not give one.
    to_confirm: bool = False

    @property
    def counts_from(self) -> None:
        """Always the day the case reaches the stage: the group meets on its own dates, not the case's."""
        return None

    @property
    def group(self) -> str:
        """How people name the group, e.g. "CP Dissents Group"."""
        return self.name or self.meeting.replace("-", " ")

    def first_possible(self, start: date) -> date:
        """The earliest meeting date a case reaching the stage on ``start`` can go to."""
        return start if self.same_day else start + timedelta(days=1)

    def due_on(self, start: date, calendar: Calendar, meetings: Collection[date] = ()) -> date:
        upcoming = sorted(d for d in meetings if d >= self.first_possible(start))
        if not upcoming:
            raise NoMeetingScheduled(self.group, self.first_possible(start))
        return upcoming[0]

    def describe(self) -> str:
        event = event_words(None, self.since)
        if self.same_day:
            rule = "that day's meeting if it is a meeting day"
            words = f"at the next meeting of the {self.group} on or after {event}"
        else:
            rule = f"not that day's meeting if {event} is on a meeting day"
            words = f"at the next meeting of the {self.group} after {event}"
        return f"{words}, {_confirm(rule, self.to_confirm)}"


#: Core's deadline kinds, registered like any plugin's (``core.plugin_manager``); ``check`` accepts
#: these when it is not told the app's registered kinds.
CORE_DEADLINE_KINDS: tuple[type, ...] = (WorkingDays, CalendarDays, SameWorkingDay, NextMeeting)

