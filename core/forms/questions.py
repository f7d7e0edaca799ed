"""WTForms built from a council's declarative fields.

Pages and the JSON API validate through the same form classes, so a rule
holds everywhere. Messages follow the GOV.UK Design System's wording.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovRadioInput,
    GovTextArea,
)
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import DateField, RadioField, SelectMultipleField, TextAreaField, validators
from wtforms.fields.core import UnboundField

from core.forms.checked import CheckedForm
from core.model.clock import local_date
from core.model.deadlines import PAST_LIMIT_DAYS
from core.model.field_types import FieldType
from core.model.inputs import EARLIEST, LATEST, plausible
from core.model.procedures import Field, Outcome, Process, QuestionPage, Stage
from core.runtime import concord

YES_NO = (("yes", "Yes"), ("no", "No"))


class GovDateField(DateField):
    """Day, month and year boxes; a clear message when they make no date."""

    widget = GovDateInput()

    def __init__(self, *args, future: bool = False, **kwargs):
        # Events already recorded get an example in the past; days being planned, one ahead.
        self.example = future_example if future else past_example
        super().__init__(*args, format="%d %m %Y", **kwargs)

    def process_formdata(self, valuelist):
        # The widget unpacks exactly three boxes, whatever was posted.
        valuelist = self.raw_data = (list(valuelist) + ["", "", ""])[:3]
        if not valuelist or not "".join(valuelist).strip():
            self.data = None
            return
        try:
            super().process_formdata([" ".join(v.strip() for v in valuelist)])
        except ValueError:
            self.data = None
            raise ValueError(f"{self.label.text.removesuffix(OPTIONAL)} must be a real date, for example {self.example()}") from None
        day: date | None = self.data
        if day is None or not plausible(day):
            self.data = None
            raise ValueError(f"{self.label.text.removesuffix(OPTIONAL)} must be between {EARLIEST:%-d %-m %Y} and {LATEST:%-d %-m %Y}")


OPTIONAL = " (optional)"


def past_example() -> str:
    """A date example for events that have happened: about two months ago, as day month year."""
    day = date.today() - timedelta(days=60)
    return f"{day.day} {day.month} {day.year}"


def future_example() -> str:
    day = date.today() + timedelta(days=30)
    return f"{day.day} {day.month} {day.year}"


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


class PastEvent:
    """A date of something that has happened: not after today (Europe/London),
    and not more than PAST_LIMIT_DAYS before it (a mistyped year)."""

    def __init__(self, label: str):
        self.label = label

    def __call__(self, form, field):
        if field.data is None:
            return
        today = local_date(current_app.extensions["concord"].clock.now())
        if field.data > today:
            raise validators.ValidationError(f"{self.label} must be today or in the past")
        earliest = today - timedelta(days=PAST_LIMIT_DAYS)
        if field.data < earliest:
            raise validators.ValidationError(f"{self.label} must be after {earliest:%-d %B %Y}")


class ConcordForm(CheckedForm):
    """A form whose questions may depend on another answer (``Field.shown_when``).

    A question whose condition is not met is not validated and its answer is
    dropped, so it is neither required nor stored.
    """

    conditions: dict = {}

    def hidden_names(self) -> set[str]:
        hidden = set()
        for name, (other, values) in self.conditions.items():
            controller = self._fields.get(other)
            if controller is None or controller.data not in values or other in hidden:
                hidden.add(name)
        return hidden

    def validate(self, extra_validators=None):
        super().validate(extra_validators)
        for name in self.hidden_names():
            self[name].errors = []
            self[name].data = None
        self._errors = None
        return not any(f.errors for f in self) and not self.form_errors

    def render_fields(self, only=None, heading: bool = False) -> Markup:
        """Every question, a conditional one inside the radio item that reveals it
        (GOV.UK's conditional reveal); one shown for several answers follows its
        controlling question instead, since a field can only be on the page once.

        ``only``: the questions of one question page. A conditional question whose
        controlling question is on an earlier page is shown only if its answer asks for it.
        ``heading``: the page's one question is its heading (label or legend as the h1).
        """
        nested: dict[str, dict[str, list[str]]] = {}
        after: dict[str, list[str]] = {}
        for name, (other, values) in self.conditions.items():
            if only is not None and not (name in only and other in only):
                continue
            if len(values) == 1 and isinstance(self._fields.get(other), RadioField):
                nested.setdefault(other, {}).setdefault(values[0], []).append(name)
            else:
                after.setdefault(other, []).append(name)
        hidden = self.hidden_names() if only is not None else set()
        parts = []
        for field in self:
            if field.name == "csrf_token" or (only is not None and field.name not in only):
                continue
            if field.name in self.conditions:
                controller = self.conditions[field.name][0]
                if only is None or controller in only or field.name in hidden:
                    continue  # with its controlling question, or not asked
            parts.append(self._render(field, nested, after, heading=heading, alone=only is not None))
        return Markup("").join(parts)

    def visible(self, names) -> list[str]:
        """Which of ``names`` are asked, given the answers so far."""
        hidden = self.hidden_names()
        return [n for n in names if n not in hidden]

    def _render(self, field, nested, after, heading: bool = False, alone: bool = False) -> Markup:
        params: dict[str, Any] = {}
        if heading:
            if isinstance(field.widget, (GovRadioInput, GovCheckboxesInput, GovDateInput)):
                params["fieldset"] = {"legend": {"isPageHeading": True, "classes": "govuk-fieldset__legend--l"}}
            else:
                params["label"] = {"isPageHeading": True, "classes": "govuk-label--l"}
        if (field.name in self.conditions and not alone
                and field.name not in {n for v in nested.values() for ns in v.values() for n in ns}):
            other, values = self.conditions[field.name]
            labels = dict(getattr(self._fields.get(other), "choices", None) or ())
            only = "Answer this only if you chose " + " or ".join(f"‘{labels.get(v, v)}’" for v in values) + "."
            params["hint"] = {"text": f"{field.description} {only}" if field.description else only}
        if field.name in nested:
            items = []
            for value, _label in field.choices:
                inner = nested[field.name].get(value)
                html = Markup("").join(self._render(self[n], nested, after) for n in inner) if inner else None
                items.append({"conditional": {"html": html}} if html else {})
            params["items"] = items
        out = field(params=params) if params else field()
        for name in after.get(field.name, ()):
            out += self._render(self[name], nested, after)
        return out


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def field_type(spec: Field) -> FieldType:
    """The app's field type of a question (``core.forms.field_types`` and the plugins' own)."""
    return concord().field_types.of(spec)


def _wtforms_field(spec: Field) -> UnboundField:
    """What every question shares (required or optional, its label and hint, a gate's accepted answers),
    then its type's own form field and checks."""
    kind = field_type(spec)
    checks: list = []
    if spec.required:
        # Typed answers are stripped first, so a blank one counts as missing.
        required = validators.DataRequired if kind.typed else validators.InputRequired
        checks.append(required(message=spec.error or f"{kind.verb} {lower_first(spec.label)}"))
    else:
        checks.append(validators.Optional())
    kwargs: dict[str, Any] = {"label": spec.label + ("" if spec.required else OPTIONAL),
                              "description": spec.hint or kind.hint(spec)}
    if kind.typed:
        kwargs["filters"] = [_strip]
    if spec.accept:
        checks.append(validators.AnyOf(spec.accept, message=spec.refusal or f"{spec.label}: this answer cannot go on"))
    return kind.form_field(spec, checks, **kwargs)


def _conditions(fields: tuple[Field, ...]) -> dict:
    return {f.name: f.shown_when for f in fields if f.shown_when}


@cache
def question_pages(process: Process) -> tuple[QuestionPage, ...]:
    """The process's question pages: the council's grouping, then one page for each question it
    left out; a question shown only for some answer goes on its controlling question's page."""
    known = {f.name for f in process.intake}
    pages: list[tuple[str, list[str]]] = []
    where: dict[str, int] = {}
    for page in process.pages:
        unknown = set(page.fields) - known
        if unknown:
            raise ValueError(f"{process.slug}: page {page.title!r} names no question {sorted(unknown)}")
        for name in page.fields:
            where[name] = len(pages)
        pages.append((page.title, list(page.fields)))
    for f in process.intake:
        if f.name in where:
            continue
        if f.shown_when and f.shown_when[0] in where:
            where[f.name] = where[f.shown_when[0]]
            pages[where[f.name]][1].append(f.name)
        else:
            where[f.name] = len(pages)
            pages.append((f.label, [f.name]))
    return tuple(QuestionPage(title, tuple(names)) for title, names in pages)


def page_of(process: Process, name: str) -> int:
    """The number (from 1) of the question page that asks ``name``."""
    return next(n for n, page in enumerate(question_pages(process), start=1) if name in page.fields)


@cache
def intake_form_class(process: Process) -> type[FlaskForm]:
    attrs = {f.name: _wtforms_field(f) for f in process.intake}
    attrs["conditions"] = _conditions(process.intake)
    return type(f"{process.slug}-intake", (ConcordForm,), attrs)


@cache
def record_form_class(stage: Stage) -> type[FlaskForm]:
    attrs = {f.name: _wtforms_field(f) for f in stage.record}
    attrs["conditions"] = _conditions(stage.record)
    attrs["action"] = RadioField(
        "What happens next",
        choices=[(o.slug, o.label) for o in stage.outcomes],
        validators=[
            validators.InputRequired(message="Select what happens next"),
            validators.AnyOf([o.slug for o in stage.outcomes], message="Select what happens next"),
        ],
        widget=GovRadioInput(),
        validate_choice=False,
    )
    closing = tuple(o.slug for o in stage.outcomes if o.closes)
    own = learning_field(stage)
    if closing and own is not None:
        attrs[own.name] = _own_learning(own, frozenset(closing))
    if closing:
        asked = _closing_fields(frozenset(closing), own_learning=own is not None)
        attrs.update(asked)
        # Shown (and required) only for an outcome that closes the case, like any conditional question.
        attrs["conditions"] = {**attrs["conditions"], **{name: ("action", closing) for name in asked}}
    return type(f"{stage.slug}-record", (_RecordForm,), attrs)


# --- themes and learning, asked for whenever the chosen outcome closes the case ---

CLOSING_FIELDS = ("case_themes", "case_learning")


class _RecordForm(ConcordForm):
    pass


class _ThemesField(SelectMultipleField):
    """The council's themes as checkboxes, read from the database only when shown or checked
    (an outcome that does not close the case never needs them)."""

    _choices: list[tuple[str, str]] | None

    @property
    def choices(self):
        if self._choices is None:
            from flask import g

            from core.engine.learning import themes_of

            self._choices = [(t, t) for t in themes_of(g.council)]
        return self._choices

    @choices.setter
    def choices(self, value):
        self._choices = value


class _OnlyWhenClosing:
    """Skip a field's checks (and drop its errors) unless the chosen outcome closes the case."""

    def __init__(self, closing: frozenset[str]):
        self.closing = closing

    def __call__(self, form, field):
        if form.action.data not in self.closing:
            field.errors[:] = []
            raise validators.StopValidation()


def _known_themes(form, field):
    known = {value for value, _ in field.choices or ()}
    if any(theme not in known for theme in field.data or ()):
        raise validators.ValidationError("Select themes from the list")


def _own_learning(spec: Field, closing: frozenset[str]):
    """The council's learning question: needed, whatever the plugin says, when the outcome closes the case."""
    field = _wtforms_field(spec)
    if not spec.required:
        field.kwargs["validators"].insert(0, _NeededWhenClosing(closing, spec.error or "Enter the learning from this case"))
        field.kwargs["label"] = spec.label + " (needed if the case closes)"
    field.kwargs["description"] = " ".join(filter(None, (
        field.kwargs.get("description"), "It is the case's learning, shared with quality assurance groups: "
                                         "write it without the child's details.")))
    return field


class _NeededWhenClosing:
    def __init__(self, closing: frozenset[str], message: str):
        self.closing, self.message = closing, message

    def __call__(self, form, field):
        if form.action.data in self.closing and not (field.data or "").strip():
            raise validators.StopValidation(self.message)


def learning_field(stage: Stage) -> Field | None:
    """The stage's own learning question (``Field(learning=True)``), if the council wrote one."""
    return next((f for f in stage.record if f.learning), None)


def _closing_fields(closing: frozenset[str], own_learning: bool = False) -> dict:
    only = _OnlyWhenClosing(closing)
    fields = {
        "case_themes": _ThemesField(
            "Themes of this disagreement",
            description="Only if the case closes. Select all that apply: they are counted in the council's reports.",
            choices=None,
            validators=[only, validators.InputRequired(message="Select at least one theme"), _known_themes],
            widget=GovCheckboxesInput(),
            validate_choice=False,
        ),
        "case_learning": TextAreaField(
            "Learning from this case",
            description=("Only if the case closes. What could agencies do differently? Write it without the "
                         "child's details (no names, addresses or dates of birth): it is shared with quality "
                         "assurance groups."),
            validators=[only, validators.DataRequired(message="Enter the learning from this case"),
                        validators.Length(max=10_000, message="Learning must be 10,000 characters or fewer")],
            filters=[_strip],
            widget=GovTextArea(),
        ),
    }
    if own_learning:  # the council's own question is asked instead
        del fields["case_learning"]
    return fields


def record_of(form: FlaskForm, stage: Stage) -> dict:
    """The stage record as JSON-ready values, with themes and learning when the outcome closes the case."""
    record = answers_of(form, stage.record)
    closing = {o.slug for o in stage.outcomes if o.closes}
    if "case_themes" in form._fields and form.action.data in closing:
        record["case_themes"] = list(dict.fromkeys(form.case_themes.data))
        own = learning_field(stage)
        record["case_learning"] = record.get(own.name) if own else form.case_learning.data
    return record


def answers_of(form: FlaskForm, fields: tuple[Field, ...]) -> dict:
    """The submitted answers as JSON-ready values (dates as ISO strings)."""
    out = {}
    for spec in fields:
        value = form[spec.name].data
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, str):
            value = value.strip()
        out[spec.name] = value if value not in ("", None) else None
    return out


