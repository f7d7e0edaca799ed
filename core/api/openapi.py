"""The OpenAPI document of the JSON API, served at ``/api/openapi.json``.

Generated from the installed council plugins: the councils, every process's answers and every
stage's record fields and actions are in ``components.schemas`` (``<council>.<process>.answers``,
``<council>.<process>.<ladder>.<stage>.action``), so a client, or the property-based tests, can
build a valid request for any of them. Which variant applies depends on the council in the path
and the case's current stage; each variant names them in ``x-council`` and ``x-stage``.

Every answer the API can give is here, with its body: ``401``/``403``/``404``/``409`` say why in
``{"error": …}``, ``400`` names the fields; a body over ``MAX_CONTENT_LENGTH`` is ``413``, and an
operation that counts towards a rate limit may answer ``429`` with ``Retry-After``. Text answers
carry the rules the API enforces (no control characters, one line unless a long answer; dates from
1900 to 2100), so a request built from the document is one the API accepts, as schemathesis checks
in ``tests/api/test_api_fuzz.py``.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.engine.cases import WITHDRAW
from core.forms.field_types import date_schema
from core.forms.questions import field_type
from core.model.field_types import FieldType

ENTRY = {"type": "integer", "description": "The stage entry you were shown (stage.entry in the case)"}

COUNCIL = {"name": "council", "in": "path", "required": True, "schema": {"type": "string"},
           "description": "The council's slug, e.g. westdunbartonshire"}
REFERENCE = {"name": "reference", "in": "path", "required": True, "schema": {"type": "string"},
             "description": "The case reference, e.g. WDC-2026-0042"}

ERRORS = {"description": "Bad input: nothing was saved", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"errors": {"type": "object", "additionalProperties": {
        "type": "array", "items": {"type": "string"}}}}}}}}
MESSAGE = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}


def said(description: str) -> dict:
    """A refusal with its reason in ``{"error": …}``."""
    return {"description": description, "content": {"application/json": {"schema": MESSAGE}}}


NOT_FOUND = said("No such council or case, or not yours to see")
UNAUTHORISED = said("Not signed in to this council")
TOO_LARGE = said("The body is larger than the server accepts (1 MiB unless configured): nothing was saved")
TOO_MANY = {**said("Too many requests from your address for this kind of request: wait, then try again"),
            "headers": {"Retry-After": {"description": "Seconds until the limit's window ends",
                                        "schema": {"type": "integer", "minimum": 1}}}}

STAGE = {"type": ["object", "null"], "properties": {
    "entry": {"type": "integer", "description": "The stage entry id: send it with every action on this stage"},
    "assignee": {"type": ["object", "null"]}, "to_lead": {"type": "boolean"},
    "late_on_arrival": {"type": "boolean"},
    "slug": {"type": "string"}, "title": {"type": "string"}, "role": {"type": "string"},
    "role_title": {"type": "string"}, "scope": {"type": ["string", "null"]},
    "assignees": {"type": "array", "items": {"type": "object", "properties": {
        "name": {"type": "string"}, "email": {"type": "string"}}}},
    "due_on": {"type": "string", "format": "date"},
    "outcomes": {"type": "array", "items": {"type": "object"}},
}}
CASE = {"type": "object", "properties": {
    "reference": {"type": "string"}, "process": {"type": "string"}, "ladder": {"type": "string"},
    "status": {"type": "string", "enum": ["open", "closed"]}, "outcome": {"type": ["string", "null"]},
    "raised_at": {"type": "string", "format": "date-time"}, "answers": {"type": "object"},
    "stage": STAGE, "stages": {"type": "array", "items": {"type": "object"}},
    "timeline": {"type": "array", "items": {"type": "object"}},
    "opened_from": {"type": ["string", "null"]},
}}
RAISED = {"type": "object", "properties": {"reference": {"type": "string"}, "stage": STAGE}}


FIELD: dict[str, Any] = {"type": "object", "properties": {
    "name": {"type": "string"}, "label": {"type": "string"}, "type": {"type": "string"},
    "required": {"type": "boolean"}, "choices": {"type": "array", "items": {"type": "string"}},
    "max_length": {"type": ["integer", "null"]},
    "shown_when": {"type": ["object", "null"], "description": "asked only when `field` has one of `values`"},
    "past": {"type": "boolean", "description": "a date of an event that has happened: not after today"},
    "learning": {"type": "boolean"},
    "accept": {"type": "array", "items": {"type": "string"},
               "description": "a gate question: only these answers go on (empty: any listed answer)"},
    "refusal": {"type": ["string", "null"], "description": "why any other answer to a gate question is refused"},
    "after": {"type": ["string", "null"],
              "description": "a date answer may not be before this date (an intake answer or an earlier record)"},
}}
REQUIREMENT = {"type": "object", "properties": {
    "name": {"type": "string"}, "type": {"type": "string"}, "label": {"type": "string"},
    "choices": {"type": "array", "items": {"type": "string"}}, "error": {"type": "string"}}}
OUTCOME = {"type": "object", "properties": {
    "slug": {"type": "string"}, "label": {"type": "string"}, "closes_case": {"type": "boolean"},
    "requires": {"type": "array", "items": REQUIREMENT,
                 "description": "what the record must also hold when this outcome closes the case"}}}


def field_object(field_types: Mapping[str, FieldType]) -> dict:
    """A question as the processes endpoint describes it, its ``type`` one of the app's registered types."""
    kinds = {"type": "string", "enum": list(field_types),
             "description": "; ".join(f"{name}: {kind.description}" for name, kind in field_types.items())}
    return {**FIELD, "properties": {**FIELD["properties"], "type": kinds}} if field_types else FIELD


