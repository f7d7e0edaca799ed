"""Forms whose text answers are checked (``core.model.inputs.text_problem``), one message per answer."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask_wtf import FlaskForm
from wtforms import Form, TextAreaField

from core.model.inputs import text_problem

if TYPE_CHECKING:  # the mixin is only ever mixed into a Form
    from wtforms import Form as _FormBase
else:
    _FormBase = object


class CheckedMixin(_FormBase):
    """Form validation that also refuses odd text, with one message per answer."""

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field.data, str):
                problem = text_problem(field.data, multiline=isinstance(field, TextAreaField))
                if problem:
                    # This is the thing to fix first, whatever else the field said.
                    field.errors = [f"{field.label.text} {problem}"]
                    valid = False
        self._errors = None
        return valid


class CheckedForm(CheckedMixin, FlaskForm):
    """A FlaskForm (with CSRF) whose text answers are checked."""


class CheckedPlainForm(CheckedMixin, Form):
    """A plain WTForms form (no CSRF of its own) whose text answers are checked."""
