"""Input hygiene in one place, for the pages and the API.

* Text: a lone surrogate or a NUL can never be stored (PostgreSQL refuses NUL in text and JSON,
  and a lone surrogate cannot be encoded to UTF-8, so a page showing it would fail); other
  control characters are refused with a message naming the answer; line breaks and tabs are kept
  in long answers (text areas) only. Forms get this through ``CheckedForm``; the API's answers go
  through the same forms, and ``check_request`` refuses unstorable text anywhere in a JSON body,
  a query string or a path before any view sees it.
* JSON: at most ``MAX_JSON_DEPTH`` levels deep (a body of ``[`` × 100,000 would otherwise exhaust
  Python's recursion limit); size is bounded by ``MAX_CONTENT_LENGTH``.
* Form bodies: the same unstorable-text check as JSON, before any view; a view that names the
  answer to fix itself (its form is a ``CheckedForm``) says so with ``@names_its_own_text_problems``.
* Dates: between ``EARLIEST`` and ``LATEST``, so deadline arithmetic can never overflow; every date
  typed or sent anywhere (query strings, hidden fields, the API) is read by ``iso_day``.
* Ids: a row id in a path or a form is a positive 32-bit integer (``row_id``, the ``int`` converter),
  so an id past the database's integer is "not found", never a database error.
* Text already stored before these checks still shows: responses replace lone surrogates.
"""
from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from typing import TYPE_CHECKING

from flask import Flask, Response, abort, current_app, jsonify, request
from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter
from wtforms import Form, TextAreaField

EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)
MAX_JSON_DEPTH = 20
UNSAVABLE = "contains a character that cannot be saved: retype it rather than pasting it"
CONTROL = "contains a control character: remove it"
ONE_LINE = "must be on one line"
SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def unsavable(text: str) -> bool:
    return "\x00" in text or SURROGATE.search(text) is not None


def text_problem(text: str, multiline: bool = False) -> str | None:
    """What is wrong with a piece of text someone typed, or None."""
    if unsavable(text):
        return UNSAVABLE
    for ch in text:
        if ch in "\n\r\t":
            if not multiline:
                return ONE_LINE
        elif unicodedata.category(ch) == "Cc":
            return CONTROL
    return None


def plausible(day: date) -> bool:
    return EARLIEST <= day <= LATEST


OUT_OF_RANGE = f"must be between {EARLIEST:%-d %B %Y} and {LATEST:%-d %B %Y}"


class DateProblem(ValueError):
    """A date that cannot be used; the message names the answer and says what to do."""


def iso_day(text: str, label: str) -> date:
    """The date ``text`` gives as YYYY-MM-DD, within the plausible window, or ``DateProblem``."""
    text = (text or "").strip()
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text, re.ASCII):
        raise DateProblem(f"{label} must be a date in the form YYYY-MM-DD, for example 2026-04-01")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise DateProblem(f"{label} must be a real date, for example 2026-04-01") from None
    if not plausible(day):
        raise DateProblem(f"{label} {OUT_OF_RANGE}")
    return day


def boxes_day(day: str, month: str, year: str, label: str) -> date:
    """The date given in day, month and year boxes, within the plausible window, or ``DateProblem``."""
    parts = [p.strip() for p in (day, month, year)]
    if not all(re.fullmatch(r"[0-9]{1,4}", p, re.ASCII) for p in parts):
        raise DateProblem(f"{label} must be a real date, for example 1 4 2026")
    try:
        found = date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        raise DateProblem(f"{label} must be a real date, for example 1 4 2026") from None
    if not plausible(found):
        raise DateProblem(f"{label} {OUT_OF_RANGE}")
    return found


MAX_ROW_ID = 2**31 - 1  # PostgreSQL's integer


def row_id(text) -> int | None:
    """A row id posted in a form, or None when it cannot be one."""
    text = text if isinstance(text, str) else ""
    if not re.fullmatch(r"[0-9]{1,10}", text, re.ASCII):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ROW_ID else None


class RowIdConverter(IntegerConverter):
    """Flask's ``int`` converter, bounded to the database's integer: a bigger id is a 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


def names_its_own_text_problems(view):
    """Mark a view whose forms name the answer holding unstorable text, so the gate leaves it to them."""
    view.names_its_own_text_problems = True
    return view


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


def json_depth(raw: bytes) -> int:
    """How deeply the JSON nests, counting brackets outside strings (no recursion)."""
    depth = deepest = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub(b"", raw)):
        if bracket.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _unsavable_at(value, key: str = "body") -> str | None:
    """The name of the first field whose text cannot be saved."""
    if isinstance(value, str):
        return key if unsavable(value) else None
    if isinstance(value, dict):
        for k, v in value.items():
            if unsavable(k):
                return "body"
            found = _unsavable_at(v, k)
            if found:
                return found
    if isinstance(value, list):
        for v in value:
            found = _unsavable_at(v, key)
            if found:
                return found
    return None


def _refused(field: str, message: str):
    response = jsonify({"errors": {field: [message]}})
    response.status_code = 400
    return response


def check_request():
    if unsavable(request.path):
        abort(404)
    for name, value in request.args.items(multi=True):
        if unsavable(name) or unsavable(value):
            if "/api/" in request.path or request.path.startswith("/api"):
                return _refused("query", f"The query string {UNSAVABLE}")
            abort(400, f"The web address {UNSAVABLE}")
    if request.form and not _view_checks_text():
        for name, value in request.form.items(multi=True):
            if unsavable(name) or unsavable(value):
                if "/api/" in request.path or request.path.startswith("/api"):
                    return _refused("body", f"A form field {UNSAVABLE}")
                abort(400, f"One of your answers {UNSAVABLE}. Nothing has been saved: go back, retype it and "
                           "send it again.")
    if not request.is_json:
        return None
    raw = request.get_data(cache=True)
    if not raw:
        return None
    if json_depth(raw) > MAX_JSON_DEPTH:
        return _refused("body", f"The JSON is nested too deeply: at most {MAX_JSON_DEPTH} levels")
    try:
        data = json.loads(raw)
    except ValueError:
        return None  # the view says what it expected
    field = _unsavable_at(data)
    if field:
        return _refused(field, f"{'A field name' if field == 'body' else field} {UNSAVABLE}")
    return None


def _view_checks_text() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "names_its_own_text_problems", False))


class SafeResponse(Response):
    """Encodes text that holds a lone surrogate (stored before these checks) instead of failing."""

    def set_data(self, value):
        if isinstance(value, str):
            try:
                value = value.encode("utf-8")
            except UnicodeEncodeError:
                value = SURROGATE.sub("\ufffd", value).encode("utf-8")
        super().set_data(value)


def init_app(app: Flask) -> None:
    app.response_class = SafeResponse
    app.before_request(check_request)


def install_converters(app: Flask) -> None:
    """Before any route is added: ``<int:…>`` in every path is a bounded row id."""
    app.url_map.converters["int"] = RowIdConverter
