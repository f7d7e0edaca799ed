"""Council admins reword the texts the plugin wrote in for them (immediate-risk
guidance, signposts), with a note per change and the history kept."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import TextAreaField, validators

from core.forms.checked import CheckedForm
from core.http.tenancy import admins_only, council_blueprint
from core.model import council_texts
from core.model.records import db
from core.runtime import now

bp = council_blueprint("texts_admin", __name__, "/admin/texts")
bp.before_request(admins_only)  # every page here is for council admins


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class TextsForm(CheckedForm):
    immediate_risk = TextAreaField(
        "If a child is at immediate risk of harm:",
        [validators.DataRequired("Enter what to do if a child is at immediate risk of harm"),
         validators.Length(max=1000, message="The immediate-risk guidance must be 1,000 characters or fewer")],
        description="Shown on every page after 'If a child is at immediate risk of harm:'. The same-day "
                    "contacts come from the directory.",
        filters=[_strip], widget=GovTextArea(),
    )
    signposts = TextAreaField(
        "What this service does not cover",
        [validators.Length(max=4000, message="The signposts must be 4,000 characters or fewer")],
        description="One signpost a line, shown on the council's start page.",
        filters=[_strip], widget=GovTextArea(),
    )
    note = TextAreaField("Note for this change", [
        validators.DataRequired("Enter a note saying why the texts are changing"), validators.Length(max=2000)],
        widget=GovTextArea())


@bp.route("/", methods=["GET", "POST"])
def edit():
    council = g.council
    form = TextsForm(data={key: council_texts.current(council, key) for key in council_texts.KEYS})
    if form.validate_on_submit():
        texts = {"immediate_risk": form.immediate_risk.data,
                 "signposts": "\n".join(line.strip() for line in form.signposts.data.splitlines() if line.strip())}
        changed = council_texts.change(council, texts, g.viewer.user, form.note.data, now())
        db.session.commit()
        flash("The texts have been updated" if changed else "Nothing had changed", "success")
        return redirect(url_for("texts_admin.edit"))
    return render_template("admin/texts.html", form=form, history=council_texts.history(council),
                           defaults={key: council_texts.default(council, key) for key in council_texts.KEYS}), (
        400 if form.errors else 200)
