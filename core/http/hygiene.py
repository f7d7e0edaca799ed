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

import re

from flask import Flask, Response, abort, current_app, jsonify, request
from werkzeug.routing import IntegerConverter

from core.model.inputs import MAX_ROW_ID, SURROGATE, UNSAVABLE, unsavable

MAX_JSON_DEPTH = 20
FORM_BODIES = ("application/x-www-form-urlencoded", "multipart/form-data")  # what werkzeug reads a form from
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


class RowIdConverter(IntegerConverter):
    """Flask's ``int`` converter, bounded to the database's integer: a bigger id is a 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


def names_its_own_text_problems(view):
    """Mark a view whose forms name the answer holding unstorable text, so the gate leaves it to them."""
    view.names_its_own_text_problems = True
    return view


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
    if request.mimetype in FORM_BODIES and request.form and not _view_checks_text():
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
    data = request.get_json(silent=True)  # parsed once: the view's get_json reads it from the request's cache
    if data is None:
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
