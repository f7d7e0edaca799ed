"""Send the outbox rows one actor message carries, exactly as far as the database can make it so.

The rows are claimed in one statement: ``pending`` and due becomes ``sending``
(``send_after`` then holds the moment of the claim), committed before
anything is sent, so two workers never send a row together and a duplicate
or late message finds it no longer pending and does nothing. Each row is
marked ``sent`` (or failed, or pending again later) with its own autocommitted
UPDATE straight after the transport's answer: a worker thread killed
mid-message can have sent at most the one row it had not yet marked (so a
process killed with ``--threads 8`` at most eight). While a process is
sending, one heartbeat thread renews the lease of the rows it holds every
``HEARTBEAT``; the rows a killed process had claimed but not sent stay
``sending`` only until the lease (``LEASE``, 30 s after its last heartbeat)
runs out, and the scheduler's next tick hands them out again
(``reclaim_stale``).
"""
from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from core.hookspecs import PermanentFailure, TemporaryFailure
from core.model.records import Case, ScheduledNotification, db
from core.notify.render import render
from core.runtime import now

MAX_ATTEMPTS = 5
LEASE = timedelta(seconds=30)  # three missed heartbeats: the process holding the rows is gone
HEARTBEAT = timedelta(seconds=10)


class Heartbeat:
    """One thread per process renewing the lease (``send_after``) of the rows its deliveries hold."""

    def __init__(self, app, every: timedelta = HEARTBEAT):
        self.app, self.every = app, every.total_seconds()
        self.held: dict[int, int] = {}
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def hold(self, ids) -> None:
        with self.lock:
            for row_id in ids:
                self.held[row_id] = self.held.get(row_id, 0) + 1
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._beat, name="concord-lease-heartbeat", daemon=True)
                self.thread.start()

    def release(self, ids) -> None:
        with self.lock:
            for row_id in ids:
                if self.held.get(row_id, 0) <= 1:
                    self.held.pop(row_id, None)
                else:
                    self.held[row_id] -= 1

    def _beat(self) -> None:
        pause = threading.Event()
        while not pause.wait(self.every):
            with self.lock:
                ids = list(self.held)
                if not ids:  # nothing held: the thread ends, the next delivery starts another
                    self.thread = None
                    return
            try:
                with self.app.app_context(), \
                        db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(update(ScheduledNotification)
                                 .where(ScheduledNotification.id.in_(ids), ScheduledNotification.state == "sending")
                                 .values(send_after=now()))
            except Exception:  # the database may blink: the next beat tries again, well within the lease
                self.app.logger.warning("lease heartbeat failed; retrying in %d s", self.every)


def heartbeat() -> Heartbeat:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    beat = app.extensions.get("concord.heartbeat")
    if beat is None:
        beat = app.extensions.setdefault("concord.heartbeat", Heartbeat(app))
    return beat


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=2 ** attempts)


def claim(row_ids: list[int]) -> Sequence[ScheduledNotification]:
    """The rows among ``row_ids`` still pending and due, now ``sending``, with what rendering needs."""
    moment = now()
    Row = ScheduledNotification
    claimed = db.session.scalars(
        update(Row)
        .where(Row.id.in_(row_ids), Row.state == "pending", Row.send_after <= moment)
        .values(state="sending", send_after=moment, attempts=Row.attempts + 1)
        .returning(Row.id)
        .execution_options(synchronize_session=False)
    ).all()
    rows: Sequence[ScheduledNotification] = []
    if claimed:
        rows = db.session.scalars(
            select(Row).where(Row.id.in_(claimed)).order_by(Row.id)
            .options(joinedload(Row.case).joinedload(Case.raised_by), joinedload(Row.entry))
            .execution_options(populate_existing=True)
        ).unique().all()
    db.session.commit()
    return rows


def send(row: ScheduledNotification, mail, marks) -> str:
    """Send one claimed row and record what happened to it at once; returns its new state."""
    moment = now()
    values: dict[str, Any]
    try:
        mail.send(render(row))
    except PermanentFailure as e:
        values = {"state": "failed", "last_error": str(e)}
    except TemporaryFailure as e:
        values = {"state": "failed" if row.attempts >= MAX_ATTEMPTS else "pending", "last_error": str(e)}
        if values["state"] == "pending":
            values["send_after"] = moment + backoff(row.attempts)
    else:
        values = {"state": "sent", "sent_at": moment, "last_error": None}
    if db.session.new or db.session.dirty:
        # The transport wrote rows of its own (the development outbox): one commit for both.
        for name, value in values.items():
            setattr(row, name, value)
        db.session.commit()
    else:
        # One autocommitted UPDATE: a single round trip, durable before the next row is sent.
        marks.execute(update(ScheduledNotification).where(ScheduledNotification.id == row.id).values(**values))
    return values["state"]


def deliver(row_ids: list[int]) -> dict[int, str]:
    """Send the rows that are still due; returns what happened to each one claimed."""
    rows = claim(row_ids)
    if not rows:
        return {}
    mail = current_app.extensions["concord.mail"]
    done = {}
    held = [row.id for row in rows]
    beat = heartbeat()
    beat.hold(held)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as marks:
        try:
            for row in rows:
                done[row.id] = send(row, mail, marks)
        except BaseException:
            # Hand back at once what this message claimed and did not send (the lease would, later).
            db.session.rollback()
            left = [row.id for row in rows if row.id not in done]
            marks.execute(update(ScheduledNotification)
                          .where(ScheduledNotification.id.in_(left), ScheduledNotification.state == "sending")
                          .values(state="pending"))
            raise
        finally:
            beat.release(held)
    return done


def reclaim_stale(lease: timedelta = LEASE) -> int:
    """Rows whose lease ran out (their worker stopped renewing it: it died) become pending again."""
    result = db.session.execute(
        update(ScheduledNotification)
        .where(ScheduledNotification.state == "sending", ScheduledNotification.send_after <= now() - lease)
        .values(state="pending").execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount  # type: ignore[attr-defined]
