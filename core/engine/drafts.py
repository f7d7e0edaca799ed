"""Answers to a raise form saved to finish later ("Save and come back later").

One draft per person per process, kept on the server (never in the browser or a URL, since the
answers may name a child), for ``DRAFT_DAYS`` after the last save; deleted when the case is
raised, when the person deletes it, and once expired (whenever that council's drafts are read).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from core.model.records import User, db
from core.runtime import now

DRAFT_DAYS = 14


class Draft(db.Model):  # type: ignore[name-defined]
    __tablename__ = "draft"
    __table_args__ = (UniqueConstraint("user_id", "process", name="uq_draft_user_process"),
                      Index("ix_draft_council_expires", "council", "expires_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    council: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    process: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict]  # the form's raw answers so far: {field: [values]}
    saved_at: Mapped[datetime]
    expires_at: Mapped[datetime]


def purge_expired(council: str) -> None:
    db.session.execute(delete(Draft).where(Draft.council == council, Draft.expires_at <= now()))


def save(user: User, process: str, answers: dict) -> Draft:
    """Keep ``answers`` as this person's draft of ``process`` (replacing an earlier one); the caller commits."""
    moment = now()
    draft = find(user, process) or Draft(council=user.council, user_id=user.id, process=process)
    draft.answers, draft.saved_at, draft.expires_at = answers, moment, moment + timedelta(days=DRAFT_DAYS)
    db.session.add(draft)
    return draft


def find(user: User, process: str) -> Draft | None:
    purge_expired(user.council)
    return db.session.scalar(select(Draft).where(Draft.user_id == user.id, Draft.process == process))


def mine(user: User) -> list[Draft]:
    """This person's drafts, newest first; expired ones are deleted (a second statement only when there are any)."""
    moment = now()
    found = list(db.session.scalars(select(Draft).where(Draft.user_id == user.id).order_by(Draft.saved_at.desc())))
    if any(d.expires_at <= moment for d in found):
        purge_expired(user.council)
    return [d for d in found if d.expires_at > moment]


def discard(user: User, process: str) -> bool:
    """Delete this person's draft of ``process``; whether there was one. The caller commits."""
    return db.session.execute(delete(Draft).where(Draft.user_id == user.id, Draft.process == process)).rowcount > 0  # type: ignore[attr-defined]
