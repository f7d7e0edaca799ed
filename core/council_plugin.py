"""The two hooks every council implements, for a ``Council`` and its demo directory.

A council distribution points its ``concord.councils`` entry point at an
instance: ``westdunbartonshire = "concord_westdunbartonshire:plugin"``. The
demo directory is a CSV (columns role, scope, name, email) or a list of
``DirectoryEntry``; tests may pass the list directly::

    CouncilPlugin(council, contacts=[DirectoryEntry("warden", "Ada Warden", "ada@testshire.example.org")])
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .directory import read_csv
from .hookspecs import hookimpl
from .procedures import Council, DirectoryEntry


class CouncilPlugin:
    def __init__(
        self,
        council: Council,
        directory_csv: Path | str | None = None,
        *,
        contacts: Iterable[DirectoryEntry] | None = None,
    ):
        if directory_csv is not None and contacts is not None:
            raise TypeError("give the demo directory as a CSV path or as contacts, not both")
        self.council = council
        self.directory_csv = directory_csv
        self.contacts = list(contacts) if contacts is not None else None

    def __repr__(self) -> str:
        return f"CouncilPlugin({self.council.slug!r})"

    @hookimpl
    def concord_register_councils(self) -> list[Council]:
        return [self.council]

    @hookimpl
    def concord_demo_directory(self, council: Council) -> list[DirectoryEntry] | None:
        if council.slug != self.council.slug:
            return None
        if self.contacts is not None:
            return self.contacts
        return read_csv(self.directory_csv) if self.directory_csv is not None else []
