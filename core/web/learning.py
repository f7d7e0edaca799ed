"""Themes and learning: added to a closed case by a lead, a council's themes and sharing
kept by its admins, and the aggregates councils share with each other (``/learning``).
"""
from __future__ import annotations

import re
from datetime import date, timedelta

from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput, GovTextArea, GovTextInput
from sqlalchemy import select
from wtforms import HiddenField, RadioField, SelectMultipleField, StringField, TextAreaField, validators

from core.engine import audit, cases, learning
from core.forms.checked import CheckedForm
from core.http.session import viewer_for
from core.http.tenancy import admins_only, council_blueprint
from core.model.inputs import row_id
from core.model.records import CouncilSetting, CouncilTheme, db
from core.reads import reports
from core.reads.charts import Series, bars
from core.runtime import now
from core.web.reports import Table, may_read_reports, today

bp = council_blueprint("learning", __name__)
across_bp = Blueprint("across", __name__)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


# --- a lead adds themes or learning to a closed case ---------------------------


class AddLearningForm(CheckedForm):
    themes = SelectMultipleField("Themes to add", choices=[], widget=GovCheckboxesInput(), validate_choice=False,
                                 description="Select any that apply and are not on the case yet.")
    learning = TextAreaField(
        "Learning", widget=GovTextArea(), filters=[_strip],
        description="Write it without the child's details (no names, addresses or dates of birth).",
        validators=[validators.Length(max=10_000, message="Learning must be 10,000 characters or fewer")])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        known = {value for value, _ in self.themes.choices}
        if any(t not in known for t in self.themes.data or ()):
            self.themes.errors.append("Select themes from the list")
            ok = False
        if ok and not self.themes.data and not self.learning.data:
            self.learning.errors.append("Select a theme or enter the learning")
            ok = False
        return ok


def _closed_case_for_lead(reference):
    if g.viewer is None or not g.viewer.is_lead:
        abort(404)
    case = cases.find(g.council, reference)
    if case is None or not g.viewer.may_view(case) or case.status != "closed":
        abort(404)
    return case


@bp.route("/cases/<reference>/learning", methods=["GET", "POST"])
def add_learning(reference):
    case = _closed_case_for_lead(reference)
    current = learning.of_case(case)
    form = AddLearningForm()
    form.themes.choices = [(t, t) for t in learning.themes_of(g.council) if t not in current["themes"]]
    if request.method == "POST":
        if form.validate_on_submit():
            learning.add(case, g.viewer.user.id, form.themes.data or (), form.learning.data or None, now())
            audit.record(case, g.viewer.user, "learning", "themes or learning added")
            db.session.commit()
            flash("Themes and learning added", "success")
            return redirect(url_for("cases.show", reference=case.reference))
        audit.record(case, g.viewer.user, "view", "learning form with errors")
        db.session.commit()
        return render_template("learning/add.html", case=case, form=form, current=current), 400
    return render_template("learning/add.html", case=case, form=form, current=current)


# --- a council's themes and sharing, kept by its admins -------------------------


class ThemeForm(CheckedForm):
    label = StringField("New theme", widget=GovTextInput(), filters=[_strip],
                        description="A short phrase, for example 'Attendance at core groups'",
                        validators=[validators.DataRequired("Enter the new theme"),
                                    validators.Length(max=120, message="A theme must be 120 characters or fewer")])


class RemoveThemeForm(FlaskForm):
    id = HiddenField()


def _themes_page(form=None, status=200):
    return render_template("learning/themes.html", declared=g.council.themes, extra=learning.extra_themes(g.council),
                           form=form or ThemeForm(), remove=RemoveThemeForm()), status


@bp.get("/admin/themes")
def themes():
    admins_only()
    return _themes_page()


