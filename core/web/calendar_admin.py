"""Council admins keep the council's closure days and its groups' meeting dates.

Every change is shown first with the open stages whose due dates it would
move (reference, stage, old → new) and made only when the admin confirms;
then the change and the recalculation (``core.engine.recalculate``) commit together.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import cast

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from wtforms import HiddenField, StringField, validators

from core.engine import recalculate
from core.forms.checked import CheckedForm
from core.forms.questions import GovDateField
from core.http.hygiene import names_its_own_text_problems
from core.http.tenancy import admins_only, council_blueprint
from core.model import calendar as working_days
from core.model.clock import local_date
from core.model.inputs import iso_day, row_id
from core.model.procedures import NATIONS, stage_of
from core.model.records import ClosureDay, Meeting, db
from core.runtime import now

bp = council_blueprint("calendar_admin", __name__, "/admin/calendar")
bp.before_request(admins_only)  # every page here is for council admins


class ClosureForm(CheckedForm):
    day = GovDateField("Date the council is closed", validators=[validators.InputRequired("Enter the date the council is closed")])
    reason = StringField("Reason", widget=GovTextInput(),
                         validators=[validators.InputRequired("Enter the reason, for example 'Council closure day'"),
                                     validators.Length(max=200)])


class MeetingForm(FlaskForm):
    day = GovDateField("Meeting date", validators=[validators.InputRequired("Enter the meeting date")])


class RemoveForm(FlaskForm):
    id = HiddenField()


class ConfirmForm(FlaskForm):
    """The change as previewed; ``fingerprint`` is the list of moves the admin saw."""

    change = HiddenField()
    day = HiddenField()
    reason = HiddenField()
    group = HiddenField()
    row = HiddenField()
    new_day = HiddenField()
    fingerprint = HiddenField()
    # The fields above as previewed, signed: a confirmation can only make a change the preview checked.
    signature = HiddenField()


# A meeting held but not recorded may be added afterwards (its stages then fall due on it), but not
# one from long ago: that would only move old deadlines.
PAST_MEETING_DAYS = 60


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="concord.calendar-change")


def signed(hidden: dict) -> str:
    return _signer().dumps(hidden)


def as_previewed(form: ConfirmForm) -> bool:
    """The posted change is the one a preview signed, field for field."""
    try:
        previewed = _signer().loads(form.signature.data or "")
    except BadSignature:
        return False
    return isinstance(previewed, dict) and previewed == {k: form[k].data or "" for k in previewed} \
        and set(previewed) == {"change", "day", "reason", "group", "row", "new_day"}


def groups_of(council) -> list[str]:
    """The meeting groups the council's procedures count deadlines by (``Deadline.meeting``), whatever their kind."""
    return sorted({group for _, _, stage in council.stages() if (group := stage.deadline.meeting)})


def long_date(day: date) -> str:
    return f"{day:%A %-d %B %Y}"


