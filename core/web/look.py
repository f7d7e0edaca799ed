"""Each council's look, from its plugin's ``Look``: the header colour as a small stylesheet and the
logo as an SVG image, both from this origin (the Content-Security-Policy allows no inline style)."""
from __future__ import annotations

from flask import Response, abort, g

from core.http.tenancy import council_blueprint

bp = council_blueprint("look", __name__, "/look")


@bp.get("/style.css")
def style():
    colour = g.council.look.colour
    css = (f".app-council-header {{ background-color: {colour}; }}\n"
           f".app-council-footer {{ border-top-color: {colour}; }}\n")
    return Response(css, mimetype="text/css")


@bp.get("/logo.svg")
def logo():
    if not g.council.look.logo_svg:
        abort(404)
    return Response(g.council.look.logo_svg, mimetype="image/svg+xml")
