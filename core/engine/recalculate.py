"""Recalculating open stages' due dates when the calendar changes.

A due date is computed once, when a stage is entered (``core.engine.due_dates.due_date``).
When the calendar changes under open stages — an admin adds or removes a
closure day or a meeting, or the ``holidays`` data gains a bank holiday — this
module says which stages would move (``preview``) and moves them (``apply``):
the new due date by the same rule, a timeline entry naming who and why, the
stage's deadline messages planned again, and one "date moved" message to the
people holding it. Stages that would not move are not touched. A stage due at
a meeting that no longer exists, with no later one, is flagged "no meeting
scheduled" rather than left on the removed date.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import String, cast, select, update

from core.engine import audit, outbox, overdue
from core.engine.due_dates import due_date
from core.model.calendar import CALENDARS, NoMeetingScheduled, WorkingDayCalendar, calendar_for
from core.model.clock import local_date
from core.model.procedures import Council, Stage, stage_of
from core.model.records import (
    Case,
    CaseEvent,
    ClosureDay,
    Meeting,
    ScheduledNotification,
    StageEntry,
    User,
    db,
    insert_ignoring_duplicates,
)
from core.runtime import now


def long_date(day: date) -> str:
    return f"{day:%A %-d %B %Y}"


@dataclass(frozen=True)
class CalendarState:
    """Closure days and meeting dates: as stored, or as an admin proposes them."""

    closures: frozenset[date]
    meetings: dict = field(default_factory=dict, hash=False)

    def calendar(self, council: Council) -> WorkingDayCalendar:
        return WorkingDayCalendar(council.nation, self.closures)

    def with_closure(self, day: date, present: bool) -> CalendarState:
        return replace(self, closures=self.closures | {day} if present else self.closures - {day})

    def with_meeting(self, group: str, day: date, present: bool) -> CalendarState:
        days = set(self.meetings.get(group, ()))
        days = days | {day} if present else days - {day}
        return replace(self, meetings={**self.meetings, group: tuple(sorted(days))})


def current_state(council: Council) -> CalendarState:
    closures = frozenset(db.session.scalars(select(ClosureDay.day).where(ClosureDay.council == council.slug)))
    meetings: dict[str, list[date]] = {}
    for group, day in db.session.execute(select(Meeting.group, Meeting.day).where(Meeting.council == council.slug)):
        meetings.setdefault(group, []).append(day)
    return CalendarState(closures, {g: tuple(sorted(d)) for g, d in meetings.items()})


@dataclass
class Move:
    """An open stage whose due date changes: ``new`` None means no meeting is scheduled for it."""

    case: Case
    entry: StageEntry
    stage: Stage
    old: date | None  # None: it had no meeting scheduled
    new: date | None

    @property
    def old_text(self) -> str:
        return long_date(self.old) if self.old else "no meeting scheduled"

    @property
    def new_text(self) -> str:
        return long_date(self.new) if self.new else "no meeting scheduled"


def _due_under(council: Council, case: Case, entry: StageEntry, stage: Stage, state: CalendarState) -> date | None:
    meetings = state.meetings.get(stage.deadline.meeting, ()) if stage.deadline.meeting else ()
    try:
        return due_date(council, case, stage, entry.entered_at, state.calendar(council), meetings, before=entry.position)
    except NoMeetingScheduled:
        return None


def open_entries(council: Council) -> Sequence[StageEntry]:
    return db.session.scalars(
        select(StageEntry).join(Case)
        .where(Case.council == council.slug, StageEntry.closed_at.is_(None))
        .order_by(Case.reference)
    ).all()


def preview(council: Council, proposed: CalendarState | None = None) -> list[Move]:
    """The open stages that would move.

    With ``proposed``, those whose due date differs between the stored calendar and
    the proposed one (a change moves only what it touches). Without it, those whose
    stored due date differs from what the stored calendar gives today (the
    bank-holiday check).
    """
    current = current_state(council)
    moves = []
    for entry in open_entries(council):
        case = entry.case
        stage = stage_of(council, case, entry)
        stored = None if entry.no_meeting else entry.due_on
        before = stored if proposed is None else _due_under(council, case, entry, stage, current)
        after = _due_under(council, case, entry, stage, proposed or current)
        if after != before and after != stored:
            moves.append(Move(case, entry, stage, stored, after))
    return moves


def fingerprint(moves: list[Move]) -> str:
    """What the admin saw: confirming applies it only if the list is still the same."""
    text = ";".join(f"{m.entry.id}:{m.old}:{m.new}" for m in moves)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def apply(council: Council, moves: list[Move], actor: User | None, reason: str) -> None:
    """Move the stages, in the caller's transaction (the caller commits).

    The calendar change itself must already be flushed, so the messages are
    planned on the calendar as it now is.
    """
    moment = now()
    db.session.info.pop(CALENDARS, None)  # the calendar as just changed, not as first read
    calendar = calendar_for(council)
    for move in moves:
        case, entry, stage = move.case, move.entry, move.stage
        if move.new is None:
            meeting = stage.deadline.meeting
            assert meeting is not None  # only a deadline counting to a meeting can miss one
            group = meeting.replace("-", " ")
            summary = (f"No meeting scheduled: {stage.title} was due {move.old_text}, but no meeting of the {group} "
                       f"is scheduled from then on, because {reason}. It has no due date until a meeting is added.")
            entry.no_meeting = True
        else:
            summary = f"Due date moved from {move.old_text} to {move.new_text} because {reason}"
            entry.due_on, entry.no_meeting = move.new, False
        event = CaseEvent(at=moment, actor=actor, kind="due-moved", summary=summary)
        case.events.append(event)
        if actor is not None:
            audit.record(case, actor, "due-moved")
        db.session.flush()
        replan(council, case, entry, calendar, moment)
        for email in dict.fromkeys(outbox.rung_emails(council, entry)):
            insert_ignoring_duplicates(
                ScheduledNotification, council=council.slug, case_id=case.id, stage_entry_id=entry.id,
                kind=outbox.DUE_DATE_MOVED, recipient=email.lower(),
                dedupe_key=f"event-{event.id}/{outbox.DUE_DATE_MOVED}/{email.lower()}",
                send_after=moment, state="pending", attempts=0, created_at=moment)


def replan(council: Council, case: Case, entry: StageEntry, calendar: WorkingDayCalendar, moment) -> None:
    """Supersede the entry's pending deadline messages and plan them again for its due date.

    Earlier rows (sent or cancelled) keep their history but give up their dedupe
    key, so the new date's reminder, due-today and overdue messages can be written.
    """
    rows = (ScheduledNotification.stage_entry_id == entry.id) & ScheduledNotification.kind.in_(outbox.DUE_DATE_KINDS)
    # "superseded", not "cancelled": a directory re-plan may revive cancelled rows, never these.
    db.session.execute(
        update(ScheduledNotification).where(rows, ScheduledNotification.state.in_(("pending", "cancelled")))
        .values(state="superseded").execution_options(synchronize_session=False))
    db.session.execute(
        update(ScheduledNotification).where(rows, ~ScheduledNotification.dedupe_key.contains("~"))
        .values(dedupe_key=ScheduledNotification.dedupe_key + "~" + cast(ScheduledNotification.id, String))
        .execution_options(synchronize_session=False))
    if entry.no_meeting:
        entry.long_overdue_on = None
        return
    outbox.plan_stage(council, case, entry, moment)
    overdue.plan(council, case, entry, calendar)
    outbox.write_planned()
    if entry.due_on < local_date(moment):
        # Moved to a day already gone: no "due today" for it (the overdue message says where it stands).
        db.session.execute(
            update(ScheduledNotification)
            .where(rows, ScheduledNotification.kind == outbox.DUE_TODAY, ScheduledNotification.state == "pending")
            .values(state="superseded").execution_options(synchronize_session=False))


def latest_reason(case: Case, before) -> CaseEvent | None:
    """The timeline entry a "date moved" message tells of."""
    return db.session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "due-moved", CaseEvent.at <= before)
        .order_by(CaseEvent.id.desc()).limit(1))


def plan_check_messages(councils: dict[str, Council], moment) -> int:
    """The daily bank-holiday check: tell each council's admins when open stages would move.

    One message per admin per council per day (the dedupe key has the date);
    nothing moves until an admin runs ``flask concord calendar check --apply``.
    """
    from core.engine.access import admins_of
    from core.model.clock import local_date

    planned = 0
    for slug, council in councils.items():
        if not preview(council):
            continue
        for email in admins_of(slug):
            insert_ignoring_duplicates(
                ScheduledNotification, council=slug, case_id=None, stage_entry_id=None, kind=outbox.CALENDAR_CHECK,
                recipient=email.lower(),
                dedupe_key=f"calendar-check-{slug}-{local_date(moment)}/{outbox.CALENDAR_CHECK}/{email.lower()}",
                send_after=moment, state="pending", attempts=0, created_at=moment)
            planned += 1
    return planned
