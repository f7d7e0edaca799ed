"""Who may see and do what. Anything not allowed is a 404, never a 403."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select, tuple_

from . import directory
from .models import Case, StageEntry, User
from .roles import COUNCIL_ADMIN, SAFEGUARDING_LEAD


@dataclass
class Viewer:
    """The signed-in user as seen from one council: who, roles, rungs."""

    user: User
    roles: frozenset[str]
    rungs: set[tuple[str, str | None]] = field(default_factory=set)

    @classmethod
    def of(cls, user: User, roles) -> "Viewer":
        return cls(user, frozenset(roles), directory.rungs_of(user.council, user.email))

    @property
    def is_lead(self) -> bool:
        return SAFEGUARDING_LEAD in self.roles

    @property
    def is_admin(self) -> bool:
        return COUNCIL_ADMIN in self.roles

    def holds(self, entry: StageEntry) -> bool:
        return (entry.role, entry.scope) in self.rungs or (entry.role, None) in self.rungs

    def may_act(self, case: Case) -> bool:
        entry = case.current
        return entry is not None and (self.is_lead or self.holds(entry))

    def may_view(self, case: Case) -> bool:
        if case.council != self.user.council:
            return False
        return (
            self.is_lead
            or case.raised_by_id == self.user.id
            or any(self.holds(entry) for entry in case.stages)
        )

    def visible_cases(self):
        """A query of the cases this viewer may see, newest first."""
        query = select(Case).where(Case.council == self.user.council)
        if not self.is_lead:
            mine = Case.raised_by_id == self.user.id
            if self.rungs:
                scoped = [(r, s) for r, s in self.rungs if s is not None]
                wide = [r for r, s in self.rungs if s is None]
                held = [tuple_(StageEntry.role, StageEntry.scope).in_(scoped)] if scoped else []
                held += [StageEntry.role.in_(wide)] if wide else []
                at_my_rung = Case.id.in_(select(StageEntry.case_id).where(or_(*held)))
                query = query.where(or_(mine, at_my_rung))
            else:
                query = query.where(mine)
        return query.order_by(Case.raised_at.desc())
