"""The case engine: open a case, act at a stage, climb the ladder.

Each public function is one user action and one transaction: the case
change, its timeline events and whatever plugins add through
``concord_case_changed`` (the notification outbox) commit together or not at
all. Answers arrive already validated by the forms in ``core.forms.questions``.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime
from uuid import uuid4

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached, selectinload

from core.engine import audit, directory
from core.engine.access import assigned
from core.engine.due_dates import RaiserDeadline, due_date, recorded_answer
from core.engine.overdue import long_overdue_on
from core.engine.references import allocate_reference, commit_with_reference, set_reference
from core.engine.rows import insert_new_case
from core.hookspecs import CaseView, ChangeKind, Holder, StageView
from core.model import areas
from core.model.calendar import (
    NoMeetingScheduled,
    calendar_for,
    not_working_note,
)
from core.model.clock import LONDON, local_date
from core.model.inputs import text_problem
from core.model.procedures import NEXT_RUNG, SENT, Council, Process, Stage, process_of, stage_of
from core.model.records import (
    Case,
    CaseEvent,
    Contact,
    StageEntry,
    StageOffer,
    User,
    db,
)
from core.runtime import concord, now


class CaseError(Exception):
    """An action that cannot happen; the message is shown to the user."""

    def __init__(self, message: str, field: str = "action"):
        super().__init__(message)
        self.field = field


MAX_REASON = 10_000
WITHDRAW = "withdraw"
WITHDRAWN = "withdrawn"  # one of procedures.CORE_OUTCOMES


class StaleEntry(CaseError):
    """The action names a stage entry that is no longer the open one (HTTP 409)."""


def _in_order(fields, answers: dict, earlier) -> None:
    """Refuse a date answer before the date it must follow (``Field.after``); ``earlier(name)`` finds that date."""
    for spec in fields:
        if spec.after:
            why = spec.out_of_order(answers.get(spec.name), answers.get(spec.after) or earlier(spec.after))
            if why:
                raise CaseError(why, field=spec.name)


def open_case(council: Council, process: Process, answers: dict, raised_by: User,
              idempotency_key: str | None = None, opened_from: Case | None = None) -> Case:
    _in_order(process.intake, answers, lambda name: None)
    moment = now()
    # Sending the form a step of one of the raiser's own cases waits for carries that case on into this one.
    waiting = waiting_for(council, process, answers, raised_by) if opened_from is None else None
    ladder = process.ladder_for(answers)
    case = Case(
        council=council.slug,
        reference=uuid4().hex,  # provisional: never committed, see below
        process=process.slug,
        ladder=ladder.slug,
        plugin_version=council.version,
        answers=answers,
        areas=areas.tags(council.areas, answers),
        raised_by=raised_by,
        raised_at=moment,
        idempotency_key=idempotency_key,
        opened_from=opened_from or waiting,
        stages=[],
        events=[],
    )  # not added to the session: ``_write_new_case`` writes it and then hands it to the session
    _event(case, moment, raised_by, "opened", f"{process.title} raised ({ladder.title})")
    with directory.rungs_read_together(council.slug, _rungs_read_entering(council, case, ladder.stages[0])):
        entry = _place(council, case, ladder.stages[0], moment)
        _write_new_case(council, case, entry, raised_by)
        # Numbered now when something may read the reference before commit: a referred-on case (the case
        # it came from names it in its timeline) or a plugin outside core hearing the changes. Otherwise
        # numbered last (``commit_with_reference``), so the counter's lock is held for one statement.
        numbered = opened_from is not None or _plugins_hear_changes()
        if numbered:
            set_reference(case, allocate_reference(council, moment))
        _change(council, case, "opened", None)
        _change(council, case, "stage-entered", entry)
    if waiting is not None:
        _carry_on(council, waiting, case, process, moment, raised_by)
    _flag_if_late(council, process, case, waiting, moment)
    if opened_from is None:
        if numbered:
            db.session.commit()
        else:
            commit_with_reference(council, case, moment)
    return case


# --- the raiser's own dated step (Stage.raiser_sends) ---------------------------------------


def waiting_for(council: Council, process: Process, answers: dict, raised_by: User) -> Case | None:
    """The raiser's open case whose current step waits for them to send ``process``, if any.

    With several, the one whose dates (e.g. the conference) match the form's answers, else the oldest.
    """
    if not any(s.raiser_sends == process.slug for _, _, s in council.stages()):
        return None
    open_cases = db.session.scalars(select(Case).where(
        Case.council == council.slug, Case.raised_by_id == raised_by.id, Case.status == "open")
        .order_by(Case.raised_at)).all()
    waiting = [c for c in open_cases if c.current is not None
               and stage_of(council, c, c.current).raiser_sends == process.slug]
    dates = [f.name for f in process.intake if f.type == "date" and answers.get(f.name)]
    matching = [c for c in waiting if dates and all(c.answers.get(n) in (None, answers[n]) for n in dates)]
    found = matching or waiting
    return found[0] if found else None


def carried_answers(council: Council, case: Case, process: Process) -> dict:
    """The answers of ``case`` that ``process``'s form asks too: carried into the form the raiser sends."""
    return {f.name: case.answers[f.name] for f in process.intake if case.answers.get(f.name) not in (None, "", [])}


