"""Reports for a council and, for councils that opt in, aggregates across councils.

Everything is counted by the database (GROUP BY, percentiles by
``percentile_disc`` on PostgreSQL and by ``ROW_NUMBER`` on SQLite, which give
the same nearest-rank figure); no case is loaded into Python. Times are
calendar days with a decimal (hours/24), measured from the moment a stage was
entered, or a case raised, to the moment it was closed; "on time" compares
the day it closed (Europe/London) with the stage's stored due date, so a rung
with a working-day deadline is judged by that deadline.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import DateTime, and_, case, extract, func, literal, or_, select, text, true
from sqlalchemy.dialects import postgresql

from core.model.clock import LONDON
from core.model.london_sql import london_time, on_postgres
from core.model.procedures import CORE_OUTCOMES, Council
from core.model.records import Case, CaseLearning, CaseTheme, ReportMonth, db
from core.reads.meanwhile import side_by_side

SUPPRESS_BELOW = 5  # counts under this are not shown across councils


@dataclass(frozen=True)
class Period:
    """From and to are London dates, both included; ``process`` narrows to one process."""

    start: date
    end: date
    process: str | None = None

    @property
    def since(self) -> datetime:
        return _utc_midnight(self.start)

    @property
    def until(self) -> datetime:
        return _utc_midnight(self.end + timedelta(days=1))

    def month_starts(self) -> list[date]:
        """The first day of each month the period touches."""
        found, day = [], self.start.replace(day=1)
        while day <= self.end:
            found.append(day)
            day = (day + timedelta(days=32)).replace(day=1)
        return found

    def months(self) -> list[str]:
        return [f"{day:%Y-%m}" for day in self.month_starts()]


def default_period(today: date, process: str | None = None) -> Period:
    """The last twelve months, this one included."""
    year, month = (today.year - 1, today.month + 1) if today.month < 12 else (today.year, 1)
    return Period(date(year, month, 1), today, process)


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), LONDON).astimezone(UTC)


# --- the few expressions SQLite and PostgreSQL write differently -------------




def _month(column, period: Period):
    """Which of the period's months (Europe/London) a timestamp in the period falls in; ``_month_label`` names it.

    On PostgreSQL, the number of the period's month starts (as UTC instants) at or before it, by
    ``width_bucket``: one binary search a row instead of two time-zone conversions and a ``to_char``,
    and a number is grouped faster than a label. On SQLite, the ``YYYY-MM`` itself.
    """
    if on_postgres():
        starts = [_utc_midnight(day).replace(tzinfo=None) for day in period.month_starts()[1:]]
        if not starts:
            return literal(0)
        return func.width_bucket(column, postgresql.array([literal(s, DateTime) for s in starts]))
    return func.strftime("%Y-%m", london_time(column))


def _month_label(months: list[str], month) -> str:
    """The ``YYYY-MM`` of what ``_month`` gave, given the period's ``months()``."""
    return months[month] if isinstance(month, int) else month


def _duration(start, end):
    """From start to end: an interval on PostgreSQL (sorted faster than a number), days on SQLite."""
    if on_postgres():
        return end - start
    return func.julianday(end) - func.julianday(start)


def _in_days(duration):
    """What ``_duration`` gave, in days with a fraction."""
    if on_postgres():
        return extract("epoch", duration) / 86400.0
    return duration


