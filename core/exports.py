"""Case lists as CSV, safe to open in a spreadsheet.

The child's free text (every intake answer) is left out unless asked for;
choice answers naming an area (e.g. a learning community) are not free text
and always go in.
"""
from __future__ import annotations

import csv
import io
from datetime import date

from . import caselist
from .models import db
from .procedures import Council
from .web.hygiene import SURROGATE

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


def cases_csv(council: Council, viewer, filters: caselist.Filters, today: date, free_text: bool) -> str:
    areas = list(council.areas)
    fields = _answer_fields(council) if free_text else []
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe(h) for h in (
        "Reference", "Process", "Route", "Stage", "With", "Raised on", "Due on", "Status", "Outcome", "Closed on",
        *(_area_title(council, a) for a in areas), *(label for _, label in fields))])
    result = db.session.execute(caselist.matching(viewer, filters, today).execution_options(yield_per=CHUNK))
    for chunk in result.partitions(CHUNK):
        rows = caselist.describe(council, viewer, chunk, today)
        for row in rows:
            case, entry = row.case, row.entry
            writer.writerow([safe(v) for v in (
                case.reference, row.process_title, _route(council, case), row.stage_title,
                ", ".join(row.assignees), case.raised_at.date().isoformat(),
                entry.due_on.isoformat() if entry else "", "; ".join(row.tags), _outcome(council, case),
                case.closed_at.date().isoformat() if case.closed_at else "",
                *(case.answers.get(a) or "" for a in areas),
                *(case.answers.get(name) or "" for name, _ in fields))])
    return out.getvalue()


def _answer_fields(council: Council) -> list[tuple[str, str]]:
    seen, out = set(), []
    for process in council.processes:
        for f in process.intake:
            if f.name not in seen and f.name not in council.areas:
                seen.add(f.name)
                out.append((f.name, f.label))
    return out


def _area_title(council: Council, name: str) -> str:
    for process in council.processes:
        for f in process.intake:
            if f.name == name:
                return f.label
    return name.replace("_", " ").capitalize()


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
    """The label of the case's outcome as its ladder words it; None if the plugin no longer has it."""
    try:
        ladder = council.process(case.process).ladder(case.ladder)
    except KeyError:
        return None
    return ladder.outcome_labels().get(case.outcome)
