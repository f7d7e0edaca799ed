"""The council's contact directory: who sits on which rung."""
from __future__ import annotations

import csv
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import and_, or_, select

from .models import Contact, User, db
from .procedures import DirectoryEntry

CSV_COLUMNS = ("role", "scope", "name", "email")


def missing_columns(fieldnames) -> list[str]:
    """The directory CSV columns a header lacks, sorted."""
    return sorted(set(CSV_COLUMNS) - set(fieldnames or ()))


def read_csv(path: Path | str) -> list[DirectoryEntry]:
    """Read a directory CSV with the columns role, scope, name, email."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = missing_columns(reader.fieldnames)
        if missing:
            raise ValueError(f"{path}: missing columns {', '.join(missing)}")
        return [
            DirectoryEntry(role=row["role"].strip(), scope=row["scope"].strip() or None,
                        name=row["name"].strip(), email=row["email"].strip().lower())
            for row in reader
        ]


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
    on_rung = [
        and_(Contact.role == role, or_(Contact.scope == scope, Contact.scope.is_(None)) if scope else Contact.scope.is_(None))
        for role, scope in rungs
    ]
    found = db.session.scalars(
        select(Contact).where(Contact.council == council_slug, Contact.active, or_(*on_rung)).order_by(Contact.name)
    ).all()
    return {(role, scope): _on_rung(found, role, scope) for role, scope in rungs}


def _on_rung(found: list[Contact], role: str, scope: str | None) -> list[Contact]:
    """Of these active contacts, the rung's: those of its scope, or else the role's council-wide ones."""
    of_role = [c for c in found if c.role == role]
    return [c for c in of_role if scope and c.scope == scope] or [c for c in of_role if c.scope is None]


def bind(user: User) -> list[Contact]:
    """Bind this council's unbound contacts with the user's (verified) email to the user.

    A contact belongs to the identity that first signs in with its email; a
    different identity with the same email later gets no authority from it.
    Returns the contacts with this email bound to somebody else (a conflict
    for the council's admins to look at).
    """
    contacts = db.session.scalars(select(Contact).where(
        Contact.council == user.council, Contact.email == user.email)).all()
    for contact in contacts:
        if contact.user_id is None:
            contact.user_id = user.id
    return [c for c in contacts if c.user_id != user.id]


def contacts_bound_to(user: User) -> frozenset[int]:
    """The ids of the active contacts this identity holds."""
    return frozenset(db.session.scalars(select(Contact.id).where(
        Contact.council == user.council, Contact.user_id == user.id, Contact.email == user.email, Contact.active)))


def conflicts(council_slug: str) -> list[tuple[Contact, User]]:
    """Contacts whose email another identity has also signed in with."""
    rows = db.session.execute(
        select(Contact, User).join(User, (User.council == Contact.council) & (User.email == Contact.email))
        .where(Contact.council == council_slug, Contact.user_id.is_not(None), Contact.user_id != User.id)
        .order_by(Contact.name)
    )
    return [(contact, user) for contact, user in rows]
