"""Start-up: ``create_app()`` against a bare Flask + Flask-SQLAlchemy app, each in a fresh interpreter.

Each side runs ``BENCH_STARTUP_RUNS`` (9) times, alternating, in a new
``python`` process that times its imports and app creation (interpreter start
itself is left out, it is the same for both), both configured for PostgreSQL
as in production (the engine is created, nothing connects); the figure is the
ratio of the medians. Prints ``RATIO startup <Concord / floor> goal<=2.0``.

Then, in the same turns, Concord with 400 councils against Concord with the five installed ones: the
other 395 generated in the process as plugins (copies of core's test council, Testshire, each with a
slug and reference prefix of its own), so what grows with the number of councils shows up. Prints
``RATIO startup-400-councils`` (time, goal <= 1.5) and ``RATIO rss-400-councils`` (the process's
resident memory once the app is made, goal <= 1.2).
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT, SECRET_KEY, figure  # noqa: E402

RUNS = int(os.environ.get("BENCH_STARTUP_RUNS", "9"))

CONCORD = """
import time
start = time.perf_counter()
from core.app import create_app
create_app()
print(time.perf_counter() - start)
"""

# The five installed councils and 395 generated ones; prints the time, then the resident memory in KiB.
COUNCILS = """
import dataclasses, resource, time
start = time.perf_counter()
from core.app import create_app
from core.plugin import CouncilPlugin
from core.testing_council import CONTACTS, TESTSHIRE
plugins = [CouncilPlugin(dataclasses.replace(TESTSHIRE, slug=f"generated{i}", name=f"Generated Council {i}",
                                             reference_prefix=f"G{i}"), contacts=CONTACTS) for i in range(EXTRA)]
create_app({"PLUGINS": plugins})
print(time.perf_counter() - start)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
GENERATED = 395  # with the five installed councils, 400

FLOOR = """
import os, time
start = time.perf_counter()
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
db = SQLAlchemy()
app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
db.init_app(app)
print(time.perf_counter() - start)
"""


def once(code: str, env: dict) -> float:
    return run(code, env)[-1]


def run(code: str, env: dict) -> list[float]:
    """The numbers a fresh interpreter running ``code`` printed, one a line."""
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=str(ROOT), capture_output=True, text=True, check=True)
    return [float(line) for line in out.stdout.strip().splitlines()[-2:]]


def councils(env: dict) -> list[str]:
    """Concord with 400 councils against five, in turns: time and peak resident memory, medians."""
    few, many = COUNCILS.replace("EXTRA", "0"), COUNCILS.replace("EXTRA", str(GENERATED))
    run(few, env)
    run(many, env)  # bytecode and page cache warm for both
    five, four_hundred = [], []
    for _ in range(RUNS):
        five.append(run(few, env))
        four_hundred.append(run(many, env))
    (time5, rss5), (time400, rss400) = ([statistics.median(r[i] for r in runs) for i in (0, 1)]
                                        for runs in (five, four_hundred))
    print(f"startup: create_app() with 5 councils {time5 * 1000:.0f} ms, {rss5 / 1024:.0f} MiB resident; with 400 "
          f"{time400 * 1000:.0f} ms, {rss400 / 1024:.0f} MiB (medians of {RUNS})")
    return [figure("RATIO", "startup-400-councils", time400 / time5, "<=1.5"),
            figure("RATIO", "rss-400-councils", rss400 / rss5, "<=1.2")]


def main() -> list[str]:
    with tempfile.TemporaryDirectory() as instance:
        env = {**os.environ, "CONCORD_INSTANCE": instance, "CONCORD_ENV": "development", "SECRET_KEY": SECRET_KEY}
        # The warm-up run writes bytecode, as the Docker image compiles it at build: without this a shell with
        # PYTHONDONTWRITEBYTECODE would time Concord compiling its own source on every run (the floor's
        # packages come compiled from pip).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        # Production's database for both (the engine is made, nothing connects).
        env["DATABASE_URL"] = "postgresql+psycopg://concord@127.0.0.1:5432/concord"
        once(CONCORD, env)  # bytecode compiled, page cache warm, for both sides
        once(FLOOR, env)
        ours, floor = [], []
        for _ in range(RUNS):
            ours.append(once(CONCORD, env))
            floor.append(once(FLOOR, env))
        ours_ms, floor_ms = statistics.median(ours) * 1000, statistics.median(floor) * 1000
        print(f"startup: create_app() {ours_ms:.0f} ms, bare Flask + Flask-SQLAlchemy {floor_ms:.0f} ms "
              f"(medians of {RUNS})")
        return [figure("RATIO", "startup", ours_ms / floor_ms, "<=2.0"), *councils(env)]


if __name__ == "__main__":
    main()
