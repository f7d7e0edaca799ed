"""Case lists as CSV, safe to open in a spreadsheet.

The child's free text (every intake answer) is left out unless asked for;
choice answers naming an area (e.g. a learning community) are not free text
and always go in.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from core.forms.questions import field_type
from core.model.field_types import FieldType
from core.model.inputs import SURROGATE
from core.model.procedures import CORE_OUTCOMES, Council
from core.model.records import db
from core.reads import caselist

# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 1000


def safe(value) -> str:
    """A cell a spreadsheet shows as text and never runs: a leading ``'`` before anything formula-like
    (a plain number such as -3 stays a number), and a lone surrogate, which no file can hold, as U+FFFD.

    Every CSV Concord writes goes through here: case lists, reports and learning, the directory.
    """
    text = SURROGATE.sub("\ufffd", "" if value is None else str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


@dataclass(frozen=True)
class Column:
    """One column of the export: its heading and how a listed case fills its cell, from one place."""

    heading: str
    cell: Callable[[Any], object]  # a listed case (caselist.Row), a learning row, …


def columns(council: Council, free_text: bool) -> list[Column]:
    """The export's columns: the case's progress, its area answers, then (if asked for) every other answer."""
    fixed = [
        Column("Reference", lambda r: r.case.reference),
        Column("Process", lambda r: r.process_title),
        Column("Route", lambda r: _route(council, r.case)),
        Column("Stage", lambda r: r.stage_title),
        Column("With", lambda r: ", ".join(r.assignees)),
        Column("Raised on", lambda r: r.case.raised_at.date().isoformat()),
        Column("Due on", lambda r: r.entry.due_on.isoformat() if r.entry else ""),
        Column("Status", lambda r: "; ".join(r.tags)),
        Column("Outcome", lambda r: _outcome(council, r.case)),
        Column("Closed on", lambda r: r.case.closed_at.date().isoformat() if r.case.closed_at else ""),
    ]
    areas = _answer_columns(council, lambda name: name in council.areas)
    answers = _answer_columns(council, lambda name: name not in council.areas) if free_text else []
    return fixed + areas + answers


def _answer_columns(council: Council, wanted: Callable[[str], bool]) -> list[Column]:
    """A column per question: a field name asked with the same words, by the processes that ask it.

    Processes may use one field name for different questions (an escalation's "agency" is the route
    followed, a dissent's the raiser's own service): those are different columns, each filled only for
    the cases of the processes that ask it.
    """
    asked: dict[tuple[str, str], list[str]] = {}
    kinds: dict[tuple[str, str], FieldType] = {}
    for process in council.processes:
        for f in process.intake:
            if wanted(f.name):
                asked.setdefault((f.name, f.label), []).append(process.slug)
                kinds.setdefault((f.name, f.label), field_type(f))
    labels = [label for _, label in asked]
    out = []
    for (name, label), processes in asked.items():
        heading = label
        if labels.count(label) > 1:  # the same words for two different fields: say whose
            heading = f"{label} ({', '.join(council.process(p).title for p in processes)})"
        out.append(Column(heading, _answer_cell(name, frozenset(processes), kinds[name, label])))
    return out


def _answer_cell(name: str, processes: frozenset[str], kind: FieldType) -> Callable[[caselist.Row], object]:
    """The answer as its field type writes it in a cell (a list of checked boxes as one cell)."""
    def cell(r: caselist.Row) -> object:
        value = r.case.answers.get(name) if r.case.process in processes else None
        return kind.cell(value) if value not in (None, "", []) else ""
    return cell


def table(columns: list[Column], rows) -> list[list]:
    """Headings, then each row's cells, from the same columns."""
    return [[c.heading for c in columns], *([c.cell(r) for c in columns] for r in rows)]


def cases_csv(council: Council, viewer, filters: caselist.Filters, today: date, free_text: bool) -> str:
    model = columns(council, free_text)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe(c.heading) for c in model])
    result = db.session.execute(caselist.matching(viewer, filters, today).execution_options(yield_per=CHUNK))
    for chunk in result.partitions(CHUNK):
        for row in caselist.describe(council, viewer, chunk, today):
            writer.writerow([safe(c.cell(row)) for c in model])
    return out.getvalue()


def _route(council: Council, case) -> str:
    try:
        process = council.process(case.process)
        return process.ladder(case.ladder).title if process.ladder_by else ""
    except KeyError:
        return case.ladder


def _outcome(council: Council, case) -> str:
    if not case.outcome:
        return ""
    return outcome_label(council, case) or case.outcome


def outcome_label(council: Council, case) -> str | None:
    """The words of the case's outcome: core's own (a withdrawal) or its ladder's; None if the plugin no
    longer has it."""
    if case.outcome in CORE_OUTCOMES:
        return CORE_OUTCOMES[case.outcome]
    try:
        ladder = council.process(case.process).ladder(case.ladder)
    except KeyError:
        return None
    return ladder.outcome_labels().get(case.outcome)
