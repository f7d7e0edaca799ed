"""The JSON API: the same rules and validation as the pages.

Requests with a body must be JSON; the session cookie is SameSite=Lax, so a
cross-site page can neither send it nor set that content type without CORS.
"""
from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, Flask, abort, current_app, g, jsonify, request, session
from werkzeug.routing import BaseConverter

from core.engine import audit, cases
from core.engine.access import holders
from core.engine.learning import themes_of
from core.forms.questions import (
    CLOSING_FIELDS,
    answers_of,
    describe_field,
    formdata_from_json,
    intake_form_class,
    learning_field,
    outcome_choices,
    record_form_class,
    record_of,
)
from core.http.tenancy import council_blueprint
from core.model.calendar import calendar_for, not_working_note
from core.model.clock import local_date
from core.model.deadlines import CalendarDays
from core.model.inputs import EARLIEST, LATEST, plausible
from core.model.procedures import stage_of
from core.model.records import db
from core.reads import caselist
from core.runtime import now

bp = Blueprint("api", __name__, url_prefix="/api")
council_api = council_blueprint("council_api", __name__, "/api")

IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_.:-]{8,200}")


class ReferenceConverter(BaseConverter):
    """A case reference in a path: one segment, never ``search`` (that is ``POST /cases/search``), so
    ``OPTIONS`` and ``405`` on ``/cases/search`` name only the methods the document gives it."""

    regex = r"(?!search$)[^/]+"


def init_app(app: Flask) -> None:
    app.url_map.converters["reference"] = ReferenceConverter
    app.register_blueprint(bp)
    app.register_blueprint(council_api)
    app.extensions["csrf"].exempt(bp)
    app.extensions["csrf"].exempt(council_api)


def bad_request(errors: dict):
    response = jsonify({"errors": errors})
    response.status_code = 400
    return response


def json_body() -> dict:
    if (request.content_length or 0) > (request.max_content_length or float("inf")):
        abort(413)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(bad_request({"body": ["Send a JSON object with the Content-Type application/json"]}))
    return data


def signed_in():
    if g.viewer is None:
        abort(404 if session.get("council") not in (None, g.council.slug) else 401)
    return g.viewer


@bp.get("/councils")
def councils():
    return jsonify([
        {"slug": c.slug, "name": c.name, "nation": c.nation}
        for c in current_app.extensions["concord"].councils.values()
    ])


@bp.get("/openapi.json")
def openapi_document():
    from core.api.openapi import document

    concord = current_app.extensions["concord"]
    return jsonify(document(concord.councils, concord.roles, concord.field_types))


@council_api.get("/calendar/working-days")
def working_days():
    errors = {}
    try:
        start = date.fromisoformat(request.args.get("from", ""))
    except ValueError:
        errors["from"] = ["Give from as a date in the form YYYY-MM-DD, for example 2026-11-27"]
    else:
        if not plausible(start):
            errors["from"] = [f"Give from as a date between {EARLIEST} and {LATEST}"]
    try:
        add = int(request.args.get("add", ""))
        if not 0 <= add <= 1000:
            raise ValueError
    except ValueError:
        errors["add"] = ["Give add as a whole number of working days from 0 to 1000"]
    if errors:
        return bad_request(errors)
    found = calendar_for(g.council).add(start, add)
    return jsonify({"from": start.isoformat(), "add": add, "date": found.isoformat()})


@council_api.get("/processes")
def processes():
    return jsonify([describe_process(p) for p in g.council.processes])


def describe_form_field(spec) -> dict:
    """A question as the forms enforce it: besides its type and choices, the answers a gate question
    accepts (anything else is refused with ``refusal``) and the date a date answer may not precede."""
    return {**describe_field(spec), "accept": list(spec.accept), "refusal": spec.refusal or None,
            "after": spec.after}


def closing_requirements(stage, themes: list[str]) -> list[dict]:
    """What an outcome that closes the case also needs in the record: themes from the council's list
    and the learning (in the council's own words where the stage asks its own learning question)."""
    own = learning_field(stage)
    learning = own.name if own is not None else "case_learning"
    return [
        {"name": "case_themes", "type": "checkboxes", "label": "Themes of this disagreement", "choices": themes,
         "error": "Select at least one theme"},
        {"name": learning, "type": "textarea", "label": own.label if own is not None else "Learning from this case",
         "error": (own.error if own is not None and own.error else "Enter the learning from this case")},
    ]


def describe_outcomes(stage, themes: list[str]) -> list[dict]:
    needs = closing_requirements(stage, themes)
    return [{**o, "requires": needs if o["closes_case"] else []} for o in outcome_choices(stage.outcomes)]


