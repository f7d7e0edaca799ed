"""A council's procedure checked before the app starts: ``check`` refuses one that cannot be run to an
end, naming the council and what is wrong."""
from __future__ import annotations

from collections.abc import Collection, Iterable

from core.config import ConfigError
from core.model.deadlines import CORE_DEADLINE_KINDS
from core.model.procedures import (
    CORE_OUTCOMES,
    FIELD_TYPES,
    NEXT_RUNG,
    RAISER,
    RESERVED_COUNCIL_SLUGS,
    SCOPES,
    SENT,
    Council,
    Field,
    Ladder,
    Outcome,
    Process,
    Stage,
)

# Core's own tests run their council under this reserved slug (``core.testing_council``); the other
# reserved slugs are core's paths, which no council may sit under.
TESTING_COUNCIL = "testshire"

# --- checks -------------------------------------------------------------------


class InvalidCouncil(ConfigError):
    """A council's procedure cannot work; the message names the council and what is wrong."""


def check(council: Council, field_types: Collection[str] = FIELD_TYPES,
          deadline_kinds: tuple[type, ...] = CORE_DEADLINE_KINDS) -> None:
    """Refuse a council whose procedure cannot be run to an end.

    Called for every installed council when the app starts, so a plugin
    author hears of a broken ladder from ``create_app``, not from a stuck case.
    ``field_types`` and ``deadline_kinds`` are those the app's plugins registered (core's own by default):
    a question or deadline of a kind no installed plugin provides is refused too.
    """
    problems = problems_of(council, field_types, deadline_kinds)
    if problems:
        listed = "".join(f"\n  - {p}" for p in problems)
        raise InvalidCouncil(f"council {council.slug!r} cannot be installed:{listed}")


def check_all(councils: Iterable[Council], field_types: Collection[str] = FIELD_TYPES,
              deadline_kinds: tuple[type, ...] = CORE_DEADLINE_KINDS) -> None:
    """``check`` each council, then what must differ between councils."""
    seen_slugs: dict[str, Council] = {}
    seen_prefixes: dict[str, Council] = {}
    for council in councils:
        check(council, field_types, deadline_kinds)
        if council.slug in seen_slugs:
            raise InvalidCouncil(f"council {council.slug!r} is registered twice")
        other = seen_prefixes.get(council.reference_prefix)
        if other is not None:
            first, second = sorted((other.slug, council.slug))
            raise InvalidCouncil(
                f"councils {first!r} and {second!r} both use the reference prefix "
                f"{council.reference_prefix!r}: references must tell councils apart"
            )
        seen_slugs[council.slug] = seen_prefixes[council.reference_prefix] = council


def problems_of(council: Council, field_types: Collection[str] = FIELD_TYPES,
                deadline_kinds: tuple[type, ...] = CORE_DEADLINE_KINDS) -> list[str]:
    """Everything structurally wrong with a council, as sentences; empty when it can run."""
    problems: list[str] = _unregistered(council, field_types, deadline_kinds)
    if council.slug in RESERVED_COUNCIL_SLUGS and council.slug != TESTING_COUNCIL:
        problems.append(f"the slug is reserved ({RESERVED_COUNCIL_SLUGS[council.slug]}): choose another")
    if not council.reference_prefix.strip():
        problems.append("the reference prefix is empty")
    if not council.immediate_risk.strip():
        problems.append("there is no immediate-risk guidance")
    problems += _repeats("process", [p.slug for p in council.processes])
    for process in council.processes:
        problems += [f"{process.slug}: {p}" for p in _process_problems(process)]
    slugs = {p.slug for p in council.processes}
    for process, ladder, stage in council.stages():
        for outcome in stage.outcomes:
            if outcome.slug in CORE_OUTCOMES:
                problems.append(f"{process.slug}: {ladder.slug}: stage {stage.slug!r}: outcome {outcome.slug!r} is "
                                f"core's ({CORE_OUTCOMES[outcome.slug].lower()}): give the council's own outcome "
                                "another slug, e.g. 'withdrawn-after-discussion'")
            where = f"{process.slug}: {ladder.slug}: stage {stage.slug!r}: outcome {outcome.slug!r}"
            if outcome.opens is not None and outcome.opens not in slugs:
                problems.append(f"{where} opens unknown process {outcome.opens!r}")
            elif outcome.opens is not None:
                missing = uncarried(process, stage, outcome, council.process(outcome.opens))
                if missing:
                    problems.append(f"{where} opens {outcome.opens!r} without its required answer(s) "
                                    f"{', '.join(missing)}: ask them on the stage's record when this outcome is chosen")
        if stage.raiser_sends is not None:
            where = f"{process.slug}: {ladder.slug}: stage {stage.slug!r}"
            if stage.raiser_sends not in slugs:
                problems.append(f"{where}: the raiser sends unknown process {stage.raiser_sends!r}")
            if stage.role != RAISER:
                problems.append(f"{where}: a step the raiser sends is held by RAISER")
            if [o.slug for o in stage.outcomes] != [SENT]:
                problems.append(f"{where}: a step the raiser sends has the one outcome sent()")
    for process in council.processes:
        from_ = process.raiser_deadline.counts_from if process.raiser_deadline else None
        if from_ and not any(f.name == from_ and f.type == "date" for f in process.intake):
            problems.append(f"{process.slug}: the raiser's deadline counts from {from_!r}, which names no date field "
                            "of the intake")
    return problems


