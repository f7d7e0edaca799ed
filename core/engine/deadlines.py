"""Core's own kinds of deadline, registered like any plugin's (``concord_register_deadline_kinds``).

The kinds themselves are data of the procedure model (``core.model.procedures``); registering them here
is what lets ``check`` refuse a council whose deadline is of a kind no installed plugin provides.
"""
from __future__ import annotations

from core.hookspecs import hookimpl
from core.model.deadlines import CORE_DEADLINE_KINDS


@hookimpl
def concord_register_deadline_kinds() -> list[type]:
    return list(CORE_DEADLINE_KINDS)
