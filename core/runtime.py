"""The running app's Concord state, and the one way to reach it.

``create_app`` builds a ``Concord`` and keeps it on ``app.extensions``; the
rest of core asks ``concord()`` for it (as flaskr's ``db.py`` owns
``get_db()``), and ``now()`` for the time on the app's clock. This module
imports nothing of core but the procedure model, so anything may import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from flask import Flask, current_app

if TYPE_CHECKING:
    import pluggy

    from core.hookspecs import SignInMethod
    from core.model.field_types import FieldTypes
    from core.model.procedures import Council

EXTENSION = "concord"


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass
class Concord:
    """What the app knows about its plugins, kept on ``app.extensions["concord"]``."""

    pm: pluggy.PluginManager
    councils: dict[str, Council]
    roles: dict[str, str]
    clock: Clock
    #: Every kind of question the plugins registered, by name (``concord_register_field_types``).
    field_types: FieldTypes
    #: Every kind of deadline the plugins registered (``concord_register_deadline_kinds``).
    deadline_kinds: tuple[type, ...]
    sign_in_methods: list[SignInMethod] = field(default_factory=list)


def concord(app: Flask | None = None) -> Concord:
    """The Concord state of ``app``, or of the current app."""
    state: Concord = (app or current_app).extensions[EXTENSION]
    return state


def now() -> datetime:
    """This moment on the app's clock (a fixed clock in tests)."""
    return concord().clock.now()
