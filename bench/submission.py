"""Submission throughput: ``POST /<council>/api/cases`` per second against its floor.

Both run under gunicorn (2 sync workers) on the same PostgreSQL, driven by
the same load generator from its own process (bench/_load.py, 8 connections
at a time), and take turns: five rounds of 2 s each (``BENCH_ROUNDS``,
``BENCH_SECONDS``), so a slow spell of the machine falls on both alike.
Concord is signed in once through the development sign-in API
and the session cookie reused; the floor (bench/_floor_app.py) is a bare
Flask + Flask-SQLAlchemy app inserting one row of the same size per POST.
Prints ``RATIO submission <Concord req/s / floor req/s> goal>=0.7``.

For information it also serves Concord's own writes as hand-written SQL with no
sign-in, validation, plugins or ORM (bench/_by_hand_app.py), one statement at a
time and as one chained statement: how near the floor the procedure's writes
themselves can come on this machine. Each line says how much CPU a request cost
the app's processes and PostgreSQL's, which is where the ratio is decided on 2 cores.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import urllib.request
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    SECRET_KEY,
    Server,
    cpu_seconds,
    cpu_used,
    database_backends,
    figure,
    fresh_database,
    gunicorn,
    load,
    migrated_app,
    process_group,
)

COUNCIL = "westdunbartonshire"
BODY = json.dumps({"process": "escalation", "answers": {
    "agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Area team",
    "decision": "Closed.", "disagreement": "New concerns.", "tried": "Talked."}}).encode()
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
BY_HAND = ("statements", "one")
REFUSED_NAME = "refused"
LABELS = {"floor": "floor", "concord": "concord", "statements": "by hand, Concord's 11 statements",
          "one": "by hand, one statement", REFUSED_NAME: "concord, signed in but refused at once (for information)"}


# For information, not the figure: the same signed-in POST refused at once (no such process), so the
# run shows what signing in and the request checks cost before any case is opened.
REFUSED = json.dumps({"process": "none"}).encode()


def request_bytes(port: int, cookie: str = "", body: bytes = BODY) -> bytes:
    head = (f"POST /{COUNCIL}/api/cases HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n")
    if cookie:
        head += f"Cookie: {cookie}\r\n"
    return head.encode() + b"\r\n" + body


def sign_in(port: int) -> str:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/{COUNCIL}/api/dev/session", method="POST",
        data=json.dumps({"email": "teacher.demo@wdc.example.org", "role": "practitioner"}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as response:
        return response.headers["Set-Cookie"].split(";", 1)[0]


def prepare(url: str) -> None:
    """Concord's schema by its migrations and the demo directories, and the floor's one table."""
    app = migrated_app(url)
    with app.app_context():
        from core.models import db
        from core.testing import seed_demo_directories

        seed_demo_directories(app)
        db.engine.dispose()
    os.environ["DATABASE_URL"] = url
    from bench import _floor_app

    floor = _floor_app.create_app()
    with floor.app_context():
        _floor_app.db.create_all()
        _floor_app.db.engine.dispose()


def interleaved(servers: dict[str, tuple[Server, bytes]], url: str) -> dict[str, dict]:
    """Load each server in turn, ``ROUNDS`` times for ``SECONDS / ROUNDS`` each.

    A slow spell of a shared machine then falls on every server alike, not on
    whichever happened to run in it. Each result has the CPU a request cost the
    server's processes and PostgreSQL's (/proc: the gunicorn process group, and
    the backends of this run's own database).
    """
    totals = {name: {"requests": 0, "served": 0, "statuses": Counter(), "app": 0.0, "database": 0.0} for name in servers}
    for _ in range(ROUNDS):
        for name, (server, request) in servers.items():
            # Read again after the turn: a worker's first connection opens a PostgreSQL backend during it.
            app_cpu, database_cpu = cpu_seconds(process_group(server.pgid)), cpu_seconds(database_backends(url))
            result = load(server.port, request, SECONDS / ROUNDS, warmup=0.5)
            total = totals[name]
            total["app"] += cpu_used(app_cpu, cpu_seconds(process_group(server.pgid)))
            total["database"] += cpu_used(database_cpu, cpu_seconds(database_backends(url)))
            total["requests"] += result["requests"]
            total["served"] += result["served"]
            total["statuses"].update(result["statuses"])
    return {name: {"rps": t["requests"] / SECONDS, "statuses": dict(t["statuses"]),
                   "app_ms": t["app"] / t["served"] * 1000, "database_ms": t["database"] / t["served"] * 1000}
            for name, t in totals.items()}


def main() -> list[str]:
    with fresh_database("submission") as url, tempfile.TemporaryDirectory() as instance, ExitStack() as running:
        prepare(url)
        # One client address sends every request, standing for many offices: the per-address limit on
        # API writes (CONCORD_RATE_LIMIT_API_WRITE) is off, or it would be measuring the limiter.
        concord = running.enter_context(gunicorn("wsgi:app", {
            "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "CONCORD_ENV": "development", "CONCORD_INSTANCE": instance,
            "CONCORD_DEV_SIGN_IN": "on",
            "CONCORD_RATE_LIMIT_API_WRITE": "off"}))
        cookie = sign_in(concord.port)  # the demo teacher: the by-hand servers read that user's row
        servers = {"floor": running.enter_context(gunicorn("bench._floor_app:app", {"DATABASE_URL": url})),
                   "concord": concord}
        for how in BY_HAND:
            servers[how] = running.enter_context(gunicorn("bench._by_hand_app:app", {"DATABASE_URL": url, "BY_HAND": how}))
        requests = {name: (server, request_bytes(server.port, cookie if name == "concord" else "")) for name, server in
                    servers.items()}
        requests[REFUSED_NAME] = (concord, request_bytes(concord.port, cookie, REFUSED))
        results = interleaved(requests, url)
    base = results["floor"]
    for name, result in results.items():
        print(f"submission {LABELS[name]}: {result['rps']:.0f} req/s ({result['rps'] / base['rps']:.2f}x the floor); "
              f"CPU per request {result['app_ms']:.1f} ms in the app, {result['database_ms']:.1f} ms in PostgreSQL; "
              f"statuses {result['statuses']}")
    for name, result in results.items():
        assert set(result["statuses"]) == ({"400"} if name == REFUSED_NAME else {"201"}), (name, result)
    ours = results["concord"]
    return [figure("RATIO", "submission", ours["rps"] / base["rps"], ">=0.7")]


if __name__ == "__main__":
    main()