def _carry_on(council: Council, waiting: Case, case: Case, process: Process, moment: datetime, actor: User) -> None:
    entry = waiting.current
    assert entry is not None, "a case waiting for its raiser is at a stage"
    stage = stage_of(council, waiting, entry)
    _claim(entry, moment, SENT, {"sent_as": case.reference}, actor)
    _event(waiting, moment, actor, "acted", f"{stage.title}: sent")
    _change(council, waiting, "stage-closed", entry)
    _close(council, waiting, SENT, f"Case closed: {process.title} sent", moment, actor, entry)
    _event(waiting, moment, actor, "linked", f"Carried on: {case.reference} opened ({process.title})")
    _event(case, moment, actor, "linked", f"Opened from {waiting.reference} ({process_of(council, waiting).title})")


def _flag_if_late(council: Council, process: Process, case: Case, waiting: Case | None, moment: datetime) -> None:
    """A form that arrives after the deadline the procedure gives its sender is accepted, and flagged late."""
    rule = process.raiser_deadline
    if rule is None:
        return
    due = due_date(council, case, RaiserDeadline(rule), moment)
    today = local_date(moment)
    if today <= due:
        return
    summary = (f"{process.title} sent on {today:%A %-d %B %Y}, after its deadline of {due:%A %-d %B %Y} "
               f"({rule.describe()}): accepted, and late")
    for late in (case, waiting):
        if late is not None:
            _event(late, moment, None, "late", summary)


def _write_new_case(council: Council, case: Case, entry: StageEntry, raised_by: User) -> None:
    """Write a new case, its first stage, offers, timeline and audit row with Core INSERTs (one statement on
    PostgreSQL: ``rows.insert_new_case``), then add them to the session as stored.

    The ORM's unit of work (sorting, history, per-object bookkeeping) cost as much CPU as the SQL it sent;
    these rows are new and their order is known. What the ORM did around them is done here: foreign keys
    from the related objects (``rows``), the entry's long-overdue day (``overdue``'s ``before_insert``
    listener, which a Core INSERT does not fire), the audit row (``audit.record``).
    """
    if entry.long_overdue_on is None:
        entry.long_overdue_on = long_overdue_on(council, case, entry, calendar_for(council))
    insert_new_case(case, entry, audit.row(case, raised_by, "open"))
    for written in (case, entry, *entry.offers, *case.events):
        make_transient_to_detached(written)
    db.session.add(case)  # with its stages, offers and events (save-update cascade), all as stored


def _plugins_hear_changes() -> bool:
    """Whether a plugin outside core implements ``concord_case_changed`` (it may read ``case.reference``)."""
    return any(not impl.plugin_name.startswith("core.")
               for impl in concord().pm.hook.concord_case_changed.get_hookimpls())


def raise_once(council: Council, process: Process, answers: dict, raised_by: User, key: str) -> tuple[Case, bool]:
    """Open a case unless this raiser already opened one with ``key``: (case, created)."""
    existing = raised_with(council, raised_by, key)
    if existing is not None:
        return existing, False
    try:
        return open_case(council, process, answers, raised_by, idempotency_key=key), True
    except IntegrityError:
        # The same key, submitted at the same moment, won the race: that case is the answer.
        db.session.rollback()
        existing = raised_with(council, raised_by, key)
        if existing is None:
            raise
        return existing, False


