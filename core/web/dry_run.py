"""The procedure dry run page: a council admin walks a process through the real engine, nothing saved.

Stateless: each press replays the whole run (``core.reads.dry_run.run``) from the
answers, the start date and the steps so far, carried in the form.
"""
from __future__ import annotations

from datetime import date
from typing import cast

from flask import abort, g, render_template, request
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, RadioField, validators

from core.forms.questions import GovDateField, answers_of, formdata_from_json, intake_form_class
from core.http.tenancy import admins_only, council_blueprint
from core.model.clock import pinned
from core.model.inputs import iso_day
from core.reads import dry_run as dryrun

bp = council_blueprint("dry_run", __name__, "/admin/dry-run")
bp.before_request(admins_only)  # every page here is for council admins


class ChooseForm(FlaskForm):
    which = RadioField("Process", widget=GovRadioInput(), validate_choice=False,
                         validators=[validators.InputRequired("Select the process to try")])
    start = GovDateField("Day the case is raised", validators=[validators.InputRequired("Enter the day the case is raised")])


class StepForm(FlaskForm):
    """The run so far (hidden) and the next action."""

    start = HiddenField()
    steps = HiddenField()
    outcome = RadioField("What happens next", widget=GovRadioInput(), validate_choice=False)
    day = GovDateField("Day it happens")


@bp.route("/", methods=["GET", "POST"])
def choose():
    form = ChooseForm()
    form.which.choices = [(p.slug, p.title) for p in g.council.processes]
    if request.method == "POST" and form.validate():
        process = _process(form.which.data)
        start = cast(date, form.start.data)  # InputRequired
        answers = dryrun.example_answers(process, start)
        return _show(process, start, answers, [], _intake(process, answers))
    return render_template("admin/dry_run.html", form=form), 400 if form.errors else 200


def _process(slug):
    try:
        return g.council.process(slug)
    except KeyError:
        abort(404)


def _intake(process, answers: dict | None = None):
    """The intake form under the ``answers-`` prefix, from the request or from ``answers``."""
    cls = intake_form_class(process)
    if answers is None:
        return cls(request.form, prefix="answers", meta={"csrf": False})
    formdata, _ = formdata_from_json(answers, process.intake)
    return cls(MultiDict([(f"answers-{k}", v) for k, v in formdata.items(multi=True)]), prefix="answers", meta={"csrf": False})


@bp.post("/<process>")
def step(process):
    process = _process(process)
    form = StepForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        start = iso_day(form.start.data, "The day the case is raised")
        steps = [dryrun.Step.parse(t) for t in (form.steps.data or "").split()]
    except ValueError as refused:
        abort(400, str(refused))
    intake = _intake(process)
    with pinned(dryrun.at_ten(start)):  # "in the past" means before the day it is raised
        valid = intake.validate()
    if not valid:
        return _show(process, start, None, steps, intake, status=400)
    answers = answers_of(intake, process.intake)
    action = request.form.get("do")
    problem = None
    if action == "undo":
        steps = steps[:-1]
    elif action == "step":
        if not form.outcome.data:
            problem = ("outcome", "Select what happens next")
        elif form.day.data is None:
            problem = ("day", "Enter the day it happens" if not form.day.errors else form.day.errors[0])
        else:
            steps.append(dryrun.Step(form.outcome.data, form.day.data))
    return _show(process, start, answers, steps, intake, problem=problem)


def _show(process, start, answers, steps, intake, problem=None, status=200):
    result = dryrun.run(g.council, process, start, answers, steps) if answers is not None else None
    form = StepForm(formdata=None, data={"start": start.isoformat(),
                                         "steps": " ".join(s.text() for s in (result.steps if result else steps))})
    form.outcome.choices = [(o.slug, o.label) for o in result.current.outcomes] if result and result.current else []
    errors = []
    if problem:
        errors.append({"text": problem[1], "href": f"#{problem[0]}"})
        getattr(form, problem[0]).errors = [problem[1]]
    if result and result.problem:
        errors.append({"text": result.problem, "href": "#outcome"})
    status = 400 if (problem or (result and result.problem)) and status == 200 else status
    return render_template("admin/dry_run_run.html", process=process, start=start, result=result, form=form,
                           intake=intake, errors=errors), status
