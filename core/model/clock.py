"""The one source of "now", so tests can set the time instead of sleeping."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

# A procedure dry run sets "now" for its own thread only, never for other requests.
_pinned: ContextVar[datetime | None] = ContextVar("concord_pinned_now", default=None)


@contextmanager
def pinned(at: datetime):
    """Within the block, every Concord clock in this context says ``at``."""
    token = _pinned.set(at)
    try:
        yield
    finally:
        _pinned.reset(token)


class SystemClock:
    def now(self) -> datetime:
        return _pinned.get() or datetime.now(UTC)


class FixedClock:
    """A clock that stays where a test puts it."""

    def __init__(self, at: datetime):
        self.at = at

    def now(self) -> datetime:
        return _pinned.get() or self.at

    def set(self, at: datetime) -> None:
        self.at = at


def local_date(moment: datetime) -> date:
    """The calendar date in Europe/London, which is what deadlines count in."""
    return moment.astimezone(LONDON).date()
