"""Every read and write of a case is recorded: who, when, what."""
from __future__ import annotations

from .models import AuditEvent, Case, User, db
from .runtime import now


def record(case: Case, user: User, action: str) -> None:
    """Add an audit row to the current transaction (the caller commits)."""
    db.session.flush()
    db.session.add(AuditEvent(council=case.council, user_id=user.id, case_id=case.id, action=action, at=now()))
