"""Texts a council admin may reword: the immediate-risk guidance and the signposts.

A plugin gives the defaults (``Council.immediate_risk``, ``Council.signposts``);
they are often not in the council's own procedure, so the council confirms or
rewords them here. Every version is kept, with who changed it, when and why:
the newest row for a key is the text in use, and no row means the plugin's.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.model.procedures import Council
from core.model.records import User, db

IMMEDIATE_RISK = "immediate_risk"
SIGNPOSTS = "signposts"
KEYS = (IMMEDIATE_RISK, SIGNPOSTS)


class CouncilText(db.Model):  # type: ignore[name-defined]
    id: Mapped[int] = mapped_column(primary_key=True)
    council: Mapped[str] = mapped_column(String(64), index=True)
    key: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(Text)

    by: Mapped[User] = relationship()


def default(council: Council, key: str) -> str:
    return council.immediate_risk if key == IMMEDIATE_RISK else "\n".join(council.signposts)


def current(council: Council, key: str) -> str:
    row = db.session.scalar(
        select(CouncilText).where(CouncilText.council == council.slug, CouncilText.key == key)
        .order_by(CouncilText.at.desc(), CouncilText.id.desc()).limit(1)
    )
    return row.text if row else default(council, key)


def immediate_risk(council: Council) -> str:
    return current(council, IMMEDIATE_RISK)


def signposts(council: Council) -> list[str]:
    return [line for line in current(council, SIGNPOSTS).splitlines() if line.strip()]


def change(council: Council, texts: dict[str, str], by: User, note: str, at: datetime) -> list[str]:
    """Record the texts that differ from those in use; returns their keys. The caller commits."""
    changed = []
    for key in KEYS:
        if key in texts and texts[key] != current(council, key):
            db.session.add(CouncilText(council=council.slug, key=key, text=texts[key], at=at, by_id=by.id, note=note))
            changed.append(key)
    return changed


def history(council: Council) -> list[CouncilText]:
    return list(db.session.scalars(
        select(CouncilText).where(CouncilText.council == council.slug)
        .order_by(CouncilText.at.desc(), CouncilText.id.desc())
    ))
