"""The council's contact directory: who sits on which rung."""
from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import aliased

from core.model.procedures import SCOPES
from core.model.records import Case, Contact, StageEntry, User, db


def load(council_slug: str, contacts) -> int:
    """Add contacts not already in the council's directory; returns how many were added."""
    existing = {
        (c.role, c.scope, c.email)
        for c in db.session.scalars(select(Contact).where(Contact.council == council_slug))
    }
    added = 0
    for seed in contacts:
        if (seed.role, seed.scope, seed.email) not in existing:
            db.session.add(Contact(council=council_slug, role=seed.role, scope=seed.scope,
                                   name=seed.name, email=seed.email))
            added += 1
    return added


def assignees(council_slug: str, role: str, scope: str | None) -> list[Contact]:
    """The active contacts for a rung.

    A scoped rung goes to the contacts of that scope; when there are none it
    falls back to the role's council-wide contacts (scope left empty), so a
    case is never left with nobody.
    """
    together = db.session.info.get(READ_TOGETHER, {})
    if (council_slug, role, scope) in together:
        return together[(council_slug, role, scope)]
    whole = db.session.info.get(READ_WHOLE, {}).get(council_slug)
    if whole is not None:
        return _on_rung(whole.get(role, []), role, scope)
    return _read(council_slug, [(role, scope)])[(role, scope)]


READ_TOGETHER = "concord.rungs_read_together"
READ_WHOLE = "concord.directory_read_whole"


@contextmanager
def read_whole(council_slug: str):
    """Read the council's active contacts in one query; ``assignees`` answers every rung from it inside the block.

    For work over many open stages at once (re-planning after a directory change): one read instead
    of one per stage. Nothing inside the block may change contacts.
    """
    before = db.session.info.get(READ_WHOLE)
    found = db.session.scalars(
        select(Contact).where(Contact.council == council_slug, Contact.active).order_by(Contact.name)).all()
    by_role: dict[str, list[Contact]] = {}
    for contact in found:
        by_role.setdefault(contact.role, []).append(contact)
    db.session.info[READ_WHOLE] = {**(before or {}), council_slug: by_role}
    try:
        yield
    finally:
        if before is None:
            db.session.info.pop(READ_WHOLE, None)
        else:
            db.session.info[READ_WHOLE] = before


@contextmanager
def rungs_read_together(council_slug: str, rungs: list[tuple[str, str | None]]):
    """Read these (role, scope) rungs in one query; ``assignees`` answers them from it inside the block.

    For the case engine entering a stage, which reads the stage's rung and the one above it and
    changes no contacts meanwhile.
    """
    before = db.session.info.get(READ_TOGETHER)
    with db.session.no_autoflush:  # contacts depend on nothing the caller has pending
        found = _read(council_slug, rungs)
    db.session.info[READ_TOGETHER] = {**(before or {}), **{(council_slug, *rung): c for rung, c in found.items()}}
    try:
        yield
    finally:
        if before is None:
            db.session.info.pop(READ_TOGETHER, None)
        else:
            db.session.info[READ_TOGETHER] = before


def _read(council_slug: str, rungs: list[tuple[str, str | None]]) -> dict[tuple[str, str | None], list[Contact]]:
    rungs = list(dict.fromkeys(rungs))
    if not rungs:
        return {}
    found = db.session.scalars(_on_rungs(council_slug, tuple(rungs))).all()
    return {(role, scope): _on_rung(found, role, scope) for role, scope in rungs}


@lru_cache(maxsize=1024)
def _on_rungs(council_slug: str, rungs: tuple[tuple[str, str | None], ...]):
    """The council's active contacts on any of these rungs, by name. Kept per rung set (the roles and scopes a
    procedure's ladders have): a submission reads them, and building the query cost more CPU than running it."""
    on_rung = [
        and_(Contact.role == role,
             or_(Contact.scope.in_(scope.split(SCOPES)), Contact.scope.is_(None)) if scope else Contact.scope.is_(None))
        for role, scope in rungs
    ]
    return select(Contact).where(Contact.council == council_slug, Contact.active, or_(*on_rung)).order_by(Contact.name)


def _on_rung(found: Sequence[Contact], role: str, scope: str | None) -> list[Contact]:
    """Of these active contacts, the rung's: those of each of its scopes ("each agency involved"), or else
    the role's council-wide ones."""
    of_role = [c for c in found if c.role == role]
    council_wide = [c for c in of_role if c.scope is None]
    if scope is None:
        return council_wide
    people = [c for part in scope.split(SCOPES) for c in ([c for c in of_role if c.scope == part] or council_wide)]
    return sorted({c.id: c for c in people}.values(), key=lambda c: c.name)


def identities(council_slug: str, email: str) -> list[User]:
    """The council's identities signed in with this email that an admin has not set aside."""
    return list(db.session.scalars(select(User).where(
        User.council == council_slug, User.email == email, User.set_aside_at.is_(None)).order_by(User.id)))


