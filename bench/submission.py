"""Submission throughput: ``POST /<council>/api/cases`` per second against its floor.

Both run under gunicorn (2 sync workers) on the same PostgreSQL, driven by
the same load generator from its own process (bench/_load.py, 8 connections
at a time). Concord is signed in once through the development sign-in API
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
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    SECRET_KEY,
    Server,
    cpu_seconds,
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


def concord(url: str) -> dict:
    app = migrated_app(url)
    with app.app_context():
        from core.models import db
        from core.testing import seed_demo_directories

        seed_demo_directories(app)
        db.engine.dispose()
    with tempfile.TemporaryDirectory() as instance:
        # One client address sends every request, standing for many offices: the per-address limit on
        # API writes (CONCORD_RATE_LIMIT_API_WRITE) is off, or it would be measuring the limiter.
        env = {"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "CONCORD_ENV": "development",
               "CONCORD_INSTANCE": instance, "CONCORD_RATE_LIMIT_API_WRITE": "off"}
        with gunicorn("wsgi:app", env) as server:
            cookie = sign_in(server.port)
            opened = measured_load(server, url, request_bytes(server.port, cookie))
            refused = load(server.port, request_bytes(server.port, cookie, REFUSED), SECONDS)
        print(f"submission concord, signed in but refused at once: {refused['rps']:.0f} req/s, "
              f"statuses {refused['statuses']} (for information)")
        return opened


def floor(url: str) -> dict:
    os.environ["DATABASE_URL"] = url
    from bench import _floor_app

    app = _floor_app.create_app()
    with app.app_context():
        _floor_app.db.create_all()
        _floor_app.db.engine.dispose()
    with gunicorn("bench._floor_app:app", {"DATABASE_URL": url}) as server:
        return measured_load(server, url, request_bytes(server.port))


def by_hand(url: str, how: str) -> dict:
    """Concord's writes as hand-written SQL with no application around them (bench/_by_hand_app.py)."""
    with gunicorn("bench._by_hand_app:app", {"DATABASE_URL": url, "BY_HAND": how}) as server:
        return measured_load(server, url, request_bytes(server.port))


def measured_load(server: Server, url: str, request: bytes) -> dict:
    """The load's result, with the CPU each request cost the app's processes and PostgreSQL's.

    Sampled from /proc over the counted seconds: the gunicorn master and workers, and the
    PostgreSQL backends of this run's own database. Shows where a figure's time goes.
    """
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(load, server.port, request, SECONDS)
        time.sleep(1.5)  # past the warm-up, every worker connected
        app, database = process_group(server.pgid), database_backends(url)
        began, app_cpu, database_cpu = time.monotonic(), cpu_seconds(app), cpu_seconds(database)
        time.sleep(SECONDS - 1.0)
        seconds = time.monotonic() - began
        app_cpu, database_cpu = cpu_seconds(app) - app_cpu, cpu_seconds(database) - database_cpu
        result = running.result()
    served = result["rps"] * seconds
    return {**result, "app_ms": app_cpu / served * 1000, "database_ms": database_cpu / served * 1000}


def main() -> list[str]:
    with fresh_database("submission") as url:
        base = floor(url)
        ours = concord(url)  # signs the demo teacher in: the by-hand runs read that user's row
        statements = by_hand(url, "statements")
        one = by_hand(url, "one")
    for name, result in (("floor", base), ("concord", ours), ("by hand, Concord's 11 statements", statements),
                         ("by hand, one statement", one)):
        print(f"submission {name}: {result['rps']:.0f} req/s ({result['rps'] / base['rps']:.2f}x the floor); CPU per request "
              f"{result['app_ms']:.1f} ms in the app, {result['database_ms']:.1f} ms in PostgreSQL; statuses {result['statuses']}")
        assert set(result["statuses"]) == {"201"}, result
    return [figure("RATIO", "submission", ours["rps"] / base["rps"], ">=0.7")]


if __name__ == "__main__":
    main()