def processes_schema(field: dict) -> dict:
    """The processes endpoint's answer, each question described by ``field``."""
    return {"type": "array", "items": {"type": "object", "properties": {
    "slug": {"type": "string"}, "title": {"type": "string"}, "summary": {"type": "string"},
    "themes": {"type": "array", "items": {"type": "string"}, "description": "the council's list of themes"},
    "fields": {"type": "array", "items": field},
    "ladder_by": {"type": ["string", "null"]},
    "ladders": {"type": "array", "items": {"type": "object", "properties": {
        "slug": {"type": "string"}, "title": {"type": "string"}, "when": {"type": ["string", "null"]},
        "stages": {"type": "array", "items": {"type": "object", "properties": {
            "slug": {"type": "string"}, "title": {"type": "string"}, "role": {"type": "string"},
            "role_title": {"type": "string"}, "scope": {"type": ["string", "null"]},
            "holder": {"type": "string", "description": "the role title, marked when the procedure does not name it"},
            "holder_to_confirm": {"type": "boolean", "description": "the holder is the council's choice, to confirm"},
            "deadline": {"type": "string"}, "guidance": {"type": "string"},
            "deadline_to_confirm": {"type": "boolean",
                                    "description": "the deadline is not in the procedure: the council's to confirm"},
            "record": {"type": "array", "items": field}, "outcomes": {"type": "array", "items": OUTCOME}}}}}}},
    }}}

STALE = {"description": "The stage was already acted on or taken (by whom, when), or the case is closed: nothing saved",
         "content": {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "string"}}}}}}