def describe_process(process) -> dict:
    themes = themes_of(g.council)
    return {
        "slug": process.slug,
        "title": process.title,
        "summary": process.summary,
        "themes": themes,
        "fields": [describe_form_field(f) for f in process.intake],
        "ladder_by": process.ladder_by,
        "ladders": [
            {
                "slug": ladder.slug,
                "title": ladder.title,
                "when": ladder.when,
                "stages": [
                    {
                        "slug": s.slug,
                        "title": s.title,
                        "role": s.role.slug,
                        "role_title": s.role.title,
                        "holder": s.holder,
                        "holder_to_confirm": s.holder_to_confirm,
                        "scope": s.role.scope,
                        "deadline": s.deadline.describe(),
                        "deadline_to_confirm": s.deadline.to_confirm,
                        "guidance": s.guidance,
                        "record": [describe_form_field(f) for f in s.record],
                        "outcomes": describe_outcomes(s, themes),
                    }
                    for s in ladder.stages
                ],
            }
            for ladder in process.ladders
        ],
    }


@council_api.post("/cases")
def open_case():
    viewer = signed_in()
    data = json_body()
    try:
        process = g.council.process(str(data.get("process")))
    except KeyError:
        names = ", ".join(p.slug for p in g.council.processes)
        return bad_request({"process": [f"Choose a process this council runs: {names}"]})
    answers = data.get("answers")
    if not isinstance(answers, dict):
        return bad_request({"answers": ["Send answers as an object of field names to values"]})
    formdata, errors = formdata_from_json(answers, process.intake)
    form = intake_form_class(process)(formdata=formdata, meta={"csrf": False})
    if not form.validate() or errors:
        return bad_request({**form.errors, **errors})
    key = request.headers.get("Idempotency-Key")
    if key is not None and not IDEMPOTENCY_KEY.fullmatch(key):
        return bad_request({"Idempotency-Key": ["Send an Idempotency-Key of 8 to 200 letters, digits, '-', '_', '.' or ':'"]})
    answers = answers_of(form, process.intake)
    try:
        if key is None:
            case, created = cases.open_case(g.council, process, answers, viewer.user), True
        else:
            case, created = cases.raise_once(g.council, process, answers, viewer.user, f"api:{key}")
    except cases.CaseError as e:
        return bad_request({"process": [str(e)]})
    return jsonify({"reference": case.reference, "stage": describe_stage(case)}), 201 if created else 200


SEARCH_IN_THE_BODY = ("Search with POST /{council}/api/cases/search and the words in its JSON body: "
                      "a child's record number must not be in a URL, where logs keep it")


@council_api.get("/cases")
def list_cases():
    """The viewer's cases, a page at a time, with the same filters as the list page; searching is a POST."""
    viewer = signed_in()
    if "q" in request.args:
        return bad_request({"q": [SEARCH_IN_THE_BODY.format(council=g.council.slug)]})
    return _page_of_cases(viewer, request.args, "case list (API)")


@council_api.post("/cases/search")
def search_cases():
    """The same page of cases, searched: ``{"q": …}`` and any of the list's filters, in the body."""
    viewer = signed_in()
    data = json_body()
    wrong = sorted(k for k, v in data.items() if not isinstance(v, (str, int)) or isinstance(v, bool))
    if wrong:
        return bad_request({k: ["Send a string (or a whole number for page and per_page)"] for k in wrong})
    return _page_of_cases(viewer, {k: str(v) for k, v in data.items()}, "case search (API)")


def _page_of_cases(viewer, args, where: str):
    filters, errors = caselist.parse(g.council, args)
    if errors:
        return bad_request(errors)
    found = caselist.page_of(g.council, viewer, filters, local_date(now()))
    audit.record_council(g.council.slug, viewer.user, "list", filters.audited(where))
    db.session.commit()
    return jsonify({
        "cases": [describe_row(row) for row in found.rows],
        "total": found.total,
        "total_is_exact": found.exact,
        "page": found.page,
        "pages": found.pages,
        "per_page": filters.per_page,
        # Cursors: send one back as ``after`` (or ``before``) for the next (previous) page, at any depth
        # for the cost of the first; ``page`` numbers still work, read with OFFSET.
        "next": found.links.get("next"),
        "previous": found.links.get("previous"),
    })


def describe_row(row) -> dict:
    entry = row.entry
    return {
        "reference": row.case.reference,
        "process": row.case.process,
        "process_title": row.process_title,
        "stage": entry.stage if entry else None,
        "stage_title": row.stage_title or None,
        "assignees": row.assignees,
        "due_on": entry.due_on.isoformat() if entry else None,
        "raised_at": row.case.raised_at.isoformat(),
        "status": row.case.status,
        "tags": [t.lower().replace(" ", "-") for t in row.tags] + (["waiting-for-me"] if row.waiting else []),
    }


def _case_or_404(reference):
    viewer = signed_in()
    case = cases.find(g.council, reference)
    if case is None or not viewer.may_view(case):
        abort(404)
    return case


@council_api.get("/cases/<reference:reference>")
def show_case(reference):
    case = _case_or_404(reference)
    audit.record(case, g.viewer.user, "view")
    db.session.commit()
    return jsonify(describe_case(case))


