"""Who may see and do what. Anything not allowed is a 404, never a 403.

Authority over a stage follows the stage, not the directory as it is today:
a stage is held by an identity (``assignee_id``: the one who took it, the
colleague a lead gave it to, or the identity bound to the email the case
names), or else offered to the directory contacts it was offered to when it
was entered (``StageOffer``). An email is never authority by itself: a
contact counts only for the identity bound to it, and for nobody while two
identities claim its email (see ``directory.bind``); and only for users whose
roles may hold rungs. The raiser never acts on their own case.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from core.engine import directory
from core.hookspecs import hookimpl
from core.model.records import Case, StageEntry, StageOffer, User, db
from core.model.roles import (
    COUNCIL_ADMIN,
    DATA_PROTECTION_OFFICER,
    MANAGER,
    PARTNERSHIP_MANAGER,
    PRACTITIONER,
    RUNG_ROLES,
    SAFEGUARDING_LEAD,
)

FULL = "full"          # the whole case: answers, records, timeline
TAKEN = "taken"        # offered to you but taken by someone else: "taken by …" only
PROGRESS = "progress"  # council admins: stage, due date, holders and messages, no child details


@dataclass(frozen=True)
class Viewer:
    """The signed-in user as seen from one council: who, roles, bound directory contacts."""

    user: User
    roles: frozenset[str]
    contact_ids: frozenset[int] = frozenset()

    @classmethod
    def of(cls, user: User, roles) -> Viewer:
        roles = frozenset(roles)
        contacts = directory.contacts_bound_to(user) if roles & RUNG_ROLES else frozenset()
        return cls(user, roles, contacts)

    @property
    def is_lead(self) -> bool:
        return SAFEGUARDING_LEAD in self.roles

    @property
    def is_admin(self) -> bool:
        return COUNCIL_ADMIN in self.roles

    @property
    def may_hold_rungs(self) -> bool:
        return bool(self.roles & RUNG_ROLES)

    def raised(self, case: Case) -> bool:
        return case.raised_by_id == self.user.id

    def offered(self, entry: StageEntry) -> bool:
        return self.may_hold_rungs and bool(self.contact_ids & entry.offered_contact_ids)

    def holds(self, entry: StageEntry) -> bool:
        """This viewer holds the entry: named on it, took it, or it is still offered to them."""
        return not entry.to_lead and self._held(entry)

    def may_act(self, case: Case) -> bool:
        entry = case.current
        return entry is not None and not self.raised(case) and (self.is_lead or self.holds(entry))

    def may_take(self, case: Case) -> bool:
        entry = case.current
        return (entry is not None and not assigned(entry) and not self.raised(case)
                and self.offered(entry))

    def may_withdraw(self, case: Case) -> bool:
        return case.current is not None and self.raised(case)

    def access(self, case: Case) -> str | None:
        """How much of the case this viewer may see: FULL, TAKEN, PROGRESS or None (a 404)."""
        if case.council != self.user.council:
            return None
        if self.is_lead or self.raised(case) or any(self._held(entry) for entry in case.stages):
            return FULL
        if any(self.offered(entry) for entry in case.stages):
            return TAKEN
        if self.is_admin:
            return PROGRESS
        return None

    def may_view(self, case: Case) -> bool:
        return self.access(case) == FULL

    def _held(self, entry: StageEntry) -> bool:
        if not self.may_hold_rungs:
            return False
        if assigned(entry):  # a person holds it: this identity, or nobody until theirs is bound
            return entry.assignee_id == self.user.id
        return self.offered(entry)

    def council_cases(self):
        """A query of every case of the viewer's council, whether or not they may see it."""
        return select(Case).where(Case.council == self.user.council)

    def visible_cases(self):
        """A query of the cases this viewer may see in some form, newest first."""
        query = self.council_cases()
        if not (self.is_lead or self.is_admin):
            seen = [Case.raised_by_id == self.user.id]
            if self.may_hold_rungs:
                seen.append(Case.id.in_(
                    select(StageEntry.case_id).where(StageEntry.assignee_id == self.user.id)))
                if self.contact_ids:
                    seen.append(Case.id.in_(
                        select(StageOffer.case_id).where(StageOffer.contact_id.in_(self.contact_ids))))
            query = query.where(or_(*seen))
        return query.order_by(Case.raised_at.desc())


def assigned(entry: StageEntry) -> bool:
    """A person holds the entry (taken, named or reassigned), rather than the rung it is offered to."""
    return entry.assignee_id is not None or entry.assignee_email is not None


def holders(entry: StageEntry) -> list[tuple[str, str]]:
    """(name, email) of whoever holds the entry: its assignee, or the active contacts it was offered to."""
    if entry.assignee_email:
        return [(entry.assignee_name or entry.assignee_email, entry.assignee_email)]
    return [(o.contact.name, o.contact.email) for o in entry.offers if o.contact.active]


def admins_of(council_slug: str) -> list[str]:
    users = db.session.scalars(select(User).where(User.council == council_slug))
    return sorted({u.email for u in users if COUNCIL_ADMIN in (u.roles or [])})


# Core's own roles, registered like any plugin's (a plugin may add others).
@hookimpl
def concord_register_roles():
    return [
        (PRACTITIONER, "Practitioner"),
        (MANAGER, "Manager"),
        (SAFEGUARDING_LEAD, "Safeguarding lead"),
        (COUNCIL_ADMIN, "Council admin"),
        (PARTNERSHIP_MANAGER, "Partnership manager"),
        (DATA_PROTECTION_OFFICER, "Data protection officer"),
    ]
