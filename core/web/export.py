"""A whole case as JSON, for a subject access request: safeguarding leads only, audited."""
from __future__ import annotations

import json

from flask import Response, abort, g

from .. import cases, retention
from .tenancy import council_blueprint

bp = council_blueprint("export", __name__, "/cases")


@bp.get("/<reference>/export.json")
def case_json(reference):
    viewer = g.viewer
    case = cases.find(g.council, reference)
    if viewer is None or case is None or not viewer.is_lead or not viewer.may_view(case):
        abort(404)
    body = json.dumps(retention.export(g.council, case, viewer.user), indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{case.reference}.json"',
        "Cache-Control": "no-store",
    })
