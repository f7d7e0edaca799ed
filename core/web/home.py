from flask import Blueprint, current_app, g, render_template

from .tenancy import council_blueprint

bp = Blueprint("home", __name__)
council_bp = council_blueprint("council", __name__)


@bp.get("/")
def councils():
    return render_template("home/councils.html", councils=current_app.extensions["concord"].councils.values())


@council_bp.get("/")
def council_home():
    return render_template("home/council.html")

