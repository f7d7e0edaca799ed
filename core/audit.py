"""Every read and write of a case is recorded: who, when, what."""
from __future__ import annotations

from .models import AuditEvent, Case, User, db
from .runtime import now


def record(case: Case, user: User | None, action: str) -> None:
    """Add an audit row to the current transaction (the caller commits); no user means Concord itself."""
    db.session.flush()
    db.session.add(AuditEvent(council=case.council, user_id=user.id if user is not None else None, case_id=case.id,
                              action=action, at=now()))
