"""Mail benchmarks, each a ratio measured in one run.

1. ``RATIO mail``: messages per second through the whole pipeline (outbox rows
   -> scheduler tick -> Redis -> Dramatiq worker processes -> SMTP, each row
   marked sent) against plain smtplib sending the same number of messages over
   one open connection. Both send to the same SMTP sink running in its own
   process; the pipeline's clock stops when the last row is marked sent.
   They take turns: ``BENCH_ROUNDS`` (5) rounds, each sending a share of the
   messages one way and then the other, so a slow spell of a shared machine
   falls on both alike. Goal >= 0.5.
2. ``RATIO sweep``: the scheduler's query for 1,000 due rows among 1,000,000
   outbox rows against among 10,000, each in a database of its own, timed in
   turns (medians of 31, after 3 warm-up runs of each). Goal <= 1.5.

Uses its own PostgreSQL database and its own redis-server on a free port.
"""
from __future__ import annotations

import os
import smtplib
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from bench._common import BIN, SECRET_KEY, figure, free_port, fresh_database, migrated_app, redis_server  # noqa: E402

MESSAGES = int(os.environ.get("BENCH_MESSAGES", "2000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
COUNCIL = "westdunbartonshire"


def start_sink() -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
                                "-l", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import socket

    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, port
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the SMTP sink did not start")


def plain_smtplib(port: int, messages: int) -> float:
    """Seconds to send ``messages`` over one open connection."""
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(messages):
            msg = EmailMessage()
            msg["From"], msg["To"], msg["Subject"] = "concord@example.org", f"p{i}@bench.example.org", "x"
            msg.set_content("Open the case.")
            smtp.send_message(msg)
    return time.perf_counter() - start


def seed_case(app) -> int:
    from core.model.records import ScheduledNotification, db
    from core.testing import seed_demo_directories

    with app.app_context():
        seed_demo_directories(app)
    client = app.test_client()
    client.post(f"/{COUNCIL}/api/dev/session", json={"email": "bench@wdc.example.org", "role": "practitioner"})
    client.post(f"/{COUNCIL}/api/cases", json={"process": "conference-dissent", "answers": {
        "conference_date": "2026-11-23", "chair_name": "C", "chair_email": "chair@wdc.example.org",
        "agency": "Health", "decision": "d", "reasons": "r"}})
    with app.app_context():
        case_id = db.session.scalar(select(ScheduledNotification.case_id))
        db.session.query(ScheduledNotification).delete()
        db.session.commit()
    return case_id


@contextmanager
def pipeline(url: str, smtp_port: int):
    """The whole pipeline, set up once (its database, Redis, worker processes): yields ``send(messages)``,
    which writes that many due outbox rows, ticks the scheduler and returns the seconds until all are sent."""
    from core.model.records import ScheduledNotification, db

    with redis_server() as broker_url:
        app = migrated_app(url, BROKER_URL=broker_url, MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1",
                           SMTP_PORT=smtp_port, DEV_SIGN_IN=True, CONCORD_ENV="development")
        case_id = seed_case(app)
        # Production shape: worker processes (one per core), started before the clock runs.
        env = {**os.environ, "DATABASE_URL": url, "CONCORD_BROKER_URL": broker_url, "CONCORD_MAIL_TRANSPORT": "smtp",
               "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port), "SECRET_KEY": SECRET_KEY,
               "CONCORD_ENV": "development"}
        workers = subprocess.Popen([str(BIN / "dramatiq"), "core.worker", "--processes", "2", "--threads", "4"],
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        engine = create_engine(url)
        written = 0

        def send(messages: int) -> float:
            nonlocal written
            due = datetime.now(UTC) - timedelta(seconds=1)
            with app.app_context():
                db.session.execute(ScheduledNotification.__table__.insert(), [
                    {"council": COUNCIL, "case_id": case_id, "kind": "acknowledgement",
                     "recipient": f"b{i}@bench.example.org", "dedupe_key": f"bench/{i}", "send_after": due,
                     "state": "pending", "attempts": 0, "created_at": due} for i in range(written, written + messages)])
                db.session.commit()
            written += messages
            return sent_within(app, engine, written)
        try:
            time.sleep(4)
            yield send
        finally:
            workers.terminate()
            workers.wait()
            engine.dispose()
            app.extensions["concord.queue"].broker.close()
        with app.app_context():
            states = dict(db.session.execute(select(ScheduledNotification.state, func.count())
                                             .group_by(ScheduledNotification.state)).all())
            db.engine.dispose()
        assert states == {"sent": written}, states


def sent_within(app, engine, total: int) -> float:
    """Tick the scheduler once and wait until ``total`` rows are marked sent: the seconds it took."""
    from core import scheduler
    from core.model.records import ScheduledNotification

    sent = select(func.count()).select_from(ScheduledNotification).where(ScheduledNotification.state == "sent")
    start = time.perf_counter()
    scheduler.tick(app)
    with engine.connect() as conn:
        while conn.execute(sent).scalar() < total and time.perf_counter() - start < 300:
            conn.commit()
            time.sleep(0.02)
    return time.perf_counter() - start


def mail_in_turns(url: str, port: int) -> tuple[float, float]:
    """Messages per second, plain smtplib and the pipeline, sending a share of ``MESSAGES`` each in turn."""
    share = MESSAGES // ROUNDS
    plain = ours = 0.0
    with pipeline(url, port) as send:
        for _ in range(ROUNDS):
            plain += plain_smtplib(port, share)
            ours += send(share)
    return share * ROUNDS / plain, share * ROUNDS / ours


def tick_once(app) -> float:
    """Seconds for one scheduler query of the due rows (1,000 of them)."""
    from core import scheduler

    with app.app_context():
        start = time.perf_counter()
        ids = scheduler.due_ids(limit=5000)
        elapsed = time.perf_counter() - start
    assert len(ids) == 1000, len(ids)
    return elapsed


def sweep_in_turns(small, large, runs=31) -> tuple[float, float]:
    """Median seconds of the due-row query on the two apps' databases, timed one after the other."""
    for _ in range(3):  # warm: plans cached, pages read
        tick_once(small)
        tick_once(large)
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        times[0].append(tick_once(small))
        times[1].append(tick_once(large))
    return statistics.median(times[0]), statistics.median(times[1])


def fill(url: str, total: int) -> None:
    """1,000 due rows and the rest due later, as open stages' future reminders are (in a fresh database)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("""
            INSERT INTO scheduled_notification
              (council, kind, recipient, dedupe_key, send_after, state, attempts, created_at)
            SELECT 'westdunbartonshire', 'reminder', 'r' || g || '@bench.example.org', 'bench/' || g,
                   CASE WHEN g <= 1000 THEN now() - interval '1 minute'
                        ELSE now() + (g % 30 + 1) * interval '1 day' END,
                   'pending', 0, now()
            FROM generate_series(1, :total) AS g"""), {"total": total})
        conn.execute(text("ANALYZE scheduled_notification"))
    engine.dispose()


def main() -> list[str]:
    sink, port = start_sink()
    try:
        with fresh_database("mail") as url:
            plain, ours = mail_in_turns(url, port)
            print(f"mail: plain smtplib {plain:,.0f} msg/s, Concord pipeline {ours:,.0f} msg/s "
                  f"({MESSAGES // ROUNDS * ROUNDS} messages each, in {ROUNDS} turns)")
        with fresh_database("sweep") as small_url, fresh_database("sweep") as large_url:
            small_app, large_app = migrated_app(small_url), migrated_app(large_url)
            fill(small_url, 10_000)
            fill(large_url, 1_000_000)
            small, large = sweep_in_turns(small_app, large_app)
            print(f"sweep: 1,000 due among 10,000 rows {small * 1000:.1f} ms, among 1,000,000 {large * 1000:.1f} ms")
            for app in (small_app, large_app):
                with app.app_context():
                    from core.model.records import db

                    db.engine.dispose()
    finally:
        sink.terminate()
        sink.wait()
    return [figure("RATIO", "mail", ours / plain, ">=0.5"), figure("RATIO", "sweep", large / small, "<=1.5")]


if __name__ == "__main__":
    main()