@council_api.post("/cases/<reference:reference>/actions")
def act(reference):
    case = _case_or_404(reference)
    data = json_body()
    if data.get("action") == cases.WITHDRAW:
        if not g.viewer.raised(case):
            return jsonify({"error": "Only the person who raised this case can withdraw it"}), 403
        record = data.get("record", {})
        return _acting(case, lambda: cases.act(g.council, case, cases.WITHDRAW, record if isinstance(record, dict) else {},
                                               g.viewer.user, _entry_of(data)))
    try:
        cases.open_entry(case, _entry_of(data))
    except cases.StaleEntry as e:
        return _stale(e)
    if not g.viewer.may_act(case):
        why = ("You raised this case, so you cannot act on its stages" if g.viewer.raised(case)
               else "You do not hold this stage")
        return jsonify({"error": why}), 403
    stage = stage_of(g.council, case, case.current)
    record = data.get("record", {})
    if not isinstance(record, dict):
        return bad_request({"record": ["Send record as an object of field names to values"]})
    own = learning_field(stage)
    if own is not None and "case_learning" in record:
        # The council asks for the learning in its own words on this stage: case_learning answers that question.
        record = {k: v for k, v in record.items() if k != "case_learning"}
        if record.get(own.name) in (None, ""):
            record[own.name] = data["record"]["case_learning"]
    formdata, errors = formdata_from_json({**record, "action": data.get("action")}, stage.record, extra=("action", *CLOSING_FIELDS))
    form = record_form_class(stage)(formdata=formdata, meta={"csrf": False})
    if not form.validate() or errors:
        return bad_request({**form.errors, **errors})
    return _acting(case, lambda: cases.act(g.council, case, form.action.data, record_of(form, stage),
                                           g.viewer.user, _entry_of(data)))


@council_api.post("/cases/<reference:reference>/take")
def take(reference):
    case = _case_or_404(reference)
    if not g.viewer.may_take(case):
        return jsonify({"error": "This stage is not offered to you"}), 403
    return _acting(case, lambda: cases.take(g.council, case, g.viewer.user, _entry_of(json_body())))


def _entry_of(data: dict) -> int | None:
    entry = data.get("entry")
    if entry is None:
        abort(bad_request({"entry": ["Send entry: the id of the stage entry you are acting on (stage.entry in the case)"]}))
    if not isinstance(entry, int) or isinstance(entry, bool):
        abort(bad_request({"entry": ["Send entry as a whole number: stage.entry from the case"]}))
    return entry


def _acting(case, action):
    try:
        action()
    except cases.StaleEntry as e:
        return _stale(e)
    except cases.CaseError as e:
        return bad_request({e.field: [str(e)]})
    return jsonify(describe_case(case))


def _stale(error):
    return jsonify({"error": str(error)}), 409


def describe_stage(case) -> dict | None:
    entry = case.current
    if entry is None:
        return None
    stage = stage_of(g.council, case, entry)
    return {
        "slug": stage.slug,
        "title": stage.title,
        "role": stage.role.slug,
        "role_title": stage.role.title,
        "scope": entry.scope,
        "entry": entry.id,
        "assignees": [{"name": name, "email": email} for name, email in holders(entry)],
        "assignee": ({"name": entry.assignee_name, "email": entry.assignee_email} if entry.assignee_email else None),
        "to_lead": entry.to_lead,
        "due_on": entry.due_on.isoformat(),
        # Only a calendar-day deadline can end on a day off (working-day ones never do): no read otherwise.
        "due_note": (not_working_note(calendar_for(g.council), entry.due_on)
                     if isinstance(stage.deadline, CalendarDays) else ""),
        "late_on_arrival": entry.late_on_arrival,
        "outcomes": outcome_choices(stage.outcomes),
        "sends": _sends(case, stage),
    }


def _sends(case, stage) -> dict | None:
    """A step of the raiser's own: the form they send to complete it, and the answers it carries over."""
    if not stage.raiser_sends:
        return None
    target = g.council.process(stage.raiser_sends)
    return {"process": target.slug, "title": target.title,
            "answers": cases.carried_answers(g.council, case, target)}


def _linked(case) -> list[str]:
    """The cases this one was carried on or referred on into."""
    from core.model.records import Case

    return list(db.session.scalars(db.select(Case.reference).where(Case.opened_from_id == case.id).order_by(Case.id)))


def describe_case(case) -> dict:
    return {
        "reference": case.reference,
        "process": case.process,
        "ladder": case.ladder,
        "status": case.status,
        "outcome": case.outcome,
        "raised_at": case.raised_at.isoformat(),
        "answers": case.answers,
        "opened_from": case.opened_from.reference if case.opened_from else None,
        "linked": _linked(case),
        "raiser_late": any(ev.kind == "late" for ev in case.events),
        "stage": describe_stage(case),
        "stages": [
            {
                "slug": e.stage,
                "role": e.role,
                "scope": e.scope,
                "entered_at": e.entered_at.isoformat(),
                "due_on": e.due_on.isoformat(),
                "closed_at": e.closed_at.isoformat() if e.closed_at else None,
                "outcome": e.outcome,
                "record": e.record,
                "assignee": e.assignee_name,
                "late_on_arrival": e.late_on_arrival,
            }
            for e in case.stages
        ],
        "timeline": [{"at": ev.at.isoformat(), "kind": ev.kind, "summary": ev.summary} for ev in case.events],
    }
