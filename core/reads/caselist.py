"""Case lists that scale: filters, sort, search and pages, all in SQL.

Everything here starts from ``Viewer.visible_cases()`` (who may see what is
decided there, not here) and adds conditions on top, so a council with
100,000 cases costs one indexed page query and one count, never a load of
every case into Python.
"""
from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import and_, func, insert, literal, nulls_last, or_, select, true, union_all
from sqlalchemy import case as case_when
from sqlalchemy.orm import aliased

from core.model import areas
from core.model.procedures import Council
from core.model.records import AuditEvent, Case, Contact, StageEntry, StageOffer, UTCDateTime, db
from core.reads.meanwhile import side_by_side

STATUSES = {"open": "Open", "overdue": "Overdue", "long-overdue": "Long overdue", "late": "Late on arrival",
            "no-meeting": "No meeting scheduled", "closed": "Closed"}
SORTS = {"raised": "Newest first", "due": "Due soonest", "reference": "Reference"}
PER_PAGE, MAX_PER_PAGE = 25, 100
COUNT_CAP = 10_000


@cache
def current_entry():
    """The stage a case is at now: its one entry not yet closed (partial index ix_stage_entry_current).

    Made on first use, not at import: aliasing a mapped class configures every mapper (17 ms at start-up).
    """
    return aliased(StageEntry, name="current_entry")


@dataclass(frozen=True)
class Filters:
    status: str = ""
    process: str = ""
    stage: str = ""      # a stage slug, or "<ladder>:<stage>" when ladders share slugs
    agency: str = ""     # a ladder slug of the chosen process (the answer that picked the ladder)
    area: str = ""       # "<answer>:<value>", e.g. "learning_community:Vale of Leven"
    q: str = ""
    sort: str = "raised"
    page: int = 1
    per_page: int = PER_PAGE
    after: str = ""      # a cursor (``Cursor.encode``): the page after this row
    before: str = ""     # a cursor: the page before this row

    def args(self, **changes) -> dict:
        """Query-string arguments for a link to this list with ``changes`` (a page link: ``after`` or ``before``)."""
        if {"after", "before", "page"} & changes.keys():
            changes = {"after": "", "before": "", "page": 1, **changes}
        values = replace(self, **changes)
        out = {k: getattr(values, k) for k in ("status", "process", "stage", "agency", "area", "sort")}
        out["page"] = values.page
        if values.per_page != PER_PAGE:
            out["per_page"] = values.per_page
        out["after"], out["before"] = values.after, values.before
        return {k: v for k, v in out.items() if v not in ("", None) and not (k == "sort" and v == "raised")
                and not (k == "page" and v == 1)}

    @property
    def any(self) -> bool:
        return bool(self.status or self.process or self.stage or self.agency or self.area or self.q)

    def audited(self, where: str) -> str:
        """What the audit trail records of this list: where it was read, its filters and the words searched.

        The words are kept (they may be a child's record number) because the data protection officer
        must be able to find who looked for a child; the trail is read only by them and council admins.
        """
        chosen = [f"{k} {getattr(self, k)}" for k in ("status", "process", "stage", "agency", "area")
                  if getattr(self, k)]
        searched = f"; searched for {self.q!r}" if self.q else ""
        return f"{where}, page {self.page}" + (f" ({', '.join(chosen)})" if chosen else "") + searched


