"""The plugin contract: every hook Concord calls, in one place.

Hooks are grouped by when they run. Call them with keyword arguments only;
an implementation may accept fewer arguments than its spec, so a spec can
grow without breaking plugins. Core's own behaviour is registered through
these same hooks by the modules listed in ``core.plugins.DEFAULT_PLUGINS``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

import pluggy

if TYPE_CHECKING:
    from flask import Flask

    from .procedures import Contact, Council

hookspec = pluggy.HookspecMarker("concord")
hookimpl = pluggy.HookimplMarker("concord")


# --- start-up ---------------------------------------------------------------


@hookspec
def concord_register_councils() -> Iterable["Council"]:
    """Return the councils this plugin contributes.

    Called once while the app is created. A council plugin returns a list
    with its one ``Council``; a slug registered twice stops start-up.
    """


@hookspec
def concord_register_roles() -> Iterable[tuple[str, str]]:
    """Return ``(slug, title)`` pairs of the user roles Concord knows.

    Called once while the app is created. Core registers practitioner,
    manager, safeguarding lead and council admin.
    """


@hookspec
def concord_template_folders() -> Iterable[str]:
    """Return folders of Jinja templates to search before core's own.

    Called once while the app is created; lets a plugin override a page or
    an email by giving a template the same name.
    """


@hookspec
def concord_init_app(app: "Flask") -> None:
    """Finish wiring the app: blueprints, CLI commands, extensions.

    Called once, at the end of ``create_app``, with the app being created.
    """


# --- data -------------------------------------------------------------------


@hookspec(firstresult=True)
def concord_demo_directory(council: "Council") -> Iterable["Contact"] | None:
    """Return the demo directory of ``council``: fictional people only.

    Called by ``flask concord seed-demo`` and the tests for each council;
    stops at the first non-None result. Return None for councils that are
    not yours.
    """


# --- cases ------------------------------------------------------------------


@hookspec
def concord_case_changed(council: "Council", case, change: str, entry) -> None:
    """React to a change of a case, inside the transaction that makes it.

    Called by the case engine (``core.cases``) at every change, before commit.
    ``change`` is ``"opened"``, ``"stage-entered"``, ``"stage-assigned"`` (taken
    or reassigned), ``"stage-closed"`` or ``"closed"``; ``entry`` is the ``StageEntry`` concerned (None for
    ``"opened"``). Add rows with ``db.session`` (the notification outbox does);
    never commit, send or enqueue here: the change may still roll back.
    """


# --- notifications ----------------------------------------------------------


@hookspec
def concord_register_transports() -> Iterable[tuple[str, object]]:
    """Return ``(name, factory)`` pairs of mail transports.

    Called once while the app is created. ``factory(config)`` returns an
    object with ``send(message)`` that raises ``core.notify.transports.TemporaryFailure``
    or ``PermanentFailure``. ``CONCORD_MAIL_TRANSPORT`` picks one by name;
    core registers ``smtp``, ``notify`` (GOV.UK Notify) and ``dev-outbox``.
    """


@hookspec(firstresult=True)
def concord_email_template(council: "Council", kind: str) -> str | None:
    """Return the template name (without ``.txt``/``.html``) for an email.

    Called each time a notification is rendered; stops at the first non-None
    result. Core's default (``email/<kind>``) runs last, so a council plugin
    overrides one kind by returning its own template for its council.
    """
