"""Development sign-in: pick a demo person and a role. Never in production.

``core.config.validate`` refuses to start with this on and
``CONCORD_ENV=production``; when it is off these routes do not exist (404).
"""
from __future__ import annotations

import re

from flask import current_app, g, jsonify, redirect, render_template, request, url_for
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextInput
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import EmailField, RadioField, validators

from core.forms.checked import CheckedForm
from core.hookspecs import hookimpl
from core.http.hygiene import names_its_own_text_problems
from core.http.redirects import safe_next
from core.http.session import sign_in, upsert_user
from core.http.tenancy import council_blueprint
from core.model.records import Contact, db

bp = council_blueprint("dev_sign_in", __name__)


class SignInMethod:
    name = "Development sign-in (demo people only)"
    endpoint = "dev_sign_in.form"

    def available(self, council) -> bool:
        return True


def _roles():
    return list(current_app.extensions["concord"].roles.items())


class DevSignInForm(CheckedForm):
    email = EmailField("Email address", widget=GovTextInput(), validators=[
        validators.InputRequired(message="Enter an email address"),
        validators.Email(message="Enter an email address in the right format, like name@example.org"),
    ])
    role = RadioField("Role", widget=GovRadioInput(), validators=[
        validators.InputRequired(message="Select a role"),
    ])


def _sign_in(council, email: str, role: str, identity: str = ""):
    # ``identity`` makes a second identity with the same email (another subject), as a real provider can.
    subject = email.lower() + (f"#{identity}" if identity else "")
    name = _display_name(council, email) + (f" ({identity})" if identity else "")
    user = upsert_user(council.slug, f"dev:{council.slug}", subject, email, name)
    sign_in(user, {role})
    return user


def _display_name(council, email: str) -> str:
    contact = db.session.scalar(select(Contact).where(Contact.council == council.slug, Contact.email == email.lower()))
    return contact.name if contact else email.split("@")[0].replace(".", " ").title()


@bp.route("/dev/sign-in", methods=["GET", "POST"])
@names_its_own_text_problems
def form():
    form = DevSignInForm()
    form.role.choices = _roles()
    if form.validate_on_submit():
        _sign_in(g.council, form.email.data, form.role.data)
        return redirect(safe_next(request.args.get("next")) or url_for("council.council_home"))
    people = db.session.scalars(
        select(Contact).where(Contact.council == g.council.slug, Contact.active).order_by(Contact.role, Contact.name)
    ).all()
    return render_template("auth/dev_sign_in.html", form=form, people=people)


api = council_blueprint("dev_api", __name__, "/api/dev")


@api.post("/session")
def session_api():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify({"errors": {"body": ["Send a JSON object with email and role"]}}), 400
    wrong = {k: [f"Send {k} as text"] for k in ("email", "role", "identity")
             if k in data and not isinstance(data[k], str)}
    identity = data.get("identity", "")
    if not wrong and not re.fullmatch(r"[a-z0-9-]{0,20}", identity):
        wrong = {"identity": ["Send identity as up to 20 lower-case letters, digits or hyphens"]}
    if wrong:
        return jsonify({"errors": wrong}), 400
    form = DevSignInForm(formdata=MultiDict({k: data[k] for k in ("email", "role") if k in data}), meta={"csrf": False})
    form.role.choices = _roles()
    if not form.validate():
        return jsonify({"errors": form.errors}), 400
    user = _sign_in(g.council, form.email.data, form.role.data, identity)
    return jsonify({"email": user.email, "name": user.name, "role": form.role.data})


@hookimpl
def concord_init_app(app):
    if app.config.get("DEV_SIGN_IN"):
        app.register_blueprint(bp)
        app.register_blueprint(api)
        app.extensions["csrf"].exempt(api)


@hookimpl
def concord_register_sign_in_methods(app):
    return [SignInMethod()] if app.config.get("DEV_SIGN_IN") else []