def parse(council: Council, args, q: str | None = None) -> tuple[Filters, dict]:
    """Filters from query arguments, and errors (field → messages) for values that make no sense."""
    errors: dict[str, list[str]] = {}
    get = lambda k: (args.get(k) or "").strip()  # noqa: E731
    status, process, stage, agency, area, sort = (get(k) for k in ("status", "process", "stage", "agency", "area", "sort"))
    if status and status not in STATUSES:
        errors["status"] = [f"Choose a status from: {', '.join(STATUSES)}"]
    chosen = None
    if process:
        try:
            chosen = council.process(process)
        except KeyError:
            errors["process"] = [f"Choose a process this council runs: {', '.join(p.slug for p in council.processes)}"]
    if stage and not _stage_known(council, chosen, stage):
        errors["stage"] = ["Choose a stage of the chosen process"]
    if agency and (chosen is None or agency not in {ladder.slug for ladder in chosen.ladders}):
        errors["agency"] = ["Choose a process first, then one of its routes"]
    if area and area not in {v for v, _ in area_choices(council, chosen)}:
        errors["area"] = ["Choose an area from the list"]
    if sort and sort not in SORTS:
        errors["sort"] = [f"Sort by one of: {', '.join(SORTS)}"]
    page = _whole(get("page") or "1", 1, 1_000_000, "page", errors)
    per_page = _whole(get("per_page") or str(PER_PAGE), 1, MAX_PER_PAGE, "per_page", errors)
    q = (get("q") if q is None else q.strip())[:100]
    sort = sort if sort in SORTS else "raised"
    after, before = get("after"), get("before")
    for name, value in (("after", after), ("before", before)):
        if value and Cursor.decode(value, sort) is None:
            errors[name] = ["This page link has expired: start again from the first page"]
    found = Filters(status if status in STATUSES else "", process if chosen else "",
                    stage if "stage" not in errors else "", agency if "agency" not in errors else "",
                    area if "area" not in errors else "", q, sort,
                    page or 1, per_page or PER_PAGE, after if "after" not in errors else "",
                    before if "before" not in errors and not after else "")
    return found, errors


def _whole(text: str, low: int, high: int, name: str, errors: dict) -> int | None:
    try:
        value = int(text)
        if not low <= value <= high:
            raise ValueError
        return value
    except ValueError:
        errors[name] = [f"Give {name} as a whole number from {low} to {high:,}"]
        return None


def stage_choices(council: Council, process=None) -> list[tuple[str, str]]:
    """Stages to filter by, as ``<ladder>:<stage>`` (ladders of one process may share stage slugs)."""
    out = []
    for p in [process] if process else council.processes:
        for ladder in p.ladders:
            for s in ladder.stages:
                title = s.title if len(p.ladders) == 1 else f"{s.title} ({ladder.title})"
                out.append((f"{ladder.slug}:{s.slug}", title if process else f"{p.title}: {title}"))
    return out


def _stage_known(council: Council, process, value: str) -> bool:
    if value in {v for v, _ in stage_choices(council, process)}:
        return True
    return value in {s.slug for p in ([process] if process else council.processes) for ladder in p.ladders for s in ladder.stages}


def area_choices(council: Council, process=None) -> list[tuple[str, str]]:
    """Areas (e.g. learning communities) the chosen process asks about, or every process's."""
    out = []
    for name, values in council.areas.items():
        asked = [p for p in ([process] if process else council.processes) if any(f.name == name for f in p.intake)]
        if asked:
            out += [(f"{name}:{v}", v) for v in values]
    return out


def _conditions(viewer, filters: Filters, today: date) -> tuple[list, bool]:
    """SQL conditions for the filters, and whether they need the current stage joined."""
    current = current_entry()
    where, needs_current = [], False
    if filters.status == "open":
        where.append(Case.status == "open")
    elif filters.status == "closed":
        where.append(Case.status == "closed")
    elif filters.status == "overdue":
        where += [Case.status == "open", current.due_on < today]
        needs_current = True
    elif filters.status == "long-overdue":
        where += [Case.status == "open", current.long_overdue_on <= today]
        needs_current = True
    elif filters.status == "late":
        where += [Case.status == "open", late_on_arrival(current)]
        needs_current = True
    elif filters.status == "no-meeting":
        where += [Case.status == "open", current.no_meeting.is_(True)]
        needs_current = True
    if filters.process:
        where.append(Case.process == filters.process)
    if filters.agency:
        where.append(Case.ladder == filters.agency)
    if filters.stage:
        ladder, _, stage = filters.stage.rpartition(":")
        where.append(current.stage == stage)
        if ladder:
            where.append(Case.ladder == ladder)
        needs_current = True
    if filters.area:
        name, _, value = filters.area.partition(":")
        where.append(Case.areas.contains(areas.tag(name, value), autoescape=True))
    if filters.q:
        q = filters.q.lower()
        where.append(or_(
            func.lower(Case.reference).contains(q, autoescape=True),
            func.lower(Case.answers["child_reference"].as_string()) == q,
        ))
    return where, needs_current