def json_body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def ok(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def field_schema(spec) -> dict:
    """One intake or record question as JSON Schema: its type's, then what every question shares."""
    schema = field_type(spec).schema(spec)
    if spec.accept:
        schema["enum"] = list(spec.accept)
        schema["description"] = "Any other answer is refused: " + (spec.refusal or "this answer cannot go on")
    if spec.after:
        schema["description"] = (f"{schema.get('description', '')}; not before {spec.after} "
                                 "(an answer of the intake or an earlier stage's record)").lstrip("; ")
    schema["title"] = spec.label
    if not spec.required:
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    return schema


def form_schema(fields) -> dict:
    return {"type": "object", "additionalProperties": False,
            "required": [f.name for f in fields if f.required],
            "properties": {f.name: field_schema(f) for f in fields}}


def plugin_schemas(councils) -> tuple[dict, list, list]:
    """Component schemas, and the variants of the raise and action bodies, one per process and stage."""
    schemas, raises, actions = {}, [], []
    for council in councils.values():
        for process in council.processes:
            name = f"{council.slug}.{process.slug}.answers"
            schemas[name] = form_schema(process.intake)
            raises.append({"type": "object", "title": f"{council.name}: {process.title}",
                           "x-council": council.slug, "required": ["process", "answers"],
                           "properties": {"process": {"const": process.slug},
                                          "answers": {"$ref": f"#/components/schemas/{name}"}}})
            for ladder in process.ladders:
                for stage in ladder.stages:
                    key = f"{council.slug}.{process.slug}.{ladder.slug}.{stage.slug}"
                    schemas[f"{key}.record"] = form_schema(stage.record)
                    schemas[f"{key}.action"] = {
                        "type": "object", "title": f"{council.name}: {process.title}: {stage.title}",
                        "x-council": council.slug, "x-stage": stage.slug, "required": ["action", "entry"],
                        "properties": {"action": {"type": "string", "enum": [o.slug for o in stage.outcomes]},
                                       "entry": ENTRY,
                                       "record": {"$ref": f"#/components/schemas/{key}.record"}}}
                    actions.append({"$ref": f"#/components/schemas/{key}.action"})
    schemas["withdraw"] = {
        "type": "object", "title": "The raiser withdraws the case", "required": ["action", "entry"],
        "properties": {"action": {"const": WITHDRAW}, "entry": ENTRY, "record": {
            "type": "object", "properties": {"reason": {"type": "string", "maxLength": 2000}}}}}
    actions.append({"$ref": "#/components/schemas/withdraw"})
    return schemas, raises, actions


# The case list's filters: query parameters of GET /cases, body fields of POST /cases/search.
LIST_FILTERS = (
    ("status", {"type": "string", "enum": ["open", "closed", "overdue", "late"]},
     "late: the current stage was already past its due date when the case reached it"),
    ("process", {"type": "string"}, "a process slug"),
    ("stage", {"type": "string"}, "a stage slug, or <ladder>:<stage>"),
    ("agency", {"type": "string"}, "a ladder slug of the chosen process"),
    ("area", {"type": "string"}, "<answer>:<value>, e.g. learning_community:Vale of Leven"),
    ("sort", {"type": "string", "enum": ["raised", "due", "reference"]}, "default raised"),
    ("page", {"type": "integer", "minimum": 1}, "default 1"),
    ("per_page", {"type": "integer", "minimum": 1, "maximum": 100}, "default 25"),
    ("after", {"type": "string"}, "the page after this cursor (a page's next): any depth for the cost of the first"),
    ("before", {"type": "string"}, "the page before this cursor (a page's previous)"),
)

CASE_PAGE = {"type": "object", "properties": {
    "cases": {"type": "array", "items": {"type": "object", "properties": {
        "reference": {"type": "string"}, "process": {"type": "string"},
        "process_title": {"type": "string"}, "stage": {"type": ["string", "null"]},
        "stage_title": {"type": ["string", "null"]},
        "assignees": {"type": "array", "items": {"type": "string"}},
        "due_on": {"type": ["string", "null"], "format": "date"},
        "raised_at": {"type": "string", "format": "date-time"}, "status": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string", "enum": [
            "open", "overdue", "due-today", "late-on-arrival", "closed", "waiting-for-me"]}}}}},
    "total": {"type": "integer"},
    "total_is_exact": {"type": "boolean", "description": "false: counting stopped 10,000 past this page"},
    "page": {"type": "integer"}, "pages": {"type": "integer"}, "per_page": {"type": "integer"},
    "next": {"type": ["string", "null"], "description": "send as after= for the next page; null on the last"},
    "previous": {"type": ["string", "null"], "description": "send as before= for the previous page"}}}


def document(councils: dict | None = None, roles=(), field_types: Mapping[str, FieldType] | None = None) -> dict:
    councils = councils or {}
    schemas, raises, actions = plugin_schemas(councils)
    council = {**COUNCIL, "schema": {"type": "string", "enum": sorted(councils)}} if councils else COUNCIL
    processes = sorted({p.slug for c in councils.values() for p in c.processes})
    outcomes = sorted({o.slug for c in councils.values() for p in c.processes for ladder in p.ladders
                       for s in ladder.stages for o in s.outcomes})
    role = {"type": "string", "enum": sorted(roles)} if roles else {"type": "string"}
    doc = _paths(processes_schema(field_object(field_types or {})))
    doc["components"] = {"schemas": schemas}
    paths = doc["paths"]
    for ops in paths.values():
        for op in ops.values():
            op["parameters"] = [council if p is COUNCIL else p for p in op.get("parameters", [])]
    paths["/{council}/api/cases"]["post"]["requestBody"] = json_body({
        "type": "object", "required": ["process", "answers"],
        "properties": {"process": {"type": "string", "enum": processes}, "answers": {"type": "object"}},
        "anyOf": raises or [{"type": "object"}]})
    paths["/{council}/api/cases/{reference}/actions"]["post"]["requestBody"] = json_body({
        "type": "object", "required": ["action", "entry"],
        "properties": {"action": {"type": "string", "enum": [*outcomes, WITHDRAW]}, "record": {"type": "object"},
                       "entry": ENTRY},
        "anyOf": actions})
    for ops in paths.values():
        if "post" in ops:  # a body (413), and every write counts towards a rate limit (429)
            ops["post"]["responses"].update({"413": TOO_LARGE, "429": TOO_MANY})
    paths["/{council}/api/dev/session"]["post"]["requestBody"] = json_body({
        "type": "object", "required": ["email", "role"], "properties": {
            "email": {"type": "string", "format": "email"}, "role": role}})
    return doc


