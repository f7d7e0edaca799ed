"""A stage's due date: the one rule for entering a stage and for recalculating it later.

The day counted from is the deadline's ``counts_from`` answer as recorded (on the intake or an earlier
stage's record), else the day the stage was entered; the council's working days and meetings do the rest.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from core.model.calendar import WorkingDayCalendar, calendar_for, due_on, meeting_dates
from core.model.clock import local_date
from core.model.deadlines import Deadline
from core.model.procedures import Council
from core.model.records import Case


class RaiserDeadline:
    """A process's raiser deadline, read by ``due_date`` as a stage's."""

    def __init__(self, rule: Deadline):
        self.deadline = rule


class WithDeadline(Protocol):
    """A stage, or anything else with a deadline rule ``due_date`` can count."""

    @property
    def deadline(self) -> Deadline: ...


def deadline_start(case: Case, stage: WithDeadline, moment: datetime, before: int | None = None) -> date:
    """The day a stage's deadline counts from: its ``counts_from`` date as recorded, else the day it was entered.

    ``before`` limits the records searched to stages entered before that position
    (recalculating an old stage must not read records written after it).
    """
    rule = stage.deadline
    recorded = recorded_answer(case, rule.counts_from, before) if rule.counts_from else None
    return date.fromisoformat(recorded) if recorded else local_date(moment)


def due_date(council: Council, case: Case, stage: WithDeadline, moment: datetime,
             calendar: WorkingDayCalendar | None = None, meetings=None, before: int | None = None) -> date:
    """The due date of ``stage`` entered at ``moment``: the one rule for entering and recalculating.

    ``calendar`` and ``meetings`` (dates of the group the deadline names, as ``NextMeeting`` does)
    default to what is stored now; raises ``NoMeetingScheduled``.
    """
    rule = stage.deadline
    calendar = calendar or calendar_for(council)
    if meetings is None:
        meetings = meeting_dates(council, rule.meeting) if rule.meeting else ()
    return due_on(rule, deadline_start(case, stage, moment, before), calendar, meetings)


def recorded_answer(case: Case, name: str, before: int | None = None):
    """An answer from the intake, or else from the latest stage record that has it."""
    if case.answers.get(name):
        return case.answers[name]
    for entry in reversed(case.stages):
        if before is not None and entry.position >= before:
            continue
        if entry.record and entry.record.get(name):
            return entry.record[name]
    return None
