"""Send one outbox row, exactly as far as the database can make it so.

The row is claimed with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL) and stays
locked while it is sent, so two workers never send it together; a duplicate
or late message finds it no longer pending and does nothing.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..models import Case, ScheduledNotification, db
from ..runtime import now
from .render import render
from .transports import PermanentFailure, TemporaryFailure

MAX_ATTEMPTS = 5


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=2 ** attempts)


def deliver(row_id: int) -> str:
    """Send the row if it is still due; returns what happened to it."""
    moment = now()
    row = db.session.scalar(
        select(ScheduledNotification)
        .where(ScheduledNotification.id == row_id, ScheduledNotification.state == "pending",
               ScheduledNotification.send_after <= moment)
        .options(joinedload(ScheduledNotification.case).joinedload(Case.raised_by),
                 joinedload(ScheduledNotification.entry))
        .with_for_update(skip_locked=True, of=ScheduledNotification)
    )
    if row is None:
        db.session.rollback()
        return "skipped"
    row.attempts += 1
    try:
        current_app.extensions["concord.mail"].send(render(row))
    except PermanentFailure as e:
        row.state, row.last_error = "failed", str(e)
    except TemporaryFailure as e:
        row.last_error = str(e)
        if row.attempts >= MAX_ATTEMPTS:
            row.state = "failed"
        else:
            row.send_after = moment + backoff(row.attempts)
    else:
        row.state, row.sent_at, row.last_error = "sent", moment, None
    db.session.commit()
    return row.state