def _paths(processes: dict) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Concord", "version": "1",
                 "description": "Professional disagreement and child protection dissent procedures. "
                                "Sign in through the council's SSO (or development sign-in) first: the API uses "
                                "the same session cookie and the same rules as the pages. No text anywhere in a "
                                "request (a path, a query, a body's values or names) may hold NUL (U+0000) or a "
                                "lone surrogate: 400 (404 in a path). Writes are rate limited per client address "
                                "(429 with Retry-After); a body over 1 MiB is 413."},
        "paths": {
            "/api/councils": {"get": {"summary": "The installed councils", "responses": {"200": ok(
                "Councils", {"type": "array", "items": {"type": "object", "properties": {
                    "slug": {"type": "string"}, "name": {"type": "string"},
                    "nation": {"type": "string", "enum": ["ENG", "SCT"]}}}})}}},
            "/{council}/api/calendar/working-days": {"get": {
                "summary": "Add working days in the council's nation (add=0: the same working day)",
                "parameters": [COUNCIL,
                               {"name": "from", "in": "query", "required": True, "schema": date_schema()},
                               {"name": "add", "in": "query", "required": True,
                                "schema": {"type": "integer", "minimum": 0, "maximum": 1000}}],
                "responses": {"200": ok("The date", {"type": "object", "properties": {
                    "from": {"type": "string", "format": "date"}, "add": {"type": "integer"},
                    "date": {"type": "string", "format": "date"}}}), "400": ERRORS, "404": NOT_FOUND}}},
            "/{council}/api/dev/session": {"post": {
                "summary": "Development sign-in (absent in production)", "parameters": [COUNCIL],
                "requestBody": json_body({"type": "object", "required": ["email", "role"], "properties": {
                    "email": {"type": "string", "format": "email"}, "role": {"type": "string"}}}),
                "responses": {"200": ok("Signed in", {"type": "object"}), "400": ERRORS, "404": NOT_FOUND}}},
            "/{council}/api/processes": {"get": {
                "summary": "What can be raised: intake fields, ladders and stages", "parameters": [COUNCIL],
                "description": "Each field says what the forms enforce: `accept` (a gate question goes on only "
                               "with one of these answers; anything else is refused with `refusal`), `after` "
                               "(a date answer may not be before that date) and `shown_when`. Each outcome that "
                               "closes the case lists in `requires` what its record must also hold: "
                               "`case_themes` from the council's `themes`, and the learning.",
                "responses": {"200": ok("Processes", processes), "404": NOT_FOUND}}},
            "/{council}/api/cases": {"get": {
                "summary": "The cases you may see, a page at a time (waiting for you first, unless you are a lead)",
                "description": "Searching is a POST to /{council}/api/cases/search: a `q` here is refused (400), "
                               "as a child's record number must not be in a URL.",
                "parameters": [COUNCIL] + [
                    {"name": name, "in": "query", "required": False, "schema": schema, "description": words}
                    for name, schema, words in LIST_FILTERS],
                "responses": {"200": ok("A page of cases", CASE_PAGE),
                              "400": ERRORS, "401": UNAUTHORISED, "404": NOT_FOUND}},
                "post": {
                "summary": "Raise a case", "parameters": [COUNCIL, {
                    "name": "Idempotency-Key", "in": "header", "required": False,
                    "description": "A repeat with the same key returns the first case (200), never a second one",
                    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_.:-]{8,200}$"}}],
                "requestBody": json_body({"type": "object", "required": ["process", "answers"], "properties": {
                    "process": {"type": "string"}, "answers": {"type": "object"}}}),
                "responses": {"201": ok("Raised", RAISED), "200": ok("Already raised with this Idempotency-Key", RAISED),
                    "400": ERRORS, "401": UNAUTHORISED, "404": NOT_FOUND}}},
            "/{council}/api/cases/search": {"post": {
                "summary": "The cases you may see, searched: part of a reference, or a child's record number exactly",
                "description": "The words and any of the list's filters go in the body, never in the URL. "
                               "Counts towards the limit on API POSTs.",
                "parameters": [COUNCIL],
                "requestBody": json_body({"type": "object", "properties": {
                    "q": {"type": "string", "description": "part of a reference, or a child's record number exactly"},
                    **{name: {**schema, "description": words} for name, schema, words in LIST_FILTERS}}}),
                "responses": {"200": ok("A page of cases", CASE_PAGE),
                              "400": ERRORS, "401": UNAUTHORISED, "404": NOT_FOUND}}},
            "/{council}/api/cases/{reference}": {"get": {
                "summary": "A case, its stages and timeline", "parameters": [COUNCIL, REFERENCE],
                "responses": {"200": ok("The case", CASE), "401": UNAUTHORISED, "404": NOT_FOUND}}},
            "/{council}/api/cases/{reference}/actions": {"post": {
                "summary": "Record the current stage and apply an outcome", "parameters": [COUNCIL, REFERENCE],
                "description": "Send the stage entry you were shown (stage.entry); the raiser may send "
                               "action \"withdraw\" with record.reason.",
                "requestBody": json_body({"type": "object", "required": ["action", "entry"], "properties": {
                    "action": {"type": "string"}, "record": {"type": "object"}, "entry": {"type": "integer"}}}),
                "responses": {"200": ok("The case after the action", CASE), "400": ERRORS, "401": UNAUTHORISED,
                              "403": said("You can see the case but do not hold this stage"),
                              "404": NOT_FOUND, "409": STALE}}},
            "/{council}/api/cases/{reference}/take": {"post": {
                "summary": "Take a stage offered to your rung: you become its assignee",
                "parameters": [COUNCIL, REFERENCE],
                "requestBody": json_body({"type": "object", "required": ["entry"], "properties": {
                    "entry": {"type": "integer"}}}),
                "responses": {"200": ok("The case, now yours at this stage", CASE), "400": ERRORS,
                              "401": UNAUTHORISED, "403": said("The stage is not offered to you"),
                              "404": NOT_FOUND, "409": STALE}}},
            **reporting_paths(),
        },
    }


