"""The reports' monthly figures (``ReportMonth``), kept current in the transaction that changes the case.

A council's reports add up the months of their period instead of reading every case raised or
closed in it, so the page takes about as long at a million cases as at a thousand. Registered as a
core default plugin: each ``concord_case_changed`` adds what the change moves to a tally kept in the
session, and a new theme (``CaseTheme``, however it is added) adds itself; the tally is written in
one upsert just before the transaction commits, and forgotten if it rolls back. The upsert adds to
each row under that row's lock, so two cases opened at once are both counted; its rows go in key
order, so two transactions never wait for each other's rows the opposite way round. Each month's
row is added to its year's as well, and each open stage is counted on the day it is due (moved when
``core.recalculate`` moves that day), for "open now" and "overdue" without reading the open cases.

Times are kept in tenths of a day, rounded exactly as the reports round a time for show
(``round(days, 1)``): rounding keeps the order of times, so the median and 90th percentile of the
tenths are the rounded median and 90th percentile of the times themselves.

``from_cases`` counts the same rows from the cases themselves: the migration back-fills with it, and
a report whose period starts or ends part way through a month counts those days with it.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import cache
from typing import NamedTuple

from sqlalchemy import (
    Date,
    Integer,
    and_,
    case,
    cast,
    event,
    extract,
    func,
    insert,
    inspect,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session, object_session

from core.hookspecs import CaseView, ChangeKind, StageView, hookimpl
from core.model.clock import local_date
from core.model.london_sql import london_time, on_or_before
from core.model.procedures import Council
from core.model.records import Case, CaseTheme, ReportMonth, StageEntry, db, dialect_module_named, insert_rows

TALLY = "concord.report_months"
YEAR = ":year"  # a figure's row for a whole year (``month`` its 1 January): a long period reads one a year
UNTIMED = -1  # the tenths of a row that counts no time: a stage entry still open, a case raised, a theme
DAY = 86_400_000_000  # microseconds


class Key(NamedTuple):
    """The key of a ``ReportMonth`` row, in its column order."""

    council: str
    month: date
    figure: str
    process: str
    ladder: str = ""
    name: str = ""
    outcome: str = ""
    tenths: int = UNTIMED


#: Per key: cases, on time, reached.
Tally = dict[Key, list[int]]


def tenths(twentieths: int, exact: bool) -> int:
    """A time in tenths of a day as ``round(days, 1)`` rounds it, from the whole twentieths of a day in
    it and whether it is exactly that many: only then is it half way, and Python's rounding of the
    nearest float decides (as it did when reports rounded each time they read)."""
    if twentieths % 2 == 0:
        return twentieths // 2
    if not exact:
        return (twentieths + 1) // 2
    return round(round(twentieths / 20, 1) * 10)


def between(start: datetime, end: datetime) -> int:
    """From ``start`` to ``end`` in tenths of a day (``tenths``)."""
    twentieths, left = divmod((end - start) // timedelta(microseconds=1) * 20, DAY)
    return tenths(twentieths, left == 0)


def month_of(moment: datetime) -> date:
    """The first day of the London month ``moment`` falls in."""
    return local_date(moment).replace(day=1)


# --- kept current: the case engine's changes ---------------------------------------------------


def count(session: Session, key: Key, cases: int = 0, on_time: int = 0, reached: int = 0) -> None:
    row = session.info.setdefault(TALLY, {}).setdefault(key, [0, 0, 0])
    row[0], row[1], row[2] = row[0] + cases, row[1] + on_time, row[2] + reached


@hookimpl
def concord_case_changed(council: Council, case: CaseView, change: ChangeKind, entry: StageView | None) -> None:
    session = db.session()  # this transaction's own session, whose tally it is
    raised = Key(case.council, month_of(case.raised_at), "raised", case.process, case.ladder)
    if change == "opened":
        count(session, raised, cases=1)
    elif change == "stage-entered" and entry is not None:
        count(session, _stage(case, entry, UNTIMED), reached=1)
        count(session, _open(case.council, case.process, entry, entry.due_on), cases=1)
    elif change == "stage-closed" and entry is not None and entry.closed_at is not None:
        # The case has left the stage: it reached it last again only if this closes the case ("closed").
        count(session, _stage(case, entry, UNTIMED), reached=-1)
        count(session, _open(case.council, case.process, entry, entry.due_on), cases=-1)
        on_time = local_date(entry.closed_at) <= entry.due_on
        count(session, _stage(case, entry, between(entry.entered_at, entry.closed_at)), cases=1, on_time=int(on_time))
    elif change == "closed" and case.closed_at is not None:
        count(session, raised, cases=-1)
        count(session, raised._replace(outcome=case.outcome or ""), cases=1)
        count(session, Key(case.council, month_of(case.closed_at), "closed", case.process,
                           tenths=between(case.raised_at, case.closed_at)), cases=1)
        if entry is not None and entry.closed_at == case.closed_at and entry.outcome == case.outcome:
            count(session, _stage(case, entry, between(entry.entered_at, case.closed_at)), reached=1)


def _stage(case: CaseView, entry: StageView, timed: int) -> Key:
    return Key(case.council, month_of(case.raised_at), "stage", case.process, case.ladder, entry.stage, "", timed)


def _open(council: str, process: str, entry: StageEntry | StageView, due: date) -> Key:
    """An open stage, counted on the day it is due (in ``month``): overdue is every day before today."""
    return Key(council, due, "open", process, outcome="late" if entry.late_on_arrival else "")


@event.listens_for(StageEntry.due_on, "set", active_history=True)
def _due_day_moved(entry: StageEntry, day, before, initiator) -> None:
    """An open stage whose due day moves (``core.recalculate``, outside the case engine) moves with it."""
    session = object_session(entry)
    if session is None or not inspect(entry).persistent or entry.closed_at is not None:
        return
    if not isinstance(before, date) or before == day:
        return
    case = session.get(Case, entry.case_id)
    if case is not None and case.status == "open":
        count(session, _open(case.council, case.process, entry, before), cases=-1)
        count(session, _open(case.council, case.process, entry, day), cases=1)


@event.listens_for(CaseTheme, "after_insert")
def _theme_added(mapper, connection, theme: CaseTheme) -> None:
    session = object_session(theme)
    if session is not None:
        count(session, Key(theme.council, month_of(theme.closed_at), "theme", theme.process, name=theme.theme), cases=1)


def with_years(tally: Tally) -> Tally:
    """The tally with each month's row added to its year's too (the open stages belong to no period)."""
    out: Tally = {}
    for key, (cases, on_time, reached) in tally.items():
        year = key._replace(figure=key.figure + YEAR, month=key.month.replace(month=1))
        for each in (key,) if key.figure == "open" else (key, year):
            row = out.setdefault(each, [0, 0, 0])
            row[0], row[1], row[2] = row[0] + cases, row[1] + on_time, row[2] + reached
    return out


ADDED_UP = ("cases", "on_time", "reached")


def write(session: Session) -> None:
    """Add the transaction's tally to its rows (and their years'): one upsert, rows in key order."""
    rows = take_rows(session)
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        # One statement however many rows (an executemany would run the upsert once a row): the rows as one JSON parameter.
        insert_rows(session, ReportMonth.__table__, rows, add_up=ADDED_UP)
    else:
        session.execute(_upsert(), rows)


def take_rows(session: Session) -> list[dict]:
    """The transaction's tally as rows to add (``ADDED_UP``) to ``ReportMonth``'s, in key order, and forgotten
    by the session: ``write`` them, or send them in another statement (``core.engine.references``)."""
    session.flush()  # a theme still to be written counts itself when it is
    tally = with_years(session.info.pop(TALLY, {}))
    return [{**key._asdict(), "cases": c, "on_time": o, "reached": r}
            for key, (c, o, r) in sorted(tally.items()) if c or o or r]


@cache
def _upsert():
    """SQLite's upsert, built once."""
    table = ReportMonth.__table__
    statement = dialect_module_named("sqlite").insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(table.primary_key.columns),
        set_={name: table.c[name] + statement.excluded[name] for name in ADDED_UP})


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    if session.info.get(TALLY) or any(isinstance(row, CaseTheme) for row in session.new):
        write(session)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(TALLY, None)


