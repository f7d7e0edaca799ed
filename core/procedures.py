"""The declarative procedure model a council plugin fills in.

A council is data: a ``Council`` holds ``Process``es (what a practitioner can
raise), each with an intake form and one or more ``Ladder``s of ``Stage``s.
A stage names the responsible ``Role`` (optionally scoped by an answer, such as
"QIO *for the child's learning community*"), a deadline rule, what the
responsible person records, and the ``Outcome``s allowed there.

Everything here is frozen; the core evaluates it and never asks a council to
compute anything.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

NATIONS = {"ENG": "England", "SCT": "Scotland"}

# Field types the core knows how to render, validate and describe in the API.
FIELD_TYPES = ("text", "textarea", "date", "choice", "email", "yesno")


@dataclass(frozen=True)
class Field:
    """One question on an intake or record form.

    ``accept`` limits the answers that let the form go on (e.g. only "yes" to
    "did you attend the conference?"); ``refusal`` says why anything else is refused.
    """

    name: str
    label: str
    type: str = "text"
    required: bool = True
    hint: str = ""
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    accept: tuple[str, ...] = ()
    refusal: str = ""
    # For an email naming a person who will hold a rung: the council's own domains only.
    domains: tuple[str, ...] = ()

    def __post_init__(self):
        if self.type not in FIELD_TYPES:
            raise ValueError(f"field {self.name!r}: unknown type {self.type!r}")
        if self.type == "choice" and not self.choices:
            raise ValueError(f"field {self.name!r}: a choice needs choices")

    @property
    def limit(self) -> int:
        """Longest answer accepted, in characters."""
        if self.max_length:
            return self.max_length
        return 10_000 if self.type == "textarea" else 200


@dataclass(frozen=True)
class Role:
    """A rung's responsible role, as the directory names it.

    ``scope`` names an intake answer (e.g. ``"learning_community"``); the
    stage then goes to the contacts for that role *and* that answer.
    ``person`` names an email answer (e.g. ``"chair_email"``): the rung is
    then held by the person named on the case, not by the directory rung;
    ``person_name`` names the answer with their name, for display.
    """

    slug: str
    title: str
    scope: str | None = None
    person: str | None = None
    person_name: str | None = None


# --- deadline rules -------------------------------------------------------
# ``from_`` names a date answer on the intake form (e.g. "conference_date");
# None means "when the stage was entered".


@dataclass(frozen=True)
class WorkingDays:
    n: int
    from_: str | None = None

    def describe(self) -> str:
        days = "working day" if self.n == 1 else "working days"
        return f"within {self.n} {days}" + _of(self.from_)


@dataclass(frozen=True)
class CalendarDays:
    n: int
    from_: str | None = None

    def describe(self) -> str:
        return f"within {self.n} days" + _of(self.from_)


@dataclass(frozen=True)
class SameWorkingDay:
    from_: str | None = None

    def describe(self) -> str:
        return "the same working day" + _of(self.from_)


@dataclass(frozen=True)
class NextMeeting:
    """Due at the next meeting of a group whose dates the council admins keep."""

    meeting: str
    title: str = ""     # how people name the group, e.g. "CP Dissents Group"

    @property
    def group(self) -> str:
        return self.title or self.meeting.replace("-", " ")

    def describe(self) -> str:
        return f"by the next meeting of the {self.group}"


def _of(from_: str | None) -> str:
    return f" of the {from_.replace('_', ' ')}" if from_ else ""


Deadline = Union[WorkingDays, CalendarDays, SameWorkingDay, NextMeeting]

# --- outcomes ---------------------------------------------------------------

NEXT_RUNG = "__next__"


@dataclass(frozen=True)
class Outcome:
    """What the responsible person may decide at a stage.

    ``to`` is a stage slug of the same ladder, ``NEXT_RUNG`` for the rung
    above, or None when this outcome closes the case. ``opens`` names a
    process of the same council: closing with this outcome opens a linked
    case in it, carrying the answers over ("refer on").
    """

    slug: str
    label: str
    to: str | None = None
    hint: str = ""
    opens: str | None = None

    @property
    def closes(self) -> bool:
        return self.to is None


def escalate(label: str = "Not resolved: escalate to the next stage", hint: str = "") -> Outcome:
    return Outcome("escalate", label, NEXT_RUNG, hint)


def resolve(label: str = "Resolved", hint: str = "") -> Outcome:
    return Outcome("resolved", label, None, hint)


@dataclass(frozen=True)
class Stage:
    slug: str
    title: str
    role: Role
    deadline: Deadline
    record: tuple[Field, ...]
    outcomes: tuple[Outcome, ...]
    guidance: str = ""


@dataclass(frozen=True)
class Ladder:
    """An ordered escalation route. ``when`` is the answer that selects it."""

    slug: str
    title: str
    stages: tuple[Stage, ...]
    when: str | None = None

    def stage(self, slug: str) -> Stage:
        for stage in self.stages:
            if stage.slug == slug:
                return stage
        raise KeyError(slug)

    def above(self, slug: str) -> Stage | None:
        slugs = [s.slug for s in self.stages]
        i = slugs.index(slug)
        return self.stages[i + 1] if i + 1 < len(self.stages) else None


@dataclass(frozen=True)
class Process:
    """Something a practitioner can raise, e.g. "dissent at a conference".

    ``ladder_by`` names the intake answer that picks the ladder (e.g.
    ``"agency"``); with a single ladder it is None. ``outcome_to`` names
    email answers (e.g. the conference chair) told of the outcome besides
    the person who raised the case.
    """

    slug: str
    title: str
    summary: str
    intake: tuple[Field, ...]
    ladders: tuple[Ladder, ...]
    ladder_by: str | None = None
    outcome_to: tuple[str, ...] = ()
    out_of_scope: str = ""

    def field(self, name: str) -> Field:
        for f in self.intake:
            if f.name == name:
                return f
        raise KeyError(name)

    def ladder_for(self, answers: dict) -> Ladder:
        if self.ladder_by is None:
            return self.ladders[0]
        for ladder in self.ladders:
            if ladder.when == answers.get(self.ladder_by):
                return ladder
        raise KeyError(answers.get(self.ladder_by))

    def ladder(self, slug: str) -> Ladder:
        for ladder in self.ladders:
            if ladder.slug == slug:
                return ladder
        raise KeyError(slug)


@dataclass(frozen=True)
class Contact:
    """A row of a council's demo directory: a person on a rung."""

    role: str
    name: str
    email: str
    scope: str | None = None


@dataclass(frozen=True)
class Council:
    slug: str
    name: str
    nation: str
    reference_prefix: str
    processes: tuple[Process, ...]
    immediate_risk: str
    areas: dict[str, tuple[str, ...]] = field(default_factory=dict)
    signposts: tuple[str, ...] = ()
    retention_years: int = 25
    version: str = "0"
    immediate_risk_role: str | None = None
    # Addresses a person named on a case (e.g. a line manager) must be in; empty: any.
    email_domains: tuple[str, ...] = ()

    def __post_init__(self):
        if self.nation not in NATIONS:
            raise ValueError(f"council {self.slug!r}: nation must be one of {sorted(NATIONS)}")

    def process(self, slug: str) -> Process:
        for process in self.processes:
            if process.slug == slug:
                return process
        raise KeyError(slug)

    @property
    def roles(self) -> dict[str, Role]:
        return {
            stage.role.slug: stage.role
            for process in self.processes
            for ladder in process.ladders
            for stage in ladder.stages
        }
