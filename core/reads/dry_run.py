"""The procedure dry run: a council's process, run by the real engine, then rolled back.

``run`` opens a case and applies the chosen outcomes with Concord's clock
pinned to each chosen day, in a database transaction that is never committed
(the engine's commits do not reach it), and reads back what the engine wrote:
the stages, who would hold them, their due dates, and the outbox rows — every
message that would go out, and when. Nothing is saved and nothing is sent:
the scheduler never sees uncommitted rows.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.engine import access, cases
from core.engine.overdue import LEADS, users_with_role
from core.forms.questions import answers_of, field_type, formdata_from_json, intake_form_class
from core.model.clock import LONDON, pinned
from core.model.inputs import DateProblem, iso_day
from core.model.procedures import Council, Process, Stage, process_of, stage_of
from core.model.records import ScheduledNotification, User, db
from core.model.roles import SAFEGUARDING_LEAD

ACTION_TIME = time(10, 0)
RAISER_EMAIL = "practitioner.dry-run@example.org"


def at_ten(day: date) -> datetime:
    return datetime.combine(day, ACTION_TIME, tzinfo=LONDON)


@dataclass(frozen=True)
class Step:
    """One action: at ``stage`` (optional check), choose ``outcome``, on ``day``."""

    outcome: str
    day: date
    stage: str | None = None

    @classmethod
    def parse(cls, text: str) -> Step:
        """``stage=outcome@YYYY-MM-DD`` or ``outcome@YYYY-MM-DD``."""
        head, _, day = text.partition("@")
        stage, _, outcome = head.rpartition("=")
        try:
            when = iso_day(day, f"The day of {text!r}")
        except DateProblem as problem:
            raise ValueError(f"{problem}: write stage=outcome@YYYY-MM-DD") from None
        if not outcome.strip():
            raise ValueError(f"{text!r}: write stage=outcome@YYYY-MM-DD")
        return cls(outcome.strip(), when, stage.strip() or None)

    def text(self) -> str:
        return f"{self.stage + '=' if self.stage else ''}{self.outcome}@{self.day.isoformat()}"


@dataclass
class StageView:
    slug: str
    title: str
    rung: str
    holders: list[str]
    entered_at: datetime
    due_on: date
    deadline: str
    long_overdue_on: date | None
    closed_at: datetime | None = None
    outcome: str | None = None


@dataclass
class MessageView:
    kind: str
    recipient: str
    send_after: datetime
    state: str  # "sent", "planned" (still to go unless the stage is acted on) or "cancelled"
    subject: str
    stage: str | None


@dataclass
class Run:
    council: Council
    process: Process
    start: date
    answers: dict
    steps: list[Step]
    ladder: str = ""
    reference: str = ""
    stages: list[StageView] = field(default_factory=list)
    messages: list[MessageView] = field(default_factory=list)
    timeline: list[tuple[datetime, str]] = field(default_factory=list)
    current: Stage | None = None
    closed: bool = False
    problem: str | None = None
    errors: dict = field(default_factory=dict)


def example_answers(process: Process, start: date) -> dict:
    """The plugin's ``Process.example`` answers, the rest made up by each field's type (an optional one only
    when its type may steer the case)."""
    given = dict(process.example)
    out: dict[str, object] = {}
    for spec in process.intake:
        kind = field_type(spec)
        if spec.name in given:
            out[spec.name] = given[spec.name]
        elif kind.example_when_optional or spec.required:
            out[spec.name] = kind.example(spec, start)
    return out


def example_record(stage: Stage, day: date) -> dict:
    return {spec.name: field_type(spec).example(spec, day) for spec in stage.record}


def validate_answers(process: Process, answers: dict) -> tuple[dict, dict]:
    """The answers as the intake form would keep them, and the form's errors."""
    formdata, errors = formdata_from_json(answers, process.intake)
    form = intake_form_class(process)(formdata=formdata, meta={"csrf": False})
    if not form.validate() or errors:
        return answers, {**form.errors, **errors}
    return answers_of(form, process.intake), {}


@contextmanager
def rolled_back():
    """``db.session`` on a transaction that is only ever rolled back.

    ``join_transaction_mode="rollback_only"``: the engine's ``commit()`` calls
    stop at the session and never commit the outer transaction.
    """
    registry = db.session.registry
    previous = registry() if registry.has() else None
    connection = db.engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="rollback_only", expire_on_commit=False)
    registry.set(session)  # type: ignore[arg-type]  # a plain Session bound to the outer transaction
    try:
        yield session
    finally:
        session.close()
        if outer.is_active:
            outer.rollback()
        connection.close()
        if previous is not None:
            registry.set(previous)
        else:
            registry.clear()


def run(council: Council, process: Process, start: date, answers: dict | None = None, steps=()) -> Run:
    answers = {**example_answers(process, start), **(answers or {})}
    with pinned(at_ten(start)):  # "in the past" means before the day it is raised
        answers, errors = validate_answers(process, answers)
    result = Run(council, process, start, answers, list(steps), errors=errors)
    if errors:
        result.problem = "The answers are not ones the intake form would accept"
        return result
    with rolled_back():
        failed_at = _play(council, process, start, answers, result)
    if failed_at is not None:
        # The engine rolled the whole transaction back: play again up to the step before, to show where it stood.
        problem = result.problem
        result = run(council, process, start, answers, list(steps)[:failed_at])
        result.problem = problem
    return result


