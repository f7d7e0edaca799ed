"""The council's contact directory: who sits on which rung."""
from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from .models import Contact, db
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
    query = select(Contact).where(Contact.council == council_slug, Contact.role == role, Contact.active)
    scoped = list(db.session.scalars(query.where(Contact.scope == scope).order_by(Contact.name))) if scope else []
    return scoped or list(db.session.scalars(query.where(Contact.scope.is_(None)).order_by(Contact.name)))


def rungs_of(council_slug: str, email: str) -> set[tuple[str, str | None]]:
    """The (role, scope) pairs where this email is an active contact."""
    rows = db.session.execute(
        select(Contact.role, Contact.scope).where(
            Contact.council == council_slug, Contact.email == email.lower(), Contact.active
        )
    )
    return {(role, scope) for role, scope in rows}
