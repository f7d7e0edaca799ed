"""Where a user chooses how to sign in, and signs out."""
from flask import flash, g, redirect, render_template, url_for

from core.http.session import sign_out
from core.http.tenancy import council_blueprint
from core.runtime import concord

bp = council_blueprint("signin", __name__)


@bp.get("/sign-in")
def choose():
    methods = [m for m in concord().sign_in_methods if m.available(g.council)]
    return render_template("auth/sign_in.html", methods=methods)


@bp.post("/sign-out")
def leave():
    sign_out()
    flash("You have signed out. Close the browser if you are on a shared computer.", "success")
    return redirect(url_for("council.council_home"))
