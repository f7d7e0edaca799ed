"""Notification benchmarks, each a ratio measured in one run.

1. Throughput: messages per second through the whole pipeline (outbox rows ->
   scheduler tick -> Redis -> Dramatiq worker -> SMTP) against a plain smtplib
   loop to the same SMTP sink. Target: >= 0.5x.
2. Scheduler tick: time to find 1,000 due rows among 10,000 vs 1,000,000 open
   stages' rows on PostgreSQL. Target: <= 1.5x.

Needs PostgreSQL (127.0.0.1:5432, db test) and redis-server. Run:
    .venv/bin/python bench/notifications.py [--messages 1000]
"""
from __future__ import annotations

import argparse
import os
import smtplib
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from core.app import create_app
from core.clock import SystemClock
from core.models import ScheduledNotification, db
from core.notify import scheduler
from core.testing import free_port

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class CountingSink:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def fresh_database():
    name = f"concord_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return admin, name, ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def make_app(url, **config):
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" * 6, "CONCORD_ENV": "development", "CLOCK": SystemClock(), **config})
    with app.app_context():
        upgrade()
    return app


def seed_case(app):
    client = app.test_client()
    client.post("/westdunbartonshire/api/dev/session", json={"email": "bench@wdc.example.org", "role": "practitioner"})
    client.post("/westdunbartonshire/api/cases", json={"process": "conference-dissent", "answers": {
        "conference_date": "2026-11-23", "chair_name": "C", "chair_email": "chair@wdc.example.org",
        "agency": "Health", "decision": "d", "reasons": "r"}})
    with app.app_context():
        case_id = db.session.scalar(db.select(ScheduledNotification.case_id))
        db.session.query(ScheduledNotification).delete()
        db.session.commit()
    return case_id


def throughput(url, messages):
    sink = CountingSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        # A plain smtplib loop: one connection, one message after another.
        start = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for i in range(messages):
                msg = EmailMessage()
                msg["From"], msg["To"], msg["Subject"] = "concord@example.org", f"p{i}@bench.example.org", "x"
                msg.set_content("Open the case.")
                smtp.send_message(msg)
        plain = messages / (time.perf_counter() - start)

        import redis

        redis.Redis().flushdb()
        app = make_app(url, BROKER_URL="redis://127.0.0.1:6379/14", MAIL_TRANSPORT="smtp",
                       SMTP_HOST="127.0.0.1", SMTP_PORT=port)
        case_id = seed_case(app)
        due = datetime.now(UTC) - timedelta(seconds=1)
        with app.app_context():
            db.session.execute(ScheduledNotification.__table__.insert(), [
                {"council": "westdunbartonshire", "case_id": case_id, "kind": "acknowledgement",
                 "recipient": f"b{i}@bench.example.org", "dedupe_key": f"bench/{i}", "send_after": due,
                 "state": "pending", "attempts": 0, "created_at": due} for i in range(messages)])
            db.session.commit()
        broker = app.extensions["concord.queue"].broker
        broker.flush_all()
        sink.count = 0
        # Production shape: worker processes (one per core), started before the clock runs.
        env = {**os.environ, "DATABASE_URL": url, "CONCORD_BROKER_URL": "redis://127.0.0.1:6379/14",
               "CONCORD_MAIL_TRANSPORT": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port),
               "SECRET_KEY": "bench-" * 6, "CONCORD_ENV": "development"}
        dramatiq_cli = os.path.join(os.path.dirname(sys.executable), "dramatiq")
        workers = subprocess.Popen([dramatiq_cli, "core.notify.worker", "--processes", "2", "--threads", "4"],
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(4)
        start = time.perf_counter()
        scheduler.tick(app)
        while sink.count < messages and time.perf_counter() - start < 300:
            time.sleep(0.005)
        pipeline = messages / (time.perf_counter() - start)
        workers.terminate()
        workers.wait()
        broker.close()
        assert sink.count == messages, (sink.count, messages)
        return plain, pipeline
    finally:
        controller.stop()


def tick_time(app, runs=15):
    times = []
    with app.app_context():
        for _ in range(runs):
            start = time.perf_counter()
            ids = scheduler.due_ids(limit=5000)
            times.append(time.perf_counter() - start)
            assert len(ids) == 1000, len(ids)
    return statistics.median(times)


def fill(url, total):
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args()
    admin, name, url = fresh_database()
    try:
        plain, pipeline = throughput(url, args.messages)
        print(f"throughput: plain smtplib loop {plain:,.0f} msg/s, Concord pipeline {pipeline:,.0f} msg/s, "
              f"ratio {pipeline / plain:.2f}x (target >= 0.5x)")
        app = make_app(url)
        fill(url, 10_000)
        small = tick_time(app)
        fill(url, 1_000_000)
        large = tick_time(app)
        print(f"scheduler tick, 1,000 due: among 10,000 rows {small * 1000:.1f} ms, among 1,000,000 rows "
              f"{large * 1000:.1f} ms, ratio {large / small:.2f}x (target <= 1.5x)")
        with app.app_context():
            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
