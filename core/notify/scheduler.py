"""The scheduler tick: hand due outbox rows to the actor, once a minute.

It reads through the (state, send_after) index, so its cost grows with the
rows that are due, not with all cases; it commits before enqueueing, so no
message is sent for a row another transaction might still roll back.
"""
from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import select

from ..models import ScheduledNotification, db
from ..runtime import concord, now
from .digest import plan_digests

BATCH = 5000
PER_MESSAGE = 10


def due_ids(limit: int = BATCH) -> list[int]:
    ids = db.session.scalars(
        select(ScheduledNotification.id)
        .where(ScheduledNotification.state == "pending", ScheduledNotification.send_after <= now())
        .order_by(ScheduledNotification.send_after)
        .limit(limit)
    ).all()
    db.session.commit()
    return ids


def tick(app: Flask) -> int:
    """One tick: returns how many rows were handed to the workers."""
    from .. import retention

    with app.app_context():
        plan_digests(concord(app).councils)
        retention.run_daily(app)
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
