"""WTForms built from a council's declarative fields.

Pages and the JSON API validate through the same form classes, so a rule
holds everywhere. Messages follow the GOV.UK Design System's wording.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovRadioInput,
    GovTextArea,
    GovTextInput,
)
from werkzeug.datastructures import MultiDict
from wtforms import DateField, EmailField, RadioField, SelectMultipleField, StringField, TextAreaField, validators

from .procedures import Field, Outcome, Process, Stage

YES_NO = (("yes", "Yes"), ("no", "No"))


class GovDateField(DateField):
    """Day, month and year boxes; a clear message when they make no date."""

    widget = GovDateInput()

    def __init__(self, *args, **kwargs):
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
            raise ValueError(f"{self.label.text} must be a real date, for example 27 11 2026")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _wtforms_field(spec: Field):
    label = _lower_first(spec.label)
    checks = []
    typed = spec.type in ("text", "textarea", "email")
    if spec.required:
        verb = "Select" if spec.type in ("choice", "yesno") else "Enter"
        # Typed answers are stripped first, so a blank one counts as missing.
        required = validators.DataRequired if typed else validators.InputRequired
        checks.append(required(message=f"{verb} {label}"))
    else:
        checks.append(validators.Optional())
    kwargs = {"label": spec.label, "description": spec.hint, "validators": checks}
    if typed:
        kwargs["filters"] = [_strip]
    if spec.accept:
        checks.append(validators.AnyOf(spec.accept, message=spec.refusal or f"{spec.label}: this answer cannot go on"))
    if spec.type == "date":
        return GovDateField(**kwargs)
    if spec.type in ("choice", "yesno"):
        choices = YES_NO if spec.type == "yesno" else [(c, c) for c in spec.choices]
        checks.append(validators.AnyOf([v for v, _ in choices], message=f"Select {label} from the list"))
        return RadioField(choices=choices, widget=GovRadioInput(), validate_choice=False, **kwargs)
    too_long = validators.Length(max=spec.limit, message=f"{spec.label} must be {spec.limit:,} characters or fewer")
    checks.append(too_long)
    if spec.type == "email":
        checks.append(validators.Email(message=f"Enter {label} in the right format, like name@example.org"))
        return EmailField(widget=GovTextInput(), **kwargs)
    if spec.type == "textarea":
        return TextAreaField(widget=GovTextArea(), **kwargs)
    return StringField(widget=GovTextInput(), **kwargs)


@lru_cache(maxsize=None)
def intake_form_class(process: Process) -> type[FlaskForm]:
    return type(f"{process.slug}-intake", (FlaskForm,), {f.name: _wtforms_field(f) for f in process.intake})


@lru_cache(maxsize=None)
def record_form_class(stage: Stage) -> type[FlaskForm]:
    attrs = {f.name: _wtforms_field(f) for f in stage.record}
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
    closing = frozenset(o.slug for o in stage.outcomes if o.closes)
    if closing:
        attrs.update(_closing_fields(closing))
    return type(f"{stage.slug}-record", (_RecordForm,), attrs)


# --- themes and learning, asked for whenever the chosen outcome closes the case ---

CLOSING_FIELDS = ("case_themes", "case_learning")


class _RecordForm(FlaskForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "case_themes" in self._fields:
            from flask import g

            from .learning import themes_of

            self.case_themes.choices = [(t, t) for t in themes_of(g.council)]


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


def _closing_fields(closing: frozenset[str]) -> dict:
    only = _OnlyWhenClosing(closing)
    return {
        "case_themes": SelectMultipleField(
            "Themes of this disagreement",
            description="Only if the case closes. Select all that apply: they are counted in the council's reports.",
            choices=[],
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


def record_of(form: FlaskForm, stage: Stage) -> dict:
    """The stage record as JSON-ready values, with themes and learning when the outcome closes the case."""
    record = answers_of(form, stage.record)
    closing = {o.slug for o in stage.outcomes if o.closes}
    if "case_themes" in form._fields and form.action.data in closing:
        record["case_themes"] = list(dict.fromkeys(form.case_themes.data))
        record["case_learning"] = form.case_learning.data
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
        if spec is not None and spec.type == "date":
            parts = str(value).split("-")
            if len(parts) == 3:
                pairs += [(key, parts[2]), (key, parts[1]), (key, parts[0])]
                continue
            pairs += [(key, str(value)), (key, ""), (key, "")]
            continue
        pairs.append((key, str(value)))
    return MultiDict(pairs), errors


def describe_field(spec: Field) -> dict:
    return {
        "name": spec.name,
        "label": spec.label,
        "type": spec.type,
        "required": spec.required,
        "choices": list(spec.choices) if spec.type == "choice" else (["yes", "no"] if spec.type == "yesno" else []),
        "max_length": spec.limit if spec.type not in ("date", "choice", "yesno") else None,
    }


def outcome_choices(outcomes: tuple[Outcome, ...]) -> list[dict]:
    return [{"slug": o.slug, "label": o.label, "closes_case": o.closes} for o in outcomes]
