"""Every read, write, export and report view is recorded: who, when, what.

A row names the case it concerns, or none for a list, a report or an export
of many cases (``detail`` then says which, never a child's details).
Nothing in the app changes or deletes these rows.
"""
from __future__ import annotations

from core.model.records import AuditEvent, Case, User, db
from core.runtime import now


def record(case: Case, user: User | None, action: str, detail: str | None = None) -> None:
    """Add an audit row for one case to the current transaction (the caller commits); no user means Concord itself."""
    db.session.add(AuditEvent(council=case.council, user_id=user.id if user is not None else None, case=case,
                              action=action, at=now(), detail=_short(detail)))


def row(case: Case, user: User | None, action: str, detail: str | None = None) -> dict:
    """``record``'s row as values, for a caller writing it with a Core INSERT beside the case's own rows."""
    return dict(council=case.council, user_id=user.id if user is not None else None, case_id=case.id,
                action=action, at=now(), detail=_short(detail))


def record_council(council: str, user: User, action: str, detail: str | None = None) -> None:
    """Add an audit row that concerns no single case (a list, a report, an export)."""
    db.session.add(AuditEvent(council=council, user_id=user.id, case_id=None, action=action,
                              at=now(), detail=_short(detail)))


def record_cases(council: str, user: User, action: str, case_ids, detail: str | None = None) -> None:
    """One row per case of an export, written by a single INSERT … SELECT from ``case_ids`` (a select)."""
    from sqlalchemy import insert, literal, select

    rows = select(
        literal(council), literal(user.id), case_ids.c.id, literal(action), literal(now(), AuditEvent.at.type),
        literal(_short(detail), AuditEvent.detail.type),
    )
    db.session.execute(insert(AuditEvent).from_select(
        ["council", "user_id", "case_id", "action", "at", "detail"], rows))


def _short(detail: str | None) -> str | None:
    return detail[:400] if detail else None