@dataclass
class Change:
    """One calendar change an admin asked for."""

    kind: str  # add-closure, remove-closure, add-meeting, remove-meeting, move-meeting
    day: date
    reason: str = ""
    group: str = ""
    row: int | None = None
    new_day: date | None = None
    fields: dict = field(default_factory=dict)

    def proposed(self, state: recalculate.CalendarState) -> recalculate.CalendarState:
        if self.kind == "add-closure":
            return state.with_closure(self.day, True)
        if self.kind == "remove-closure":
            return state.with_closure(self.day, False)
        if self.kind == "add-meeting":
            return state.with_meeting(self.group, self.day, True)
        if self.kind == "remove-meeting":
            return state.with_meeting(self.group, self.day, False)
        assert self.new_day is not None  # a move has its new day
        return state.with_meeting(self.group, self.day, False).with_meeting(self.group, self.new_day, True)

    @property
    def title(self) -> str:
        group = current_app.jinja_env.filters["meeting_group"](self.group)  # "CP Dissents Group", not its slug
        return {
            "add-closure": f"Add {long_date(self.day)} as a closure day",
            "remove-closure": f"Remove the closure day on {long_date(self.day)}",
            "add-meeting": f"Add a meeting of the {group} on {long_date(self.day)}",
            "remove-meeting": f"Remove the meeting of the {group} on {long_date(self.day)}",
            "move-meeting": f"Move the meeting of the {group} from {long_date(self.day)} to "
                            f"{long_date(self.new_day) if self.new_day else ''}",
        }[self.kind]

    @property
    def because(self) -> str:
        """The reason on each moved case's timeline."""
        group = current_app.jinja_env.filters["meeting_group"](self.group)  # "CP Dissents Group", not its slug
        return {
            "add-closure": f"{long_date(self.day)} became a closure day ({self.reason})",
            "remove-closure": f"{long_date(self.day)} is no longer a closure day",
            "add-meeting": f"a meeting of the {group} was added on {long_date(self.day)}",
            "remove-meeting": f"the meeting of the {group} on {long_date(self.day)} was removed",
            "move-meeting": f"the meeting of the {group} moved from {long_date(self.day)} to "
                            f"{long_date(self.new_day) if self.new_day else ''}",
        }[self.kind]

    def hidden(self) -> dict:
        return {"change": self.kind, "day": self.day.isoformat(), "reason": self.reason, "group": self.group,
                "row": str(self.row or ""), "new_day": self.new_day.isoformat() if self.new_day else ""}

    @classmethod
    def from_form(cls, form: ConfirmForm) -> Change | None:
        if form.change.data not in ("add-closure", "remove-closure", "add-meeting", "remove-meeting", "move-meeting"):
            return None
        try:
            return cls(form.change.data, iso_day(form.day.data, "The day"), (form.reason.data or "").strip()[:200],
                       form.group.data or "", row_id(form.row.data) if form.row.data else None,
                       iso_day(form.new_day.data, "The new day") if form.new_day.data else None)
        except (TypeError, ValueError):
            return None

    def make(self, council) -> bool:
        """Write the change; False when it no longer applies (already made, or the row is gone)."""
        slug = council.slug
        if self.kind == "add-closure":
            if _closure(slug, self.day):
                return False
            db.session.add(ClosureDay(council=slug, day=self.day, reason=self.reason))
        elif self.kind == "remove-closure":
            row = _closure(slug, self.day)
            if row is None:
                return False
            db.session.delete(row)
        elif self.kind == "add-meeting":
            if _meeting(slug, self.group, self.day):
                return False
            db.session.add(Meeting(council=slug, group=self.group, day=self.day))
        else:
            row = _meeting(slug, self.group, self.day)
            if row is None or (self.kind == "move-meeting" and _meeting(slug, self.group, self.new_day)):
                return False
            if self.kind == "remove-meeting":
                db.session.delete(row)
            else:
                row.day = self.new_day
        db.session.flush()
        return True


def _closure(slug, day):
    return db.session.scalar(select(ClosureDay).where(ClosureDay.council == slug, ClosureDay.day == day))


def _meeting(slug, group, day):
    return db.session.scalar(select(Meeting).where(Meeting.council == slug, Meeting.group == group, Meeting.day == day))


def bank_holidays_in(nation: str, year: int) -> list[tuple[date, str]]:
    known = working_days.bank_holidays(nation)
    days = (date(year, 1, 1) + timedelta(days=i) for i in range(366))
    return [(d, known.get(d)) for d in days if d.year == year and d in known]


def _page(closure=None, meeting_forms=None, status=200):
    today = local_date(now())
    year = request.args.get("year", type=int) or today.year
    if not today.year - 1 <= year <= today.year + 2:
        year = today.year
    closures = db.session.scalars(
        select(ClosureDay).where(ClosureDay.council == g.council.slug).order_by(ClosureDay.day)).all()
    meetings = {
        group: db.session.scalars(select(Meeting).where(
            Meeting.council == g.council.slug, Meeting.group == group).order_by(Meeting.day)).all()
        for group in groups_of(g.council)
    }
    meeting_forms = meeting_forms or {}
    forms = {group: meeting_forms.get(group) or MeetingForm(prefix=group) for group in meetings}
    return render_template("admin/calendar.html", closures=closures, meetings=meetings, waiting=_waiting(), today=today,
                           closure=closure or ClosureForm(prefix="closure"), meeting_forms=forms,
                           remove=RemoveForm(), year=year, this_year=today.year, nation=NATIONS[g.council.nation],
                           bank_holidays=bank_holidays_in(g.council.nation, year)), status


def _waiting() -> dict[str, list]:
    """Open stages flagged "no meeting scheduled", by group: (reference, stage title)."""
    waiting: dict[str, list] = {}
    for entry in recalculate.open_entries(g.council):
        if entry.no_meeting:
            stage = stage_of(g.council, entry.case, entry)
            group = stage.deadline.meeting
            assert group is not None  # only a meeting can be missing
            waiting.setdefault(group, []).append((entry.case.reference, stage.title))
    return waiting


def _preview(change: Change, status=200, changed=False):
    moves = recalculate.preview(g.council, change.proposed(recalculate.current_state(g.council)))
    form = ConfirmForm(formdata=None, data={**change.hidden(), "fingerprint": recalculate.fingerprint(moves),
                                            "signature": signed(change.hidden())})
    return render_template("admin/calendar_confirm.html", change=change, moves=moves, form=form,
                           changed=changed), status


@bp.get("/")
def show():
    return _page()


