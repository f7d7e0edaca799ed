"""Council admins keep the council's closure days and its groups' meeting dates.

Closure days stop counting as working days for deadlines set from then on;
meeting dates give ``NextMeeting`` stages (e.g. a monthly dissents group) their due dates.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from sqlalchemy import select
from wtforms import HiddenField, StringField, validators

from ..forms import GovDateField
from ..models import ClosureDay, Meeting, db
from ..procedures import NextMeeting
from .hygiene import CheckedForm
from .tenancy import council_blueprint

bp = council_blueprint("calendar_admin", __name__, "/admin/calendar")


@bp.before_request
def admins_only():
    if g.viewer is None or not g.viewer.is_admin:
        abort(404)


class ClosureForm(CheckedForm):
    day = GovDateField("Date the council is closed", validators=[validators.InputRequired("Enter the date the council is closed")])
    reason = StringField("Reason", widget=GovTextInput(),
                         validators=[validators.InputRequired("Enter the reason, for example 'Council closure day'"),
                                     validators.Length(max=200)])


class MeetingForm(FlaskForm):
    day = GovDateField("Meeting date", validators=[validators.InputRequired("Enter the meeting date")])


class RemoveForm(FlaskForm):
    id = HiddenField()


def groups_of(council) -> list[str]:
    """The meeting groups the council's procedures count deadlines by."""
    return sorted({
        stage.deadline.meeting for _, _, stage in council.stages() if isinstance(stage.deadline, NextMeeting)
    })


def _page(closure=None, meeting_forms=None, status=200):
    closures = db.session.scalars(
        select(ClosureDay).where(ClosureDay.council == g.council.slug).order_by(ClosureDay.day)).all()
    meetings = {
        group: db.session.scalars(select(Meeting).where(
            Meeting.council == g.council.slug, Meeting.group == group).order_by(Meeting.day)).all()
        for group in groups_of(g.council)
    }
    meeting_forms = meeting_forms or {}
    forms = {group: meeting_forms.get(group) or MeetingForm(prefix=group) for group in meetings}
    return render_template("admin/calendar.html", closures=closures, meetings=meetings,
                           closure=closure or ClosureForm(prefix="closure"), meeting_forms=forms,
                           remove=RemoveForm()), status


@bp.get("/")
def show():
    return _page()


@bp.post("/closures")
def add_closure():
    form = ClosureForm(prefix="closure")
    if form.validate_on_submit():
        exists = db.session.scalar(select(ClosureDay).where(
            ClosureDay.council == g.council.slug, ClosureDay.day == form.day.data))
        if exists:
            form.day.errors.append(f"{form.day.data:%-d %B %Y} is already a closure day")
        else:
            db.session.add(ClosureDay(council=g.council.slug, day=form.day.data, reason=form.reason.data.strip()))
            db.session.commit()
            flash(f"{form.day.data:%-d %B %Y} added as a closure day. Deadlines set from now on skip it.", "success")
            return redirect(url_for("calendar_admin.show"))
    return _page(closure=form, status=400)


@bp.post("/meetings/<group>")
def add_meeting(group):
    if group not in groups_of(g.council):
        abort(404)
    form = MeetingForm(prefix=group)
    if form.validate_on_submit():
        exists = db.session.scalar(select(Meeting).where(
            Meeting.council == g.council.slug, Meeting.group == group, Meeting.day == form.day.data))
        if exists:
            form.day.errors.append(f"The group already meets on {form.day.data:%-d %B %Y}")
        else:
            db.session.add(Meeting(council=g.council.slug, group=group, day=form.day.data))
            db.session.commit()
            flash(f"Meeting on {form.day.data:%-d %B %Y} added", "success")
            return redirect(url_for("calendar_admin.show"))
    return _page(meeting_forms={group: form}, status=400)


@bp.post("/closures/remove")
def remove_closure():
    return _remove(ClosureDay)


@bp.post("/meetings/remove")
def remove_meeting():
    return _remove(Meeting)


def _remove(model):
    form = RemoveForm()
    row = db.session.get(model, int(form.id.data)) if form.validate_on_submit() and (form.id.data or "").isdigit() else None
    if row is None or row.council != g.council.slug:
        abort(404)
    db.session.delete(row)
    db.session.commit()
    flash(f"{row.day:%-d %B %Y} removed", "success")
    return redirect(url_for("calendar_admin.show"))
