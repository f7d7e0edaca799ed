"""For whoever runs Concord: ``/healthz``, ``/readyz`` and Prometheus ``/metrics``.

``/healthz`` says the process answers (for restarts); ``/readyz`` says it can
do its job (for load balancers): the database answers, the broker answers, the
session store answers and the schema is at the migrations' head, else 503
naming the failed check.

``/metrics`` is off unless ``CONCORD_METRICS=on`` or ``CONCORD_METRICS_TOKEN``
is set; with a token, a scraper must send ``Authorization: Bearer <token>``.
Request counts are per process; under gunicorn set ``PROMETHEUS_MULTIPROC_DIR``
(gunicorn.conf.py then sums the workers). Outbox and deadline figures are read
from the database at each scrape, so they are the same whichever process answers.
"""
from __future__ import annotations

import hmac
import os
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, jsonify, request
from sqlalchemy import func, select, text

from core.model.clock import local_date
from core.model.records import Case, ScheduledNotification, StageEntry, db
from core.runtime import now

bp = Blueprint("ops", __name__)
MIGRATIONS = Path(__file__).parents[1] / "migrations"
CHECK_TIMEOUT = 2  # seconds: a readiness probe must answer before the balancer gives up

try:
    from prometheus_client import CollectorRegistry, Counter, generate_latest
    from prometheus_client.core import GaugeMetricFamily
    from prometheus_client.exposition import CONTENT_TYPE_LATEST
except ImportError:  # the production extra is not installed: no metrics, the rest works
    CollectorRegistry = None  # type: ignore[assignment,misc]

if CollectorRegistry is not None:
    HTTP = CollectorRegistry(auto_describe=True)
    REQUESTS = Counter("concord_http_requests", "HTTP requests answered, by endpoint and status",
                       ("endpoint", "method", "status"), registry=HTTP)


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    checks = {"database": _check_database, "migrations": _check_migrations, "broker": _check_broker,
              "sessions": _check_sessions}
    results, failed = {}, []
    for name, check in checks.items():
        try:
            results[name] = check() or "ok"
        except Exception as e:  # any failure is an answer here, never a 500
            db.session.rollback()
            results[name] = f"failed: {type(e).__name__}"
            failed.append(name)
    body: dict[str, object] = {"status": "not ready" if failed else "ready", "checks": results}
    if failed:
        body["failed"] = failed
    return jsonify(body), 503 if failed else 200


def _check_database():
    db.session.execute(text("SELECT 1"))
    db.session.rollback()


def _check_migrations():
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = current_app.extensions.get("concord.migration_heads")
    if heads is None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        heads = current_app.extensions["concord.migration_heads"] = set(ScriptDirectory.from_config(config).get_heads())
    with db.engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    if current != heads:
        raise MigrationsBehind(f"database at {sorted(current) or 'nothing'}, code at {sorted(heads)}")


class MigrationsBehind(Exception):
    pass


def _check_broker():
    url = current_app.config.get("BROKER_URL")
    if not url:
        return "ok (in-process stub broker)"
    if url.startswith(("redis://", "rediss://")):
        import redis

        client = current_app.extensions.get("concord.readyz_redis")
        if client is None:
            client = redis.Redis.from_url(url, socket_connect_timeout=CHECK_TIMEOUT, socket_timeout=CHECK_TIMEOUT)
            current_app.extensions["concord.readyz_redis"] = client
        client.ping()
        return None
    import pika

    parameters = pika.URLParameters(url)
    parameters.socket_timeout = parameters.blocked_connection_timeout = CHECK_TIMEOUT
    parameters.connection_attempts, parameters.retry_delay = 1, 0
    pika.BlockingConnection(parameters).close()
    return None


def _check_sessions():
    """The session store: Redis answers PING (within the check's timeout), or the session folder is writable."""
    interface = current_app.session_interface
    client = getattr(interface, "client", None)
    if client is not None and hasattr(client, "connection_pool"):
        import redis

        probes = current_app.extensions.setdefault("concord.readyz_sessions", {})
        probe = probes.get(id(client))
        if probe is None:
            pool = client.connection_pool  # the store's address and credentials, with the check's timeouts
            kwargs = {**pool.connection_kwargs, "socket_timeout": CHECK_TIMEOUT, "socket_connect_timeout": CHECK_TIMEOUT}
            probe = probes[id(client)] = redis.Redis(
                connection_pool=redis.ConnectionPool(connection_class=pool.connection_class, **kwargs))
        probe.ping()
        return None
    cache = getattr(interface, "cache", None)
    folder = getattr(cache, "_path", None)
    if folder is not None:
        if not os.access(folder, os.W_OK):
            raise PermissionError("the session folder cannot be written")
        return "ok (files)"
    return None


@bp.get("/metrics")
def metrics():
    config = current_app.config
    token = config.get("METRICS_TOKEN")
    if not (config.get("METRICS") or token) or CollectorRegistry is None:
        abort(404)
    if token:
        sent = request.headers.get("Authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            return Response("A bearer token is needed\n", 401, {"WWW-Authenticate": 'Bearer realm="metrics"'})
    figures = CollectorRegistry(auto_describe=True)
    figures.register(DatabaseFigures())
    body = _http_metrics() + generate_latest(figures)
    return Response(body, 200, {"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})


def _http_metrics() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(HTTP)


class DatabaseFigures:
    """Outbox depth by state, messages waiting to be retried, overdue open stages: per council."""

    def collect(self):
        councils = sorted(current_app.extensions["concord"].councils)
        outbox = GaugeMetricFamily("concord_outbox_messages",
                                   "Outbox rows by council and state (sent rows are kept CONCORD_SENT_MAIL_DAYS)",
                                   labels=("council", "state"))
        counts = {(council, state): 0 for council in councils for state in ("pending", "sent", "failed", "cancelled")}
        for council, state, count in db.session.execute(
                select(ScheduledNotification.council, ScheduledNotification.state, func.count())
                .group_by(ScheduledNotification.council, ScheduledNotification.state)):
            counts[council, state] = count
        for (council, state), count in sorted(counts.items()):
            outbox.add_metric((council, state), count)
        yield outbox

        retrying = GaugeMetricFamily("concord_outbox_retrying",
                                     "Pending messages that failed at least once and wait to be retried",
                                     labels=("council",))
        waiting = dict(db.session.execute(
            select(ScheduledNotification.council, func.count())
            .where(ScheduledNotification.state == "pending", ScheduledNotification.attempts > 0)
            .group_by(ScheduledNotification.council)).all())
        for council in councils:
            retrying.add_metric((council,), waiting.get(council, 0))
        yield retrying

        overdue = GaugeMetricFamily("concord_overdue_stages", "Open stages past their due date",
                                    labels=("council",))
        late = dict(db.session.execute(
            select(Case.council, func.count())
            .join(StageEntry, StageEntry.case_id == Case.id)
            .where(Case.status == "open", StageEntry.closed_at.is_(None), StageEntry.due_on < local_date(now()))
            .group_by(Case.council)).all())
        for council in councils:
            overdue.add_metric((council,), late.get(council, 0))
        yield overdue
        db.session.rollback()


def count_request(response):
    endpoint = request.url_rule.endpoint if request.url_rule is not None else "unmatched"
    REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
    return response


def init_app(app) -> None:
    app.register_blueprint(bp)
    if CollectorRegistry is not None:
        app.after_request(count_request)
