"""Core's own kinds of question, one class each, registered like any plugin's (``concord_register_field_types``).

Each class holds everything about its type: the form field that asks and checks it (GOV.UK wording), its
JSON Schema for the API, an example answer, how the case page and the CSV show it. A rule added here
holds in the pages, the API and the dry run alike.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput, GovTextArea, GovTextInput
from markupsafe import Markup
from wtforms import EmailField, RadioField, SelectMultipleField, StringField, TextAreaField, validators

from core.forms.questions import YES_NO, GovDateField, PastEvent, lower_first, past_example
from core.hookspecs import hookimpl
from core.model.field_types import FieldType
from core.model.inputs import EARLIEST, LATEST
from core.model.procedures import Field

# What the API refuses in any text: unsavable (NUL) or control characters; line breaks only in long answers.
ONE_LINE_TEXT = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
LONG_TEXT = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"


def date_schema(description: str = f"YYYY-MM-DD, from {EARLIEST} to {LATEST}") -> dict:
    """A date the API accepts: ``format: date`` within ``EARLIEST``..``LATEST`` (whole years, as a pattern)."""
    assert (EARLIEST.month, EARLIEST.day, LATEST.month, LATEST.day, LATEST.year % 100) == (1, 1, 12, 31, 0)
    years = "|".join(str(y) for y in range(EARLIEST.year // 100, LATEST.year // 100))
    return {"type": "string", "format": "date", "description": description,
            "pattern": f"^(({years})[0-9]{{2}}|{LATEST.year})-[0-9]{{2}}-[0-9]{{2}}$"}


class Text(FieldType):
    """One line of text, at most ``Field.limit`` characters."""

    name = "text"
    description = "one line of text"

    def form_field(self, spec: Field, checks: list, **kwargs: Any):
        checks.append(_not_too_long(spec))
        return StringField(widget=GovTextInput(), validators=checks, **kwargs)

    def schema(self, spec: Field) -> dict:
        return {"type": "string", "maxLength": spec.limit, "pattern": ONE_LINE_TEXT,
                "description": "No control characters; one line"}

    def example(self, spec: Field, day: date) -> object:
        return "Dry run"


class LongText(Text):
    """Several paragraphs; the case page keeps the line breaks."""

    name = "textarea"
    description = "text of several lines"

    def form_field(self, spec: Field, checks: list, **kwargs: Any):
        checks.append(_not_too_long(spec))
        return TextAreaField(widget=GovTextArea(), validators=checks, **kwargs)

    def schema(self, spec: Field) -> dict:
        return {"type": "string", "maxLength": spec.limit, "pattern": LONG_TEXT, "description": "No control characters"}

    def shown(self, value: object) -> object:
        return Markup('<span class="app-lines">{}</span>').format(value)


class Email(Text):
    """An email address, in the council's own domains when ``Field.domains`` names them (a rung's holder)."""

    name = "email"
    description = "an email address"
    example_when_optional = True  # a person named on the case may hold a rung

    def form_field(self, spec: Field, checks: list, **kwargs: Any):
        label = lower_first(spec.label)
        checks += [_not_too_long(spec),
                       validators.Email(message=f"Enter {label} in the right format, like name@example.org")]
        if spec.domains:
            checks.append(_in_domains(spec))
        return EmailField(widget=GovTextInput(), validators=checks, **kwargs)

    def schema(self, spec: Field) -> dict:
        return {**super().schema(spec), "format": "email"}

    def example(self, spec: Field, day: date) -> object:
        return f"{spec.name.replace('_', '.')}.dry-run@example.org"


class Date(FieldType):
    """A day, asked as day, month and year boxes and sent to the API as YYYY-MM-DD."""

    name = "date"
    description = "a date, YYYY-MM-DD"
    typed = False
    example_when_optional = True  # a deadline may count from it

    def form_field(self, spec: Field, checks: list, **kwargs: Any):
        if spec.past:
            checks.append(PastEvent(spec.label))
        return GovDateField(validators=checks, **kwargs)

    def schema(self, spec: Field) -> dict:
        return date_schema()

    def example(self, spec: Field, day: date) -> object:
        return day.isoformat()

    def hint(self, spec: Field) -> str:
        return f"For example, {past_example()}"

    def form_values(self, value: object) -> list[str]:
        parts = str(value).split("-")
        if len(parts) == 3:
            return [parts[2], parts[1], parts[0]]
        return [str(value), "", ""]

    def shown(self, value: object) -> object:
        try:
            return date.fromisoformat(str(value)).strftime("%A %-d %B %Y")
        except ValueError:
            return value


class Choice(FieldType):
    """One of the council's listed answers, as radios; a route or a rung's scope is chosen this way."""

    name = "choice"
    description = "one of the choices"
    typed = False
    verb = "Select"
    example_when_optional = True  # it may pick the ladder or the rung

    def options(self, spec: Field) -> list[tuple[str, str]]:
        return [(c, c) for c in spec.choices]

    def unlisted(self, spec: Field) -> str:
        return f"{spec.error} from the list" if spec.error else f"Select {lower_first(spec.label)} from the list"

    def form_field(self, spec: Field, checks: list, **kwargs: Any):
        options = self.options(spec)
        checks.append(validators.AnyOf([v for v, _ in options], message=self.unlisted(spec)))
        return RadioField(choices=options, widget=GovRadioInput(), validate_choice=False, validators=checks,
                          **kwargs)

    def schema(self, spec: Field) -> dict:
        return {"type": "string", "enum": self.choices(spec)}

    def example(self, spec: Field, day: date) -> object:
        return (spec.accept or self.choices(spec))[0]

    def choices(self, spec: Field) -> list[str]:
        return [value for value, _ in self.options(spec)]


class YesNo(Choice):
    """Yes or no, sent to the API as "yes" or "no"."""

    name = "yesno"
    description = "yes or no"

    def options(self, spec: Field) -> list[tuple[str, str]]:
        return list(YES_NO)

    def unlisted(self, spec: Field) -> str:
        return spec.error or f"Select {lower_first(spec.label)} from the list"

    def shown(self, value: object) -> object:
        return dict(YES_NO).get(str(value), value)


class Checkboxes(FieldType):
    """Any of the council's listed answers ("each agency involved"); a rung scoped by it goes to each."""

    name = "checkboxes"
    description = "a list of the choices"
    typed = False

    def form_field(self, spec: Field, checks: list, **kwargs: Any):
        listed = list(spec.choices)
        unlisted = f"{spec.error} from the list" if spec.error else f"Select {lower_first(spec.label)} from the list"

        def from_the_list(form, field):
            if any(value not in listed for value in field.data or ()):
                raise validators.ValidationError(unlisted)
        checks.append(from_the_list)
        return SelectMultipleField(choices=[(c, c) for c in spec.choices], widget=GovCheckboxesInput(),
                                   validate_choice=False, validators=checks, **kwargs)

    def schema(self, spec: Field) -> dict:
        return {"type": "array", "items": {"type": "string", "enum": list(spec.choices)}, "uniqueItems": True}

    def example(self, spec: Field, day: date) -> object:
        return [(spec.accept or spec.choices)[0]]

    def choices(self, spec: Field) -> list[str]:
        return list(spec.choices)

    def cell(self, value: object) -> str:
        return "; ".join(value) if isinstance(value, list) else str(value)

    def shown(self, value: object) -> object:
        return ", ".join(value) if isinstance(value, list) else value


def _not_too_long(spec: Field):
    return validators.Length(max=spec.limit, message=f"{spec.label} must be {spec.limit:,} characters or fewer")


def _in_domains(spec: Field):
    allowed = " or ".join(f"@{d}" for d in spec.domains)

    def check(form, field):
        if field.data and field.data.rsplit("@", 1)[-1].lower() not in spec.domains:
            raise validators.ValidationError(f"Enter {lower_first(spec.label)} ending {allowed}")
    return check


@hookimpl
def concord_register_field_types() -> list[type[FieldType]]:
    return [Text, LongText, Email, Date, Choice, YesNo, Checkboxes]