PERIOD = [{"name": "from", "in": "query", "required": False, "schema": date_schema(),
           "description": "First day (Europe/London), default: the first day of the month eleven months ago"},
          {"name": "to", "in": "query", "required": False, "schema": date_schema(),
           "description": "Last day, included; default: today"}]


def reporting_paths() -> dict:
    """Reports (leads, partnership managers, admins) and the opt-in aggregates across councils."""
    rows = {"type": "array", "items": {"type": "object"}}
    return {
        "/{council}/api/reports/summary": {"get": {
            "summary": "The council's reports: cases by process, ladder, stage reached and outcome; open, overdue "
                       "and late on arrival now; days at each stage (median, 90th percentile, on time); per month; "
                       "themes. Record themes and learning when closing a case with case_themes (a list) and "
                       "case_learning in the action's record (on a stage whose record has a question marked "
                       "learning, case_learning answers that question).",
            "parameters": [COUNCIL, *PERIOD, {"name": "process", "in": "query", "required": False,
                                              "schema": {"type": "string"}}],
            "responses": {"200": ok("The figures", {"type": "object", "properties": {
                key: rows for key in ("by_process", "by_ladder", "by_stage_reached", "by_outcome", "overdue_now",
                                      "time_per_stage", "time_to_resolution", "monthly", "themes")}}),
                "400": ERRORS, "401": UNAUTHORISED, "404": NOT_FOUND}}},
        "/api/learning": {"get": {
            "summary": "Time from raising to closing per kind of process, and themes, of the councils that share "
                       "anonymised figures, for one whole quarter that has ended; counts under 5 are null with "
                       "suppressed: true. Only for a council that shares its own (403 otherwise)",
            "parameters": [{"name": "quarter", "in": "query", "required": False,
                            "schema": {"type": "string", "pattern": "^[0-9]{4}-Q[1-4]$"},
                            "description": "YYYY-Qn; the last whole quarter when left out"}],
            "responses": {"200": ok("The shared figures", {"type": "object", "properties": {
                "councils": rows, "time_to_resolution": rows, "themes": rows,
                "suppressed_below": {"type": "integer"}}}), "400": ERRORS, "403": NOT_FOUND,
                "404": NOT_FOUND}}},
    }
