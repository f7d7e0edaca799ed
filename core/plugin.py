"""What a council plugin imports: the public plugin API of Concord.

Plugins import from here, never from core's internal modules, so core can
move its insides without breaking them::

    from core.plugin import Council, CouncilPlugin, Field, Ladder, Process, Role, Stage, WorkingDays, resolve

Everything listed in ``__all__`` is stable for every 0.x release from 0.1 on
(see CHANGELOG.md); a plugin depends on ``concord>=0.1,<0.2``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from core.hookspecs import (
    CaseView,
    ChangeKind,
    EmailKind,
    Holder,
    Message,
    PermanentFailure,
    SignInMethod,
    StageView,
    TemporaryFailure,
    Transport,
    TransportFactory,
    hookimpl,
)
from core.model.checks import InvalidCouncil, check
from core.model.deadlines import (
    Calendar,
    CalendarDays,
    Deadline,
    NextMeeting,
    NoMeetingScheduled,
    SameWorkingDay,
    WorkingDays,
)
from core.model.directory_csv import read_csv
from core.model.field_types import FieldType
from core.model.procedures import (
    CORE_OUTCOMES,
    LINE_MANAGER_EMAIL,
    LINE_MANAGER_NAME,
    NATIONS,
    NEXT_RUNG,
    RAISER,
    RESERVED_COUNCIL_SLUGS,
    YOUR_LINE_MANAGER,
    Council,
    DirectoryEntry,
    Field,
    FooterLink,
    Ladder,
    Look,
    Outcome,
    Process,
    QuestionPage,
    Role,
    Stage,
    escalate,
    resolve,
    sent,
)

__all__ = [
    "Message",
    "PermanentFailure",
    "TemporaryFailure",
    "Transport",
    "CORE_OUTCOMES",
    "LINE_MANAGER_EMAIL",
    "LINE_MANAGER_NAME",
    "NATIONS",
    "NEXT_RUNG",
    "RAISER",
    "Calendar",
    "RESERVED_COUNCIL_SLUGS",
    "CalendarDays",
    "CaseView",
    "ChangeKind",
    "Council",
    "CouncilPlugin",
    "Deadline",
    "DirectoryEntry",
    "EmailKind",
    "Field",
    "FieldType",
    "FooterLink",
    "Holder",
    "InvalidCouncil",
    "Ladder",
    "Look",
    "NextMeeting",
    "NoMeetingScheduled",
    "Outcome",
    "Process",
    "QuestionPage",
    "Role",
    "SameWorkingDay",
    "SignInMethod",
    "Stage",
    "StageView",
    "TransportFactory",
    "WorkingDays",
    "YOUR_LINE_MANAGER",
    "check",
    "escalate",
    "hookimpl",
    "resolve",
    "sent",
]


class CouncilPlugin:
    """The two hooks every council implements, for a ``Council`` and its demo directory.

    A council distribution points its ``concord.councils`` entry point at an
    instance: ``westdunbartonshire = "concord_westdunbartonshire:plugin"``. The
    demo directory is a CSV (columns role, scope, name, email) or a list of
    ``DirectoryEntry``; tests may pass the list directly::

        CouncilPlugin(council, contacts=[DirectoryEntry("warden", "Ada Warden", "ada@testshire.example.org")])
    """

    def __init__(
        self,
        council: Council,
        directory_csv: Path | str | None = None,
        *,
        contacts: Iterable[DirectoryEntry] | None = None,
    ) -> None:
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