def closure_problem(day: date, duplicates: bool = True) -> str | None:
    """Why a day cannot be added as a closure day, or None."""
    if day < local_date(now()):
        return f"{long_date(day)} is in the past: a closure day must be today or later"
    if day.weekday() >= 5:
        return f"{long_date(day)} is a {day:%A}: weekends are not working days already"
    holiday = working_days.bank_holidays(g.council.nation).get(day)
    if holiday:
        return f"{long_date(day)} is a bank holiday in {NATIONS[g.council.nation]} ({holiday}): it is not a working day already"
    if duplicates and _closure(g.council.slug, day):
        return f"{day:%-d %B %Y} is already a closure day"
    return None


@bp.post("/closures")
@names_its_own_text_problems
def add_closure():
    form = ClosureForm(prefix="closure")
    if form.validate_on_submit():
        day = cast(date, form.day.data)  # InputRequired
        problem = closure_problem(day)
        if problem is None:
            return _preview(Change("add-closure", day, form.reason.data.strip()))
        form.day.errors.append(problem)
    return _page(closure=form, status=400)


def _meeting_problem(group: str, day: date) -> str | None:
    today = local_date(now())
    if day < today - timedelta(days=PAST_MEETING_DAYS):
        return (f"{long_date(day)} is more than {PAST_MEETING_DAYS} days ago: add a meeting that is still to "
                "come, or one held in the last two months that was not recorded")
    if _meeting(g.council.slug, group, day):
        return f"The group already meets on {day:%-d %B %Y}"
    return None


@bp.post("/meetings/<group>")
def add_meeting(group):
    if group not in groups_of(g.council):
        abort(404)
    form = MeetingForm(prefix=group)
    if form.validate_on_submit():
        day = cast(date, form.day.data)  # InputRequired
        problem = _meeting_problem(group, day)
        if problem is None:
            return _preview(Change("add-meeting", day, group=group))
        form.day.errors.append(problem)
    return _page(meeting_forms={group: form}, status=400)


def _row(model):
    form = RemoveForm()
    found = row_id(form.id.data) if form.validate_on_submit() else None
    row = db.session.get(model, found) if found else None
    if row is None or row.council != g.council.slug:
        abort(404)
    return row


@bp.post("/closures/remove")
def remove_closure():
    row = _row(ClosureDay)
    if row.day < local_date(now()):
        abort(400)  # a day the council was closed stays so: the page offers no Remove for it
    return _preview(Change("remove-closure", row.day, row.reason))


@bp.post("/meetings/remove")
def remove_meeting():
    row = _row(Meeting)
    return _preview(Change("remove-meeting", row.day, group=row.group, row=row.id))


@bp.route("/meetings/<int:row_id>/move", methods=["GET", "POST"])
def move_meeting(row_id):
    row = db.session.get(Meeting, row_id)
    if row is None or row.council != g.council.slug:
        abort(404)
    form = MeetingForm(prefix="move")
    form.day.label.text = "New meeting date"
    if request.method == "POST" and form.validate_on_submit():
        problem = _meeting_problem(row.group, cast(date, form.day.data))  # InputRequired
        if problem is None:
            return _preview(Change("move-meeting", row.day, group=row.group, row=row.id, new_day=form.day.data))
        form.day.errors.append(problem)
    return render_template("admin/calendar_move.html", meeting=row, form=form), 400 if form.errors else 200


@bp.post("/confirm")
def confirm():
    form = ConfirmForm()
    change = Change.from_form(form) if form.validate_on_submit() and as_previewed(form) else None
    if change is None or (change.group and change.group not in groups_of(g.council)):
        abort(400)
    if change.kind not in ("add-closure", "remove-closure") and not change.group:
        abort(400)
    if change.kind == "add-closure" and (not change.reason or closure_problem(change.day, duplicates=False)):
        abort(400)  # the preview page only offers days that passed these checks
    if change.kind == "move-meeting" and change.new_day is None:
        abort(400)
    if change.kind == "remove-closure" and change.day < local_date(now()):
        abort(400)
    moves = recalculate.preview(g.council, change.proposed(recalculate.current_state(g.council)))
    if recalculate.fingerprint(moves) != form.fingerprint.data:
        # Cases moved on since the preview: show the list as it is now, to confirm again.
        return _preview(change, status=409, changed=True)
    if not change.make(g.council):
        db.session.rollback()
        flash(f"Nothing changed: {change.title[0].lower() + change.title[1:]} was already done", "success")
        return redirect(url_for("calendar_admin.show"))
    recalculate.apply(g.council, moves, g.viewer.user, change.because)
    db.session.commit()
    moved = f" {len(moves)} open stage{'s' if len(moves) != 1 else ''} moved." if moves else " No open stage moved."
    flash(f"Done: {change.title[0].lower() + change.title[1:]}.{moved}", "success")
    return redirect(url_for("calendar_admin.show"))
