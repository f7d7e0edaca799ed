"""For information: the instructions a submission costs the web process, Concord against the by-hand server.

Throughput on a shared 2-core machine moves by a tenth from one minute to the next, so a change worth
2% cannot be seen in ``submission.py``'s req/s. Instructions barely move: each server's WSGI app is called
in process (no gunicorn, no sockets but PostgreSQL's), under valgrind's callgrind with counting switched
on only around ``BENCH_INSTRUCTION_REQUESTS`` (20) requests after 30 warm-up ones. Two runs of one build
agree within 1% (10.89 and 10.96 million for Concord's submission). User-space instructions only: the
kernel's share and PostgreSQL's are not counted.

Prints, for the same POST as ``submission.py``: Concord's submission, the by-hand server's (Concord's five
statements and nothing around them), and Concord's signed-in request refused at once (the cost of the
request around a submission), each per request, and Concord's as a multiple of the by-hand server's.

To see what a change is worth, run it before and after. To see what a part of the request costs,
``BENCH_INSTRUCTION_PATCH=core.engine.outbox.plan`` makes that module attribute do nothing for the run
(the request may then do less than it should: a measurement, never a test).

Needs valgrind (Debian's package); without it, says so and prints nothing else.
"""
from __future__ import annotations

import importlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import SECRET_KEY, fresh_database  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_INSTRUCTION_REQUESTS", "20"))
WARM_UP = 30
SERVERS = ("concord", "by-hand", "refused")


def environ(path: str, body: bytes, cookie: str = "") -> dict:
    env = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
           "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
           "wsgi.url_scheme": "http", "wsgi.version": (1, 0), "wsgi.errors": sys.stderr, "wsgi.multithread": False,
           "wsgi.multiprocess": True, "wsgi.run_once": False, "REMOTE_ADDR": "127.0.0.1",
           "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)), "HTTP_HOST": "127.0.0.1:8000"}
    if cookie:
        env["HTTP_COOKIE"] = cookie
    return env


def call(app, env: dict, body: bytes) -> str:
    statuses = []
    response = app({**env, "wsgi.input": io.BytesIO(body)}, lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(response)
    getattr(response, "close", lambda: None)()
    return statuses[0]


def serve(which: str) -> None:
    """In the process valgrind runs: warm up ``which``, then count ``REQUESTS`` of its requests."""
    import gc

    from bench import submission

    path = f"/{submission.COUNCIL}/api/cases"
    if which == "by-hand":
        os.environ["BY_HAND"] = "statements"
        from bench import _by_hand_app

        app, env, body = _by_hand_app.create_app().wsgi_app, environ(path, submission.BODY), submission.BODY
    else:
        from core.app import create_app

        concord = create_app()
        signed_in = concord.test_client().post(f"/{submission.COUNCIL}/api/dev/session", json={
            "email": "teacher.demo@wdc.example.org", "role": "practitioner"})
        cookie = signed_in.headers["Set-Cookie"].split(";", 1)[0]
        body = submission.REFUSED if which == "refused" else submission.BODY
        app, env = concord.wsgi_app, environ(path, body, cookie)
    for spec in filter(None, os.environ.get("BENCH_INSTRUCTION_PATCH", "").split(",")):
        module, _, name = spec.rpartition(".")
        setattr(importlib.import_module(module), name, lambda *args, **kwargs: None)
    expected = "400" if which == "refused" else "201"
    for _ in range(WARM_UP):
        assert call(app, env, body).startswith(expected)
    gc.collect()
    gc.freeze()  # as gunicorn.conf.py does
    counting = ["callgrind_control", "--instr=on", str(os.getpid())]
    subprocess.run(counting, check=True, capture_output=True)
    for _ in range(REQUESTS):
        call(app, env, body)
    subprocess.run([*counting[:1], "--instr=off", str(os.getpid())], check=True, capture_output=True)


def counted(which: str, url: str, instance: str) -> int:
    """Instructions per request of ``which``, from a callgrind run of ``serve``."""
    with tempfile.TemporaryDirectory() as out:
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}/callgrind.out",
             sys.executable, __file__, "--serve", which],
            env={**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "CONCORD_ENV": "development",
                 "CONCORD_INSTANCE": instance, "CONCORD_DEV_SIGN_IN": "on", "CONCORD_RATE_LIMIT_API_WRITE": "off"},
            capture_output=True, text=True)
        if run.returncode != 0:
            raise RuntimeError(f"{which} under callgrind exited with {run.returncode}: {run.stderr[-2000:]}")
        total = sum(_instructions(path.read_text()) for path in Path(out).iterdir())
    return total // REQUESTS


def _instructions(dump: str) -> int:
    """A callgrind dump's count: its ``totals:`` line, or its ``summary:`` line where it has none. A dump
    holds both, the summary of a run started with counting off being 0: adding both would count twice
    wherever valgrind writes the same number in each."""
    counts = dict(line.split(":", 1) for line in dump.splitlines() if line.startswith(("summary:", "totals:")))
    return int(counts.get("totals", counts.get("summary", "0")).split()[0])


def main() -> None:
    if not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        print("instructions: valgrind is not installed (Debian: apt install valgrind); nothing measured")
        return
    from bench import submission

    with fresh_database("instructions") as url, tempfile.TemporaryDirectory() as instance:
        submission.prepare(url)
        per_request = {which: counted(which, url, instance) for which in SERVERS}
    for which, instructions in per_request.items():
        print(f"for information: instructions a request, {which}: {instructions / 1e6:.2f} million")
    print(f"for information: concord's submission costs {per_request['concord'] / per_request['by-hand']:.2f} times "
          "the by-hand server's instructions " + json.dumps({k: round(v / 1e6, 2) for k, v in per_request.items()}))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2])
    else:
        main()
