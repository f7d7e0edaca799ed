"""What a council plugin imports: the public plugin API of Concord.

Plugins import from here, never from core's internal modules, so core can
move its insides without breaking them::

    from core.plugin import Council, CouncilPlugin, Field, Ladder, Process, Role, Stage, WorkingDays, resolve

Everything listed in ``__all__`` is stable for every 0.x release from 0.1 on
(see CHANGELOG.md); a plugin depends on ``concord>=0.1,<0.2``.
"""

from __future__ import annotations

from .council_plugin import CouncilPlugin
from .hookspecs import ChangeKind, SignInMethod, TransportFactory, hookimpl
from .procedures import (
    LINE_MANAGER_EMAIL,
    LINE_MANAGER_NAME,
    NATIONS,
    NEXT_RUNG,
    RAISER,
    YOUR_LINE_MANAGER,
    CalendarDays,
    Council,
    Deadline,
    DirectoryEntry,
    Field,
    FooterLink,
    InvalidCouncil,
    Ladder,
    Look,
    NextMeeting,
    Outcome,
    Process,
    QuestionPage,
    Role,
    SameWorkingDay,
    Stage,
    WorkingDays,
    check,
    escalate,
    resolve,
    sent,
)

__all__ = [
    "LINE_MANAGER_EMAIL",
    "LINE_MANAGER_NAME",
    "NATIONS",
    "NEXT_RUNG",
    "RAISER",
    "CalendarDays",
    "ChangeKind",
    "Council",
    "CouncilPlugin",
    "Deadline",
    "DirectoryEntry",
    "Field",
    "FooterLink",
    "InvalidCouncil",
    "Ladder",
    "Look",
    "NextMeeting",
    "Outcome",
    "Process",
    "QuestionPage",
    "Role",
    "SameWorkingDay",
    "SignInMethod",
    "Stage",
    "TransportFactory",
    "WorkingDays",
    "YOUR_LINE_MANAGER",
    "check",
    "escalate",
    "hookimpl",
    "resolve",
    "sent",
]
