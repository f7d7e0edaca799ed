"""Every council lives under ``/<council>/``; an unknown council is a 404."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g

from core.http.session import viewer_for
from core.runtime import concord


def council_blueprint(name: str, import_name: str, url_prefix: str = "") -> Blueprint:
    bp = Blueprint(name, import_name, url_prefix="/<council>" + url_prefix)
    bp.url_value_preprocessor(_pull_council)
    return bp


def _pull_council(endpoint, values):
    slug = values.pop("council")
    council = concord().councils.get(slug)
    if council is None:
        abort(404)
    g.council = council
    g.viewer = viewer_for(slug)


def admins_only():
    """The admin pages' guard (a blueprint's ``before_request``, or called first in a view): 404 unless
    a council admin of this council is signed in, so the pages' existence is not given away."""
    if g.viewer is None or not g.viewer.is_admin:
        abort(404)


def push_council(endpoint, values):
    """Fill in ``council`` for url_for from the request's council."""
    if "council" in values or "council" not in g:
        return
    if current_app.url_map.is_endpoint_expecting(endpoint, "council"):
        values["council"] = g.council.slug
