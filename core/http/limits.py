"""Rate limits on sign-in, the OIDC callback and every write (pages' forms and the JSON API), per client address.

Flask-Limiter counts, in fixed windows: in Redis (shared by every web process) when configured,
or in this process's memory (the embedded default). Each bucket below is one of its application-wide
shared limits, scoped to the requests that belong to it, so every way of signing in draws on one
count and every form post on another, whichever page it comes from.

Settings (checked at start; a number per ``second``, ``minute``, ``hour`` or ``day``, or ``off``)::

    CONCORD_RATE_LIMIT_SIGN_IN     30/minute   development sign-in (page and API) and SSO start
    CONCORD_RATE_LIMIT_CALLBACK    30/minute   the OIDC callback
    CONCORD_RATE_LIMIT_API_WRITE   120/minute  every write to the JSON API
    CONCORD_RATE_LIMIT_FORM_WRITE  120/minute  every form posted on the pages (raising a case, a
                                               stage's record, the admin pages...); not signing out
    CONCORD_RATELIMIT_STORAGE      redis://…   shared counters; default: the Redis broker in
                                               production, memory (one process) otherwise
    CONCORD_RATELIMIT_PREFIX       concord:ratelimit:
    CONCORD_TRUSTED_PROXIES        0           proxies in front of Concord whose X-Forwarded-For
                                               names the client (else every client is the proxy)

A council office behind one NAT address shares its limits, hence the generous defaults.
Beyond a limit: ``429`` with ``Retry-After``, a GOV.UK page (or JSON under /api) saying to wait.
If Redis cannot be reached each process counts in its own memory until Redis is back, and a
warning is logged: people raising a child-protection concern matter more than exact counting.
"""
from __future__ import annotations

import math
import os
import time

from flask import Flask, request
from flask_limiter import ApplicationLimit, Limiter, RequestLimit
from flask_limiter.util import get_remote_address
from limits import parse_many
from werkzeug.middleware.proxy_fix import ProxyFix

from core.config import ConfigError

LIMITS = {  # bucket: (setting, default)
    "sign_in": ("CONCORD_RATE_LIMIT_SIGN_IN", "30/minute"),
    "callback": ("CONCORD_RATE_LIMIT_CALLBACK", "30/minute"),
    "api_write": ("CONCORD_RATE_LIMIT_API_WRITE", "120/minute"),
    "form_write": ("CONCORD_RATE_LIMIT_FORM_WRITE", "120/minute"),
}
ENDPOINTS = {  # endpoint: (bucket, methods)
    "dev_sign_in.form": ("sign_in", {"POST"}),
    "dev_api.session_api": ("sign_in", {"POST"}),
    "sso.start": ("sign_in", {"GET"}),
    "sso.callback": ("callback", {"GET"}),
}
# Signing out is never refused: someone on a shared computer must always be able to leave.
NEVER_LIMITED = {"signin.leave", "sso.provider_sign_out"}
READS = {"GET", "HEAD", "OPTIONS"}
PERIODS = ("second", "minute", "hour", "day")


def _setting(app: Flask, name: str, default=None):
    """``app.config`` (without the CONCORD_ prefix) first, then the environment."""
    key = name.removeprefix("CONCORD_")
    return app.config[key] if app.config.get(key) is not None else os.environ.get(name, default)


def parse(name: str, value: str) -> str | None:
    """A setting as Flask-Limiter's limit string, or None for ``off``; ConfigError naming it if unreadable."""
    value = str(value).strip()
    if value.lower() == "off":
        return None
    try:
        items = parse_many(value)
    except ValueError:
        items = []
    if not items or any(item.amount < 1 or item.GRANULARITY.name not in PERIODS for item in items):
        raise ConfigError(f"{name} must be a whole number of requests per second, minute, hour or day, "
                          f"for example 30/minute (or off), not {value!r}")
    return value


def bucket() -> str | None:
    """Which limit this request counts against, if any."""
    endpoint = request.endpoint or ""
    found = ENDPOINTS.get(endpoint)
    if found:
        return found[0] if request.method in found[1] else None
    if request.method in READS or endpoint in NEVER_LIMITED:
        return None
    api = request.path.startswith("/api/") or "/api/" in request.path  # as errors.py answers in JSON
    return "api_write" if api else "form_write"


def _not_in(name: str):
    """The ``exempt_when`` of bucket ``name``'s limit: requests of other buckets (or none) do not count."""
    return lambda: bucket() != name


def refused(limit: RequestLimit):
    """The 429 page (JSON under /api) with ``Retry-After``: when this window ends."""
    from core.http.errors import MESSAGES, render_error

    response, status = render_error(429, MESSAGES[429])
    response.status_code = status
    response.headers["Retry-After"] = str(max(1, math.ceil(limit.window[0] - time.time())))
    return response


def storage_url(app: Flask) -> str | None:
    url = _setting(app, "CONCORD_RATELIMIT_STORAGE")
    if not url and app.config.get("CONCORD_ENV") == "production":
        broker = app.config.get("BROKER_URL") or ""
        url = broker if broker.startswith(("redis://", "rediss://")) else None
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"CONCORD_RATELIMIT_STORAGE must be a redis:// URL, not {url.split(':')[0]}://…")
    return url or None


def trust_proxies(app: Flask) -> None:
    """Behind ``CONCORD_TRUSTED_PROXIES`` proxies, the client is the address they name in X-Forwarded-For."""
    hops = _setting(app, "CONCORD_TRUSTED_PROXIES", "0")
    try:
        hops = int(hops)
        if hops < 0:
            raise ValueError
    except ValueError:
        raise ConfigError(f"CONCORD_TRUSTED_PROXIES must be a whole number of proxies (0 or more), not {hops!r}") from None
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def init_app(app: Flask) -> Limiter:
    limits = {name: parse(setting, _setting(app, setting, default)) for name, (setting, default) in LIMITS.items()}
    trust_proxies(app)
    url = storage_url(app)
    prefix = _setting(app, "CONCORD_RATELIMIT_PREFIX", "concord:ratelimit:")
    options: dict[str, str | int] = {}
    if url:  # keys are <prefix>LIMITER/<address>/<bucket>/<count>/<1>/<period>
        url = "redis+" + url if url.startswith("unix://") else url
        options = {"key_prefix": prefix.rstrip(":"), "socket_timeout": 1, "socket_connect_timeout": 1}
    limiter = Limiter(
        get_remote_address,  # request.remote_addr, after ProxyFix when proxies are trusted
        application_limits=[
            ApplicationLimit(limit, scope=name, exempt_when=_not_in(name))
            for name, limit in limits.items() if limit],
        storage_uri=url or "memory://",
        storage_options=options,
        strategy="fixed-window",
        on_breach=refused,
        swallow_errors=True,  # a failed count lets the request through (logged)
        in_memory_fallback_enabled=True,  # Redis down: count in this process until it is back
    )
    # A request no limit counts (a read, signing out, a bucket that is off) skips the limiter's own work
    # of resolving every application limit's exemption: a tenth of a millisecond a request.
    limiter.request_filter(lambda: limits.get(bucket() or "") is None)
    limiter.init_app(app)
    app.extensions["concord.ratelimit"] = limiter
    return limiter