def late_on_arrival(entry):
    """A stage whose due date had already passed when the case reached it."""
    return entry.late_on_arrival.is_(True)


def waiting_for(viewer, entry, probed: bool = False):
    """SQL: the viewer holds the current stage — it is assigned to them, or still offered to one of
    their directory contacts (the same rule as ``Viewer.holds``).

    ``probed``: each row's stage is looked up in the offers' (entry, contact) index, for a statement that
    reads a page or the open stages. Otherwise the offers made to the viewer's contacts are read once into
    a hash, which a count of every case the viewer may see needs. A rung holder offered 200,000 cases
    paid that hash for a page of 25: 113 ms, against 1.4 ms probed (``EXPLAIN ANALYZE``, 1,000,000 cases).
    ``OFFSET 0`` keeps PostgreSQL from turning the probe back into a join, which it would plan as that hash.
    """
    if not viewer.may_hold_rungs:
        return literal(False)
    held = [entry.assignee_id == viewer.user.id]
    if viewer.contact_ids:
        if probed:
            offered = select(StageOffer.contact_id).where(StageOffer.stage_entry_id == entry.id,
                                                   StageOffer.contact_id.in_(viewer.contact_ids)).offset(0).exists()
        else:
            offered = entry.id.in_(select(StageOffer.stage_entry_id).where(StageOffer.contact_id.in_(viewer.contact_ids)))
        held.append(and_(entry.assignee_id.is_(None), entry.assignee_email.is_(None), offered))
    return and_(entry.to_lead.is_(False), or_(*held))


def _joined(query):
    current = current_entry()
    return query.outerjoin(current, and_(current.case_id == Case.id, current.closed_at.is_(None)))


@dataclass
class Row:
    case: Case
    entry: StageEntry | None
    process_title: str
    stage_title: str
    assignees: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    waiting: bool = False


@dataclass
class Page:
    rows: list[Row]
    total: int
    page: int
    pages: int
    filters: Filters
    waiting: int | None = None
    exact: bool = True          # False: there are more than ``total`` cases
    start: int = 0              # the position of the page's first row (0 = the top of the list)
    links: dict = field(default_factory=dict)  # "previous" and "next": the cursors of the pages either side

    @property
    def first(self) -> int:
        return self.start + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.start + len(self.rows)

    def link(self, which: str) -> dict | None:
        """Query-string arguments for the previous or next page, or None at that end of the list."""
        if which == "previous" and self.start and "previous" not in self.links:
            return self.filters.args(page=1)  # an old numbered page: back to the top
        if which not in self.links:
            return None
        return self.filters.args(**{"before" if which == "previous" else "after": self.links[which]})


def _sorts_waiting(viewer) -> bool:
    """Everyone but a lead sees what waits for them first."""
    return not viewer.is_lead and viewer.may_hold_rungs


def matching(viewer, filters: Filters, today: date):
    """SELECT Case, its current entry for the filters, sorted; no paging."""
    current = current_entry()
    where, _ = _conditions(viewer, filters, today)
    waiting = waiting_for(viewer, current) if _sorts_waiting(viewer) else literal(False)
    query = _joined(viewer.visible_cases().order_by(None)).add_columns(current, waiting.label("waiting")).where(*where)
    order: list = []
    if _sorts_waiting(viewer):
        order.append(case_when((waiting, 0), else_=1))
    if filters.sort == "due":
        order += [nulls_last(current.due_on.asc()), Case.raised_at.desc()]
    elif filters.sort == "reference":
        order += [Case.reference.asc()]
    else:
        order += [Case.raised_at.desc()]
    return query.order_by(*order, Case.id.desc())


