"""The case engine: open a case, act at a stage, climb the ladder.

Each public function is one user action and one transaction: the case
change, its timeline events and whatever plugins add through
``concord_case_changed`` (the notification outbox) commit together or not at
all. Answers arrive already validated by the forms in ``core.forms``.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from sqlalchemy import select, update

from . import audit, directory
from .calendar import NoMeetingScheduled, WorkingDayCalendar, due_on
from .clock import local_date
from .models import Case, CaseEvent, ClosureDay, Meeting, ReferenceCounter, StageEntry, User, db, insert_ignoring_duplicates
from .procedures import NEXT_RUNG, Council, NextMeeting, Process, Stage


class CaseError(Exception):
    """An action that cannot happen; the message is shown to the user."""

    def __init__(self, message: str, field: str = "action"):
        super().__init__(message)
        self.field = field


def concord():
    return current_app.extensions["concord"]


def now() -> datetime:
    return concord().clock.now()


def calendar_for(council: Council) -> WorkingDayCalendar:
    closures = db.session.scalars(select(ClosureDay.day).where(ClosureDay.council == council.slug))
    return WorkingDayCalendar(council.nation, frozenset(closures))


def meeting_dates(council: Council, group: str) -> list[date]:
    return list(db.session.scalars(
        select(Meeting.day).where(Meeting.council == council.slug, Meeting.group == group)
    ))


def process_of(council: Council, case: Case) -> Process:
    return council.process(case.process)


def stage_of(council: Council, case: Case, entry: StageEntry) -> Stage:
    return process_of(council, case).ladder(case.ladder).stage(entry.stage)


def open_case(council: Council, process: Process, answers: dict, raised_by: User) -> Case:
    moment = now()
    ladder = process.ladder_for(answers)
    case = Case(
        council=council.slug,
        reference=_allocate_reference(council, moment),
        process=process.slug,
        ladder=ladder.slug,
        plugin_version=council.version,
        answers=answers,
        raised_by=raised_by,
        raised_at=moment,
    )
    db.session.add(case)
    _event(case, moment, raised_by, "opened", f"{process.title} raised ({ladder.title})")
    _change(council, case, "opened", None)
    _enter(council, case, ladder.stages[0], moment)
    audit.record(case, raised_by, "open")
    db.session.commit()
    return case


def act(council: Council, case: Case, action: str, record: dict, actor: User) -> Case:
    """Record what was done at the current stage and apply the chosen outcome."""
    entry = case.current
    if entry is None:
        raise CaseError(f"{case.reference} is closed: nothing more can be recorded")
    stage = stage_of(council, case, entry)
    outcome = next((o for o in stage.outcomes if o.slug == action), None)
    if outcome is None:
        choices = ", ".join(o.slug for o in stage.outcomes)
        raise CaseError(f"Choose one of: {choices}")
    moment = now()
    # Claim the stage so two people acting at once cannot both move the case.
    claimed = db.session.execute(
        update(StageEntry)
        .where(StageEntry.id == entry.id, StageEntry.closed_at.is_(None))
        .values(closed_at=moment, outcome=outcome.slug, record=record, acted_by_id=actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise CaseError("Someone else has just acted on this stage: reload the case to see what changed")
    db.session.refresh(entry)
    _event(case, moment, actor, "acted", f"{stage.title}: {outcome.label}")
    _change(council, case, "stage-closed", entry)
    if outcome.closes:
        case.status = "closed"
        case.outcome = outcome.slug
        case.closed_at = moment
        _event(case, moment, actor, "closed", f"Case closed: {outcome.label}")
        _change(council, case, "closed", entry)
    else:
        ladder = process_of(council, case).ladder(case.ladder)
        target = ladder.above(stage.slug) if outcome.to == NEXT_RUNG else ladder.stage(outcome.to)
        if target is None:
            db.session.rollback()
            raise CaseError(f"{stage.title} is the top of the ladder: there is no stage above it")
        _enter(council, case, target, moment)
    audit.record(case, actor, "act")
    db.session.commit()
    return case


def _enter(council: Council, case: Case, stage: Stage, moment: datetime) -> StageEntry:
    scope = case.answers.get(stage.role.scope) if stage.role.scope else None
    entry = StageEntry(
        position=len(case.stages),
        stage=stage.slug,
        role=stage.role.slug,
        scope=scope,
        entered_at=moment,
        due_on=_due(council, case, stage, moment),
    )
    case.stages.append(entry)
    rung = f"{stage.role.title} for {scope}" if scope else stage.role.title
    _event(case, moment, None, "stage", f"{stage.title}: with the {rung}, due {entry.due_on:%A %-d %B %Y}")
    db.session.flush()
    _change(council, case, "stage-entered", entry)
    return entry


def _due(council: Council, case: Case, stage: Stage, moment: datetime) -> date:
    rule = stage.deadline
    if isinstance(rule, NextMeeting):
        try:
            return due_on(rule, local_date(moment), calendar_for(council), meeting_dates(council, rule.meeting))
        except NoMeetingScheduled:
            db.session.rollback()
            group = rule.group
            raise CaseError(f"No meeting of the {group} is scheduled from {local_date(moment):%-d %B %Y} on, so "
                            f"{stage.title} cannot be given a due date. Ask a council admin to add the "
                            "group's meeting dates, then try again: nothing has been saved.")
    start = local_date(moment)
    if rule.from_ and _recorded(case, rule.from_):
        start = date.fromisoformat(_recorded(case, rule.from_))
    return due_on(rule, start, calendar_for(council))


def _recorded(case: Case, name: str):
    """An answer from the intake, or else from the latest stage record that has it."""
    if case.answers.get(name):
        return case.answers[name]
    for entry in reversed(case.stages):
        if entry.record and entry.record.get(name):
            return entry.record[name]
    return None


def _event(case: Case, moment: datetime, actor: User | None, kind: str, summary: str) -> None:
    case.events.append(CaseEvent(at=moment, actor=actor, kind=kind, summary=summary))


def _change(council: Council, case: Case, change: str, entry: StageEntry | None) -> None:
    db.session.flush()
    concord().pm.hook.concord_case_changed(council=council, case=case, change=change, entry=entry)


def _allocate_reference(council: Council, moment: datetime) -> str:
    year = local_date(moment).year
    insert_ignoring_duplicates(ReferenceCounter, council=council.slug, year=year, last=0)
    # The UPDATE takes a row lock, so concurrent submissions queue here.
    number = db.session.execute(
        update(ReferenceCounter)
        .where(ReferenceCounter.council == council.slug, ReferenceCounter.year == year)
        .values(last=ReferenceCounter.last + 1)
        .returning(ReferenceCounter.last)
    ).scalar_one()
    return f"{council.reference_prefix}-{year}-{number:04d}"


def assignees(council: Council, entry: StageEntry):
    return directory.assignees(council.slug, entry.role, entry.scope)


def find(council: Council, reference: str) -> Case | None:
    return db.session.scalar(select(Case).where(Case.council == council.slug, Case.reference == reference))
