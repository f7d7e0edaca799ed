"""The plugin contract: every hook Concord calls, in one place.

Hooks are grouped by when they run. Call them with keyword arguments only;
an implementation may accept fewer arguments than its spec, so a spec can
grow without breaking plugins. Core's own behaviour is registered through
these same hooks by the modules listed in ``core.plugin_manager.DEFAULT_PLUGINS``.
Plugins import what they need from ``core.plugin``, not from here.

"Stable since 0.1" means the hook keeps its name, arguments and meaning for
every 0.x release from 0.1 on; a change is announced in CHANGELOG.md first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

import pluggy

if TYPE_CHECKING:
    from flask import Flask

    from core.model.field_types import FieldType
    from core.model.procedures import Council, DirectoryEntry

#: What happened to a case, as ``concord_case_changed`` is told.
ChangeKind = Literal["opened", "stage-entered", "stage-assigned", "stage-closed", "closed"]

#: Every email Concord sends, by the name its templates (``email/<kind>.txt``/``.html``) and
#: ``concord_email_template`` know it by. Case emails: ``acknowledgement`` (to the raiser),
#: ``assignment`` (to the rung a stage reaches), ``reminder`` (the working day before it is due),
#: ``due-today``, ``overdue`` (to the rung, the rung above and the raiser), ``outcome`` (to the
#: raiser and the process's ``outcome_to`` people), ``late-on-arrival`` (a stage reached after its
#: due date), ``rung-empty`` (to the safeguarding leads: nobody left on the rung), ``long-overdue``
#: (to the leads and the raiser), ``due-date-moved`` (after a calendar change). Council emails, to
#: its admins: ``calendar-check`` (bank holidays changed) and ``failure-digest`` (messages that
#: could not be sent).
EmailKind = Literal[
    "acknowledgement", "assignment", "reminder", "due-today", "overdue", "outcome", "late-on-arrival",
    "rung-empty", "long-overdue", "due-date-moved", "calendar-check", "failure-digest",
]

hookspec = pluggy.HookspecMarker("concord")
hookimpl = pluggy.HookimplMarker("concord")


class SignInMethod(Protocol):
    """A way to sign in, listed on each council's sign-in page."""

    #: The words on the sign-in page, e.g. "Sign in with your council account".
    name: str
    #: The Flask endpoint the link goes to; it gets ``council=<slug>``.
    endpoint: str

    def available(self, council: Council) -> bool:
        """Whether this council offers this method (e.g. it has an identity provider set up)."""
        ...


# --- what a plugin is told about a case ---------------------------------------


@dataclass(frozen=True)
class Holder:
    """The person holding a stage: taken from the rung, named on the case, or reassigned to."""

    name: str
    email: str


@dataclass(frozen=True)
class StageView:
    """One visit of a case to a rung of its ladder, as a plugin sees it; a copy, never the record.

    ``stage`` and ``role`` are the slugs of the council's ``Stage`` and ``Role``.
    """

    id: int
    stage: str
    position: int
    role: str
    scope: str | None
    entered_at: datetime
    due_on: date
    closed_at: datetime | None
    #: The slug of the outcome recorded when the stage closed.
    outcome: str | None
    #: None while the stage is offered to everyone on the rung.
    holder: Holder | None
    #: Only a safeguarding lead may act (the rung is empty, or the raiser held it).
    to_lead: bool
    #: The stage was reached after its due date.
    late_on_arrival: bool


@dataclass(frozen=True)
class CaseView:
    """A case as a plugin sees it: where it is on the ladder and when, never the child's answers.

    A frozen copy made when the hook is called: changing it changes nothing. ``status`` is
    ``"open"`` or ``"closed"``; ``outcome`` is the slug of the closing outcome (a council's, or
    one of ``CORE_OUTCOMES``).
    """

    id: int
    council: str
    reference: str
    process: str
    ladder: str
    status: str
    outcome: str | None
    raised_at: datetime
    closed_at: datetime | None
    #: The open stage, None once the case is closed.
    current: StageView | None
    #: The case this one was opened from (an ``Outcome(opens=…)`` or a raiser's form), by id.
    opened_from_id: int | None = None


# --- what a mail transport is given and may raise ----------------------------


@dataclass
class Message:
    to: str
    subject: str
    text: str
    html: str
    message_id: str
    ics: bytes | None = None
    date: datetime | None = None
    personalisation: dict = field(default_factory=dict)
    kind: str = ""  # an ``EmailKind``
    council: str = ""


class Transport(Protocol):
    """Sends one rendered message, or raises ``TemporaryFailure``/``PermanentFailure``."""

    def send(self, message: Message) -> None: ...


class TemporaryFailure(Exception):
    """Worth trying again later (connection refused, 4xx SMTP reply, Notify 5xx or 429)."""


class PermanentFailure(Exception):
    """Will never work (bad address, 5xx SMTP reply, Notify 4xx): stop at once."""


#: Builds a transport from the app's config (``SMTP_HOST``, ``NOTIFY_API_KEY``…).
TransportFactory = Callable[[Mapping[str, Any]], Transport]


# --- start-up ---------------------------------------------------------------


@hookspec
def concord_register_councils() -> Iterable[Council]:
    """Return the councils this plugin contributes.

    Called once while the app is created. A council plugin returns a list
    with its one ``Council``. Each council is then checked
    (``core.model.checks.check``): a broken ladder, a slug or reference prefix
    registered twice stops start-up with a message naming the council.

    Stable since 0.1.
    """


