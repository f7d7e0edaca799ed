"""Mail benchmarks, each a ratio measured in one run.

1. ``RATIO mail``: messages per second through the whole pipeline (outbox rows
   -> scheduler tick -> Redis -> Dramatiq worker processes -> SMTP, each row
   marked sent) against plain smtplib sending the same number of messages over
   one open connection. Both send to the same SMTP sink running in its own
   process; the pipeline's clock stops when the last row is marked sent.
   Goal >= 0.5.
2. ``RATIO sweep``: the scheduler's query for 1,000 due rows among 1,000,000
   outbox rows against among 10,000 (medians of 31, after 3 warm-up runs). Goal <= 1.5.

Uses its own PostgreSQL database and its own redis-server on a free port.
"""
from __future__ import annotations

import os
import smtplib
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from bench._common import BIN, SECRET_KEY, figure, free_port, fresh_database, migrated_app, redis_server  # noqa: E402

MESSAGES = int(os.environ.get("BENCH_MESSAGES", "2000"))
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
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(messages):
            msg = EmailMessage()
            msg["From"], msg["To"], msg["Subject"] = "concord@example.org", f"p{i}@bench.example.org", "x"
            msg.set_content("Open the case.")
            smtp.send_message(msg)
    return messages / (time.perf_counter() - start)


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


def pipeline(url: str, smtp_port: int, messages: int) -> float:
    from core import scheduler
    from core.model.records import ScheduledNotification, db

    with redis_server() as broker_url:
        app = migrated_app(url, BROKER_URL=broker_url, MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1",
                           SMTP_PORT=smtp_port, DEV_SIGN_IN=True, CONCORD_ENV="development")
        case_id = seed_case(app)
        due = datetime.now(UTC) - timedelta(seconds=1)
        with app.app_context():
            db.session.execute(ScheduledNotification.__table__.insert(), [
                {"council": COUNCIL, "case_id": case_id, "kind": "acknowledgement",
                 "recipient": f"b{i}@bench.example.org", "dedupe_key": f"bench/{i}", "send_after": due,
                 "state": "pending", "attempts": 0, "created_at": due} for i in range(messages)])
            db.session.commit()
        # Production shape: worker processes (one per core), started before the clock runs.
        env = {**os.environ, "DATABASE_URL": url, "CONCORD_BROKER_URL": broker_url, "CONCORD_MAIL_TRANSPORT": "smtp",
               "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port), "SECRET_KEY": SECRET_KEY,
               "CONCORD_ENV": "development"}
        workers = subprocess.Popen([str(BIN / "dramatiq"), "core.worker", "--processes", "2", "--threads", "4"],
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        try:
            time.sleep(4)
            engine = create_engine(url)
            sent = select(func.count()).select_from(ScheduledNotification).where(ScheduledNotification.state == "sent")
            start = time.perf_counter()
            scheduler.tick(app)
            with engine.connect() as conn:
                while conn.execute(sent).scalar() < messages and time.perf_counter() - start < 300:
                    conn.commit()
                    time.sleep(0.02)
            elapsed = time.perf_counter() - start
            engine.dispose()
        finally:
            workers.terminate()
            workers.wait()
            app.extensions["concord.queue"].broker.close()
        with app.app_context():
            states = dict(db.session.execute(select(ScheduledNotification.state, func.count())
                                             .group_by(ScheduledNotification.state)).all())
            db.engine.dispose()
        assert states == {"sent": messages}, states
    return messages / elapsed


def tick_time(app, runs=31) -> float:
    from core import scheduler

    times = []
    with app.app_context():
        for _ in range(3):  # warm: plans cached, pages read
            scheduler.due_ids(limit=5000)
        for _ in range(runs):
            start = time.perf_counter()
            ids = scheduler.due_ids(limit=5000)
            times.append(time.perf_counter() - start)
            assert len(ids) == 1000, len(ids)
    return statistics.median(times)


def fill(url: str, total: int) -> None:
    """1,000 due rows and the rest due later, as open stages' future reminders are."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE scheduled_notification"))
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
            plain = plain_smtplib(port, MESSAGES)
            ours = pipeline(url, port, MESSAGES)
            print(f"mail: plain smtplib {plain:,.0f} msg/s, Concord pipeline {ours:,.0f} msg/s ({MESSAGES} messages)")
            app = migrated_app(url)
            fill(url, 10_000)
            small = tick_time(app)
            fill(url, 1_000_000)
            large = tick_time(app)
            print(f"sweep: 1,000 due among 10,000 rows {small * 1000:.1f} ms, among 1,000,000 {large * 1000:.1f} ms")
            with app.app_context():
                from core.model.records import db

                db.engine.dispose()
    finally:
        sink.terminate()
        sink.wait()
    return [figure("RATIO", "mail", ours / plain, ">=0.5"), figure("RATIO", "sweep", large / small, "<=1.5")]


if __name__ == "__main__":
    main()
