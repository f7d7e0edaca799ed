"""A directory CSV (columns role, scope, name, email): a council's demo directory, or an admin's import."""
from __future__ import annotations

import csv
from pathlib import Path

from core.model.procedures import DirectoryEntry

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
