"""The scheduler tick: hand due outbox rows to the actor, once a minute.

It reads through the (state, send_after) index, so its cost grows with the
rows that are due, not with all cases; it commits before enqueueing, so no
message is sent for a row another transaction might still roll back.
"""
from __future__ import annotations

import threading
from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from core.engine.outbox import SEND_TIME
from core.engine.overdue import LEADS, expand_due
from core.model.clock import LONDON, local_date
from core.model.records import ScheduledNotification, db
from core.notify.delivery import LEASE, reclaim_stale
from core.notify.digest import plan_digests
from core.runtime import concord, now

BATCH = 5000
PER_MESSAGE = 10


def due_ids(limit: int = BATCH) -> list[int]:
    ids = db.session.scalars(
        select(ScheduledNotification.id)
        .where(ScheduledNotification.state == "pending", ScheduledNotification.send_after <= now(),
               ScheduledNotification.recipient != LEADS)  # expanded per lead by the tick, never sent as is
        .order_by(ScheduledNotification.send_after)
        .limit(limit)
    ).all()
    db.session.commit()
    return list(ids)


def daily_calendar_check(app: Flask) -> None:
    """Once a day from 07:00: would the bank holidays now installed move open stages? Tell the admins."""
    from core.engine.recalculate import plan_check_messages

    moment = now()
    today = local_date(moment)
    if moment.astimezone(LONDON).time() < SEND_TIME or app.extensions.get("concord.calendar_checked") == today:
        return
    plan_check_messages(app.extensions["concord"].councils, moment)
    db.session.commit()
    app.extensions["concord.calendar_checked"] = today


def tick(app: Flask) -> int:
    """One tick: returns how many rows were handed to the workers."""
    from core.engine import retention

    with app.app_context():
        plan_digests(concord(app).councils)
        # Rows a dead worker claimed and never sent: pending again once the lease is over.
        reclaim_stale(timedelta(seconds=app.config.get("NOTIFY_LEASE_SECONDS") or LEASE.total_seconds()))
        retention.run_daily(app)
        daily_calendar_check(app)
        if expand_due(now()):
            db.session.commit()
        ids = due_ids()
    queue = app.extensions["concord.queue"]
    for start in range(0, len(ids), PER_MESSAGE):
        queue.enqueue(ids[start:start + PER_MESSAGE])
    return len(ids)


def run_forever(app: Flask, every: float = 60.0, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            count = tick(app)
            if count:
                app.logger.info("scheduler: %d notifications due", count)
        except Exception:  # a database blip must not stop the scheduler
            app.logger.exception("scheduler tick failed")
        stop.wait(every)
