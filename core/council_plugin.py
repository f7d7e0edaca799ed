"""The two hooks every council implements, for a ``Council`` and its demo directory CSV.

A council distribution points its ``concord.councils`` entry point at an
instance: ``westdunbartonshire = "concord_westdunbartonshire:plugin"``.
"""
from __future__ import annotations

from pathlib import Path

from .directory import read_csv
from .hookspecs import hookimpl
from .procedures import Council


class CouncilPlugin:
    def __init__(self, council: Council, directory_csv: Path):
        self.council = council
        self.directory_csv = directory_csv

    @hookimpl
    def concord_register_councils(self):
        return [self.council]

    @hookimpl
    def concord_demo_directory(self, council):
        return read_csv(self.directory_csv) if council.slug == self.council.slug else None