@hookspec
def concord_register_roles() -> Iterable[tuple[str, str]]:
    """Return ``(slug, title)`` pairs of the user roles Concord knows.

    Called once while the app is created. Core registers practitioner,
    manager, safeguarding lead and council admin (``core.model.roles``).

    Stable since 0.1.
    """


@hookspec
def concord_template_folders() -> Iterable[str]:
    """Return folders of Jinja templates to search before core's own.

    Called once while the app is created; lets a plugin override a page or
    an email by giving a template the same name.

    Stable since 0.1.
    """


@hookspec
def concord_init_app(app: Flask) -> None:
    """Finish wiring the app: blueprints, CLI commands, extensions.

    Called once, near the end of ``create_app``, with the app being created;
    every implementation is called, in plugin order, and what it returns is ignored.

    :param app: the Flask app being created; its ``concord`` extension
        (``core.runtime.concord(app)``) already holds the councils and roles.

    Stable since 0.1.
    """


@hookspec
def concord_register_sign_in_methods(app: Flask) -> Iterable[SignInMethod]:
    """Return the ways to sign in this plugin offers (``SignInMethod``).

    Called once while the app is created, after ``concord_init_app``; the
    sign-in page lists them in plugin order (later-registered plugins first),
    each only for councils where ``available(council)`` is true.

    :param app: the Flask app being created, e.g. to read its config.

    Stable since 0.1.
    """


# --- data -------------------------------------------------------------------


@hookspec(firstresult=True)
def concord_demo_directory(council: Council) -> Iterable[DirectoryEntry] | None:
    """Return the demo directory of ``council``: fictional people only.

    Called by ``flask concord seed-demo`` and the tests for each council;
    stops at the first non-None result.

    :param council: the council whose directory is wanted; return None for
        councils that are not yours.

    Stable since 0.1.
    """


# --- cases ------------------------------------------------------------------


@hookspec
def concord_case_changed(council: Council, case: CaseView, change: ChangeKind, entry: StageView | None) -> None:
    """React to a change of a case, inside the transaction that makes it.

    Called by the case engine (``core.engine.cases``) at every change, before commit, in the
    order the changes happen; every implementation is called and what it returns is ignored.
    Add rows with ``db.session`` (the notification outbox does); never commit, send or enqueue
    here: the change may still roll back.

    :param council: the case's council.
    :param case: a ``CaseView`` of the case as it is after the change, with its id and
        reference.
    :param change: one of ``ChangeKind``: ``"opened"``, ``"stage-entered"``,
        ``"stage-assigned"`` (someone took the stage, or it was reassigned),
        ``"stage-closed"`` or ``"closed"``; new kinds may be added, so ignore
        the ones you do not know.
    :param entry: a ``StageView`` of the stage concerned (the stage closed last, for
        ``"closed"``), None for ``"opened"``.

    Stable since 0.1; ``case`` and ``entry`` are views, not database rows, after 0.1.0 (CHANGELOG.md).
    """


# --- notifications ----------------------------------------------------------


@hookspec
def concord_register_transports() -> Iterable[tuple[str, TransportFactory]]:
    """Return ``(name, factory)`` pairs of mail transports.

    Called once while the app is created. ``factory(config)`` returns a
    ``Transport``: an object whose ``send(message)`` raises
    ``TemporaryFailure`` (tried again later) or ``PermanentFailure`` (given up at
    once). Import all four from ``core.plugin``.
    ``CONCORD_MAIL_TRANSPORT`` picks one by name; core registers ``smtp``,
    ``notify`` (GOV.UK Notify) and ``dev-outbox``.

    Stable since 0.1.
    """


@hookspec(firstresult=True)
def concord_email_template(council: Council, kind: EmailKind) -> str | None:
    """Return the template name (without ``.txt``/``.html``) for an email.

    Called each time a notification is rendered; stops at the first non-None
    result. Core's default (``email/<kind>``) runs last, so a council plugin
    overrides one kind by returning its own template for its council.

    :param council: the council the message is sent for.
    :param kind: one of ``EmailKind``: ``acknowledgement``, ``assignment``,
        ``reminder``, ``due-today``, ``overdue``, ``outcome``, ``late-on-arrival``,
        ``rung-empty``, ``long-overdue``, ``due-date-moved``, ``calendar-check`` or
        ``failure-digest``.

    Stable since 0.1.
    """


# --- kinds of question and of deadline ----------------------------------------


@hookspec
def concord_register_field_types() -> Iterable[type[FieldType]]:
    """Return the kinds of question this plugin contributes: ``FieldType`` subclasses.

    Called once while the app is created, before the councils are checked. Each class holds every
    aspect of one type, named by its ``name`` (what a council's ``Field(type=...)`` says): the form
    field that asks and checks it, its JSON Schema in the API, an example answer, its words on the
    case page and in the CSV. Core registers ``text``, ``textarea``, ``email``, ``date``, ``choice``,
    ``yesno`` and ``checkboxes`` (``core.forms.field_types``) first; a later plugin's type of the same
    name replaces core's. A council whose field names no registered type is refused at start-up.
    """


@hookspec
def concord_register_deadline_kinds() -> Iterable[type]:
    """Return the kinds of stage deadline this plugin contributes: classes whose instances are
    ``core.model.deadlines.Deadline`` (they say what they count from, the meeting group they need,
    their due date and their words).

    Called once while the app is created, before the councils are checked. Core registers
    ``WorkingDays``, ``CalendarDays``, ``SameWorkingDay`` and ``NextMeeting`` (``core.plugin_manager``).
    A council whose stage (or raiser's) deadline is of no registered kind is refused at start-up.
    """
