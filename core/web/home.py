from flask import Blueprint, render_template

from core.http.tenancy import council_blueprint
from core.runtime import concord

bp = Blueprint("home", __name__)
council_bp = council_blueprint("council", __name__)


@bp.get("/")
def councils():
    return render_template("home/councils.html", councils=concord().councils.values())


@council_bp.get("/")
def council_home():
    return render_template("home/council.html")