# --- counted from the cases: the back-fill, and the odd days of a period -----------------------


def from_cases(execute: Callable, postgres: bool, councils: list[str] | None = None, since: datetime | None = None,
               until: datetime | None = None, process: str | None = None, open_now: bool = False) -> Tally:
    """Every ``ReportMonth`` row the cases hold (of ``councils``, in ``[since, until)``, of ``process``),
    counted by the database from the cases, their stages and themes; ``execute`` runs a statement.
    With ``open_now`` the open stages too (they belong to no period)."""
    out: Tally = {}

    def add(key: Key, cases, on_time=0, reached=0):
        row = out.setdefault(key, [0, 0, 0])
        row[0], row[1], row[2] = row[0] + int(cases or 0), row[1] + int(on_time or 0), row[2] + int(reached or 0)

    def month(column):
        local = london_time(column, postgres)
        return cast(func.date_trunc("month", local), Date) if postgres else func.strftime("%Y-%m-01", local)

    def timed(start, end):
        """The whole twentieths of a day from start to end, and whether it is exactly that (NULL while open)."""
        if postgres:  # microseconds, exactly (extract gives a numeric)
            twentieths = extract("epoch", end - start) * 20
            return func.div(twentieths, 86400), func.mod(twentieths, 86400) == 0
        milliseconds = cast(func.round((func.julianday(end) - func.julianday(start)) * 86_400_000), Integer) * 20
        return milliseconds // 86_400_000, milliseconds % 86_400_000 == 0

    def within(column, council, of_process):
        found = [column.is_not(None)]
        found += [council.in_(councils)] if councils is not None else []
        found += [column >= since] if since is not None else []
        found += [column < until] if until is not None else []
        return found + ([of_process == process] if process else [])

    def grouped(keys, sums, where, join=None):
        query = select(*keys, *sums).where(*where)
        if join is not None:
            query = query.join(*join)
        # By position: an expression with parameters is not the same expression twice to PostgreSQL.
        return execute(query.group_by(*(literal_column(str(i + 1)) for i in range(len(keys))))).all()

    outcome = case((Case.status == "closed", func.coalesce(Case.outcome, "")), else_="")
    for council, m, proc, ladder, outc, n in grouped(
            (Case.council, month(Case.raised_at), Case.process, Case.ladder, outcome), (func.count(),),
            within(Case.raised_at, Case.council, Case.process)):
        add(Key(council, _day(m), "raised", proc, ladder, "", outc), n)

    twentieths, exact = timed(Case.raised_at, Case.closed_at)
    for council, m, proc, t, e, n in grouped(
            (Case.council, month(Case.closed_at), Case.process, twentieths, exact), (func.count(),),
            within(Case.closed_at, Case.council, Case.process)):
        add(Key(council, _day(m), "closed", proc, tenths=tenths(int(t), bool(e))), n)

    closed = StageEntry.closed_at.is_not(None)
    twentieths, exact = timed(StageEntry.entered_at, StageEntry.closed_at)
    on_time = case((and_(closed, on_or_before(StageEntry.closed_at, StageEntry.due_on, postgres)), 1), else_=0)
    reached = case((or_(and_(StageEntry.closed_at.is_(None), Case.status == "open"),
                        and_(StageEntry.closed_at == Case.closed_at, StageEntry.outcome == Case.outcome)), 1), else_=0)
    for council, m, proc, ladder, stage, t, e, n, ok, last in grouped(
            (Case.council, month(Case.raised_at), Case.process, Case.ladder, StageEntry.stage, twentieths, exact),
            (func.count(StageEntry.closed_at), func.sum(on_time), func.sum(reached)),
            within(Case.raised_at, Case.council, Case.process), join=(StageEntry, StageEntry.case_id == Case.id)):
        add(Key(council, _day(m), "stage", proc, ladder, stage, "", UNTIMED if t is None else tenths(int(t), bool(e))),
            n, ok, last)

    for council, m, proc, theme, n in grouped(
            (CaseTheme.council, month(CaseTheme.closed_at), CaseTheme.process, CaseTheme.theme), (func.count(),),
            within(CaseTheme.closed_at, CaseTheme.council, CaseTheme.process)):
        add(Key(council, _day(m), "theme", proc, name=theme), n)

    if open_now:
        late = case((StageEntry.late_on_arrival, "late"), else_="")
        now = [Case.status == "open", StageEntry.closed_at.is_(None)]
        for council, proc, due, lateness, n in grouped(
                (Case.council, Case.process, StageEntry.due_on, late), (func.count(),),
                now + ([Case.council.in_(councils)] if councils is not None else []),
                join=(StageEntry, StageEntry.case_id == Case.id)):
            add(Key(council, _day(due), "open", proc, outcome=lateness), n)
    return out


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def back_fill(connection) -> int:
    """Count every existing case into ``ReportMonth`` (an empty table): the migration that adds it runs this."""
    found = with_years(from_cases(connection.execute, connection.dialect.name == "postgresql", open_now=True))
    rows = [{**key._asdict(), "cases": c, "on_time": o, "reached": r} for key, (c, o, r) in sorted(found.items())]
    for start in range(0, len(rows), 5000):
        connection.execute(insert(ReportMonth.__table__), rows[start:start + 5000])
    return len(rows)
