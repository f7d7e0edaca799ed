"""Rate limits on sign-in, the OIDC callback and API writes: fixed windows per client address.

flask-limiter cannot be installed from the offline package index. pyrate-limiter can, but it
is a leaky-bucket library that does not say when the next request will be allowed (needed for
``Retry-After``) and brings its own Redis layout; a fixed window is a few lines over Redis
``INCR``/``EXPIRE``, shared by every web process, or a dict in memory for one process.

Settings (checked at start; a number per ``second``, ``minute``, ``hour`` or ``day``, or ``off``)::

    CONCORD_RATE_LIMIT_SIGN_IN    30/minute   development sign-in (page and API) and SSO start
    CONCORD_RATE_LIMIT_CALLBACK   30/minute   the OIDC callback
    CONCORD_RATE_LIMIT_API_WRITE  120/minute  every POST to the JSON API
    CONCORD_RATELIMIT_STORAGE     redis://…   shared counters; default: the Redis broker in
                                              production, memory (one process) otherwise
    CONCORD_RATELIMIT_PREFIX      concord:ratelimit:
    CONCORD_TRUSTED_PROXIES       0           proxies in front of Concord whose X-Forwarded-For
                                              names the client (else every client is the proxy)

A council office behind one NAT address shares its limits, hence the generous defaults.
If Redis cannot be reached the request is let through and a warning logged: people raising a
child-protection concern matter more than counting.
"""
from __future__ import annotations

import math
import os
import re
import threading
import time
from dataclasses import dataclass

from flask import Flask, current_app, request
from werkzeug.exceptions import TooManyRequests
from werkzeug.middleware.proxy_fix import ProxyFix

from ..config import ConfigError

LIMITS = {  # bucket: (setting, default)
    "sign_in": ("CONCORD_RATE_LIMIT_SIGN_IN", "30/minute"),
    "callback": ("CONCORD_RATE_LIMIT_CALLBACK", "30/minute"),
    "api_write": ("CONCORD_RATE_LIMIT_API_WRITE", "120/minute"),
}
ENDPOINTS = {  # endpoint: (bucket, methods)
    "dev_sign_in.form": ("sign_in", {"POST"}),
    "dev_api.session_api": ("sign_in", {"POST"}),
    "sso.start": ("sign_in", {"GET"}),
    "sso.callback": ("callback", {"GET"}),
}
API_BLUEPRINTS = {"api", "council_api", "dev_api"}
PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
RULE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)s?\s*$")


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


def _setting(app: Flask, name: str, default=None):
    """``app.config`` (without the CONCORD_ prefix) first, then the environment."""
    key = name.removeprefix("CONCORD_")
    return app.config[key] if app.config.get(key) is not None else os.environ.get(name, default)


def parse(name: str, value: str) -> Limit | None:
    if str(value).strip().lower() == "off":
        return None
    match = RULE.match(str(value))
    if not match or int(match.group(1)) < 1:
        raise ConfigError(f"{name} must be a whole number of requests per second, minute, hour or day, "
                          f"for example 30/minute (or off), not {value!r}")
    return Limit(int(match.group(1)), PERIODS[match.group(2)])


class MemoryCounter:
    """Counts in this process only (development, tests)."""

    def __init__(self):
        self.counts, self.lock = {}, threading.Lock()

    def hit(self, key: str, ttl: int) -> int:
        now = time.time()
        with self.lock:
            if len(self.counts) > 10_000:
                self.counts = {k: v for k, v in self.counts.items() if v[1] > now}
            count, expires = self.counts.get(key, (0, now + ttl))
            self.counts[key] = (count + 1, expires)
            return count + 1


class RedisCounter:
    """Counts shared by every web process through Redis."""

    def __init__(self, url: str):
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)

    def hit(self, key: str, ttl: int) -> int:
        pipe = self.redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, ttl)
        return int(pipe.execute()[0])


class RateLimiter:
    def __init__(self, limits: dict[str, Limit | None], counter, prefix: str):
        self.limits, self.counter, self.prefix = limits, counter, prefix

    def check(self):
        bucket = self.bucket()
        limit = self.limits.get(bucket) if bucket else None
        if limit is None:
            return
        now = time.time()
        window = int(now // limit.seconds)
        key = f"{self.prefix}{bucket}:{request.remote_addr}:{limit.seconds}:{window}"
        try:
            count = self.counter.hit(key, limit.seconds + 1)
        except Exception as e:  # noqa: BLE001 - storage down: let people through, say so
            current_app.logger.warning("rate limit storage unavailable (%s): request let through", type(e).__name__)
            return
        if count > limit.count:
            raise TooManyRequests(retry_after=max(1, math.ceil((window + 1) * limit.seconds - now)))

    @staticmethod
    def bucket() -> str | None:
        found = ENDPOINTS.get(request.endpoint or "")
        if found and request.method in found[1]:
            return found[0]
        if request.method == "POST" and request.blueprint in API_BLUEPRINTS:
            return "api_write"
        return None


def storage_url(app: Flask) -> str | None:
    url = _setting(app, "CONCORD_RATELIMIT_STORAGE")
    if not url and app.config.get("CONCORD_ENV") == "production":
        broker = app.config.get("BROKER_URL") or ""
        url = broker if broker.startswith(("redis://", "rediss://")) else None
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"CONCORD_RATELIMIT_STORAGE must be a redis:// URL, not {url.split(':')[0]}://…")
    return url or None


def init_app(app: Flask) -> None:
    limits = {bucket: parse(name, _setting(app, name, default)) for bucket, (name, default) in LIMITS.items()}
    hops = _setting(app, "CONCORD_TRUSTED_PROXIES", "0")
    try:
        hops = int(hops)
        if hops < 0:
            raise ValueError
    except ValueError:
        raise ConfigError(f"CONCORD_TRUSTED_PROXIES must be a whole number of proxies (0 or more), not {hops!r}") from None
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    url = storage_url(app)
    limiter = RateLimiter(limits, RedisCounter(url) if url else MemoryCounter(),
                          _setting(app, "CONCORD_RATELIMIT_PREFIX", "concord:ratelimit:"))
    app.extensions["concord.ratelimit"] = limiter
    app.before_request(limiter.check)