def _unregistered(council: Council, field_types: Collection[str], deadline_kinds: tuple[type, ...]) -> list[str]:
    """The questions and deadlines of kinds no installed plugin registers (a council plugin whose extension
    plugin is not installed): core could neither ask nor count them."""
    problems = []
    known = ", ".join(sorted(field_types))
    for process in council.processes:
        forms = [("the intake", process.intake)]
        forms += [(f"{ladder.slug}: stage {stage.slug!r}", stage.record) for ladder in process.ladders
                  for stage in ladder.stages]
        for where, form in forms:
            problems += [f"{process.slug}: {where}: field {f.name!r} is of type {f.type!r}, which no installed plugin "
                         f"registers (registered: {known})" for f in form if f.type not in field_types]
        rules = [("the raiser's deadline", process.raiser_deadline)]
        rules += [(f"{ladder.slug}: stage {stage.slug!r}: the deadline", stage.deadline) for ladder in process.ladders
                  for stage in ladder.stages]
        problems += [f"{process.slug}: {where} is of kind {type(rule).__name__}, which no installed plugin "
                     "registers" for where, rule in rules if rule is not None and not isinstance(rule, deadline_kinds)]
    return problems


def uncarried(process: Process, stage: Stage, outcome: Outcome, opened: Process) -> list[str]:
    """The required answers of ``opened`` that referring on from ``stage`` with ``outcome`` would leave empty.

    A linked case takes each answer from the stage's record (a question asked there, always or when this
    outcome is chosen) or else from the first case's intake (a question of the same name, always asked).
    """
    asked = {f.name for f in stage.record
             if f.required and (f.shown_when is None or (f.shown_when[0] == "action" and outcome.slug in f.shown_when[1]))}
    asked |= {f.name for f in process.intake if f.required and f.shown_when is None}
    return [f.name for f in opened.intake if f.required and f.shown_when is None and f.name not in asked]


def _repeats(what: str, slugs: list[str]) -> list[str]:
    repeated = sorted({s for s in slugs if slugs.count(s) > 1})
    return [f"{what} {s!r} is defined twice" for s in repeated]


def _process_problems(process: Process) -> list[str]:
    problems = _repeats("intake field", [f.name for f in process.intake])
    problems += _repeats("ladder", [ladder.slug for ladder in process.ladders])
    fields = {f.name: f for f in process.intake}
    if not process.ladders:
        problems.append("has no ladder")
    if process.ladder_by is None:
        if len(process.ladders) > 1:
            problems.append("has several ladders but no ladder_by field to choose between them")
    elif fields.get(process.ladder_by) is None or fields[process.ladder_by].type != "choice":
        problems.append(f"ladder_by {process.ladder_by!r} names no choice field of the intake")
    else:
        choices = set(fields[process.ladder_by].choices)
        whens = {ladder.when for ladder in process.ladders}
        if choices - whens:
            problems.append(f"no ladder for {process.ladder_by} {sorted(choices - whens)}")
        if whens - choices:
            problems.append(f"ladders chosen by {sorted(map(str, whens - choices))}, which {process.ladder_by} does not offer")
    problems += _conditional_problems("the intake", process.intake, set(fields))
    for name in process.outcome_to:
        if fields.get(name) is None or fields[name].type != "email":
            problems.append(f"outcome_to {name!r} names no email field of the intake")
    for ladder in process.ladders:
        problems += [f"{ladder.slug}: {p}" for p in _ladder_problems(process, fields, ladder)]
    return problems


