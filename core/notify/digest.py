"""The daily failure digest: council admins hear of messages that could not be sent, each one once.

A digest (``failure_digest``) is planned once a day per council, from 07:00,
when the council has failures no digest carries yet: it records the failures
it carries (``failure_digest_item``, one digest per failure) and one email row
per council admin. A failure that happens after the day's digest was planned
waits for the next day's. A failure counts as reported (``reported_at``) only
once an email of its digest has been sent; if every email of a digest failed,
its failures are released to the next digest.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, and_, delete, exists, select, update
from sqlalchemy.orm import Mapped, aliased, mapped_column

from ..clock import LONDON, local_date
from ..models import ScheduledNotification, User, db, insert_ignoring_duplicates
from ..roles import COUNCIL_ADMIN
from ..runtime import now
from .outbox import SEND_TIME

DIGEST = "failure-digest"


class FailureDigest(db.Model):
    """One council's digest of a day; its emails are the ``failure-digest`` rows created at ``created_at``."""

    __tablename__ = "failure_digest"
    __table_args__ = (Index("ix_failure_digest_council_day", "council", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council: Mapped[str] = mapped_column(String(64))
    day: Mapped[date]
    created_at: Mapped[datetime]


class FailureDigestItem(db.Model):
    """A failure a digest carries: a failure is in one digest at most."""

    __tablename__ = "failure_digest_item"

    failure_id: Mapped[int] = mapped_column(
        ForeignKey("scheduled_notification.id", ondelete="CASCADE"), primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("failure_digest.id", ondelete="CASCADE"), index=True)


Row = ScheduledNotification


def admins_of(council_slug: str) -> list[str]:
    users = db.session.scalars(select(User).where(User.council == council_slug))
    return sorted({u.email for u in users if COUNCIL_ADMIN in (u.roles or [])})


def _emails_of(digest, email):
    """The digest's email rows: same council, created with it."""
    return and_(email.kind == DIGEST, email.council == digest.council, email.created_at == digest.created_at)


def settle_sent_digests() -> None:
    """Failures whose digest reached an admin are reported; those of a digest nobody received go back."""
    Digest, Item, Email = FailureDigest, FailureDigestItem, aliased(Row)
    carried = select(Item.failure_id).join(Digest, Digest.id == Item.digest_id)
    sent = exists().where(_emails_of(Digest, Email), Email.state == "sent")
    db.session.execute(
        update(Row).where(Row.reported_at.is_(None), Row.id.in_(carried.where(sent)))
        .values(reported_at=now()).execution_options(synchronize_session=False))
    still_trying = exists().where(_emails_of(Digest, Email), Email.state.in_(("pending", "sending", "sent")))
    undelivered = select(Digest.id).where(~still_trying)
    db.session.execute(
        delete(Item).where(Item.digest_id.in_(undelivered),
                           Item.failure_id.in_(select(Row.id).where(Row.reported_at.is_(None))))
        .execution_options(synchronize_session=False))


def unreported_failures(council_slug: str) -> list[ScheduledNotification]:
    return db.session.scalars(select(Row).where(
        Row.council == council_slug, Row.state == "failed", Row.kind != DIGEST, Row.reported_at.is_(None),
        ~exists().where(FailureDigestItem.failure_id == Row.id)).order_by(Row.id)).all()


def plan_digests(councils) -> None:
    """Once a day, from 07:00: one digest per council with failures not yet in a digest, one email per admin."""
    moment = now()
    settle_sent_digests()
    if moment.astimezone(LONDON).time() < SEND_TIME:
        db.session.commit()
        return
    today = local_date(moment)
    for slug in councils:
        if db.session.scalar(select(exists().where(FailureDigest.council == slug, FailureDigest.day == today))):
            continue  # the day's digest is planned: later failures go in the next one
        failed = unreported_failures(slug)
        admins = admins_of(slug)
        if not failed or not admins:
            continue
        digest = FailureDigest(council=slug, day=today, created_at=moment)
        db.session.add(digest)
        db.session.flush()
        insert_ignoring_duplicates(FailureDigestItem, [{"failure_id": row.id, "digest_id": digest.id} for row in failed])
        insert_ignoring_duplicates(Row, [dict(
            council=slug, case_id=None, stage_entry_id=None, kind=DIGEST, recipient=email,
            dedupe_key=f"digest-{slug}-{today}/{DIGEST}/{email}", send_after=moment, state="pending",
            attempts=0, created_at=moment) for email in admins])
    db.session.commit()


def failures_in(row: ScheduledNotification) -> list[ScheduledNotification]:
    """The failures the digest this email row belongs to carries."""
    digest = db.session.scalar(select(FailureDigest).where(
        FailureDigest.council == row.council, FailureDigest.created_at == row.created_at))
    if digest is None:  # a digest row planned before the digest table existed
        return db.session.scalars(select(Row).where(
            Row.council == row.council, Row.reported_at == row.created_at, Row.kind != DIGEST).order_by(Row.id)).all()
    return db.session.scalars(
        select(Row).join(FailureDigestItem, FailureDigestItem.failure_id == Row.id)
        .where(FailureDigestItem.digest_id == digest.id).order_by(Row.id)).all()