def _percentiles(rows, keys: list[str], extra=()):
    """Per group of ``keys`` in the subquery ``rows``: n (non-null ``d``), median and 90th percentile of ``d``.

    Nearest rank: the value at rank ceil(p·n) of the ordered times, so each figure is a real case's.
    Rows whose ``d`` is NULL are not timed but still count in ``extra``: (label, column) pairs summed per group.
    """
    group = [rows.c[k] for k in keys]
    if on_postgres():
        # A hash aggregate gathers each group's times into an array, and each array is then sorted on its
        # own (both percentiles share that sort). An ordered-set aggregate over the rows would first sort
        # every row by the group's keys: twice the time for a year's stages. The groups come in the order
        # of their keys, as they did from that sort.
        grouped = select(
            *group, func.count(rows.c.d).label("n"),
            func.array_agg(rows.c.d).filter(rows.c.d.is_not(None)).label("ds"),
            *(func.sum(rows.c[name]).label(label) for label, name in extra),
        ).group_by(*group).subquery()
        d = func.unnest(grouped.c.ds).column_valued("d")
        ranks = select(func.percentile_disc(0.5).within_group(d).label("p50"),
                       func.percentile_disc(0.9).within_group(d).label("p90")).lateral()
        return select(
            *(grouped.c[k] for k in keys), grouped.c.n,
            _in_days(ranks.c.p50).label("p50"), _in_days(ranks.c.p90).label("p90"),
            *(grouped.c[label] for label, _ in extra),
        ).select_from(grouped.join(ranks, true())).order_by(*(grouped.c[k] for k in keys))
    ranked = select(
        *group, rows.c.d, *(rows.c[name] for _, name in extra),
        func.row_number().over(partition_by=group, order_by=(rows.c.d.is_(None), rows.c.d)).label("rn"),
        func.count(rows.c.d).over(partition_by=group).label("n"),
    ).subquery()
    rgroup = [ranked.c[k] for k in keys]
    return select(
        *rgroup, func.max(ranked.c.n).label("n"),
        func.max(case((ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.d))).label("p50"),
        func.max(case((ranked.c.rn == (9 * ranked.c.n + 9) // 10, ranked.c.d))).label("p90"),
        *(func.sum(ranked.c[name]).label(label) for label, name in extra),
    ).group_by(*rgroup)


def _round(value) -> float | None:
    return None if value is None else round(float(value), 1)


# --- one council --------------------------------------------------------------


def _closed_in(council_slugs, period: Period):
    conditions = [Case.council.in_(council_slugs), Case.closed_at >= period.since, Case.closed_at < period.until]
    if period.process:
        conditions.append(Case.process == period.process)
    return conditions


class Names:
    """Titles for the slugs a query returns, from the council's plugin (a slug when it has gone)."""

    def __init__(self, council: Council):
        self.processes = {p.slug: p.title for p in council.processes}
        self.ladders: dict[tuple[str, str], str] = {}
        self.stages: dict[tuple[str, str, str], str] = {}
        self.deadlines: dict[tuple[str, str, str], str] = {}
        self.outcomes: dict[tuple[str, str], str] = {}
        for p in council.processes:
            for ladder in p.ladders:
                self.ladders[p.slug, ladder.slug] = ladder.title
                for stage in ladder.stages:
                    self.stages[p.slug, ladder.slug, stage.slug] = stage.title
                    self.deadlines[p.slug, ladder.slug, stage.slug] = stage.deadline.describe()
                    for outcome in stage.outcomes:
                        self.outcomes.setdefault((p.slug, outcome.slug), outcome.label)

    def process(self, slug):
        return self.processes.get(slug, slug)

    def ladder(self, process, slug):
        return self.ladders.get((process, slug), slug)

    def stage(self, process, ladder, slug):
        return self.stages.get((process, ladder, slug), slug)

    def outcome(self, process, slug):
        # Outcomes core adds itself (e.g. "withdrawn" by the raiser) are not on any stage.
        return (self.outcomes.get((process, slug)) or CORE_OUTCOMES.get(slug or "")
                or (slug or "").replace("-", " ").capitalize())

    def stage_order(self, process, ladder, slug):
        titles = list(k for k in self.stages if k[:2] == (process, ladder))
        return titles.index((process, ladder, slug)) if (process, ladder, slug) in titles else len(titles)

    def order(self, process):
        slugs = list(self.processes)
        return slugs.index(process) if process in slugs else len(slugs)


def summary(council: Council, period: Period, today: date) -> dict:
    """Every figure of the reports page and of ``/api/reports/summary``.

    Added up from the council's monthly (and yearly) rows (``core.engine.report_months``), whatever the
    number of cases; only a month the period takes part of is counted from its cases, for those days.
    Open cases now come from the open stages counted by the day they are due, as they depend on today.
    """
    names = Names(council)
    counted, (months, now) = side_by_side(lambda: _counted(council, period, today),
                                           lambda: (_whole_months(council, period, today), _now(council, period, names, today)),
                                           each_session=_plan_for_reports)
    for key, n in months.items():
        counted.months[key] = counted.months.get(key, 0) + n
    states = [_State(process, ladder, "closed" if outcome else "open", outcome or None, group.cases)
              for (figure, process, ladder, _, outcome), group in counted.groups.items()
              if figure == "raised" and group.cases]
    stages = _stages(counted, names)
    return {
        "council": council.slug,
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "process": period.process,
        "by_process": _by_process(states, names),
        "by_ladder": _by_ladder(states, names),
        "by_stage_reached": [{k: r[k] for k in ("process", "ladder", "ladder_title", "stage", "title", "cases")}
                             for r in stages if r["cases"]],
        "by_outcome": _by_outcome(states, names),
        "overdue_now": now,
        "time_per_stage": [{k: v for k, v in r.items() if k != "cases"} for r in stages if r["closed"]],
        "time_to_resolution": _time_to_resolution(counted, names),
        "monthly": [{"month": m, "raised": counted.months.get((m, "raised", ""), 0),
                     "closed": counted.months.get((m, "closed", ""), 0)} for m in period.months()],
        "themes": _themes(counted),
    }


class _State(NamedTuple):
    """Cases raised in the period, of one process, ladder and outcome (None while open)."""

    process: str
    ladder: str
    status: str
    outcome: str | None
    n: int


class _Group(NamedTuple):
    """One figure of the period for one process, ladder and stage or outcome: its cases, how many of them
    have a time, are on time and reached it last, and the median and 90th percentile time (days)."""

    cases: int
    timed: int
    on_time: int
    reached: int
    p50: float | None
    p90: float | None


@dataclass
class _Counted:
    """A period's rows added up: ``groups`` per (figure, process, ladder, name, outcome); ``months`` per
    (``YYYY-MM``, figure, name): cases raised, closed and with each theme."""

    groups: dict[tuple, _Group]
    months: dict[tuple, int]


def _whole(month: date, period: Period, today: date) -> bool:
    """Whether the period holds all of ``month``: a month running past today holds all it will ever hold."""
    last = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return month >= period.start and (last <= period.end or period.end >= today)


def _whole_rows(council: Council, period: Period, today: date) -> list:
    """The conditions on ``ReportMonth`` for the period's whole months (none when it has none)."""
    whole = [m for m in period.month_starts() if _whole(m, period, today)]
    if not whole:
        return []
    rows = [ReportMonth.council == council.slug, ReportMonth.month.between(whole[0], whole[-1])]
    return rows + ([ReportMonth.process == period.process] if period.process else [])


def _counted(council: Council, period: Period, today: date) -> _Counted:
    """The period's figures from its whole months' rows (and whole years', where it holds one so far),
    with the days of a month it takes only part of counted from the cases.

    The database adds the rows up per figure and time (a few thousand rows come back however many
    cases; ranking them in SQL took three times as long, all of it sorting); the times are ranked
    here. ``months`` has only the odd days' (``_whole_months`` reads the rest meanwhile).
    """
    from core.engine import report_months

    whole = [m for m in period.month_starts() if _whole(m, period, today)]
    years = sorted({m.year for m in whole if all(
        date(m.year, n, 1) in whole for n in range(1, 13) if date(m.year, n, 1) <= today.replace(day=1))})
    months = [m for m in whole if m.year not in years]
    figures = ("raised", "closed", "stage", "theme")
    spans = [and_(ReportMonth.figure.in_(figures), ReportMonth.month.in_(months))] if months else []
    if years:
        spans.append(and_(ReportMonth.figure.in_([f + report_months.YEAR for f in figures]),
                          ReportMonth.month.in_([date(y, 1, 1) for y in years])))
    rows: dict[tuple, list[int]] = {}
    per_month: dict[tuple, int] = {}

    def add(key: tuple, cases: int, on_time: int, reached: int) -> None:
        row = rows.get(key)
        if row is None:
            rows[key] = [cases, on_time, reached]
        else:
            row[0], row[1], row[2] = row[0] + cases, row[1] + on_time, row[2] + reached

    if spans:
        kept = (ReportMonth.figure, ReportMonth.process, ReportMonth.ladder, ReportMonth.name, ReportMonth.outcome,
                ReportMonth.tenths)
        conditions = [ReportMonth.council == council.slug, or_(*spans)]
        if period.process:
            conditions.append(ReportMonth.process == period.process)
        # Through the connection: a few thousand plain tuples, without the session's per-row work.
        for figure, process, ladder, name, outcome, tenths, cases, on_time, reached in db.session.connection().execute(
                select(*kept, func.sum(ReportMonth.cases), func.sum(ReportMonth.on_time), func.sum(ReportMonth.reached))
                .where(*conditions).group_by(*kept)):
            add((figure.removesuffix(report_months.YEAR), process, ladder, name, outcome, tenths),
                int(cases), int(on_time), int(reached))
    for month in (m for m in period.month_starts() if m not in whole):
        after = (month + timedelta(days=32)).replace(day=1)
        found = report_months.from_cases(db.session.execute, on_postgres(), [council.slug],
                                         max(period.since, _utc_midnight(month)), min(period.until, _utc_midnight(after)),
                                         period.process)
        for key, (cases, on_time, reached) in found.items():
            add((key.figure, key.process, key.ladder, key.name, key.outcome, key.tenths), cases, on_time, reached)
            if key.figure != "stage" and cases:
                at = (f"{key.month:%Y-%m}", key.figure, key.name)
                per_month[at] = per_month.get(at, 0) + cases
    return _Counted(_ranked(rows), per_month)


def _ranked(rows: dict[tuple, list[int]]) -> dict[tuple, _Group]:
    """Groups from rows per (figure, process, ladder, name, outcome, tenths): cases, on time, reached."""
    found: dict[tuple, tuple[list[int], dict[int, int]]] = {}
    for (figure, process, ladder, name, outcome, tenths), (cases, on_time, reached) in rows.items():
        key = (figure, process, ladder, name, outcome)
        group = found.get(key)
        if group is None:
            group = found[key] = ([0, 0, 0], {})
        sums, times = group
        sums[0], sums[1], sums[2] = sums[0] + cases, sums[1] + on_time, sums[2] + reached
        if tenths >= 0 and cases:
            times[tenths] = times.get(tenths, 0) + cases
    out = {}
    for key, (sums, times) in found.items():
        timed, p50, p90 = _nearest_ranks(times)
        out[key] = _Group(sums[0], timed, sums[1], sums[2], p50, p90)
    return out


def _whole_months(council: Council, period: Period, today: date) -> dict[tuple, int]:
    """Per (``YYYY-MM``, figure, name): cases raised, closed and with each theme, in the period's whole months."""
    rows = _whole_rows(council, period, today)
    if not rows:
        return {}
    per_month = (ReportMonth.month, ReportMonth.figure, ReportMonth.name)
    return {(f"{month:%Y-%m}", figure, name): int(cases) for month, figure, name, cases in db.session.execute(
        select(*per_month, func.sum(ReportMonth.cases))
        .where(*rows, ReportMonth.figure.in_(("raised", "closed", "theme"))).group_by(*per_month)) if cases}


def _nearest_ranks(times: dict[int, int]) -> tuple[int, float | None, float | None]:
    """n, median and 90th percentile of times given as tenths of a day → how many took that long.

    Nearest rank: the time at rank ceil(p·n) in order, so each figure is a real case's (or stage's).
    """
    n = sum(times.values())
    ranks, seen = ((n + 1) // 2, (9 * n + 9) // 10), 0
    found: list[float] = []
    for tenths in sorted(times):
        seen += times[tenths]
        while len(found) < 2 and seen >= ranks[len(found)]:
            found.append(tenths / 10)
    return (n, found[0], found[1]) if n else (0, None, None)


def _plan_for_reports() -> None:
    # For this transaction: percentiles sort each stage's times, so keep that in memory rather than on
    # disk; and plan each query for its period, as a generic plan (which psycopg's prepared statements
    # get after a few runs) cannot see how many rows a date range holds: the three-year summary took
    # 50% longer with one.
    db.session.execute(text("SELECT set_config('work_mem', '32MB', true), "
                            "set_config('plan_cache_mode', 'force_custom_plan', true)"))


def _by_process(states, names: Names) -> list[dict]:
    out: dict[str, dict] = {}
    for process, status, n in ((r.process, r.status, r.n) for r in states):
        row = out.setdefault(process, {"process": process, "title": names.process(process),
                                       "raised": 0, "open": 0, "closed": 0})
        row["raised"] += n
        row["closed" if status == "closed" else "open"] += n
    return sorted(out.values(), key=lambda r: names.order(r["process"]))


def _by_ladder(states, names: Names) -> list[dict]:
    out: dict[tuple, dict] = {}
    for process, ladder, n in ((r.process, r.ladder, r.n) for r in states):
        row = out.setdefault((process, ladder), {
            "process": process, "ladder": ladder, "title": names.ladder(process, ladder), "raised": 0})
        row["raised"] += n
    return sorted(out.values(), key=lambda r: (names.order(r["process"]), r["title"]))


def _by_outcome(states, names: Names) -> list[dict]:
    out: dict[tuple, dict] = {}
    for process, status, outcome, n in ((r.process, r.status, r.outcome, r.n) for r in states):
        key = (process, outcome if status == "closed" else None)
        label = names.outcome(process, outcome) if key[1] else "Still open"
        row = out.setdefault(key, {"process": process, "outcome": key[1], "label": label, "cases": 0})
        row["cases"] += n
    return sorted(out.values(), key=lambda r: (names.order(r["process"]), r["outcome"] is None, r["label"]))


def _stages(counted: _Counted, names: Names) -> list[dict]:
    """Per stage, for the cases raised in the period: how many reached it last, and time there against its deadline.

    A case's stage reached is the one it is at now, or the one whose record closed it.
    """
    out = [{
        "process": process, "ladder": ladder, "ladder_title": names.ladder(process, ladder),
        "stage": stage, "title": names.stage(process, ladder, stage),
        "deadline": names.deadlines.get((process, ladder, stage), ""),
        "cases": g.reached, "closed": g.timed, "median_days": _round(g.p50), "p90_days": _round(g.p90),
        "on_time": g.on_time, "on_time_percent": round(100 * g.on_time / g.timed) if g.timed else None,
    } for (figure, process, ladder, stage, _), g in counted.groups.items() if figure == "stage"]
    return sorted(out, key=lambda r: (names.order(r["process"]), r["ladder"],
                                      names.stage_order(r["process"], r["ladder"], r["stage"])))


def _now(council: Council, period: Period, names: Names, today: date) -> list[dict]:
    """Open cases now (whenever raised): how many, how many overdue, how many arrived late at their rung.

    From the open stages counted by the day they are due (``core.engine.report_months``): one row per day
    and process, however many cases are open.
    """
    conditions = [ReportMonth.council == council.slug, ReportMonth.figure == "open"]
    if period.process:
        conditions.append(ReportMonth.process == period.process)
    rows = db.session.execute(
        select(
            ReportMonth.process, func.sum(ReportMonth.cases),
            func.sum(case((ReportMonth.month < today, ReportMonth.cases), else_=0)),
            func.sum(case((ReportMonth.outcome == "late", ReportMonth.cases), else_=0)),
        ).where(*conditions).group_by(ReportMonth.process)
    ).all()
    out = [{"process": p, "title": names.process(p), "open": int(n), "overdue": int(o or 0),
            "late_on_arrival": int(late or 0)} for p, n, o, late in rows if n]
    return sorted(out, key=lambda r: names.order(r["process"]))


def resolution_rows(council_slugs, period: Period):
    """Per council and process: cases closed in the period, median and 90th percentile days from raised to closed."""
    rows = (
        select(Case.council, Case.process, _duration(Case.raised_at, Case.closed_at).label("d"))
        .where(*_closed_in(council_slugs, period))
        .subquery()
    )
    return db.session.execute(_percentiles(rows, ["council", "process"])).all()


def _time_to_resolution(counted: _Counted, names: Names) -> list[dict]:
    out = [{"process": process, "title": names.process(process), "closed": g.timed,
            "median_days": _round(g.p50), "p90_days": _round(g.p90)}
           for (figure, process, _, _, _), g in counted.groups.items() if figure == "closed" and g.timed]
    return sorted(out, key=lambda r: names.order(r["process"]))


def theme_rows(council_slugs, period: Period, by_month: bool = True):
    """(council, theme, month or None, cases) for cases closed in the period."""
    keys = [CaseTheme.council, CaseTheme.theme] + ([_month(CaseTheme.closed_at, period).label("m")] if by_month else [])
    conditions = [CaseTheme.council.in_(council_slugs), CaseTheme.closed_at >= period.since,
                  CaseTheme.closed_at < period.until]
    if period.process:
        conditions.append(CaseTheme.process == period.process)
    rows = db.session.execute(select(*keys, func.count().label("n")).where(*conditions).group_by(*keys)).all()
    if not by_month:
        return [(row[0], row[1], None, row[2]) for row in rows]
    months = period.months()
    return [(row[0], row[1], _month_label(months, row[2]), row[3]) for row in rows]


def _themes(counted: _Counted) -> list[dict]:
    out: dict[str, dict] = {}
    for (month, figure, theme), n in counted.months.items():
        if figure == "theme":
            row = out.setdefault(theme, {"theme": theme, "cases": 0, "months": {}})
            row["cases"] += n
            row["months"][month] = n
    for row in out.values():
        row["months"] = dict(sorted(row["months"].items()))
    return sorted(out.values(), key=lambda r: (-r["cases"], r["theme"]))


# --- learning export ----------------------------------------------------------


def closed_cases(council: Council, period: Period):
    """The ids of the council's cases closed in the period (a subquery, for audit and export)."""
    return select(Case.id).where(*_closed_in([council.slug], period)).subquery()


class LearningRow(NamedTuple):
    reference: str
    process: str
    outcome: str | None
    raised_at: datetime
    closed_at: datetime
    themes: str
    learning: str


def learning_rows(council: Council, period: Period) -> list[LearningRow]:
    """Closed cases in the period with their themes and learning: reference, process, outcome, dates, words.

    One row per case; themes joined by "; " and pieces of learning by blank lines. Three plain reads
    joined here, the same on every database (a per-dialect aggregate once lost the case on SQLite).
    """
    closed = closed_cases(council, period)
    themes: dict[int, list[str]] = {}
    for case_id, theme in db.session.execute(
            select(CaseTheme.case_id, CaseTheme.theme).where(CaseTheme.case_id.in_(select(closed.c.id)))
            .order_by(CaseTheme.case_id, CaseTheme.theme)):
        themes.setdefault(case_id, []).append(theme)
    words: dict[int, list[str]] = {}
    for case_id, piece in db.session.execute(
            select(CaseLearning.case_id, CaseLearning.text).where(CaseLearning.case_id.in_(select(closed.c.id)))
            .order_by(CaseLearning.case_id, CaseLearning.id)):
        words.setdefault(case_id, []).append(piece)
    cases = db.session.execute(
        select(Case.id, Case.reference, Case.process, Case.outcome, Case.raised_at, Case.closed_at)
        .where(*_closed_in([council.slug], period))
        .order_by(Case.closed_at, Case.id)
    ).all()
    return [LearningRow(c.reference, c.process, c.outcome, c.raised_at, c.closed_at,
                        "; ".join(themes.get(c.id, ())), "\n\n".join(words.get(c.id, ())))
            for c in cases]


# --- across councils ----------------------------------------------------------


def _suppressed(n: int) -> int | None:
    return n if n >= SUPPRESS_BELOW else None


def across(councils: dict[str, Council], sharing: list[str], period: Period) -> dict:
    """Time to resolution per kind of process and themes, for councils that share; small counts suppressed.

    Processes line up across councils by slug (e.g. ``escalation``, ``conference-dissent``).
    """
    sharing = [slug for slug in sharing if slug in councils]
    processes: dict[str, dict] = {}
    for r in resolution_rows(sharing, period) if sharing else ():
        title = Names(councils[r.council]).process(r.process)
        entry = processes.setdefault(r.process, {"process": r.process, "title": title, "councils": []})
        shown = _suppressed(r.n)
        entry["councils"].append({
            "council": r.council, "name": councils[r.council].name,
            "closed": shown, "suppressed": shown is None,
            "median_days": _round(r.p50) if shown else None, "p90_days": _round(r.p90) if shown else None,
        })
    themes: dict[str, dict] = {}
    for council, theme, _, n in theme_rows(sharing, period, by_month=False) if sharing else ():
        shown = _suppressed(n)
        themes.setdefault(theme, {"theme": theme, "councils": []})["councils"].append(
            {"council": council, "name": councils[council].name, "cases": shown, "suppressed": shown is None})
    for entry in (*processes.values(), *themes.values()):
        entry["councils"].sort(key=lambda c: c["name"])
    return {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "suppressed_below": SUPPRESS_BELOW,
        "councils": [{"council": s, "name": councils[s].name} for s in sorted(sharing, key=lambda s: councils[s].name)],
        "time_to_resolution": sorted(processes.values(), key=lambda p: p["process"]),
        "themes": sorted(themes.values(), key=lambda t: t["theme"]),
    }