@bp.post("/admin/themes")
def add_theme():
    admins_only()
    form = ThemeForm()
    if form.validate_on_submit():
        label = form.label.data
        if label.casefold() in {t.casefold() for t in learning.themes_of(g.council)}:
            form.label.errors.append(f"'{label}' is already a theme")
        else:
            db.session.add(CouncilTheme(council=g.council.slug, label=label, added_at=now(),
                                        added_by_id=g.viewer.user.id))
            audit.record_council(g.council.slug, g.viewer.user, "admin", f"theme added: {label}")
            db.session.commit()
            flash(f"'{label}' added to the themes", "success")
            return redirect(url_for("learning.themes"))
    return _themes_page(form, 400)


@bp.post("/admin/themes/remove")
def remove_theme():
    admins_only()
    form = RemoveThemeForm()
    found = row_id(form.id.data) if form.validate_on_submit() else None
    row = db.session.get(CouncilTheme, found) if found else None
    if row is None or row.council != g.council.slug:
        abort(404)
    db.session.delete(row)
    audit.record_council(g.council.slug, g.viewer.user, "admin", f"theme removed: {row.label}")
    db.session.commit()
    flash(f"'{row.label}' removed from the list. Cases that have it keep it.", "success")
    return redirect(url_for("learning.themes"))


class SettingsForm(FlaskForm):
    share = RadioField(
        "Share anonymised figures with other councils?", widget=GovRadioInput(),
        choices=[("yes", "Yes, share them"), ("no", "No")],
        description=("Other councils that share see your council's time from raising to closing for each kind of "
                     "process and how often each theme was recorded: counts only, any count under 5 hidden, "
                     "no references and no names."),
        validators=[validators.InputRequired("Select yes or no")])


@bp.route("/admin/settings", methods=["GET", "POST"])
def settings():
    admins_only()
    form = SettingsForm()
    if request.method == "POST":
        if form.validate_on_submit():
            share = form.share.data == "yes"
            learning.set_sharing(g.council.slug, share, g.viewer.user, now())
            audit.record_council(g.council.slug, g.viewer.user, "admin",
                                 "sharing aggregates " + ("on" if share else "off"))
            db.session.commit()
            flash("Your council now shares anonymised figures with other councils" if share
                  else "Your council no longer shares figures with other councils", "success")
            return redirect(url_for("learning.settings"))
        return render_template("learning/settings.html", form=form), 400
    form.share.data = "yes" if learning.shares(g.council.slug) else "no"
    return render_template("learning/settings.html", form=form)


# --- across councils ----------------------------------------------------------------


def _cross_council_reader():
    """Leads, partnership managers and admins of any council; everyone else 404."""
    slug = session.get("council")
    viewer = viewer_for(slug) if slug else None
    if not may_read_reports(viewer):
        abort(404)
    return viewer


QUARTER = re.compile(r"([0-9]{4})-Q([1-4])", re.ASCII)