def _conditional_problems(where: str, form: tuple[Field, ...], names: set[str]) -> list[str]:
    """A question asked only after some answer must name an answer on the same form."""
    return [
        f"{where}: {f.name!r} is shown when {f.shown_when[0]!r} is answered, which is no question of the same form"
        for f in form
        if f.shown_when is not None and f.shown_when[0] not in names
    ]


def _ladder_problems(process: Process, fields: dict[str, Field], ladder: Ladder) -> list[str]:
    if not ladder.stages:
        return ["has no stages"]
    slugs = [s.slug for s in ladder.stages]
    problems = _repeats("stage", slugs)
    dates = {name for name, f in fields.items() if f.type == "date"}
    after: dict[str, list[str]] = {}
    for stage in ladder.stages:
        where = f"stage {stage.slug!r}"
        scope = stage.role.scope
        if scope and (fields.get(scope) is None or fields[scope].type not in ("choice", "checkboxes")):
            problems.append(f"{where}: role {stage.role.slug!r} is scoped by {scope!r}, which names no choice field of the intake")
        elif scope and any(SCOPES in c for c in fields[scope].choices):
            problems.append(f"{where}: role {stage.role.slug!r} is scoped by {scope!r}, whose choices may not contain {SCOPES!r}")
        person = stage.role.person
        if person and (fields.get(person) is None or fields[person].type != "email"):
            problems.append(f"{where}: role {stage.role.slug!r} is held by {person!r}, which names no email field of the intake")
        if stage.role.person_name and stage.role.person_name not in fields:
            problems.append(f"{where}: role {stage.role.slug!r} names the holder by {stage.role.person_name!r}, which is no field of the intake")
        from_ = stage.deadline.counts_from
        if from_ and from_ not in dates:
            problems.append(f"{where}: the deadline counts from {from_!r}, which names no date field of the intake or an earlier stage")
        for f in stage.record:
            if f.after and f.after not in dates:
                problems.append(f"{where}: {f.name!r} must follow {f.after!r}, which names no date field of the intake or an earlier stage")
        dates |= {f.name for f in stage.record if f.type == "date"}
        problems += _conditional_problems(where, stage.record, {f.name for f in stage.record} | {"action"})
        if not stage.record and stage.raiser_sends is None:
            problems.append(f"{where} has no record form")
        if sum(f.learning for f in stage.record) > 1:
            problems.append(f"{where} has more than one learning question")
        if not stage.outcomes:
            problems.append(f"{where} has no outcomes")
        after[stage.slug] = []
        for outcome in stage.outcomes:
            if outcome.to == NEXT_RUNG:
                above = ladder.above(stage.slug)
                if above is None:
                    problems.append(f"{where}: outcome {outcome.slug!r} escalates above the top rung")
                else:
                    after[stage.slug].append(above.slug)
            elif outcome.to is not None:
                if outcome.to not in slugs:
                    problems.append(f"{where}: outcome {outcome.slug!r} goes to unknown stage {outcome.to!r}")
                else:
                    after[stage.slug].append(outcome.to)
    reached, frontier = set(), [slugs[0]]
    while frontier:
        slug = frontier.pop()
        if slug not in reached:
            reached.add(slug)
            frontier += after[slug]
    unreachable = [s for s in slugs if s not in reached]
    if unreachable:
        problems.append(f"no outcome ever leads to stage(s) {', '.join(unreachable)}")
    # A stage can end when one of its outcomes closes the case or leads to a stage that can.
    can_end = {s.slug for s in ladder.stages if any(o.closes for o in s.outcomes)}
    grew = True
    while grew:
        grew = False
        for slug, targets in after.items():
            if slug not in can_end and can_end.intersection(targets):
                can_end.add(slug)
                grew = True
    stuck = [s for s in slugs if s not in can_end]
    if stuck:
        problems.append(f"from stage(s) {', '.join(stuck)} no sequence of outcomes closes the case")
    return problems
