"""SQL for the Europe/London day of a UTC timestamp, the same rows on SQLite and PostgreSQL.

Councils count days in London; Concord stores UTC. Reports and the monthly figures group and filter by
the London day in SQL, so both databases must agree on it (``tests/reads/test_reports_and_learning.py``
compares them row for row).
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Date, Interval, and_, case, cast, func, literal

from core.model.records import db


def on_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def london_time(column, postgres: bool | None = None):
    """A UTC timestamp column as Europe/London wall-clock time (``postgres``: the dialect, if not the session's)."""
    if on_postgres() if postgres is None else postgres:
        return func.timezone("Europe/London", func.timezone("UTC", column))
    # SQLite has no time zones: British Summer Time runs from 01:00 UTC on the last
    # Sunday of March to 01:00 UTC on the last Sunday of October.
    year = func.strftime("%Y", column)
    starts = func.datetime(year.op("||")("-04-01"), "-7 days", "weekday 0", "+1 hour")
    ends = func.datetime(year.op("||")("-11-01"), "-7 days", "weekday 0", "+1 hour")
    return func.datetime(column, case((and_(column >= starts, column < ends), "+1 hour"), else_="+0 hours"))


def london_date(column, postgres: bool | None = None):
    postgres = on_postgres() if postgres is None else postgres
    return cast(london_time(column, postgres), Date) if postgres else func.date(london_time(column, postgres))


def on_or_before(column, day, postgres: bool | None = None):
    """The Europe/London date of the UTC timestamp ``column`` is ``day`` or earlier.

    On PostgreSQL the time zone is only consulted near midnight: London has been between 1m15s behind
    and 2 hours ahead of UTC, so a time before 22:00 UTC on ``day`` is that day or earlier there, and
    one from 01:00 UTC the day after is later; only the three hours between need the conversion.
    """
    postgres = on_postgres() if postgres is None else postgres
    if not postgres:
        return london_date(column, postgres) <= day
    return case(
        (column < day + literal(timedelta(hours=22), Interval), True),
        (column >= day + literal(timedelta(hours=25), Interval), False),
        else_=london_date(column, postgres) <= day,
    )