def count(viewer, filters: Filters, today: date, cap: int | None = None) -> int:
    """How many cases match; with ``cap``, counting stops after cap + 1 (a bounded cost at any size)."""
    where, needs_current = _conditions(viewer, filters, today)
    base = viewer.visible_cases().order_by(None)
    if needs_current:
        base = _joined(base)
    if cap is None:
        return db.session.scalar(base.with_only_columns(func.count()).where(*where)) or 0
    bounded = base.with_only_columns(literal(1)).where(*where).limit(cap + 1).subquery()
    return db.session.scalar(select(func.count()).select_from(bounded)) or 0


# --- keyset paging -------------------------------------------------------------------------------
#
# The list's order is a run of segments, each read in the order of an index: for the due-date sort, the
# cases at an open stage by due date (the open stages' partial index ``ix_stage_entry_open_due``), then
# the rest newest first; for someone who holds rungs, what waits for them comes before the rest. A page
# link carries the row it continues from (its segment and sort values: a ``Cursor``), so page 2,000
# reads 25 rows from where page 1,999 ended, as page 1 does, instead of skipping 49,975 with OFFSET.


@dataclass(frozen=True)
class Key:
    """One sort column of a segment: the SQL, its direction, and how its value is read off a row."""
    column: Any  # a mapped column or an aliased entry's
    descending: bool
    kind: str  # "datetime", "date", "str" or "int": how the value is written in a cursor

    def value(self, case: Case, entry: StageEntry | None):
        return _VALUE[self.name](case, entry)

    @property
    def name(self) -> str:
        return self.column.key


_VALUE = {"raised_at": lambda c, e: c.raised_at, "id": lambda c, e: c.id, "reference": lambda c, e: c.reference,
          "due_on": lambda c, e: e.due_on}


@dataclass(frozen=True)
class Segment:
    where: tuple
    keys: tuple[Key, ...]
    no_stage: bool = False  # the cases with no open stage: read from the cases alone (``_read``)
    waiting: bool = False   # what waits for the viewer: read from the council's cases (``waiting_among``)


def _segments(viewer, filters: Filters, probed: bool = False) -> list[Segment]:
    """The list's runs in order; ``probed`` (``waiting_for``) for the segments a page is read from."""
    current = current_entry()
    newest = (Key(Case.raised_at, True, "datetime"), Key(Case.id, True, "int"))
    runs: list[tuple[tuple, tuple[Key, ...], bool]]
    if filters.sort == "due":
        runs = [((current.id.is_not(None),), (Key(current.due_on, False, "date"), *newest), False),
                ((current.id.is_(None),), newest, True)]
    elif filters.sort == "reference":
        runs = [((), (Key(Case.reference, False, "str"), Key(Case.id, True, "int")), False)]
    else:
        runs = [((), newest, False)]
    if not _sorts_waiting(viewer):
        return [Segment(where, keys, bare) for where, keys, bare in runs]
    waits = case_when((waiting_for(viewer, current, probed), 1), else_=0)
    return [Segment((waits == flag, *where), keys, bare, waiting=flag == 1) for flag in (1, 0) for where, keys, bare in runs]


def _segment_of(viewer, filters: Filters, entry, waiting) -> int:
    """Which segment a row read by ``matching`` belongs to."""
    index = 1 if filters.sort == "due" and entry is None else 0
    if _sorts_waiting(viewer) and not waiting:
        index += 2 if filters.sort == "due" else 1
    return index


