"""``/dev/mail``: the development outbox's messages, per council (never in production)."""
from __future__ import annotations

from flask import abort, g, redirect, render_template, request, session, url_for
from sqlalchemy import select

from core.http.tenancy import council_blueprint
from core.model.records import DevMail, db

# Development only, and per council: a signed-in person of the council sees that council's mail.
dev_mail = council_blueprint("dev_mail", __name__, "/dev/mail")


@dev_mail.before_request
def council_members_only():
    if g.viewer is None:
        if session.get("council") not in (None, g.council.slug):
            abort(404)
        return redirect(url_for("signin.choose", next=request.path))


@dev_mail.get("/")
def inbox():
    messages = db.session.scalars(
        select(DevMail).where(DevMail.council == g.council.slug).order_by(DevMail.id.desc()).limit(200)).all()
    return render_template("dev/mail.html", messages=messages)


@dev_mail.get("/<int:message_id>")
def message(message_id):
    found = db.session.get(DevMail, message_id)
    if found is None or found.council != g.council.slug:
        abort(404)
    return render_template("dev/message.html", message=found)