def raised_with(council: Council, raised_by: User, key: str) -> Case | None:
    return db.session.scalar(select(Case).where(
        Case.council == council.slug, Case.raised_by_id == raised_by.id, Case.idempotency_key == key))


def act(council: Council, case: Case, action: str, record: dict, actor: User, entry_id: int | None) -> Case:
    """Record what was done at the stage entry ``entry_id`` and apply the chosen outcome.

    ``entry_id`` must name the open stage entry: an action taken on a page or
    a request that has since been overtaken is refused (``StaleEntry``) with
    nothing saved, so a form posted twice never moves a case two rungs.
    """
    entry = open_entry(case, entry_id)
    if action == WITHDRAW:
        return withdraw(council, case, record, actor, entry)
    stage = stage_of(council, case, entry)
    outcome = next((o for o in stage.outcomes if o.slug == action), None)
    if outcome is None:
        choices = ", ".join(o.slug for o in stage.outcomes)
        raise CaseError(f"Choose one of: {choices}")
    if actor.id == case.raised_by_id:
        raise CaseError("You raised this case, so you cannot act on its stages: you can withdraw it")
    _in_order(stage.record, record, lambda name: recorded_answer(case, name))
    moment = now()
    _claim(entry, moment, outcome.slug, record, actor)
    _event(case, moment, actor, "acted", f"{stage.title}: {outcome.label}")
    _change(council, case, "stage-closed", entry)
    if outcome.closes:
        _close(council, case, outcome.slug, f"Case closed: {outcome.label}", moment, actor, entry)
        if outcome.opens:
            _open_linked(council, case, council.process(outcome.opens), moment, actor, entry.record or {})
    else:
        ladder = process_of(council, case).ladder(case.ladder)
        assert outcome.to is not None, "an outcome that does not close the case names where it goes"
        target = ladder.above(stage.slug) if outcome.to == NEXT_RUNG else ladder.stage(outcome.to)
        if target is None:
            db.session.rollback()
            raise CaseError(f"{stage.title} is the top of the ladder: there is no stage above it")
        _enter(council, case, target, moment)
    audit.record(case, actor, "act")
    db.session.commit()
    return case


def withdraw(council: Council, case: Case, record: dict, actor: User, entry: StageEntry) -> Case:
    """The raiser withdraws their case, with a reason; it closes as ``withdrawn``."""
    if actor.id != case.raised_by_id:
        raise CaseError("Only the person who raised this case can withdraw it")
    reason = (record or {}).get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise CaseError("Enter why you are withdrawing this case", field="reason")
    problem = text_problem(reason, multiline=True)
    if problem:
        raise CaseError(f"Why you are withdrawing it {problem}", field="reason")
    if len(reason) > MAX_REASON:
        raise CaseError(f"Why you are withdrawing it must be {MAX_REASON:,} characters or fewer", field="reason")
    moment = now()
    _claim(entry, moment, WITHDRAWN, {"reason": reason.strip()}, actor)
    _change(council, case, "stage-closed", entry)
    _close(council, case, WITHDRAWN, "Case withdrawn by the person who raised it", moment, actor, entry)
    audit.record(case, actor, "act")
    db.session.commit()
    return case


