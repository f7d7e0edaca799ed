"""Builds the plugin manager: core defaults first, then installed councils."""
from __future__ import annotations

import importlib

import pluggy

from . import hookspecs
from .procedures import Council, InvalidCouncil, check_all

ENTRY_POINT_GROUP = "concord.councils"

# Core behaviour, registered exactly like a third-party plugin.
DEFAULT_PLUGINS = (
    "core.defaults.roles",
    "core.defaults.dev_sign_in",
    "core.auth.oidc",
    "core.notify.outbox",
    "core.overdue",
    "core.notify.render",
    "core.notify.transports",
    "core.notify.plugin",
    "core.learning",
    "core.report_months",
)


def make_plugin_manager(extra_plugins=(), entry_points: bool = True) -> pluggy.PluginManager:
    pm = pluggy.PluginManager("concord")
    pm.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    if entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
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
