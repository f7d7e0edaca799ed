"""The one source of "now", so tests can set the time instead of sleeping."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stays where a test puts it."""

    def __init__(self, at: datetime):
        self.at = at

    def now(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at


def local_date(moment: datetime) -> date:
    """The calendar date in Europe/London, which is what deadlines count in."""
    return moment.astimezone(LONDON).date()
