"""The council's reports, its learning export and ``/api/reports/summary``.

For safeguarding leads, partnership managers (read-only) and council admins
(aggregates); anyone else gets a 404. Each view and download is audited.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from flask import Response, abort, g, jsonify, redirect, render_template, request, session, url_for
from markupsafe import Markup

from core.engine import audit
from core.http.tenancy import council_blueprint
from core.model.clock import local_date
from core.model.inputs import DateProblem, boxes_day, iso_day
from core.model.records import db
from core.model.roles import COUNCIL_ADMIN, PARTNERSHIP_MANAGER, SAFEGUARDING_LEAD
from core.reads import reports
from core.reads.charts import Series, bars, columns
from core.reads.exports import Column, safe, table

bp = council_blueprint("reports", __name__, "/reports")
api = council_blueprint("reports_api", __name__, "/api/reports")

READERS = frozenset({SAFEGUARDING_LEAD, PARTNERSHIP_MANAGER, COUNCIL_ADMIN})


def may_read_reports(viewer) -> bool:
    return viewer is not None and bool(READERS & viewer.roles)


@bp.before_request
def readers_only():
    if g.viewer is None:
        if session.get("council") not in (None, g.council.slug):
            abort(404)
        return redirect(url_for("signin.choose", next=request.path))
    if not may_read_reports(g.viewer):
        abort(404)


@api.before_request
def api_readers_only():
    if g.viewer is None:
        abort(404 if session.get("council") not in (None, g.council.slug) else 401)
    if not may_read_reports(g.viewer):
        abort(404)


# --- filters ------------------------------------------------------------------


def today() -> date:
    from core.runtime import now

    return local_date(now())


def date_arg(name: str, label: str, errors: dict) -> tuple[date | None, dict]:
    """A date from ``name=YYYY-MM-DD`` or from the page's day, month and year boxes (``iso_day``, ``boxes_day``)."""
    boxes = {part: request.args.get(f"{name}-{part}", "").strip() for part in ("day", "month", "year")}
    given = request.args.get(name, "").strip()
    try:
        if any(boxes.values()):
            return boxes_day(boxes["day"], boxes["month"], boxes["year"], label), boxes
        if given:
            found = iso_day(given, label)
            return found, {"day": str(found.day), "month": str(found.month), "year": str(found.year)}
    except DateProblem as problem:
        errors[name] = str(problem)
    return None, boxes


@dataclass
class Filters:
    period: reports.Period
    errors: dict = field(default_factory=dict)
    boxes: dict = field(default_factory=dict)

    def query(self) -> dict:
        args = {"from": self.period.start.isoformat(), "to": self.period.end.isoformat()}
        if self.period.process:
            args["process"] = self.period.process
        return args

    def process_items(self) -> list[dict]:
        return [{"value": "", "text": "All processes"}] + [
            {"value": p.slug, "text": p.title, "selected": p.slug == self.period.process} for p in g.council.processes]

    def error_list(self) -> list[dict]:
        return [{"text": message, "href": f"#{name}" + ("-day" if name in ("from", "to") else "")}
                for name, message in self.errors.items()]

    def describe(self) -> str:
        what = g.council.process(self.period.process).title if self.period.process else "all processes"
        return f"{self.period.start:%-d %B %Y} to {self.period.end:%-d %B %Y}, {what}"


def filters() -> Filters:
    errors: dict = {}
    default = reports.default_period(today())
    start, start_boxes = date_arg("from", "The start date", errors)
    end, end_boxes = date_arg("to", "The end date", errors)
    process = request.args.get("process") or None
    if process and process not in {p.slug for p in g.council.processes}:
        errors["process"] = "Choose a process from the list"
        process = None
    start, end = start or default.start, end or default.end
    if not errors and start > end:
        errors["to"] = "The end date must be the same as or after the start date"
    if not errors and (end - start).days > 366 * 10:
        errors["from"] = "Choose a period of ten years or less"
    period = reports.Period(start, end, process) if not errors else default
    boxes = {name: given if any(given.values()) else {"day": d.day, "month": d.month, "year": d.year}
             for name, given, d in (("from", start_boxes, period.start), ("to", end_boxes, period.end))}
    return Filters(period, errors, boxes)


# --- the tables (and charts) everything is shown and downloaded as ---------------


@dataclass
class Table:
    slug: str
    title: str
    headers: list[str]
    rows: list[list]
    chart: Markup | None = None
    numeric: tuple[int, ...] = ()
    note: str = ""


def _month_label(month: str, short: bool = False) -> str:
    year, number = month.split("-")
    name = date(int(year), int(number), 1).strftime("%b" if short else "%B")
    return f"{name} {year[2:]}" if short else f"{name} {year}"


