"""The OpenAPI document of the JSON API, served at ``/api/openapi.json``."""
from __future__ import annotations

COUNCIL = {"name": "council", "in": "path", "required": True, "schema": {"type": "string"},
           "description": "The council's slug, e.g. westdunbartonshire"}
REFERENCE = {"name": "reference", "in": "path", "required": True, "schema": {"type": "string"},
             "description": "The case reference, e.g. WDC-2026-0042"}

ERRORS = {"description": "Bad input: nothing was saved", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"errors": {"type": "object", "additionalProperties": {
        "type": "array", "items": {"type": "string"}}}}}}}}
NOT_FOUND = {"description": "No such council or case, or not yours to see"}
UNAUTHORISED = {"description": "Not signed in to this council"}

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


STALE = {"description": "The stage was already acted on or taken (by whom, when), or the case is closed: nothing saved",
         "content": {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "string"}}}}}}


def json_body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def ok(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Concord", "version": "1",
                 "description": "Professional disagreement and child protection dissent procedures. "
                                "Sign in through the council's SSO (or development sign-in) first: the API uses "
                                "the same session cookie and the same rules as the pages."},
        "paths": {
            "/api/councils": {"get": {"summary": "The installed councils", "responses": {"200": ok(
                "Councils", {"type": "array", "items": {"type": "object", "properties": {
                    "slug": {"type": "string"}, "name": {"type": "string"},
                    "nation": {"type": "string", "enum": ["ENG", "SCT"]}}}})}}},
            "/{council}/api/calendar/working-days": {"get": {
                "summary": "Add working days in the council's nation (add=0: the same working day)",
                "parameters": [COUNCIL,
                               {"name": "from", "in": "query", "required": True, "schema": {"type": "string", "format": "date"}},
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
                "responses": {"200": ok("Processes", {"type": "array", "items": {"type": "object"}}),
                              "404": NOT_FOUND}}},
            "/{council}/api/cases": {"get": {
                "summary": "The cases you may see, a page at a time (waiting for you first, unless you are a lead)",
                "parameters": [COUNCIL] + [
                    {"name": name, "in": "query", "required": False, "schema": schema, "description": words}
                    for name, schema, words in (
                        ("status", {"type": "string", "enum": ["open", "closed", "overdue", "late"]},
                         "late: the current stage was already past its due date when the case reached it"),
                        ("process", {"type": "string"}, "a process slug"),
                        ("stage", {"type": "string"}, "a stage slug, or <ladder>:<stage>"),
                        ("agency", {"type": "string"}, "a ladder slug of the chosen process"),
                        ("area", {"type": "string"}, "<answer>:<value>, e.g. learning_community:Vale of Leven"),
                        ("q", {"type": "string"}, "part of a reference, or a child's record number exactly"),
                        ("sort", {"type": "string", "enum": ["raised", "due", "reference"]}, "default raised"),
                        ("page", {"type": "integer", "minimum": 1}, "default 1"),
                        ("per_page", {"type": "integer", "minimum": 1, "maximum": 100}, "default 25"))],
                "responses": {"200": ok("A page of cases", {"type": "object", "properties": {
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
                    "total_is_exact": {"type": "boolean",
                                       "description": "false: counting stopped 10,000 past this page"},
                    "page": {"type": "integer"}, "pages": {"type": "integer"}, "per_page": {"type": "integer"}}}),
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
                              "403": {"description": "You can see the case but do not hold this stage"},
                              "404": NOT_FOUND, "409": STALE}}},
            "/{council}/api/cases/{reference}/take": {"post": {
                "summary": "Take a stage offered to your rung: you become its assignee",
                "parameters": [COUNCIL, REFERENCE],
                "requestBody": json_body({"type": "object", "required": ["entry"], "properties": {
                    "entry": {"type": "integer"}}}),
                "responses": {"200": ok("The case, now yours at this stage", CASE), "400": ERRORS,
                              "401": UNAUTHORISED, "403": {"description": "The stage is not offered to you"},
                              "404": NOT_FOUND, "409": STALE}}},
        },
    }
