"""Start-up: ``create_app()`` against a bare Flask + Flask-SQLAlchemy app, each in a fresh interpreter.

Each side runs ``BENCH_STARTUP_RUNS`` (9) times, alternating, in a new
``python`` process that times its imports and app creation (interpreter start
itself is left out, it is the same for both), both configured for PostgreSQL
as in production (the engine is created, nothing connects); the figure is the
ratio of the medians. Prints ``RATIO startup <Concord / floor> goal<=2.0``.
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
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=str(ROOT), capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


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
    print(f"startup: create_app() {ours_ms:.0f} ms, bare Flask + Flask-SQLAlchemy {floor_ms:.0f} ms (medians of {RUNS})")
    return [figure("RATIO", "startup", ours_ms / floor_ms, "<=2.0")]


if __name__ == "__main__":
    main()
