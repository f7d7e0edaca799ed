"""Submission throughput: ``POST /<council>/api/cases`` per second against its floor.

Both run under gunicorn (2 sync workers) on the same PostgreSQL, driven by
the same load generator from its own process (bench/_load.py, 8 connections
at a time), and take turns: twelve rounds of 2 s each (``BENCH_ROUNDS``,
``BENCH_SECONDS``), so a slow spell of the machine falls on both alike. Five rounds (10 s a server) were
too few on a shared 2-core machine: the shipped configuration, the same sync workers as the bench's own
plus an access log, read 5-12% slower than them in five runs of one evening, and level with them
(220 and 221 against 219 and 225 req/s) in turns of 40 s.
Concord is signed in once through the development sign-in API
and the session cookie reused; the floor (bench/_floor_app.py) is a bare
Flask + Flask-SQLAlchemy app inserting one row of the same size per POST.
Prints ``RATIO submission <Concord req/s / by-hand req/s> goal>=0.7`` (the by-hand server below, with
Concord's statements: the same work with no application around it), and ``RATIO submission-production``:
Concord the same way but under the shipped gunicorn.conf.py as it is (worker class, workers, threads,
access log: ``WEB_CONCURRENCY`` and ``CONCORD_WEB_THREADS`` from the environment), against the same by-hand server.

The figures' base serves Concord's own writes as hand-written SQL with no
sign-in, validation, plugins or ORM (bench/_by_hand_app.py), one statement at a
time; for information also as one chained statement, and the floor: how near the
floor the procedure's writes themselves can come on this machine. Each line says how much CPU a request cost
the app's processes and PostgreSQL's, which is where the ratio is decided on 2 cores.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from contextlib import ExitStack, contextmanager
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
SECONDS = float(os.environ.get("BENCH_SECONDS", "24"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "12"))
BY_HAND = ("statements", "one")
REFUSED_NAME = "refused"
PRODUCTION = "production"
BEFORE = "before"
LABELS = {"floor": "floor", "concord": "concord", PRODUCTION: "concord under the shipped gunicorn.conf.py", "statements": "by hand, Concord's 5 statements",
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
        from core.model.records import db
        from core.testing import seed_demo_directories

        seed_demo_directories(app)
        db.engine.dispose()
    os.environ["DATABASE_URL"] = url
    from bench import _floor_app

    floor = _floor_app.create_app()
    with floor.app_context():
        _floor_app.db.create_all()
        _floor_app.db.engine.dispose()


@contextmanager
def lock_waits(url: str):
    """Sample pg_stat_activity every 5 ms meanwhile: in how many samples a backend of this run's database
    was waiting for a lock (a row lock: the reference counter's, in practice). Fills the yielded dict."""
    from sqlalchemy import create_engine, text

    counts, stop = {"samples": 0, "waiting": 0}, threading.Event()
    engine = create_engine(url)

    def sample():
        with engine.connect() as conn:
            query = text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                         "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'")
            while not stop.is_set():
                counts["samples"] += 1
                counts["waiting"] += bool(conn.execute(query).scalar())
                conn.rollback()
                time.sleep(0.005)
    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        yield counts
    finally:
        stop.set()
        sampler.join()
        engine.dispose()


