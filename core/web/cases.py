"""Raise a case, check the answers, see the timeline, act at a stage."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, session, url_for

from .. import audit, cases
from ..forms import answers_of, intake_form_class, record_form_class, record_of
from ..models import ScheduledNotification, db
from .tenancy import council_blueprint

bp = council_blueprint("cases", __name__, "/cases")


@bp.before_request
def require_sign_in():
    if g.viewer is None:
        if session.get("council") not in (None, g.council.slug):
            abort(404)  # signed in to another council: nothing here exists for them
        return redirect(url_for("signin.choose", next=request.path))


@bp.get("/")
def mine():
    found = db.session.scalars(g.viewer.visible_cases().limit(200)).all()
    audit.record_council(g.council.slug, g.viewer.user, "list", "case list")
    db.session.commit()
    return render_template("cases/list.html", cases=found)


@bp.get("/new")
def choose():
    return render_template("cases/choose.html")


@bp.route("/new/<process>", methods=["GET", "POST"])
def raise_case(process):
    try:
        process = g.council.process(process)
    except KeyError:
        abort(404)
    form = intake_form_class(process)()
    if request.method == "POST" and form.validate():
        answers = answers_of(form, process.intake)
        if request.form.get("confirmed") == "yes":
            try:
                case = cases.open_case(g.council, process, answers, g.viewer.user)
            except cases.CaseError as e:
                return render_template("cases/raise.html", process=process, form=form, problem=str(e)), 409
            flash(f"Your reference is {case.reference}", "success")
            return redirect(url_for("cases.show", reference=case.reference))
        if request.form.get("change") != "yes":
            return render_template("cases/check.html", process=process, form=form, answers=answers)
    return render_template("cases/raise.html", process=process, form=form)


def _case_or_404(reference):
    case = cases.find(g.council, reference)
    if case is None or not g.viewer.may_view(case):
        abort(404)
    return case


@bp.route("/<reference>", methods=["GET", "POST"])
def show(reference):
    case = _case_or_404(reference)
    form = None
    stage = None
    if case.current is not None:
        stage = cases.stage_of(g.council, case, case.current)
        if g.viewer.may_act(case):
            form = record_form_class(stage)()
    if request.method == "POST":
        if form is None:
            abort(404)
        if form.validate():
            record = record_of(form, stage)
            try:
                cases.act(g.council, case, form.action.data, record, g.viewer.user)
            except cases.CaseError as e:
                form.action.errors = [str(e)]
            else:
                flash("Your record has been saved", "success")
                return redirect(url_for("cases.show", reference=case.reference))
        # The page shows the case again, answers and all: that is a read.
        audit.record(case, g.viewer.user, "view", "form with errors")
        db.session.commit()
    else:
        audit.record(case, g.viewer.user, "view")
        db.session.commit()
    return render_template(
        "cases/show.html",
        case=case,
        process=cases.process_of(g.council, case),
        stage=stage,
        form=form,
        assignees=cases.assignees(g.council, case.current) if case.current else [],
        stages=_stages_by_slug(case),
        failed=_failed_notifications(case),
    )


@bp.post("/<reference>/notifications/<int:row_id>/resend")
def resend(reference, row_id):
    case = _case_or_404(reference)
    if not g.viewer.is_admin:
        abort(404)
    row = db.session.get(ScheduledNotification, row_id)
    if row is None or row.case_id != case.id or row.state != "failed":
        abort(404)
    row.state, row.attempts, row.last_error, row.send_after = "pending", 0, None, cases.now()
    audit.record(case, g.viewer.user, "resend", f"{row.kind} message")
    db.session.commit()
    flash(f"The {row.kind} message to {row.recipient} will be sent again within a minute", "success")
    return redirect(url_for("cases.show", reference=case.reference))


def _failed_notifications(case):
    if not g.viewer.is_admin:
        return []
    return db.session.scalars(db.select(ScheduledNotification).where(
        ScheduledNotification.case_id == case.id, ScheduledNotification.state == "failed")).all()


def _stages_by_slug(case):
    ladder = cases.process_of(g.council, case).ladder(case.ladder)
    return {s.slug: s for s in ladder.stages}