def last_whole_quarter(day: date) -> reports.Period:
    """The last quarter that ended before ``day``."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = start - timedelta(days=1)
    return reports.Period(date(end.year, end.month - 2, 1), end)


def quarter_period(text: str, today: date) -> reports.Period:
    """``YYYY-Qn`` as a period; ValueError unless it is a quarter that has ended, from 2000 on."""
    found = QUARTER.fullmatch(text.strip())
    if not found or not 2000 <= int(found.group(1)) <= 2100:
        raise ValueError("Choose a quarter in the form YYYY-Qn, for example 2026-Q3")
    year, n = int(found.group(1)), int(found.group(2))
    start = date(year, 3 * n - 2, 1)
    end = (date(year + 1, 1, 1) if n == 4 else date(year, 3 * n + 1, 1)) - timedelta(days=1)
    if end >= today:
        raise ValueError("Choose a quarter that has ended: figures for a quarter still running would change "
                         "case by case")
    return reports.Period(start, end)


def _across_data():
    """The sharing councils and the quarter asked for (``quarter=YYYY-Qn``, the last whole one by default).

    Figures come for one whole quarter at a time, never a range of days: two overlapping periods could be
    subtracted to show a count the suppression hides, while quarters never overlap.
    """
    councils = current_app.extensions["concord"].councils
    errors: dict[str, list[str]] = {}
    if {"from", "to"} & set(request.args):
        errors["quarter"] = ["Figures across councils are for whole quarters: ask for quarter=YYYY-Qn, "
                             "for example 2026-Q3"]
    period = last_whole_quarter(today())
    if request.args.get("quarter"):
        try:
            period = quarter_period(request.args["quarter"], today())
        except ValueError as problem:
            errors["quarter"] = [str(problem)]
    sharing = list(db.session.scalars(select(CouncilSetting.council).where(CouncilSetting.share_aggregates.is_(True))))
    return councils, sharing, period, errors


def quarters_before(day: date, n: int = 8) -> list[str]:
    """The ``n`` whole quarters before ``day``, latest first, as ``YYYY-Qn``."""
    out, period = [], last_whole_quarter(day)
    for _ in range(n):
        out.append(_quarter_of(period))
        period = last_whole_quarter(period.start)
    return out


@across_bp.get("/learning")
def across():
    viewer = _cross_council_reader()
    councils, sharing, period, errors = _across_data()
    if errors:
        abort(400, errors["quarter"][0])
    own_shares = viewer.user.council in sharing
    # Only councils that share see the others' figures: a council that keeps its own back reads none.
    data = reports.across(councils, sharing if own_shares else [], period)
    audit.record_council(viewer.user.council, viewer.user, "report", "learning across councils")
    db.session.commit()
    return render_template("learning/across.html", data=data, tables=_across_tables(data) if own_shares else [],
                           own=viewer.user.council, own_shares=own_shares,
                           quarters=quarters_before(today()), chosen=_quarter_of(period))


@across_bp.get("/api/learning")
def across_json():
    viewer = _cross_council_reader()
    councils, sharing, period, errors = _across_data()
    if errors:
        return jsonify({"errors": errors}), 400
    if viewer.user.council not in sharing:
        return jsonify({"error": "Your council does not share its figures, so it sees no other council's. "
                                 "A council admin can change that in the council's settings."}), 403
    data = reports.across(councils, sharing, period)
    audit.record_council(viewer.user.council, viewer.user, "report", "learning across councils (JSON)")
    db.session.commit()
    return jsonify(data)


def _quarter_of(period: reports.Period) -> str:
    return f"{period.start.year}-Q{(period.start.month + 2) // 3}"


def _shown(value, suppressed):
    return "fewer than 5" if suppressed else value


def _across_tables(data) -> list[Table]:
    out = []
    for p in data["time_to_resolution"]:
        rows = p["councils"]
        out.append(Table(
            f"resolution-{p['process']}", f"Days from raising to closing: {p['title']}",
            ["Council", "Cases closed", "Median days", "90th percentile days"],
            [[c["name"], _shown(c["closed"], c["suppressed"]), c["median_days"], c["p90_days"]] for c in rows],
            bars(f"chart-resolution-{p['process']}", f"Median days from raising to closing: {p['title']}",
                 [c["name"] + (" (fewer than 5 cases: not shown)" if c["suppressed"] else "") for c in rows],
                 [Series("Median", [c["median_days"] for c in rows]),
                  Series("90th percentile", [c["p90_days"] for c in rows])], unit=" d"),
            numeric=(1, 2, 3)))
    names = [c["name"] for c in data["councils"]]
    slugs = [c["council"] for c in data["councils"]]
    rows = []
    for t in data["themes"]:
        by = {c["council"]: c for c in t["councils"]}
        rows.append([t["theme"], *(_shown(by[s]["cases"], by[s]["suppressed"]) if s in by else 0 for s in slugs)])
    out.append(Table("themes", "Themes recorded when cases closed", ["Theme", *names], rows,
                     numeric=tuple(range(1, len(names) + 1)),
                     note="Cases closed in the period with each theme, by council."))
    return out


@bp.app_template_global()
def case_learning(case):
    """Themes and learning of a case, for the case page."""
    return learning.of_case(case)