def interleaved(servers: dict[str, tuple[Server, bytes]], url: str) -> dict[str, dict]:
    """Load each server in turn, ``ROUNDS`` times for ``SECONDS / ROUNDS`` each.

    A slow spell of a shared machine then falls on every server alike, not on
    whichever happened to run in it. Each result has the CPU a request cost the
    server's processes and PostgreSQL's (/proc: the gunicorn process group, and
    the backends of this run's own database).
    """
    totals = {name: {"requests": 0, "served": 0, "statuses": Counter(), "app": 0.0, "database": 0.0, "samples": 0,
                     "waiting": 0} for name in servers}
    for _ in range(ROUNDS):
        for name, (server, request) in servers.items():
            # Read again after the turn: a worker's first connection opens a PostgreSQL backend during it.
            app_cpu, database_cpu = cpu_seconds(process_group(server.pgid)), cpu_seconds(database_backends(url))
            with lock_waits(url) as waits:
                result = load(server.port, request, SECONDS / ROUNDS, warmup=0.5)
            total = totals[name]
            total["app"] += cpu_used(app_cpu, cpu_seconds(process_group(server.pgid)))
            total["database"] += cpu_used(database_cpu, cpu_seconds(database_backends(url)))
            total["samples"] += waits["samples"]
            total["waiting"] += waits["waiting"]
            total["requests"] += result["requests"]
            total["served"] += result["served"]
            total["statuses"].update(result["statuses"])
    return {name: {"rps": t["requests"] / SECONDS, "statuses": dict(t["statuses"]),
                   "app_ms": t["app"] / t["served"] * 1000, "database_ms": t["database"] / t["served"] * 1000,
                   "lock_share": t["waiting"] / max(1, t["samples"])}
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
        production = running.enter_context(gunicorn("wsgi:app", {
            "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "CONCORD_ENV": "development", "CONCORD_INSTANCE": instance,
            "CONCORD_RATE_LIMIT_API_WRITE": "off"}, production=True))
        servers = {"floor": running.enter_context(gunicorn("bench._floor_app:app", {"DATABASE_URL": url})),
                   "concord": concord, PRODUCTION: production}
        # For choosing gunicorn.conf.py's defaults: BENCH_PRODUCTION_VARIANTS=2x4,4x1 serves the shipped
        # configuration with WEB_CONCURRENCY x CONCORD_WEB_THREADS each (1 thread: sync workers, else gthread), in turns
        # with the rest.
        for variant in filter(None, os.environ.get("BENCH_PRODUCTION_VARIANTS", "").split(",")):
            workers, threads = variant.split("x")
            LABELS[variant] = (f"concord under gunicorn.conf.py, {workers} sync workers" if threads == "1" else
                               f"concord under gunicorn.conf.py, {workers} workers x {threads} threads")
            servers[variant] = running.enter_context(gunicorn("wsgi:app", {
                "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "CONCORD_ENV": "development",
                "CONCORD_INSTANCE": instance, "CONCORD_RATE_LIMIT_API_WRITE": "off", "WEB_CONCURRENCY": workers,
                "CONCORD_WEB_THREADS": threads}, production=True))
        # For measuring a change against its base in the same turns: BENCH_SUBMISSION_BEFORE=<another checkout of
        # Concord with its own .venv> serves it too, as the bench serves Concord, on the same database (so the
        # two must share a schema).
        before = os.environ.get("BENCH_SUBMISSION_BEFORE")
        if before:
            servers[BEFORE] = running.enter_context(gunicorn("wsgi:app", {
                "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "CONCORD_ENV": "development", "CONCORD_INSTANCE": instance,
                "CONCORD_DEV_SIGN_IN": "on", "CONCORD_RATE_LIMIT_API_WRITE": "off"},
                cwd=Path(before), bin_dir=Path(before) / ".venv" / "bin"))
            LABELS[BEFORE] = f"concord as in {before}"
        for how in BY_HAND:
            servers[how] = running.enter_context(gunicorn("bench._by_hand_app:app", {"DATABASE_URL": url, "BY_HAND": how}))
        requests = {name: (server, request_bytes(server.port, "" if name == "floor" or name in BY_HAND else cookie))
                    for name, server in servers.items()}
        requests[REFUSED_NAME] = (concord, request_bytes(concord.port, cookie, REFUSED))
        results = interleaved(requests, url)
    base = results["floor"]
    for name, result in results.items():
        print(f"submission {LABELS[name]}: {result['rps']:.0f} req/s ({result['rps'] / base['rps']:.2f}x the floor); "
              f"CPU per request {result['app_ms']:.1f} ms in the app, {result['database_ms']:.1f} ms in PostgreSQL; "
              f"a backend waiting for a lock in {result['lock_share']:.0%} of samples; "
              f"statuses {result['statuses']}")
    for name, result in results.items():
        assert set(result["statuses"]) == ({"400"} if name == REFUSED_NAME else {"201"}), (name, result)
    # The figures are against the same writes done by hand (Concord's statements, no ORM, sign-in or
    # validation), served and measured in the same turns: what is left is the application's own cost.
    by_hand = results["statements"]["rps"]
    if BEFORE in results:
        print(f"for information: concord {results['concord']['rps'] / results[BEFORE]['rps']:.2f}x "
              f"{LABELS[BEFORE]} (same turns)")
    sync = results["concord"]["rps"] / by_hand
    # The shipped configuration's goal: no slower than the bench's own sync workers, measured in the same turns.
    return [figure("RATIO", "submission", sync, ">=0.7"),
            figure("RATIO", "submission-production", results[PRODUCTION]["rps"] / by_hand, f">={sync:.2f}")]


if __name__ == "__main__":
    main()
