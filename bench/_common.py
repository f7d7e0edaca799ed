"""What the benchmarks share: a database of their own, free ports, gunicorn, a load generator.

Nothing here touches a shared service's data: each run creates and drops its
own PostgreSQL database, and starts its own redis-server on a free port.
"""
from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("CONCORD_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BIN = Path(sys.executable).parent
SECRET_KEY = "bench-secret-" * 4  # start-up refuses short keys


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def fresh_database(prefix: str = "bench"):
    """A PostgreSQL database of this run's own, dropped afterwards: yields its URL."""
    from sqlalchemy import create_engine, text

    name = f"concord_{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrated_app(url: str, **config):
    """Concord on ``url`` with the schema built by the real migrations."""
    from flask_migrate import upgrade

    from core.app import create_app
    from core.model.clock import SystemClock

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "CONCORD_ENV": "development",
                      "CLOCK": SystemClock(), **config})
    with app.app_context():
        upgrade()
    return app


@contextmanager
def redis_server():
    """A redis-server of our own on a free port: yields its URL (never a shared database)."""
    import redis

    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                redis.Redis(port=port).ping()
                break
            except Exception:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait()


class Server(NamedTuple):
    port: int
    pgid: int  # gunicorn's master leads a process group of its own, with its workers in it


@contextmanager
def gunicorn(app_spec: str, env: dict, workers: int = 2, cwd: Path = ROOT, production: bool = False,
             bin_dir: Path | None = None):
    """``gunicorn`` with sync workers on a free port: yields its ``Server`` once it answers.

    Concord and its floor get the same settings (bench/_gunicorn_conf.py: what gunicorn.conf.py
    does for speed — the app loaded in the master, ``gc.freeze()``, connections dropped at fork —
    without its access log, which would cost both the same). With ``production``, the shipped
    gunicorn.conf.py instead, as it is (its worker class, workers and threads, access log and all):
    only the address is given. ``cwd`` and ``bin_dir`` (its virtual environment's ``bin``) serve another
    checkout of Concord.
    """
    port = free_port()
    settings = (["--config", str(cwd / "gunicorn.conf.py")] if production else
                ["--config", str(ROOT / "bench" / "_gunicorn_conf.py"), "--workers", str(workers),
                 "--worker-class", "sync", "--log-level", "warning"])
    process = subprocess.Popen(
        [str((bin_dir or BIN) / "gunicorn"), *settings, "--bind", f"127.0.0.1:{port}", app_spec],
        env={**os.environ, **env}, cwd=str(cwd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL if production
        else None, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn {app_spec} exited with {process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.1)
        time.sleep(1.0)  # every worker booted
        yield Server(port, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _stat(pid) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command's name, or None when the process has ended."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):  # ended before, or between opening and reading
        return None


def cpu_seconds(pids) -> dict[int, float]:
    """Per process, the user and system CPU seconds used so far (Linux ``/proc``); ended ones left out."""
    tick = os.sysconf("SC_CLK_TCK")
    return {pid: (int(f[11]) + int(f[12])) / tick for pid in pids if (f := _stat(pid)) is not None}


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two ``cpu_seconds``: a process that started meanwhile counts whole."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def process_group(pgid: int) -> list[int]:
    """The processes of a process group: a gunicorn master started by ``gunicorn()`` and its workers."""
    return [int(d.name) for d in Path("/proc").iterdir()
            if d.name.isdigit() and (f := _stat(d.name)) is not None and int(f[2]) == pgid]


def database_backends(url: str) -> list[int]:
    """The PostgreSQL server processes connected to this run's database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                          "AND pid <> pg_backend_pid()")))
    finally:
        engine.dispose()


def load(port: int, request: bytes, seconds: float, concurrency: int = 8, warmup: float = 1.0) -> dict:
    """Drive a server from a separate process (bench/_load.py): returns its JSON summary."""
    import json

    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "_load.py"), str(port), str(seconds), str(concurrency), str(warmup)],
        input=request, capture_output=True, check=True)
    return json.loads(out.stdout)


def p95_ms(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] * 1000


def figure(kind: str, name: str, value: float, goal: str) -> str:
    text = f"{value:.2f}" if kind in ("RATIO", "SECONDS") else f"{value:.0f}"
    line = f"{kind} {name} {text} goal{goal}"
    print(line, flush=True)
    return line

