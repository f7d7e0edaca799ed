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

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Protocol

from core.model.deadlines import HOLDER_TO_CONFIRM, Deadline, event_words

if TYPE_CHECKING:
    from core.model.records import StageEntry

NATIONS = {"ENG": "England", "SCT": "Scotland"}

# Core's own field types (``core.forms.field_types``), registered like any plugin's; ``check`` accepts these
# when it is not told the app's registered types.
FIELD_TYPES = ("text", "textarea", "date", "choice", "email", "yesno", "checkboxes")
# A rung scoped by a checkboxes answer (several agencies) is offered to each chosen scope; the entry's
# scope keeps them joined by this, and no scoping choice may contain it.
SCOPES = "; "


def hashed_once(cls):
    """A frozen dataclass whose hash is worked out once per object. Its generated hash walks every field:
    for a ``Process`` that is every question, ladder, stage and outcome, on each ``functools.cache`` lookup
    keyed on it (the form classes, the question pages). The stored hash is left out of a pickle, since
    another process hashes strings differently."""
    by_fields = cls.__hash__

    def __hash__(self):
        try:
            return self.__dict__["_hash"]
        except KeyError:
            value = self.__dict__["_hash"] = by_fields(self)
            return value

    def __getstate__(self):
        return {key: value for key, value in self.__dict__.items() if key != "_hash"}

    cls.__hash__, cls.__getstate__ = __hash__, __getstate__
    return cls


@dataclass(frozen=True)
class Field:
    """One question on an intake or record form.

    ``accept`` limits the answers that let the form go on (e.g. only "yes" to
    "did you attend the conference?"); ``refusal`` says why anything else is refused.

    ``shown_when`` is ``(other field, (values, ...))``: the question is asked
    only when that answer (an intake answer, or ``"action"`` on a stage record)
    is one of the values; otherwise it is neither required nor stored (None).

    ``past`` (dates) is for an event that has happened: not after today and not
    more than ``PAST_LIMIT_DAYS`` before it.

    ``after`` (dates) names the date of an earlier event this one cannot precede
    (an intake answer or a date recorded at an earlier stage): "the date the
    dissent reached the Head of Service" is never before the conference.

    ``error`` is the message for a missing answer, in GOV.UK's words ("Select
    the service whose escalation route you are following"); a label that is a
    question needs one, since "Select <question>" does not read.

    ``learning`` (a stage record's text or textarea, at most one per stage) is the
    council's own question for what was learned: when the chosen outcome closes
    the case, its answer is recorded as the case's learning, and core does not
    ask its own learning question beside it.
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
    shown_when: tuple[str, tuple[str, ...]] | None = None
    past: bool = False
    error: str = ""
    # For an email naming a person who will hold a rung: the council's own domains only.
    domains: tuple[str, ...] = ()
    learning: bool = False
    after: str | None = None

    def __post_init__(self):
        # Whether the type is registered is for ``check`` to say, once the app knows every plugin's types.
        if self.type in ("choice", "checkboxes") and not self.choices:
            raise ValueError(f"field {self.name!r}: a {self.type} field needs choices")
        if self.past and self.type != "date":
            raise ValueError(f"field {self.name!r}: only a date can be in the past")
        if self.after and self.type != "date":
            raise ValueError(f"field {self.name!r}: only a date can follow another date")
        if self.learning and self.type not in ("text", "textarea"):
            raise ValueError(f"field {self.name!r}: learning is written, so a text or textarea")
        if self.shown_when is not None:
            other, values = self.shown_when
            if not isinstance(other, str) or not values or isinstance(values, str):
                raise ValueError(f"field {self.name!r}: shown_when is (field name, (values, ...))")

    def out_of_order(self, value: str | None, earlier: str | None) -> str | None:
        """Why this date answer cannot be, given the date it must follow (ISO strings); None when it can."""
        if not (self.after and value and earlier) or value >= earlier:
            return None
        return f"{self.label} cannot be before {event_words(self.after, '')} ({date.fromisoformat(earlier):%-d %B %Y})"

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

    def scope_in(self, answers: dict) -> str | None:
        """The rung's scope on a case with these answers (None for a council-wide rung).

        Scoped by a checkboxes answer ("each agency involved"), the chosen scopes joined by ``SCOPES``.
        """
        value = answers.get(self.scope) if self.scope else None
        if isinstance(value, list | tuple):
            return SCOPES.join(value) or None
        return value

    def named_in(self, answers: dict) -> str | None:
        """The person a case with these answers names to hold the rung, if the rung is held that way."""
        return answers.get(self.person) if self.person else None


# --- outcomes ---------------------------------------------------------------

NEXT_RUNG = "__next__"
# Outcomes core itself records, with their words: a council's stages may not declare these slugs.
CORE_OUTCOMES = {"withdrawn": "Withdrawn by the person who raised it"}


@dataclass(frozen=True)
class Outcome:
    """What the responsible person may decide at a stage.

    ``to`` is a stage slug of the same ladder, ``NEXT_RUNG`` for the rung
    above, or None when this outcome closes the case (everyone on the case
    is then told the outcome; ``tells`` tells them of one that does not close it). ``opens`` names a
    process of the same council: closing with this outcome opens a linked
    case in it, carrying the answers over ("refer on").
    """

    slug: str
    label: str
    to: str | None = None
    hint: str = ""
    opens: str | None = None
    # The raiser and the process's ``outcome_to`` are told of this outcome when it is chosen, though the
    # case goes on (e.g. "dissent upheld": feedback to the chair and the dissenter before the investigation).
    tells: bool = False

    @property
    def closes(self) -> bool:
        return self.to is None


# The raiser's own line manager, named on the form: held by that person, not by a directory rung,
# so no other line manager in the council sees the case. Councils use these as they are.
LINE_MANAGER_NAME = Field("line_manager_name", "Your line manager's name", error="Enter your line manager's name")
LINE_MANAGER_EMAIL = Field("line_manager_email", "Your line manager's email address", "email",
                           hint="They will be asked to discuss this with you and record it here",
                           error="Enter your line manager's email address")
YOUR_LINE_MANAGER = Role("own-line-manager", "Your line manager", person="line_manager_email",
                         person_name="line_manager_name")
# The person who raised the case, holding a dated step of their own (``Stage(raiser_sends=...)``).
RAISER = Role("raiser", "Person who raised the case")


SENT = "sent"


def sent(label: str = "Sent") -> Outcome:
    """The outcome of a raiser's step (``Stage.raiser_sends``): the form was sent."""
    return Outcome(SENT, label)


