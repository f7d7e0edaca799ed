"""Builds the plugin manager: core defaults first, then installed councils."""
from __future__ import annotations

import importlib

import pluggy

from . import hookspecs
from .procedures import Council

ENTRY_POINT_GROUP = "concord.councils"

# Core behaviour, registered exactly like a third-party plugin.
DEFAULT_PLUGINS = (
    "core.defaults.roles",
    "core.defaults.dev_sign_in",
    "core.auth.oidc",
    "core.notify.outbox",
    "core.notify.render",
    "core.notify.transports",
    "core.notify.plugin",
    "core.learning",
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


class DuplicateCouncil(ValueError):
    pass


def collect_councils(pm: pluggy.PluginManager) -> dict[str, Council]:
    councils: dict[str, Council] = {}
    for contributed in pm.hook.concord_register_councils():
        for council in contributed:
            if council.slug in councils:
                raise DuplicateCouncil(f"council {council.slug!r} is registered twice")
            councils[council.slug] = council
    return dict(sorted(councils.items()))