def take(council: Council, case: Case, actor: User, entry_id: int | None) -> Case:
    """The first holder of a directory rung to take the stage becomes its assignee."""
    entry = open_entry(case, entry_id)
    if assigned(entry):
        raise StaleEntry(_taken_by(entry))
    moment = now()
    taken = db.session.execute(
        update(StageEntry)
        .where(StageEntry.id == entry.id, StageEntry.assignee_id.is_(None), StageEntry.assignee_email.is_(None),
               StageEntry.closed_at.is_(None))
        .values(assignee_id=actor.id, assignee_email=actor.email, assignee_name=actor.name, taken_at=moment)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if taken != 1:
        db.session.rollback()
        db.session.refresh(entry)
        raise StaleEntry(_taken_by(entry))
    db.session.refresh(entry)
    _event(case, moment, actor, "taken", f"{stage_of(council, case, entry).title}: taken by {actor.name}")
    _change(council, case, "stage-assigned", entry)
    audit.record(case, actor, "take")
    db.session.commit()
    return case


def reassign(council: Council, case: Case, actor: User, entry_id: int | None, to: Contact | User,
             note: str, seen: str | None = None) -> Case:
    """A safeguarding lead gives the open stage to a person, with a note.

    ``to`` is a contact of the council's directory (named on the stage by its email, held by the one
    identity bound to that email, as a person named on a case is) or a colleague who has signed in to
    the council. The change
    is conditional on the stage being as the lead found it (``seen``, the page's ``holder_token``, and
    as read here): of a take and a reassign at once, one wins and the other is told what happened.
    """
    entry = open_entry(case, entry_id)
    if seen is not None and seen != holder_token(entry):
        raise StaleEntry(_taken_by(entry) + " since you opened the case: nothing was reassigned")
    if to.council != council.slug or (isinstance(to, User) and to.set_aside_at is not None):
        raise CaseError("Choose someone from this council's directory or colleagues", field="person")
    identity = to.user_id if isinstance(to, Contact) else to.id
    if to.email == case.raised_by.email or identity == case.raised_by_id:
        raise CaseError("The person who raised the case cannot hold one of its stages", field="person")
    moment = now()
    before = _holder_words(entry)
    holder_id: int | None
    if isinstance(to, User):
        holder_id = to.id
    else:
        people = directory.identities(council.slug, to.email)
        holder_id = people[0].id if len(people) == 1 else None
    changed = db.session.execute(
        update(StageEntry)
        .where(StageEntry.id == entry.id, StageEntry.closed_at.is_(None),
               StageEntry.assignee_id.is_not_distinct_from(entry.assignee_id),
               StageEntry.assignee_email.is_not_distinct_from(entry.assignee_email))
        .values(assignee_id=holder_id, assignee_email=to.email, assignee_name=to.name, taken_at=None, to_lead=False)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if changed != 1:
        db.session.rollback()
        db.session.refresh(entry)
        if entry.closed_at is not None:
            raise StaleEntry("This stage was already acted on" + _by(entry) + ": nothing was reassigned")
        raise StaleEntry(_taken_by(entry) + " while you were reassigning it: nothing was reassigned")
    db.session.refresh(entry)
    stage = stage_of(council, case, entry)
    _event(case, moment, actor, "reassigned", f"{stage.title}: reassigned from {before} to {to.name}. {note}")
    _change(council, case, "stage-assigned", entry)
    audit.record(case, actor, "reassign")
    db.session.commit()
    return case


def holder_token(entry: StageEntry) -> str:
    """Who held the entry when a page showed it, for a change that must not undo one made since."""
    held = (entry.assignee_id, entry.assignee_email, entry.to_lead, sorted(entry.offered_contact_ids))
    return hashlib.blake2s(repr(held).encode(), digest_size=8).hexdigest()


def _taken_by(entry: StageEntry) -> str:
    if entry.taken_at is None:
        return f"This stage is now held by {entry.assignee_name or 'someone else'}"
    return f"This stage was already taken by {entry.assignee_name} at {_when(entry.taken_at)}"


def _holder_words(entry: StageEntry) -> str:
    if entry.to_lead:
        return "the safeguarding leads"
    if assigned(entry):
        return entry.assignee_name or entry.assignee_email or "someone"
    return "the rung"


def open_entry(case: Case, entry_id: int | None) -> StageEntry:
    """The open stage entry, if ``entry_id`` names it; else ``StaleEntry`` (or ``CaseError`` when missing)."""
    entry = case.current
    if entry is None:
        last = case.stages[-1] if case.stages else None
        raise StaleEntry(f"{case.reference} is closed: nothing more can be recorded" + _by(last))
    if entry_id is None:
        raise CaseError("Say which stage you are acting on: send the stage entry you were shown", field="entry")
    if entry_id != entry.id:
        acted = next((e for e in case.stages if e.id == entry_id), None)
        raise StaleEntry("This stage was already acted on" + _by(acted) + ". Reload the case to see what changed")
    return entry


def _claim(entry: StageEntry, moment: datetime, outcome: str, record: dict, actor: User) -> None:
    # A conditional UPDATE: of two people acting at once, exactly one closes the entry.
    claimed = db.session.execute(
        update(StageEntry)
        .where(StageEntry.id == entry.id, StageEntry.closed_at.is_(None))
        .values(closed_at=moment, outcome=outcome, record=record, acted_by_id=actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if claimed != 1:
        db.session.rollback()
        db.session.refresh(entry)
        raise StaleEntry("This stage was already acted on" + _by(entry) + ". Reload the case to see what changed")
    db.session.refresh(entry)


def _by(entry: StageEntry | None) -> str:
    if entry is None or entry.closed_at is None:
        return ""
    who = entry.acted_by.name if entry.acted_by else "someone"
    return f" by {who} at {_when(entry.closed_at)}"


def _when(moment: datetime | None) -> str:
    return moment.astimezone(LONDON).strftime("%H:%M on %-d %B %Y") if moment else "an earlier moment"


def _close(council: Council, case: Case, outcome: str, summary: str, moment: datetime, actor: User,
           entry: StageEntry) -> None:
    case.status = "closed"
    case.outcome = outcome
    case.closed_at = moment
    _event(case, moment, actor, "closed", summary)
    _change(council, case, "closed", entry)


def _open_linked(council: Council, case: Case, process: Process, moment: datetime, actor: User,
                 record: dict) -> None:
    """Refer on: a new case in ``process`` with the answers that process asks for, each from the
    referring stage's record (asked when the outcome was chosen) or else the case's own answers."""
    answers = {f.name: record.get(f.name) if record.get(f.name) not in (None, "", []) else case.answers.get(f.name)
               for f in process.intake}
    linked = open_case(council, process, answers, case.raised_by, opened_from=case)
    _event(linked, moment, actor, "linked", f"Opened from {case.reference} ({process_of(council, case).title})")
    _event(case, moment, actor, "linked", f"Referred on: {linked.reference} opened ({process.title})")


def _enter(council: Council, case: Case, stage: Stage, moment: datetime) -> StageEntry:
    with directory.rungs_read_together(council.slug, _rungs_read_entering(council, case, stage)):
        entry = _place(council, case, stage, moment)
        _change(council, case, "stage-entered", entry)
    return entry


def _rungs_read_entering(council: Council, case: Case, stage: Stage) -> list[tuple[str, str | None]]:
    """The directory rungs entering ``stage`` reads: its own, and the one above for its overdue mail."""
    above = process_of(council, case).ladder(case.ladder).above(stage.slug)
    return [(s.role.slug, s.role.scope_in(case.answers))
            for s in (stage, above) if s is not None and not s.role.named_in(case.answers)]


def _place(council: Council, case: Case, stage: Stage, moment: datetime) -> StageEntry:
    """The case's next stage entry, dated and given to its holders; written at the next flush."""
    scope = stage.role.scope_in(case.answers)
    with db.session.no_autoflush:  # the calendar and directory reads need nothing of this case written yet
        entry = StageEntry(
            position=len(case.stages),
            stage=stage.slug,
            role=stage.role.slug,
            scope=scope,
            entered_at=moment,
            due_on=_due(council, case, stage, moment),
            offers=[],
        )
        entry.late_on_arrival = entry.due_on < local_date(moment)
        case.stages.append(entry)
        if stage.raiser_sends:  # the raiser's own dated step: theirs, reminded like any holder
            entry.assignee_id, entry.assignee_email, entry.assignee_name = (
                case.raised_by_id, case.raised_by.email, case.raised_by.name)
            why = ""
        else:
            why = _assign(council, case, stage, entry)
    rung = f"{stage.role.title} for {scope}" if scope else stage.role.title
    holder = f" ({entry.assignee_name})" if entry.assignee_name else ""
    late = ", which had already passed when it arrived" if entry.late_on_arrival else ""
    # A calendar-day deadline can end on a weekend or holiday: the case says so.
    note = not_working_note(calendar_for(council), entry.due_on)
    late += f" ({note})" if note else ""
    _event(case, moment, None, "stage",
           f"{stage.title}: with the {rung}{holder}, due {entry.due_on:%A %-d %B %Y}{late}{why}")
    return entry


def _assign(council: Council, case: Case, stage: Stage, entry: StageEntry) -> str:
    """Give the entry to the person named on the case, or offer it to the directory rung.

    The raiser never holds a stage of their own case. Returns why the stage
    went where it did, when that is not the plain rule, for the timeline.
    """
    raiser = case.raised_by.email
    named = stage.role.named_in(case.answers)
    if named:
        if named.lower() == raiser:
            entry.to_lead = True
            return ". The person who raised it is named for this rung, so it goes to the safeguarding leads"
        entry.assignee_email = named.lower()
        entry.assignee_name = (case.answers.get(stage.role.person_name) if stage.role.person_name else None) or named
        # The email is not authority: the identity bound to it is, now if there is exactly one, else
        # the first to sign in with it (``directory.bind``); nobody while two claim it.
        people = directory.identities(council.slug, entry.assignee_email)
        entry.assignee_id = people[0].id if len(people) == 1 else None
        return ""
    contacts = directory.assignees(council.slug, entry.role, entry.scope)
    others = [c for c in contacts if c.email != raiser]
    entry.offers.extend(StageOffer(contact=c, case=case) for c in others)
    if not others:
        entry.to_lead = True
        if contacts:
            return ". The person who raised it is the only one on this rung, so it goes to the safeguarding leads"
        return ". Nobody is on this rung in the directory, so it goes to the safeguarding leads"
    if len(others) < len(contacts):
        return ". The person who raised it is on this rung, so it is offered to the other people on it"
    return ""


def _due(council: Council, case: Case, stage: Stage, moment: datetime) -> date:
    try:
        return due_date(council, case, stage, moment)
    except NoMeetingScheduled as missing:
        db.session.rollback()
        group, first = missing.group, missing.first
        raise CaseError(f"No meeting of the {group} is scheduled from {first:%-d %B %Y} on, so "
                        f"{stage.title} cannot be given a due date. Ask a council admin to add the "
                        "group's meeting dates, then try again: nothing has been saved.") from None


def _event(case: Case, moment: datetime, actor: User | None, kind: str, summary: str) -> None:
    case.events.append(CaseEvent(at=moment, actor=actor, kind=kind, summary=summary))


def _change(council: Council, case: Case, change: ChangeKind, entry: StageEntry | None) -> None:
    db.session.flush()
    concord().pm.hook.concord_case_changed(council=council, case=case_view(case), change=change,
                                           entry=stage_view(entry) if entry is not None else None)


def case_view(case: Case) -> CaseView:
    """What ``concord_case_changed`` tells plugins of a case: a frozen copy of loaded attributes, no SQL."""
    current = case.current
    return CaseView(
        id=case.id, council=case.council, reference=case.reference, process=case.process, ladder=case.ladder,
        status=case.status, outcome=case.outcome, raised_at=case.raised_at, closed_at=case.closed_at,
        current=stage_view(current) if current is not None else None, opened_from_id=case.opened_from_id,
    )


def stage_view(entry: StageEntry) -> StageView:
    """A frozen copy of a stage entry for plugins: where and when, who holds it, never its record."""
    holder = Holder(entry.assignee_name or entry.assignee_email, entry.assignee_email) if entry.assignee_email else None
    return StageView(
        id=entry.id, stage=entry.stage, position=entry.position, role=entry.role, scope=entry.scope,
        entered_at=entry.entered_at, due_on=entry.due_on, closed_at=entry.closed_at, outcome=entry.outcome,
        holder=holder, to_lead=entry.to_lead, late_on_arrival=entry.late_on_arrival,
    )


def stranded_entries(council_slug: str) -> list[StageEntry]:
    """Open stages offered to a rung on which nobody they were offered to is active any more."""
    entries = db.session.scalars(
        select(StageEntry).join(Case)
        .where(Case.council == council_slug, StageEntry.closed_at.is_(None),
               StageEntry.assignee_email.is_(None), StageEntry.to_lead.is_(False))
        .options(selectinload(StageEntry.offers).joinedload(StageOffer.contact))
    ).all()
    return [e for e in entries if not any(o.contact.active for o in e.offers)]


def reoffer_stranded(council: Council) -> None:
    """A stranded stage is offered to whoever is now active on its rung (never the raiser).

    The one exception to offers being a snapshot: without it a case whose rung
    was emptied would wait for a lead even after someone joins the rung.
    """
    for entry in stranded_entries(council.slug):
        offered = entry.offered_contact_ids
        for contact in directory.assignees(council.slug, entry.role, entry.scope):
            if contact.id not in offered and contact.email != entry.case.raised_by.email:
                entry.offers.append(StageOffer(contact_id=contact.id, case_id=entry.case_id))
    db.session.flush()


def find(council: Council, reference: str) -> Case | None:
    return db.session.scalar(select(Case).where(Case.council == council.slug, Case.reference == reference))