def escalate(label: str = "Not resolved: escalate to the next stage", hint: str = "", tells: bool = False) -> Outcome:
    return Outcome("escalate", label, NEXT_RUNG, hint, tells=tells)


def resolve(label: str = "Resolved", hint: str = "") -> Outcome:
    return Outcome("resolved", label, None, hint)


@hashed_once
@dataclass(frozen=True)
class Stage:
    """A rung. ``holder_to_confirm``: the procedure does not name who holds it; the pages say so."""

    slug: str
    title: str
    role: Role
    deadline: Deadline
    record: tuple[Field, ...]
    outcomes: tuple[Outcome, ...]
    guidance: str = ""
    holder_to_confirm: bool = False
    # A dated step of the person who raised the case, done by sending (raising) this process of the same
    # council, e.g. Gloucestershire's formal written dissent: its role is ``RAISER``, it needs no record
    # form, and sending the form closes this case with outcome ``SENT`` and opens the new one linked to it.
    raiser_sends: str | None = None

    @property
    def holder(self) -> str:
        """The rung's holder as the pages name it, marked when it is the council's choice."""
        return f"{self.role.title} ({HOLDER_TO_CONFIRM})" if self.holder_to_confirm else self.role.title


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

    def outcome_labels(self) -> dict[str, str]:
        """Each outcome's label by its slug, over the ladder's stages (the first stage's wording if two share one)."""
        labels: dict[str, str] = {}
        for stage in self.stages:
            for outcome in stage.outcomes:
                labels.setdefault(outcome.slug, outcome.label)
        return labels

    def above(self, slug: str) -> Stage | None:
        slugs = [s.slug for s in self.stages]
        i = slugs.index(slug)
        return self.stages[i + 1] if i + 1 < len(self.stages) else None


@dataclass(frozen=True)
class QuestionPage:
    """One page of a process's form (GOV.UK: one thing, or a small group, per page): its heading
    and its questions by field name. A process without pages asks one question a page."""

    title: str
    fields: tuple[str, ...]


@hashed_once
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
    example: tuple[tuple[str, str], ...] = ()  # (field, answer) pairs the procedure dry run starts from
    # The deadline the procedure gives the person raising this process ("no later than 10 working days
    # from the conference"): a case raised after it is accepted, and flagged late on the case.
    raiser_deadline: Deadline | None = None
    pages: tuple[QuestionPage, ...] = ()  # the form's question pages; none: one question a page

    def field(self, name: str) -> Field:
        for f in self.intake:
            if f.name == name:
                return f
        raise KeyError(name)

    def ladder_for(self, answers: dict) -> Ladder:
        """The ladder the answers pick; a case referred on from another process
        (``Outcome.opens``) may lack that answer, and starts on the first ladder."""
        if self.ladder_by is None or answers.get(self.ladder_by) is None:
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
class DirectoryEntry:
    """A row of a council's demo directory CSV: a person on a rung.

    Not to be confused with ``core.model.records.Contact``, the directory's database row.
    """

    role: str
    name: str
    email: str
    scope: str | None = None


