"""Council admins see who has signed in, and end a person's sessions (a lost laptop, a leaver)."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from sqlalchemy import select

from core.http.session import end_sessions
from core.http.tenancy import admins_only, council_blueprint
from core.model.records import User, db

bp = council_blueprint("people", __name__, "/admin/people")
bp.before_request(admins_only)  # every page here is for council admins


@bp.get("/")
def index():
    users = db.session.scalars(select(User).where(User.council == g.council.slug)
                               .order_by(User.last_sign_in_at.desc()).limit(500)).all()
    return render_template("admin/people.html", users=users)


@bp.post("/<int:user_id>/end-sessions")
def end(user_id):
    user = db.session.get(User, user_id)
    if user is None or user.council != g.council.slug:
        abort(404)
    end_sessions(user)
    db.session.commit()
    flash(f"{user.name} has been signed out everywhere", "success")
    return redirect(url_for("people.index"))