def _play(council, process, start, answers, result: Run) -> int | None:
    raiser = User(council=council.slug, issuer="concord-dry-run", subject="raiser", email=RAISER_EMAIL,
                  name="The practitioner raising it", roles=["practitioner"])
    holder = User(council=council.slug, issuer="concord-dry-run", subject="holder", email="holder.dry-run@example.org",
                  name="The person holding the stage", roles=["manager"])
    db.session.add_all([raiser, holder])
    db.session.flush()
    try:
        with pinned(at_ten(start)):
            case = cases.open_case(council, process, answers, raiser)
    except cases.CaseError as e:
        result.problem = str(e)
        return 0
    previous = start
    for i, step in enumerate(result.steps):
        entry = case.current
        if entry is None:
            result.problem = f"Step {i + 1}: the case is already closed"
            result.steps = result.steps[:i]
            break
        stage = stage_of(council, case, entry)
        if step.stage and step.stage != stage.slug:
            result.problem = f"Step {i + 1}: the case is at {stage.slug}, not {step.stage}"
            result.steps = result.steps[:i]
            break
        if step.outcome not in [o.slug for o in stage.outcomes]:
            result.problem = f"Step {i + 1}: at {stage.title} choose one of {', '.join(o.slug for o in stage.outcomes)}"
            result.steps = result.steps[:i]
            break
        if step.day < previous:
            result.problem = f"Step {i + 1}: {step.day:%-d %B %Y} is before the step before it"
            result.steps = result.steps[:i]
            break
        moment = at_ten(step.day)
        _send_due(case, moment)
        try:
            with pinned(moment):
                cases.act(council, case, step.outcome, example_record(stage, step.day), holder, entry.id)
        except cases.CaseError as e:
            result.problem = f"Step {i + 1}: {e}"
            return i
        previous = step.day
    _read_back(council, case, result)
    return None


def _send_due(case, moment: datetime) -> None:
    """What the scheduler would have sent before ``moment``: so acting does not cancel it."""
    db.session.execute(
        update(ScheduledNotification)
        .where(ScheduledNotification.case_id == case.id, ScheduledNotification.state == "pending",
               ScheduledNotification.send_after <= moment)
        .values(state="sent", sent_at=ScheduledNotification.send_after)
        .execution_options(synchronize_session=False))


def _read_back(council: Council, case, result: Run) -> None:
    from core.notify.render import render

    process = process_of(council, case)
    ladder = process.ladder(case.ladder)
    result.ladder, result.reference, result.closed = ladder.title, case.reference, case.status == "closed"
    result.current = stage_of(council, case, case.current) if case.current else None
    for entry in case.stages:
        stage = ladder.stage(entry.stage)
        label = next((o.label for o in stage.outcomes if o.slug == entry.outcome), entry.outcome)
        rung = f"{stage.role.title} for {entry.scope}" if entry.scope else stage.role.title
        rung += stage.holder.removeprefix(stage.role.title)  # marked when the council chose the holder
        holders = [f"{name} <{email}>" for name, email in access.holders(entry)]
        if entry.to_lead:
            holders = ["the safeguarding leads"]
        result.stages.append(StageView(stage.slug, stage.title, rung, holders, entry.entered_at, entry.due_on,
                                       stage.deadline.describe(), entry.long_overdue_on, entry.closed_at, label))
    titles = {s.slug: s.title for s in ladder.stages}
    rows = db.session.scalars(select(ScheduledNotification).where(ScheduledNotification.case_id == case.id)
                              .order_by(ScheduledNotification.send_after, ScheduledNotification.id)).all()
    leads = users_with_role(council.slug, SAFEGUARDING_LEAD)
    for row in rows:
        state = {"pending": "planned", "superseded": "cancelled"}.get(row.state, row.state)
        subject = render(row).subject
        # A row for the leads becomes one per lead when it falls due (core.engine.overdue.expand_due).
        for recipient in (leads if row.recipient == LEADS else [row.recipient]):
            result.messages.append(MessageView(row.kind, recipient, row.send_after, state, subject,
                                               titles.get(row.entry.stage) if row.entry else None))
    result.timeline = [(ev.at, ev.summary) for ev in case.events]


def when(moment: datetime) -> str:
    return moment.astimezone(LONDON).strftime("%a %-d %b %Y %H:%M")


def as_text(result: Run) -> str:
    """The dry run as the CLI prints it."""
    lines = [f"Dry run: {result.council.name} – {result.process.title}",
             f"Raised {result.start:%A %-d %B %Y} 10:00" + (f", {result.reference}, {result.ladder}" if result.reference else ""),
             "Nothing was saved and no message was sent.", ""]
    if result.errors:
        lines += [f"  {name}: {'; '.join(msgs)}" for name, msgs in result.errors.items()]
    if result.stages:
        lines.append("Stages:")
    for s in result.stages:
        lines.append(f"  {s.title} – {s.rung}: {', '.join(s.holders) or 'nobody in the directory'}")
        lines.append(f"    entered {when(s.entered_at)}, due {s.due_on:%A %-d %B %Y} ({s.deadline})"
                     + (f", long overdue from {s.long_overdue_on:%A %-d %B %Y}" if s.long_overdue_on else ""))
        if s.closed_at:
            lines.append(f"    {when(s.closed_at)}: {s.outcome}")
    if result.messages:
        lines += ["", "Messages:"]
    for m in result.messages:
        lines.append(f"  {when(m.send_after)}  {m.state:<9}  {m.kind:<15} to {m.recipient}: {m.subject}")
    if result.current:
        lines += ["", f"Now at {result.current.title}; choose one of: "
                  + ", ".join(f"{result.current.slug}={o.slug}" for o in result.current.outcomes)]
    elif result.closed:
        lines += ["", "The case is closed."]
    if result.problem:
        lines += ["", f"Problem: {result.problem}"]
    return "\n".join(lines)