# Learning themes a council gets when its plugin declares none; its admins can add more.
DEFAULT_THEMES = (
    "Information sharing",
    "Threshold for referral",
    "Attendance at planning meetings",
    "Communication between agencies",
    "Roles and responsibilities",
    "Recording and assessment",
    "Voice of the child",
)


@dataclass(frozen=True)
class LongOverdue:
    """When an overdue stage becomes "long overdue" and the safeguarding leads are told.

    The threshold is ``times`` the working days the stage's deadline gave
    (from its start to its due date), and never less than ``at_least``; the
    stage is long overdue on the morning after it has been overdue for that
    many whole working days. The core default is "as long again, at least one".
    """

    times: int = 1
    at_least: int = 1

    def threshold(self, given: int) -> int:
        return max(self.at_least, self.times * given)


@dataclass(frozen=True)
class FooterLink:
    """A link in the footer of the council's pages (its website, its procedures): https only."""

    text: str
    href: str


@dataclass(frozen=True)
class Look:
    """How the council's pages look, as data: its colour and logo in a GOV.UK-style header, its links
    in the footer. ``colour`` is the header's background under white text, so it must reach 4.5:1
    contrast with white (WCAG AA); ``logo_svg`` is the text of an SVG image, shown beside the
    council's name (so decorative), with no script."""

    colour: str = "#0b0c0c"
    logo_svg: str = ""
    footer_links: tuple[FooterLink, ...] = ()

    def __post_init__(self):
        if not (len(self.colour) == 7 and self.colour[0] == "#" and all(c in "0123456789abcdefABCDEF" for c in self.colour[1:])):
            raise ValueError(f"look: colour must be #rrggbb, not {self.colour!r}")
        if contrast(self.colour, "#ffffff") < 4.5:
            raise ValueError(f"look: white text on {self.colour} has contrast {contrast(self.colour, '#ffffff'):.2f}:1, under 4.5:1")
        svg = self.logo_svg.lower()
        if svg and (not svg.lstrip().startswith(("<svg", "<?xml")) or "<script" in svg or "javascript:" in svg
                    or re.search(r"\son[a-z]+\s*=", svg)):
            raise ValueError("look: logo_svg must be an SVG image without script")
        for link in self.footer_links:
            if not link.href.startswith("https://"):
                raise ValueError(f"look: footer link {link.text!r} must be an https:// address")


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    def luminance(colour: str) -> float:
        r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


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
    # Closed cases older than this are erased by the daily purge (core/engine/retention.py).
    retention_years: int = 25
    version: str = "0"
    immediate_risk_role: str | None = None
    themes: tuple[str, ...] = DEFAULT_THEMES
    # Addresses a person named on a case (e.g. a line manager) must be in; empty: any.
    email_domains: tuple[str, ...] = ()
    long_overdue: LongOverdue | None = LongOverdue()
    look: Look = Look()  # colour, logo and footer links (see Look)

    def __post_init__(self):
        if self.nation not in NATIONS:
            raise ValueError(f"council {self.slug!r}: nation must be one of {sorted(NATIONS)}")

    def process(self, slug: str) -> Process:
        for process in self.processes:
            if process.slug == slug:
                return process
        raise KeyError(slug)

    def stages(self) -> Iterator[tuple[Process, Ladder, Stage]]:
        """Every stage of every ladder of every process, with where it sits."""
        for process in self.processes:
            for ladder in process.ladders:
                for stage in ladder.stages:
                    yield process, ladder, stage

    @property
    def roles(self) -> dict[str, Role]:
        return {stage.role.slug: stage.role for _, _, stage in self.stages()}


#: Council slugs core keeps for itself, each with why. A council is served at ``/<slug>/``, so no
#: slug may be the first part of one of core's own paths (``tests/contract/test_new_council.py`` checks this
#: list against the app's routes); ``testshire`` is the council of core's own tests
#: (``core.testing_council``). ``flask concord new-council`` refuses them, and start-up refuses a council
#: under one of core's paths (``core.model.checks``).
RESERVED_COUNCIL_SLUGS: dict[str, str] = {
    "testshire": "it is the council of Concord's own tests (core.testing_council)",
    **{path: f"Concord serves its own pages at /{path}"
       for path in ("accessibility", "api", "assets", "cookies", "healthz", "help", "learning", "metrics",
                    "privacy", "readyz")},
}


class _OnALadder(Protocol):
    process: str
    ladder: str


def process_of(council: Council, case: _OnALadder) -> Process:
    """The process a case was opened under."""
    return council.process(case.process)


def stage_of(council: Council, case: _OnALadder, entry: StageEntry) -> Stage:
    """The stage definition of one of the case's stage entries."""
    return process_of(council, case).ladder(case.ladder).stage(entry.stage)