def formdata_from_json(data: dict, fields: tuple[Field, ...], extra=()) -> tuple[MultiDict, dict]:
    """Turn API JSON into form data; ISO dates become day/month/year boxes.

    Returns the form data and errors for keys no field asked for.
    """
    known = {f.name: f for f in fields}
    errors = {}
    pairs = []
    for key, value in data.items():
        spec = known.get(key)
        if spec is None and key not in extra:
            errors[key] = [f"{key} is not a question on this form"]
            continue
        if value is None:
            continue
        if isinstance(value, list):  # several answers to one question (checkboxes)
            pairs += [(key, str(v)) for v in value]
            continue
        values = field_type(spec).form_values(value) if spec is not None else [str(value)]
        pairs += [(key, v) for v in values]
    return MultiDict(pairs), errors


def describe_field(spec: Field) -> dict:
    kind = field_type(spec)
    return {
        "name": spec.name,
        "label": spec.label,
        "type": spec.type,
        "required": spec.required,
        "choices": kind.choices(spec),
        "max_length": kind.max_length(spec),
        "shown_when": {"field": spec.shown_when[0], "values": list(spec.shown_when[1])} if spec.shown_when else None,
        "past": spec.past,
        "learning": spec.learning,
    }


def outcome_choices(outcomes: tuple[Outcome, ...]) -> list[dict]:
    return [{"slug": o.slug, "label": o.label, "closes_case": o.closes} for o in outcomes]
