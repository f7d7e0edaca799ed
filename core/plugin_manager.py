"""Builds the plugin manager: core defaults first, then installed councils."""
from __future__ import annotations

import importlib
from collections.abc import Iterable
from importlib.metadata import EntryPoint, entry_points

import pluggy

from core import hookspecs
from core.model.procedures import Council, InvalidCouncil, check_all

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


class DuplicateCouncil(InvalidCouncil):
    pass


def collect_councils(pm: pluggy.PluginManager) -> dict[str, Council]:
    """Every installed council, each checked (``procedures.check``) before the app starts."""
    contributed = [council for councils in pm.hook.concord_register_councils() for council in councils]
    slugs = [council.slug for council in contributed]
    for slug in slugs:
        if slugs.count(slug) > 1:
            raise DuplicateCouncil(f"council {slug!r} is registered twice")
    check_all(contributed)
    return dict(sorted((council.slug, council) for council in contributed))