@dataclass(frozen=True)
class Cursor:
    """A row of the list, as a page link carries it: its segment, its sort values, its position (0 = first)."""
    segment: int
    values: tuple
    position: int

    def encode(self, keys: tuple[Key, ...]) -> str:
        values = [v.isoformat() if k.kind in ("datetime", "date") else v for k, v in zip(keys, self.values, strict=True)]
        text = json.dumps([self.segment, values, self.position], separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @staticmethod
    def decode(text: str, sort: str, segments: list[Segment] | None = None) -> Cursor | None:
        """The cursor in a page link, or None when it is not one this sort wrote (edited, or from another sort)."""
        try:
            segment, values, position = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            by_segment = {"raised": [["datetime", "int"]], "reference": [["str", "int"]],
                          "due": [["date", "datetime", "int"], ["datetime", "int"]]}[sort]
            kinds = by_segment[segment % len(by_segment)] if isinstance(segment, int) and 0 <= segment < 4 else None
            if kinds is None or len(values) != len(kinds) or not isinstance(position, int) or position < 0:
                return None
            read: list[Any] = [datetime.fromisoformat(v) if k == "datetime" else date.fromisoformat(v) if k == "date" else v
                    for k, v in zip(kinds, values, strict=True)]
            if any(not isinstance(v, {"str": str, "int": int}.get(k, object)) or isinstance(v, bool)
                   for k, v in zip(kinds, read, strict=True)):
                return None
            if any(k == "datetime" and v.tzinfo is None for k, v in zip(kinds, read, strict=True)):
                return None
            if segments is not None and segment >= len(segments):
                return None
            return Cursor(segment, tuple(read), position)
        except (ValueError, TypeError, KeyError, UnicodeDecodeError, json.JSONDecodeError):
            return None


def _beyond(keys: tuple[Key, ...], values: tuple, backward: bool):
    """SQL: the segment's rows after this row in its order (before it, ``backward``). The first key's bound
    is repeated on its own, so the planner reads the index from that row on."""
    def later(key, value):
        return key.column < value if key.descending != backward else key.column > value

    first = keys[0]
    bound = first.column <= values[0] if first.descending != backward else first.column >= values[0]
    return and_(bound, or_(*(and_(*(k.column == v for k, v in zip(keys[:i], values[:i], strict=True)),
                                  later(keys[i], values[i])) for i in range(len(keys)))))


def _ordered(keys: tuple[Key, ...], backward: bool) -> list:
    return [k.column.desc() if k.descending != backward else k.column.asc() for k in keys]


def _read(viewer, filters: Filters, today: date, segments: list[Segment], start: Cursor | None, backward: bool):
    """Up to a page of (segment, (case, entry, waiting)) from ``start`` on (or back), one query per segment
    it needs: usually one."""
    where, needs_current = _conditions(viewer, filters, today)
    got: list = []
    order = range(len(segments) - 1, -1, -1) if backward else range(len(segments))
    for index in order:
        if start is not None and (index < start.segment if not backward else index > start.segment):
            continue
        segment = segments[index]
        if segment.no_stage:
            if _empty(viewer, segments, index, needs_current):
                continue
            # The cases alone, newest first down their index, each checked for an open stage: the planner
            # would otherwise join every open stage to read a page of closed cases.
            query = viewer.visible_cases().order_by(None).where(*where, ~_has_open_stage())
        else:
            cases = waiting_among(viewer) if segment.waiting else viewer.visible_cases().order_by(None)
            query = _base(viewer, cases).where(*where, *segment.where)
        if start is not None and index == start.segment:
            query = query.where(_beyond(segment.keys, start.values, backward))
        rows = db.session.execute(query.order_by(*_ordered(segment.keys, backward))
                                  .limit(filters.per_page - len(got))).all()
        got += [(index, (row[0], None, False) if segment.no_stage else row) for row in rows]
        if len(got) == filters.per_page:
            break
    return got[::-1] if backward else got


def _empty(viewer, segments: list[Segment], index: int, needs_current: bool) -> bool:
    """A segment of cases with no open stage that no case can be in: under a filter on the stage, or
    among what waits for the viewer."""
    return segments[index].no_stage and (needs_current or (_sorts_waiting(viewer) and index < len(segments) // 2))


def _has_open_stage():
    return select(StageEntry.id).where(StageEntry.case_id == Case.id, StageEntry.closed_at.is_(None)).exists()


def _base(viewer, cases):
    """``cases`` with their current entry and whether it waits for the viewer."""
    current = current_entry()
    waiting = waiting_for(viewer, current, probed=True) if _sorts_waiting(viewer) else literal(False)
    return _joined(cases).add_columns(current, waiting.label("waiting"))


def waiting_among(viewer):
    """The cases to look among for what waits for the viewer: the council's. A case whose current stage
    waits for them is one they may see (held by them, or offered to them), and for someone who holds rungs
    the cases they may see are every case ever offered to them: hundreds of thousands at national scale,
    read for nothing."""
    return viewer.council_cases()


def _count_after(viewer, filters: Filters, today: date, segments: list[Segment], last: Cursor | None, cap: int) -> int:
    """How many rows come after this one (every row, with None), counting no further than cap + 1, in one
    statement.

    Under the due-date sort, unless a filter no index serves in order applies (status, stage, area,
    words), the cases with no open stage are counted first, from the cases alone, and the rows at an open
    stage are counted, joined to their stage, only when those do not reach the cap (``more``: a subquery
    PostgreSQL and SQLite run only when the CASE needs it). The cases with no open stage are most of a
    council's cases, so they usually reach the cap alone: at 1,000,000 cases the count used to join all
    25,000 open stages to the cases, in parallel workers, before counting 10,001 rows (50 ms, far more
    on a busy host).

    Those cases are counted oldest first, down the index of the segment's order, each looked up in a
    hash of the open stages' case ids (``NOT IN``: the open stages' index read once). Without an order the
    count was planned as a hash join read in parallel workers, or a scan of the table from wherever the
    last one stopped; the newest cases are mostly open ones, passed over. ``case_id`` is never NULL, so
    ``NOT IN`` is ``NOT EXISTS`` here, as ``_read`` writes it."""
    where, needs_current = _conditions(viewer, filters, today)
    if last is None and not where and _offered_more_than(viewer, cap):
        return cap + 1
    rest = range(last.segment if last is not None else 0, len(segments))

    def after(index: int) -> list:
        return [_beyond(segments[index].keys, last.values, False)] if last is not None and index == last.segment else []

    # The segment of cases with no open stage, if one comes after the row: at most one can hold any case
    # (a case with no open stage waits for no one), the last.
    bare = [index for index in rest if segments[index].no_stage and not _empty(viewer, segments, index, needs_current)]
    base = viewer.visible_cases().order_by(None)
    if not bare or filters.status or filters.stage or filters.area or filters.q:
        # One count of every later row, joined: the other sorts, and filters no index of the cases serves in
        # order (an open case's status, an answer, words), which leave few or no cases without a stage.
        # From the top every segment counts, and together the segments are every case: nothing to join for them.
        # Not for someone who holds rungs: without the join their page took 1.06 s at 1,000,000 cases, against
        # 0.31 s with it (measured; why PostgreSQL plans it so much worse is not run down).
        top = last is None and not _sorts_waiting(viewer)
        later = [] if top else [and_(true(), *segments[index].where, *after(index)) for index in rest]
        if needs_current or (later and (len(segments) > 1 or filters.sort == "due")):  # else the cases' index alone
            base = _joined(base)
        bounded = base.with_only_columns(literal(1)).where(*where, *([or_(*later)] if later else [])) \
            .limit(cap + 1).subquery()
        return db.session.scalar(select(func.count()).select_from(bounded)) or 0
    staged = [and_(*segments[index].where, *after(index)) for index in rest if not segments[index].no_stage]
    open_stages = select(StageEntry.case_id).where(StageEntry.closed_at.is_(None))
    alone = (base.with_only_columns(literal(1)).where(*where, Case.id.not_in(open_stages), *after(bare[-1]))
             .order_by(*_ordered(segments[bare[-1]].keys, True)).limit(cap + 1))
    counted = select(func.count().label("n")).select_from(alone.subquery()).subquery("bare")
    total: Any = counted.c.n
    if staged:
        joined = _joined(base).with_only_columns(literal(1)).where(*where, or_(*staged)).limit(cap + 1).subquery()
        more = select(func.count()).select_from(joined).scalar_subquery()
        total = case_when((counted.c.n > cap, counted.c.n), else_=counted.c.n + more)  # ``more`` only when needed
    found = db.session.scalar(select(total))
    return min(found or 0, cap + 1)


def _offered_more_than(viewer, cap: int) -> bool:
    """Whether one of the viewer's directory contacts alone was offered more than ``cap`` cases: then the
    viewer sees more than ``cap``, counted from the offers' index in the order it keeps (1.4 ms for 10,001
    of a rung holder's 200,000 cases), where counting the cases they may see hashed all 200,000 (100 ms)."""
    if not viewer.contact_ids or viewer.is_lead or viewer.is_admin:
        return False
    counts = [select(func.count().label("n")).select_from(
        select(StageOffer.case_id).where(StageOffer.contact_id == contact).distinct()
        .order_by(StageOffer.case_id).limit(cap + 1).subquery())
        for contact in sorted(viewer.contact_ids)]
    most = union_all(*counts).subquery() if len(counts) > 1 else counts[0].subquery()
    return (db.session.scalar(select(func.max(most.c.n))) or 0) > cap


def page_of(council: Council, viewer, filters: Filters, today: date) -> Page:
    """One page of the list, read from where the page link says (``after``/``before``) in index order.

    Counting stops COUNT_CAP cases past this page, so a council with 100,000 cases reads "more than
    10,025" instead of counting them all. A ``page`` number other than 1 (an old link, the API) is
    still read with OFFSET."""
    segments, read = _segments(viewer, filters), _segments(viewer, filters, probed=True)
    cursor = Cursor.decode(filters.after or filters.before, filters.sort, segments) \
        if filters.after or filters.before else None
    if cursor is None and filters.page > 1:
        return _page_by_number(council, viewer, filters, today, segments)
    if filters.before and cursor is not None:
        found = _read(viewer, filters, today, read, cursor, backward=True)
        first = cursor.position - len(found)
        if len(found) < filters.per_page or first <= 0:  # back at the top: page 1 as it is now (cases raised
            return page_of(council, viewer, replace(filters, before="", after=""), today)  # since come first)
        return _page(council, viewer, filters, today, segments, found, first)
    # Forward, the rows from where the page starts are counted meanwhile (at a million cases the count
    # is the page's longest statement): what comes after the page is that count less the page's rows.
    found, counted = side_by_side(
        lambda: _read(viewer, filters, today, read, cursor, backward=False),
        lambda: _count_after(viewer, filters, today, segments, cursor, COUNT_CAP + filters.per_page))
    first = cursor.position + 1 if cursor is not None else 0
    return _page(council, viewer, filters, today, segments, found, first, following=max(0, counted - len(found)))


def _page_by_number(council, viewer, filters: Filters, today: date, segments) -> Page:
    offset = (filters.page - 1) * filters.per_page
    counted = count(viewer, filters, today, cap=offset + COUNT_CAP)
    pages = max(1, math.ceil(min(counted, offset + COUNT_CAP) / filters.per_page))
    number = min(filters.page, pages)
    rows = db.session.execute(
        matching(viewer, filters, today).limit(filters.per_page).offset((number - 1) * filters.per_page)).all()
    found = [(_segment_of(viewer, filters, entry, waiting), (case, entry, waiting)) for case, entry, waiting in rows]
    return _page(council, viewer, replace(filters, page=1), today, segments, found, (number - 1) * filters.per_page)


def _page(council, viewer, filters: Filters, today: date, segments, found, first: int,
          following: int | None = None) -> Page:
    """The page of rows ``found`` (segment, row) starting at position ``first``, with its links and count
    (``following``: the rows after it, up to COUNT_CAP + 1, when they are counted already)."""
    cursors = [Cursor(index, tuple(k.value(case, entry) for k in segments[index].keys), first + i)
               for i, (index, (case, entry, _)) in enumerate(found)]
    if len(found) < filters.per_page:
        after, exact = 0, True
    else:
        after = following if following is not None else \
            _count_after(viewer, filters, today, segments, cursors[-1], COUNT_CAP)
        exact = after <= COUNT_CAP
        after = min(after, COUNT_CAP)
    total = first + len(found) + after
    number = first // filters.per_page + 1
    pages = max(number, math.ceil(total / filters.per_page)) + (0 if exact else 1)
    rows = describe(council, viewer, [row for _, row in found], today)
    waiting = None
    if _sorts_waiting(viewer):
        waiting = db.session.scalar(_joined(waiting_among(viewer))
                                    .with_only_columns(func.count())
                                    .where(Case.status == "open", waiting_for(viewer, current_entry(), probed=True)))
    links = {}
    if found and first > 0:
        links["previous"] = cursors[0].encode(segments[cursors[0].segment].keys)
    if found and after:
        links["next"] = cursors[-1].encode(segments[cursors[-1].segment].keys)
    return Page(rows, total, number, pages, replace(filters, page=number), waiting, exact, first, links)


def describe(council: Council, viewer, found, today: date) -> list[Row]:
    """Rows of (case, current entry, waiting for the viewer) as the list shows them."""
    names = holder_names([entry for _, entry, _ in found if entry is not None])
    rows = []
    for case, entry, waiting in found:
        process_title, stage_title = titles(council, case, entry)
        rows.append(Row(case, entry, process_title, stage_title,
                        names.get(entry.id, []) if entry else [], tags(case, entry, today), bool(waiting)))
    return rows


def titles(council: Council, case: Case, entry: StageEntry | None) -> tuple[str, str]:
    try:
        process = council.process(case.process)
    except KeyError:
        return case.process, entry.stage if entry else ""
    if entry is None:
        return process.title, ""
    try:
        return process.title, process.ladder(case.ladder).stage(entry.stage).title
    except KeyError:
        return process.title, entry.stage


def tags(case: Case, entry: StageEntry | None, today: date) -> list[str]:
    if case.status == "closed" or entry is None:
        return ["Closed"]
    out = []
    if entry.no_meeting:
        out.append("No meeting scheduled")
    elif entry.due_on < today:
        out.append("Overdue")
        if entry.long_overdue_on is not None and entry.long_overdue_on <= today:
            out.append("Long overdue")
    elif entry.due_on == today:
        out.append("Due today")
    if entry.late_on_arrival:
        out.append("Late on arrival")
    return out or ["Open"]


def holder_names(entries) -> dict[int, list[str]]:
    """Who holds each entry, in one query for the whole page (the rule of ``cases.holders``):
    its assignee, the safeguarding leads, or the active contacts it was offered to."""
    out = {e.id: [e.assignee_name or e.assignee_email] for e in entries if e.assignee_email}
    out.update({e.id: ["the safeguarding leads"] for e in entries if e.to_lead and not e.assignee_email})
    offered = [e.id for e in entries if e.id not in out]
    if offered:
        rows = db.session.execute(
            select(StageOffer.stage_entry_id, Contact.name).join(Contact, Contact.id == StageOffer.contact_id)
            .where(StageOffer.stage_entry_id.in_(offered), Contact.active).order_by(Contact.name))
        for entry_id, name in rows:
            out.setdefault(entry_id, []).append(name)
    return out


def audit_export(viewer, filters: Filters, today: date, moment) -> int:
    """One audit row per exported case, written by a single INSERT … SELECT."""
    where, needs_current = _conditions(viewer, filters, today)
    base = viewer.visible_cases().order_by(None)
    if needs_current:
        base = _joined(base)
    chosen = base.with_only_columns(
        literal(viewer.user.council), literal(viewer.user.id), Case.id, literal("export"),
        literal(moment, UTCDateTime()),
    ).where(*where)
    result = db.session.execute(insert(AuditEvent).from_select(
        ["council", "user_id", "case_id", "action", "at"], chosen))
    return result.rowcount  # type: ignore[attr-defined]

