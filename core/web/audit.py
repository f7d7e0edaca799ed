"""The audit trail, read-only, for council admins and data protection officers.

Search by case reference, person (name or email) and date range; download
the same rows as CSV. Reading and downloading the trail are audited too.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, g, render_template, request
from sqlalchemy import func, or_, select

from core.engine import audit as audit_trail
from core.http.tenancy import council_blueprint
from core.model.inputs import row_id
from core.model.records import AuditEvent, Case, User, db
from core.model.roles import COUNCIL_ADMIN, DATA_PROTECTION_OFFICER
from core.reads.reports import Period
from core.web.reports import csv_response, date_arg

bp = council_blueprint("audit", __name__, "/admin/audit")

PER_PAGE = 100
ACTIONS = {
    "open": "Raised the case",
    "act": "Recorded a stage",
    "view": "Viewed the case",
    "view-progress": "Viewed the case's progress (admin)",
    "view-taken": "Viewed a stage taken by someone else",
    "take": "Took a stage",
    "reassign": "Reassigned a stage",
    "record": "Printed the case record",
    "export": "Exported the case (printable record or JSON)",
    "erase": "Erased under retention",
    "list": "Viewed a case list",
    "resend": "Resent a message",
    "learning": "Added themes or learning",
    "learning-view": "Viewed learning (printable page)",
    "learning-export": "Exported learning (CSV)",
    "report": "Viewed a report",
    "report-export": "Downloaded a report table (CSV)",
    "admin": "Changed a setting",
    "audit": "Searched the audit trail",
    "audit-export": "Downloaded the audit trail (CSV)",
}


@bp.before_request
def auditors_only():
    if g.viewer is None or not ({COUNCIL_ADMIN, DATA_PROTECTION_OFFICER} & g.viewer.roles):
        abort(404)


def _search():
    args: dict[str, Any] = {k: request.args.get(k, "").strip() for k in ("reference", "person", "page")}
    errors: dict[str, list[str]] = {}
    dates: dict[str, date] = {}
    boxes: dict = {}
    for name, label in (("from", "The start date"), ("to", "The end date")):
        found, boxes[name] = date_arg(name, label, errors)
        if found:
            dates[name] = args[name] = found
    query = (
        select(AuditEvent.at, AuditEvent.action, AuditEvent.detail, User.name, User.email, Case.reference)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .outerjoin(Case, Case.id == AuditEvent.case_id)
        .where(AuditEvent.council == g.council.slug)
    )
    if args["reference"]:
        query = query.where(func.upper(Case.reference) == args["reference"].upper())
    if args["person"]:
        like = f"%{args['person'].lower()}%"
        query = query.where(or_(func.lower(User.name).like(like), func.lower(User.email).like(like)))
    if "from" in dates:
        query = query.where(AuditEvent.at >= Period(dates["from"], dates["from"]).since)
    if "to" in dates:
        query = query.where(AuditEvent.at < Period(dates["to"], dates["to"]).until)
    return args, errors, boxes, query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def _describe(args) -> str:
    given = [f"{k} {v}" for k, v in args.items() if v and k != "page"]
    return "audit search: " + (", ".join(given) or "everything")


@bp.get("/")
def index():
    args, errors, boxes, query = _search()
    page = row_id(args["page"]) or 1
    rows = [] if errors else db.session.execute(query.limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)).all()
    audit_trail.record_council(g.council.slug, g.viewer.user, "audit", _describe(args))
    db.session.commit()
    more = len(rows) > PER_PAGE
    query_args = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in args.items() if v and k != "page"}
    return render_template("audit/index.html", args=args, errors=errors, boxes=boxes, rows=rows[:PER_PAGE],
                           page=page, more=more, actions=ACTIONS, query_args=query_args,
                           error_list=[{"text": m, "href": f"#{k}-day"} for k, m in errors.items()]), \
        400 if errors else 200


@bp.get("/audit.csv")
def export():
    args, errors, boxes, query = _search()
    if errors:
        abort(400)
    rows = db.session.execute(query).all()
    audit_trail.record_council(g.council.slug, g.viewer.user, "audit-export", _describe(args))
    db.session.commit()
    table = [["When (UTC)", "Person", "Email", "Action", "Case", "Detail"]] + [
        [r.at.strftime("%Y-%m-%d %H:%M:%S"), r.name or "Concord", r.email or "", ACTIONS.get(r.action, r.action), r.reference or "",
         r.detail or ""] for r in rows]
    return csv_response(table, f"{g.council.slug}-audit.csv")
