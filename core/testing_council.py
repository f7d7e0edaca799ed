"""Testshire: a small fictional council for core's own tests.

Not installed through an entry point: core's tests register it with
``make_app(PLUGINS=[testing_council.plugin])``. One process, two wards whose
wardens hold the first rung, and an elder above them.
"""

from __future__ import annotations

from core.model.deadlines import WorkingDays
from core.model.procedures import Council, DirectoryEntry, Field, Ladder, Process, Role, Stage, escalate, resolve
from core.plugin import CouncilPlugin

WARDEN = Role("warden", "Duty Warden", scope="ward")
ELDER = Role("elder", "Elder")
NOTES = (Field("notes", "Notes", "textarea"),)

TESTSHIRE = Council(
    slug="testshire",
    name="Testshire Council",
    nation="ENG",
    reference_prefix="TST",
    immediate_risk="phone the Testshire front door today.",
    processes=(
        Process(
            slug="disagreement",
            title="Raise a disagreement",
            summary="Testing.",
            intake=(
                Field("ward", "Ward", "choice", choices=("North", "South")),
                Field("what", "What happened", "textarea"),
            ),
            ladders=(
                Ladder("only", "The only ladder", stages=(
                    Stage("first", "Warden", WARDEN, WorkingDays(2), NOTES, (resolve(), escalate())),
                    Stage("second", "Elder", ELDER, WorkingDays(3), NOTES, (resolve(),)),
                )),
            ),
        ),
    ),
)

CONTACTS = [
    DirectoryEntry("warden", "North Warden", "north.warden@testshire.example.org", "North"),
    DirectoryEntry("warden", "South Warden", "south.warden@testshire.example.org", "South"),
    DirectoryEntry("elder", "The Elder", "elder@testshire.example.org"),
]

plugin = CouncilPlugin(TESTSHIRE, contacts=CONTACTS)
