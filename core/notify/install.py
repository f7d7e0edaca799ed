"""Wires notifications into the app: the configured transport and the queue."""
from __future__ import annotations

from core.config import ConfigError
from core.hookspecs import hookimpl
from core.notify import queue
from core.runtime import concord


def make_transport(app):
    name = app.config["MAIL_TRANSPORT"]
    factories = dict(pair for pairs in concord(app).pm.hook.concord_register_transports() for pair in pairs)
    if name not in factories:
        raise ConfigError(f"CONCORD_MAIL_TRANSPORT={name!r} is not a transport here; choose one of {', '.join(sorted(factories))}")
    return factories[name](app.config)


@hookimpl
def concord_init_app(app):
    app.extensions["concord.mail"] = make_transport(app)
    queue.init_app(app)
