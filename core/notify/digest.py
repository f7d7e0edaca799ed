"""The daily failure digest: council admins hear of messages that could not be sent."""
from __future__ import annotations

from sqlalchemy import select

from ..clock import LONDON, local_date
from ..models import ScheduledNotification, User, db, insert_ignoring_duplicates
from ..roles import COUNCIL_ADMIN
from ..runtime import now
from .outbox import SEND_TIME

DIGEST = "failure-digest"


def admins_of(council_slug: str) -> list[str]:
    users = db.session.scalars(select(User).where(User.council == council_slug))
    return sorted({u.email for u in users if COUNCIL_ADMIN in (u.roles or [])})


def plan_digests(councils) -> None:
    """Once a day, from 07:00, write one digest row per admin of each council with unreported failures."""
    moment = now()
    local = moment.astimezone(LONDON)
    if local.time() < SEND_TIME:
        return
    for slug in councils:
        failed = db.session.scalars(select(ScheduledNotification).where(
            ScheduledNotification.council == slug, ScheduledNotification.state == "failed",
            ScheduledNotification.kind != DIGEST, ScheduledNotification.reported_at.is_(None))).all()
        admins = admins_of(slug)
        if not failed or not admins:
            continue
        for email in admins:
            insert_ignoring_duplicates(
                ScheduledNotification, council=slug, case_id=None, stage_entry_id=None, kind=DIGEST,
                recipient=email, dedupe_key=f"digest-{slug}-{local_date(moment)}/{DIGEST}/{email}",
                send_after=moment, state="pending", attempts=0, created_at=moment)
        for row in failed:
            row.reported_at = moment
    db.session.commit()


def failures_reported_on(council_slug: str, moment) -> list[ScheduledNotification]:
    return db.session.scalars(select(ScheduledNotification).where(
        ScheduledNotification.council == council_slug, ScheduledNotification.reported_at == moment,
        ScheduledNotification.kind != DIGEST).order_by(ScheduledNotification.id)).all()
