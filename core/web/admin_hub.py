"""A council admin's "Manage" page: the admin areas in one list, so the menu stays on one line."""
from __future__ import annotations

from flask import abort, g, render_template

from core.http.tenancy import council_blueprint

bp = council_blueprint("admin_hub", __name__, "/admin")


@bp.get("/")
def index():
    if g.viewer is None or not g.viewer.is_admin:
        abort(404)
    return render_template("admin/index.html")