def tables(summary: dict) -> list[Table]:
    many = summary["process"] is None and len({r["process"] for r in summary["by_process"]}) > 1
    titles = {r["process"]: r["title"] for r in summary["by_process"]}

    def named(process, *parts):
        return " – ".join(([titles.get(process, process)] if many else []) + [p for p in parts if p])

    out = []
    rows = summary["by_process"]
    out.append(Table(
        "by-process", "Cases raised, by process", ["Process", "Raised", "Still open", "Closed"],
        [[r["title"], r["raised"], r["open"], r["closed"]] for r in rows],
        bars("chart-by-process", "Cases raised, by process: still open and closed", [r["title"] for r in rows],
             [Series("Still open", [r["open"] for r in rows]), Series("Closed", [r["closed"] for r in rows])]),
        numeric=(1, 2, 3)))
    rows = summary["by_ladder"]
    out.append(Table(
        "by-ladder", "Cases raised, by ladder (agency)", ["Process", "Ladder", "Raised"],
        [[titles.get(r["process"], r["process"]), r["title"], r["raised"]] for r in rows],
        bars("chart-by-ladder", "Cases raised, by ladder", [named(r["process"], r["title"]) for r in rows],
             [Series("Raised", [r["raised"] for r in rows])]),
        numeric=(2,)))
    rows = summary["by_stage_reached"]
    out.append(Table(
        "stage-reached", "Highest stage reached", ["Process", "Ladder", "Stage reached", "Cases"],
        [[titles.get(r["process"], r["process"]), r["ladder_title"], r["title"], r["cases"]] for r in rows],
        bars("chart-stage-reached", "Cases by the highest stage they reached",
             [named(r["process"], r["ladder_title"], r["title"]) for r in rows],
             [Series("Cases", [r["cases"] for r in rows])]),
        numeric=(3,), note="The stage a case is at now, or was at when it closed."))
    rows = summary["by_outcome"]
    out.append(Table(
        "by-outcome", "Outcomes", ["Process", "Outcome", "Cases"],
        [[titles.get(r["process"], r["process"]), r["label"], r["cases"]] for r in rows],
        bars("chart-by-outcome", "Cases by outcome", [named(r["process"], r["label"]) for r in rows],
             [Series("Cases", [r["cases"] for r in rows])]),
        numeric=(2,)))
    rows = summary["overdue_now"]
    total = [sum(r[k] for r in rows) for k in ("open", "overdue", "late_on_arrival")]
    out.append(Table(
        "now", "Open now: overdue and late on arrival", ["Process", "Open", "Overdue", "Late on arrival"],
        [[r["title"], r["open"], r["overdue"], r["late_on_arrival"]] for r in rows] + ([["All", *total]] if rows else []),
        bars("chart-now", "Open cases now: overdue and late on arrival", [r["title"] for r in rows],
             [Series("Open", [r["open"] for r in rows]), Series("Overdue", [r["overdue"] for r in rows]),
              Series("Late on arrival", [r["late_on_arrival"] for r in rows])]),
        numeric=(1, 2, 3),
        note=("Every open case, whenever it was raised. Overdue: its stage's due date has passed. "
              "Late on arrival: the due date had already passed when the case reached its current stage.")))
    rows = summary["time_per_stage"]
    out.append(Table(
        "time-per-stage", "Time at each stage against its deadline",
        ["Process", "Ladder", "Stage", "Deadline", "Closed", "Median days", "90th percentile days", "On time",
         "On time (%)"],
        [[titles.get(r["process"], r["process"]), r["ladder_title"], r["title"], r["deadline"], r["closed"],
          r["median_days"], r["p90_days"], r["on_time"], r["on_time_percent"]] for r in rows],
        bars("chart-time-per-stage", "Days at each stage: median and 90th percentile",
             [named(r["process"], r["ladder_title"], r["title"]) for r in rows],
             [Series("Median", [r["median_days"] for r in rows]), Series("90th percentile", [r["p90_days"] for r in rows])],
             unit=" d"),
        numeric=(4, 5, 6, 7, 8),
        note=("Calendar days, with a decimal, from the moment the case reached the stage to the moment it was "
              "recorded there, for stages completed by cases raised in the period. On time: recorded on or "
              "before the stage's due date, which already counts working days where the deadline does.")))
    rows = summary["time_to_resolution"]
    out.append(Table(
        "time-to-resolution", "Time from raising to closing", ["Process", "Closed", "Median days",
                                                              "90th percentile days"],
        [[r["title"], r["closed"], r["median_days"], r["p90_days"]] for r in rows],
        bars("chart-time-to-resolution", "Days from raising to closing: median and 90th percentile",
             [r["title"] for r in rows],
             [Series("Median", [r["median_days"] for r in rows]), Series("90th percentile", [r["p90_days"] for r in rows])],
             unit=" d"),
        numeric=(1, 2, 3), note="Calendar days, for cases closed in the period."))
    rows = summary["monthly"]
    out.append(Table(
        "monthly", "Cases per month", ["Month", "Raised", "Closed"],
        [[_month_label(r["month"]), r["raised"], r["closed"]] for r in rows],
        columns("chart-monthly", "Cases raised and closed each month", [_month_label(r["month"], True) for r in rows],
                [Series("Raised", [r["raised"] for r in rows]), Series("Closed", [r["closed"] for r in rows])]),
        numeric=(1, 2)))
    rows = summary["themes"]
    months = [r["month"] for r in summary["monthly"]]
    out.append(Table(
        "themes", "Themes over time", ["Theme", "Cases", *(_month_label(m) for m in months)],
        [[r["theme"], r["cases"], *(r["months"].get(m, 0) for m in months)] for r in rows],
        bars("chart-themes", "Themes recorded when cases closed", [r["theme"] for r in rows],
             [Series("Cases", [r["cases"] for r in rows])]),
        numeric=tuple(range(1, len(months) + 2)),
        note="Cases closed in the period with each theme, by the month they closed. A case can have several themes."))
    return out


