"""A whole case for a subject access request, as JSON or a printable record: safeguarding leads only, audited."""
from __future__ import annotations

import json

from flask import Response, abort, g, render_template

from core.engine import cases, retention
from core.http.tenancy import council_blueprint
from core.model.procedures import process_of
from core.reads import caselist

bp = council_blueprint("export", __name__, "/cases")


def _exportable(reference):
    viewer = g.viewer
    case = cases.find(g.council, reference)
    if viewer is None or case is None or not viewer.is_lead or not viewer.may_view(case):
        abort(404)
    return case


@bp.get("/<reference>/export.json")
def case_json(reference):
    case = _exportable(reference)
    body = json.dumps(retention.export(g.council, case, g.viewer.user), indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{case.reference}.json"',
        "Cache-Control": "no-store",
    })


@bp.get("/<reference>/record")
def printable(reference):
    case = _exportable(reference)
    exported = retention.export(g.council, case, g.viewer.user)
    process = process_of(g.council, case)
    ladder = process.ladder(case.ladder)
    stages = {stage.slug: stage for stage in ladder.stages}
    response = Response(render_template(
        "cases/record.html", case=case, exported=exported, process=process, stages=stages, ladder=ladder,
        holders=caselist.holder_names([case.current] if case.current else []),
        outcomes=ladder.outcome_labels()))
    response.headers["Cache-Control"] = "no-store"
    return response
