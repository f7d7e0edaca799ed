"""What a mail transport is given and what it may raise: the types plugins implement against.

Nothing here imports the rest of Concord, so the hook specifications can name
these types without an import circle.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass
class Message:
    to: str
    subject: str
    text: str
    html: str
    message_id: str
    ics: bytes | None = None
    date: datetime | None = None
    personalisation: dict = field(default_factory=dict)
    kind: str = ""
    council: str = ""


class Transport(Protocol):
    """Sends one rendered message, or raises ``TemporaryFailure``/``PermanentFailure``."""

    def send(self, message: Message) -> None: ...


class TemporaryFailure(Exception):
    """Worth trying again later (connection refused, 4xx SMTP reply, Notify 5xx or 429)."""


class PermanentFailure(Exception):
    """Will never work (bad address, 5xx SMTP reply, Notify 4xx): stop at once."""
