"""Builds the plugin manager: core defaults first, then installed councils."""
from __future__ import annotations

import importlib
from collections.abc import Collection, Iterable
from importlib.metadata import EntryPoint, entry_points

import pluggy

from core import hookspecs
from core.hookspecs import hookimpl
from core.model.checks import InvalidCouncil, check_all
from core.model.deadlines import CORE_DEADLINE_KINDS
from core.model.field_types import FieldTypes
from core.model.procedures import FIELD_TYPES, Council

ENTRY_POINT_GROUP = "concord.councils"

# Core behaviour, registered exactly like a third-party plugin.
DEFAULT_PLUGINS = (
    "core.engine.access",
    "core.auth.dev_sign_in",
    "core.auth.oidc",
    "core.engine.outbox",
    "core.engine.overdue",
    "core.notify.render",
    "core.notify.transports",
    "core.notify.install",
    "core.engine.learning",
    "core.engine.report_months",
    "core.plugin_manager",  # core's own kinds of deadline, below
    "core.forms.field_types",
)


def installed_councils() -> dict[str, EntryPoint]:
    """The council plugins installed in this environment: entry points of ``concord.councils``, by name."""
    return {point.name: point for point in entry_points(group=ENTRY_POINT_GROUP)}


class CouncilNotInstalled(LookupError):
    """A council asked for by name (``LOAD_ENTRY_POINTS=[...]``) has no entry point installed."""


def make_plugin_manager(extra_plugins: Iterable[object] = (),
                        load_entry_points: bool | Iterable[str] = True) -> pluggy.PluginManager:
    """Core's default plugins, then installed councils, then ``extra_plugins``.

    ``load_entry_points`` (the ``LOAD_ENTRY_POINTS`` setting) is True for every installed council,
    False for none, or the names of the entry points to load, and no others: how tests stay
    hermetic whatever else is installed.
    """
    pm = pluggy.PluginManager("concord")
    pm.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    if load_entry_points is True:
        chosen = list(installed_councils().values())
    elif load_entry_points is False:
        chosen = []
    else:
        installed = installed_councils()
        wanted = list(dict.fromkeys(load_entry_points))
        missing = [name for name in wanted if name not in installed]
        if missing:
            raise CouncilNotInstalled(f"no council plugin installed as {', '.join(map(repr, missing))} "
                                      f"(entry points of {ENTRY_POINT_GROUP!r}: {', '.join(sorted(installed)) or 'none'})")
        chosen = [installed[name] for name in wanted]
    for point in chosen:
        if pm.get_plugin(point.name) is None:
            pm.register(point.load(), name=point.name)
    for plugin in extra_plugins:
        pm.register(plugin)
    pm.check_pending()
    return pm


@hookimpl
def concord_register_deadline_kinds() -> list[type]:
    """Core's own kinds of deadline, registered like any plugin's, so ``check`` can refuse a council whose
    deadline is of a kind no installed plugin provides."""
    return list(CORE_DEADLINE_KINDS)


class DuplicateCouncil(InvalidCouncil):
    pass


def collect_field_types(pm: pluggy.PluginManager) -> FieldTypes:
    """Every plugin's kinds of question, core's first: a later plugin's type of the same name replaces core's."""
    return FieldTypes(kind for kinds in reversed(pm.hook.concord_register_field_types()) for kind in kinds)


def collect_deadline_kinds(pm: pluggy.PluginManager) -> tuple[type, ...]:
    """Every plugin's kinds of deadline, core's first."""
    return tuple(kind for kinds in reversed(pm.hook.concord_register_deadline_kinds()) for kind in kinds)


def collect_councils(pm: pluggy.PluginManager, field_types: Collection[str] = FIELD_TYPES,
                     deadline_kinds: tuple[type, ...] = CORE_DEADLINE_KINDS) -> dict[str, Council]:
    """Every installed council, each checked (``core.model.checks.check``) before the app starts: its questions
    and deadlines must be of the ``field_types`` and ``deadline_kinds`` the plugins registered."""
    contributed = [council for councils in pm.hook.concord_register_councils() for council in councils]
    slugs = [council.slug for council in contributed]
    for slug in slugs:
        if slugs.count(slug) > 1:
            raise DuplicateCouncil(f"council {slug!r} is registered twice")
    check_all(contributed, field_types, deadline_kinds)
    return dict(sorted((council.slug, council) for council in contributed))