def _another_identity(user: User):
    """SQL: some other identity of the user's council has the same email and is not set aside."""
    other = _other_user()
    return exists().where(other.council == user.council, other.email == user.email, other.id != user.id,
                          other.set_aside_at.is_(None))


@cache
def _other_user():
    """``User`` aliased, made once: aliasing a mapped class costs more CPU than the query it is for (a
    rung holder's every page asks ``contacts_bound_to``)."""
    return aliased(User, name="other_user")


def bind(user: User) -> list[Contact]:
    """Bind this council's unbound contacts, and open stages naming the user's (verified) email, to the user.

    One identity per email holds what the email is given: the first to sign in with it. When a second
    identity signs in with the same email, that is a conflict: nothing more is bound, the contacts stop
    counting for either identity, and the council's admins choose on the directory page (``resolve``).
    Returns the contacts with this email that are in conflict.
    """
    contacts = list(db.session.scalars(select(Contact).where(
        Contact.council == user.council, Contact.email == user.email)))
    if user.set_aside_at is not None:
        return []
    if len(identities(user.council, user.email)) > 1:
        return contacts
    for contact in contacts:
        if contact.user_id is None:
            contact.user_id = user.id
    db.session.execute(
        update(StageEntry)
        .where(StageEntry.assignee_email == user.email, StageEntry.assignee_id.is_(None),
               StageEntry.closed_at.is_(None),
               StageEntry.case_id.in_(select(Case.id).where(Case.council == user.council)))
        .values(assignee_id=user.id)
        .execution_options(synchronize_session=False))
    return [c for c in contacts if c.user_id not in (None, user.id)]


def contacts_bound_to(user: User) -> frozenset[int]:
    """The ids of the active contacts this identity holds: none while another identity claims its email."""
    return frozenset(db.session.scalars(select(Contact.id).where(
        Contact.council == user.council, Contact.user_id == user.id, Contact.email == user.email, Contact.active,
        ~_another_identity(user))))


@dataclass(frozen=True)
class Conflict:
    """Two or more identities signed in with an email the directory or a case gives authority to."""

    email: str
    contacts: list[Contact]
    identities: list[User]


def conflicts(council_slug: str) -> list[Conflict]:
    """Emails held by more than one identity not set aside, with the contacts that carry them."""
    shared = (select(User.email).where(User.council == council_slug, User.set_aside_at.is_(None))
              .group_by(User.email).having(func.count() > 1))
    people: dict[str, list[User]] = {}
    for user in db.session.scalars(select(User).where(
            User.council == council_slug, User.set_aside_at.is_(None), User.email.in_(shared)).order_by(User.id)):
        people.setdefault(user.email, []).append(user)
    contacts: dict[str, list[Contact]] = {}
    for contact in db.session.scalars(select(Contact).where(
            Contact.council == council_slug, Contact.email.in_(list(people))).order_by(Contact.name)):
        contacts.setdefault(contact.email, []).append(contact)
    return [Conflict(email, contacts.get(email, []), users) for email, users in sorted(people.items())]


def resolve(council_slug: str, email: str, chosen: User, moment) -> list[User]:
    """An admin's choice: ``chosen`` is the person meant by ``email``; the other identities are set aside.

    The email's contacts and the open stages naming it are bound to ``chosen``. Returns those set aside.
    """
    aside = [u for u in identities(council_slug, email) if u.id != chosen.id]
    for user in aside:
        user.set_aside_at = moment
    for contact in db.session.scalars(select(Contact).where(Contact.council == council_slug, Contact.email == email)):
        contact.user_id = chosen.id
    db.session.flush()
    bind(chosen)
    return aside


def colleagues(council, raiser: User) -> list[Contact | User]:
    """Whom a lead may give a stage to: the council's active contacts, then colleagues who have signed in
    to the council with a rung role and an address in its domains (if it names any); never the raiser."""
    from core.model.roles import RUNG_ROLES

    contacts = db.session.scalars(select(Contact).where(
        Contact.council == council.slug, Contact.active, Contact.email != raiser.email).order_by(Contact.name)).all()
    listed = {c.email for c in contacts}
    users = db.session.scalars(select(User).where(
        User.council == council.slug, User.set_aside_at.is_(None), User.id != raiser.id,
        User.email != raiser.email).order_by(User.name)).all()
    domains = tuple(d.lower() for d in council.email_domains)
    return [*contacts, *(u for u in users if u.email not in listed and set(u.roles or ()) & RUNG_ROLES
                         and (not domains or u.email.rsplit("@", 1)[-1] in domains))]


def choice_value(person: Contact | User) -> str:
    return f"{'contact' if isinstance(person, Contact) else 'user'}-{person.id}"
