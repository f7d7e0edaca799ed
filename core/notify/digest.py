"""The daily failure digest: council admins hear of messages that could not be sent, each one once.

A digest (``failure_digest``) is planned once a day per council, from 07:00,
when the council has failures no digest carries yet: it records the failures
it carries (``failure_digest_item``, one digest per failure) and one email row
per council admin. A failure that happens after the day's digest was planned
waits for the next day's. A failure counts as reported (``reported_at``) only
once an email of its digest has been sent; if every email of a digest failed,
its failures are released to the next digest. Each tick looks only at the
digests not yet settled (the day's, for a minute or two), never at the
outbox's history.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, delete, exists, select, update
from sqlalchemy.orm import Mapped, mapped_column

from core.engine.access import admins_of
from core.engine.outbox import FAILURE_DIGEST, SEND_TIME
from core.model.clock import LONDON, local_date
from core.model.records import ScheduledNotification, db, insert_ignoring_duplicates
from core.runtime import now

DIGEST = FAILURE_DIGEST


class FailureDigest(db.Model):  # type: ignore[name-defined]
    """One council's digest of a day: its email rows (one per admin) and, once settled, when.

    Settled: an email reached an admin (its failures are reported), or every email failed (its
    failures were released to the next digest). Only unsettled digests are looked at each tick.
    """

    __tablename__ = "failure_digest"
    __table_args__ = (Index("ix_failure_digest_council_day", "council", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council: Mapped[str] = mapped_column(String(64))
    day: Mapped[date]
    created_at: Mapped[datetime]
    emails: Mapped[list]  # the ids of its ``failure-digest`` outbox rows
    settled_at: Mapped[datetime | None]


class FailureDigestItem(db.Model):  # type: ignore[name-defined]
    """A failure a digest carries: a failure is in one digest at most."""

    __tablename__ = "failure_digest_item"

    failure_id: Mapped[int] = mapped_column(
        ForeignKey("scheduled_notification.id", ondelete="CASCADE"), primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("failure_digest.id", ondelete="CASCADE"), index=True)


Row = ScheduledNotification


def settle_digests(moment) -> None:
    """Failures whose digest reached an admin are reported; those of a digest nobody received go back."""
    for digest in db.session.scalars(select(FailureDigest).where(FailureDigest.settled_at.is_(None))).all():
        states = set(db.session.scalars(select(Row.state).where(Row.id.in_(digest.emails or [-1]))))
        carried = select(FailureDigestItem.failure_id).where(FailureDigestItem.digest_id == digest.id)
        if "sent" in states:
            db.session.execute(update(Row).where(Row.id.in_(carried), Row.reported_at.is_(None))
                               .values(reported_at=moment).execution_options(synchronize_session=False))
        elif states & {"pending", "sending"}:
            continue
        else:  # every admin's copy failed: its failures go in the next digest
            db.session.execute(delete(FailureDigestItem).where(
                FailureDigestItem.digest_id == digest.id,
                FailureDigestItem.failure_id.in_(select(Row.id).where(Row.reported_at.is_(None))))
                .execution_options(synchronize_session=False))
        digest.settled_at = moment


def unreported_failures(council_slug: str) -> Sequence[ScheduledNotification]:
    return db.session.scalars(select(Row).where(
        Row.council == council_slug, Row.state == "failed", Row.kind != DIGEST, Row.reported_at.is_(None),
        ~exists().where(FailureDigestItem.failure_id == Row.id)).order_by(Row.id)).all()


def plan_digests(councils) -> None:
    """Once a day, from 07:00: one digest per council with failures not yet in a digest, one email per admin."""
    moment = now()
    settle_digests(moment)
    if moment.astimezone(LONDON).time() < SEND_TIME:
        db.session.commit()
        return
    today = local_date(moment)
    for slug in councils:
        if db.session.scalar(select(exists().where(FailureDigest.council == slug, FailureDigest.day == today))):
            continue  # the day's digest is planned: later failures go in the next one
        failed = unreported_failures(slug)
        admins = admins_of(slug) if failed else []
        if not admins:
            continue
        keys = [f"digest-{slug}-{today}/{DIGEST}/{email}" for email in admins]
        insert_ignoring_duplicates(Row, [dict(
            council=slug, case_id=None, stage_entry_id=None, kind=DIGEST, recipient=email, dedupe_key=key,
            send_after=moment, state="pending", attempts=0, created_at=moment) for email, key in zip(admins, keys, strict=True)])
        emails = db.session.scalars(select(Row.id).where(Row.dedupe_key.in_(keys), Row.created_at == moment)).all()
        digest = FailureDigest(council=slug, day=today, created_at=moment, emails=sorted(emails))
        db.session.add(digest)
        db.session.flush()
        insert_ignoring_duplicates(FailureDigestItem, [{"failure_id": row.id, "digest_id": digest.id} for row in failed])
    db.session.commit()


def failures_in(row: ScheduledNotification) -> Sequence[ScheduledNotification]:
    """The failures the digest this email row belongs to carries."""
    digest = db.session.scalar(select(FailureDigest).where(
        FailureDigest.council == row.council, FailureDigest.created_at == row.created_at))
    if digest is None:  # a digest row planned before the digest table existed
        return db.session.scalars(select(Row).where(
            Row.council == row.council, Row.reported_at == row.created_at, Row.kind != DIGEST).order_by(Row.id)).all()
    return db.session.scalars(
        select(Row).join(FailureDigestItem, FailureDigestItem.failure_id == Row.id)
        .where(FailureDigestItem.digest_id == digest.id).order_by(Row.id)).all()