# --- pages and downloads ---------------------------------------------------------


def _summary(f: Filters) -> dict:
    return reports.summary(g.council, f.period, today())


@bp.get("/")
def index():
    f = filters()
    summary = _summary(f)
    audit.record_council(g.council.slug, g.viewer.user, "report", f"reports: {f.describe()}")
    db.session.commit()
    return render_template("reports/index.html", f=f, summary=summary, tables=tables(summary)), \
        400 if f.errors else 200


@bp.get("/<slug>.csv")
def table_csv(slug):
    f = filters()
    if f.errors:
        abort(400)
    found = next((t for t in tables(_summary(f)) if t.slug == slug), None)
    if found is None:
        abort(404)
    audit.record_council(g.council.slug, g.viewer.user, "report-export", f"{slug}.csv: {f.describe()}")
    db.session.commit()
    return csv_response([found.headers, *found.rows], f"{g.council.slug}-{slug}-{f.period.start}-to-{f.period.end}.csv")


@api.get("/summary")
def summary_json():
    f = filters()
    if f.errors:
        return jsonify({"errors": {k: [v] for k, v in f.errors.items()}}), 400
    summary = _summary(f)
    audit.record_council(g.council.slug, g.viewer.user, "report", f"summary JSON: {f.describe()}")
    db.session.commit()
    return jsonify(summary)


@bp.get("/learning")
def learning():
    f = filters()
    rows = reports.learning_rows(g.council, f.period) if not f.errors else []
    _audit_learning(f, "learning-view")
    return render_template("reports/learning.html", f=f, rows=rows, names=reports.Names(g.council)), \
        400 if f.errors else 200


@bp.get("/learning.csv")
def learning_csv():
    f = filters()
    if f.errors:
        abort(400)
    names = reports.Names(g.council)
    rows = reports.learning_rows(g.council, f.period)
    _audit_learning(f, "learning-export")
    columns = [
        Column("Reference", lambda r: r.reference),
        Column("Process", lambda r: names.process(r.process)),
        Column("Outcome", lambda r: names.outcome(r.process, r.outcome)),
        Column("Raised", lambda r: local_date(r.raised_at).isoformat()),
        Column("Closed", lambda r: local_date(r.closed_at).isoformat()),
        Column("Themes", lambda r: r.themes or ""),
        Column("Learning", lambda r: r.learning or ""),
    ]
    return csv_response(table(columns, rows), f"{g.council.slug}-learning-{f.period.start}-to-{f.period.end}.csv")


def _audit_learning(f: Filters, action: str) -> None:
    """One row per case shown, so a case's audit trail lists every export it was in."""
    if not f.errors:
        audit.record_cases(g.council.slug, g.viewer.user, action, reports.closed_cases(g.council, f.period),
                           f"learning: {f.describe()}")
    audit.record_council(g.council.slug, g.viewer.user, action, f"learning: {f.describe()}")
    db.session.commit()


def csv_response(rows, filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe(c) for c in row])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.app_template_global()
def reporting_nav() -> list[dict]:
    """Navigation to reports, themes, settings and the audit trail, for those who may see them."""
    from core.model.roles import DATA_PROTECTION_OFFICER

    viewer = g.get("viewer")
    if viewer is None or g.get("council") is None:
        return []
    items = [{"href": url_for("reports.index"), "text": "Reports"}] if may_read_reports(viewer) else []
    if viewer.is_admin:
        items += [{"href": url_for("learning.themes"), "text": "Themes"},
                  {"href": url_for("learning.settings"), "text": "Settings"}]
    if viewer.is_admin or DATA_PROTECTION_OFFICER in viewer.roles:
        items.append({"href": url_for("audit.index"), "text": "Audit trail"})
    return items
