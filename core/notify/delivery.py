"""Send the outbox rows one actor message carries, exactly as far as the database can make it so.

The rows are claimed in one statement: ``pending`` and due becomes ``sending``
(``send_after`` then holds the moment of the claim), committed before
anything is sent, so two workers never send a row together and a duplicate
or late message finds it no longer pending and does nothing. Each row is
marked ``sent`` (or failed, or pending again later) with its own UPDATE and
commit straight after the transport's answer: a worker killed mid-message
can have sent at most the one row it had not yet marked. The rows it had
claimed but not sent stay ``sending`` until the scheduler's lease runs out
(``reclaim_stale``) and are then handed out again.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from ..cases import now
from ..models import Case, ScheduledNotification, db
from .render import render
from .transports import PermanentFailure, TemporaryFailure

MAX_ATTEMPTS = 5
LEASE = timedelta(minutes=10)


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=2 ** attempts)


def claim(row_ids: list[int]) -> list[ScheduledNotification]:
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
    rows = []
    if claimed:
        rows = db.session.scalars(
            select(Row).where(Row.id.in_(claimed)).order_by(Row.id)
            .options(joinedload(Row.case).joinedload(Case.raised_by), joinedload(Row.entry))
            .execution_options(populate_existing=True)
        ).unique().all()
    db.session.commit()
    return rows


def send(row: ScheduledNotification, mail) -> None:
    """Send one claimed row and record what happened to it, in its own commit."""
    moment = now()
    try:
        mail.send(render(row))
    except PermanentFailure as e:
        row.state, row.last_error = "failed", str(e)
    except TemporaryFailure as e:
        row.last_error = str(e)
        if row.attempts >= MAX_ATTEMPTS:
            row.state = "failed"
        else:
            row.state, row.send_after = "pending", moment + backoff(row.attempts)
    else:
        row.state, row.sent_at, row.last_error = "sent", moment, None
    db.session.commit()


def deliver(row_ids: list[int]) -> dict[int, str]:
    """Send the rows that are still due; returns what happened to each one claimed."""
    rows = claim(row_ids)
    mail = current_app.extensions["concord.mail"]
    done = {}
    try:
        for row in rows:
            send(row, mail)
            done[row.id] = row.state
    except BaseException:
        # Hand back at once what this message claimed and did not send (the lease would, later).
        db.session.rollback()
        left = [row.id for row in rows if row.id not in done]
        db.session.execute(update(ScheduledNotification)
                           .where(ScheduledNotification.id.in_(left), ScheduledNotification.state == "sending")
                           .values(state="pending").execution_options(synchronize_session=False))
        db.session.commit()
        raise
    return done


def reclaim_stale(lease: timedelta = LEASE) -> int:
    """Rows left ``sending`` longer than the lease (their worker died) become pending again."""
    result = db.session.execute(
        update(ScheduledNotification)
        .where(ScheduledNotification.state == "sending", ScheduledNotification.send_after <= now() - lease)
        .values(state="pending").execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount
