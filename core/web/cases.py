"""Raise a case, check the answers, see the timeline, act at a stage."""
from __future__ import annotations

import re
import secrets
from typing import Any, cast

from flask import Response, abort, flash, g, redirect, render_template, request, session, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from core.engine import audit, cases, directory, drafts
from core.engine.access import FULL, PROGRESS, TAKEN, holders
from core.forms.questions import (
    answers_of,
    formdata_from_json,
    intake_form_class,
    page_of,
    question_pages,
    record_form_class,
    record_of,
)
from core.http.hygiene import names_its_own_text_problems
from core.http.tenancy import council_blueprint
from core.model.calendar import calendar_for, not_working_note
from core.model.clock import local_date
from core.model.deadlines import CalendarDays
from core.model.inputs import row_id, text_problem, unsavable
from core.model.procedures import process_of, stage_of
from core.model.records import Case, CaseEvent, ScheduledNotification, StageEntry, StageOffer, User, db
from core.reads import caselist, exports
from core.runtime import now

bp = council_blueprint("cases", __name__, "/cases")

RAISE_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


@bp.before_request
def require_sign_in():
    if g.viewer is None:
        if session.get("council") not in (None, g.council.slug):
            abort(404)  # signed in to another council: nothing here exists for them
        return redirect(url_for("signin.choose", next=request.path))


@bp.route("/", methods=["GET", "POST"])
def mine():
    if request.method == "POST":
        # The search term may be a child's record number: it stays out of URLs and logs.
        if request.form.get("clear") == "yes":
            session.pop(SEARCH_KEY, None)
        else:
            session[SEARCH_KEY] = (request.form.get("q") or "").strip()[:100]
        kept: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page"}
        return redirect(url_for("cases.mine", **kept))
    filters, errors = caselist.parse(g.council, request.args, q=session.get(SEARCH_KEY, ""))
    found = caselist.page_of(g.council, g.viewer, filters, _today())
    audit.record_council(g.council.slug, g.viewer.user, "list", filters.audited("case list"))
    db.session.commit()
    error_list = [{"text": msgs[0], "href": f"#filter-{name}"} for name, msgs in errors.items()]
    offered = {p.slug for p in g.council.processes}
    saved = [d for d in drafts.mine(g.viewer.user) if d.process in offered]
    db.session.commit()
    return render_template("cases/list.html", page=found, filters=filters, errors=errors, error_list=error_list,
                           drafts=saved, **_filter_choices(filters))


SEARCH_KEY = "case_search"
TAG_CLASSES = {"Overdue": "govuk-tag--red", "Long overdue": "govuk-tag--purple", "No meeting scheduled": "govuk-tag--pink", "Due today": "govuk-tag--yellow", "Late on arrival": "govuk-tag--orange",
               "Closed": "govuk-tag--grey", "Open": "govuk-tag--blue"}


def page_numbers(current: int, last: int) -> list[int | None]:
    """GOV.UK pagination: first, last and the neighbours of the current page; None for a gap."""
    shown = sorted({1, last, current - 1, current, current + 1} & set(range(1, last + 1)))
    out: list[int | None] = []
    for n in shown:
        if out and n - cast(int, out[-1]) > 1:  # a gap is always followed by a number
            out.append(None)
        out.append(n)
    return out


def _today():
    return local_date(now())


def _filter_choices(filters):
    process = g.council.process(filters.process) if filters.process else None
    return {
        "process_choices": [(p.slug, p.title) for p in g.council.processes],
        "page_numbers": page_numbers,
        "tag_classes": TAG_CLASSES,
        "statuses": caselist.STATUSES,
        "sorts": caselist.SORTS,
        "stage_choices": caselist.stage_choices(g.council, process),
        "area_choices": caselist.area_choices(g.council, process),
        "agency_choices": [(ladder.slug, ladder.title) for ladder in process.ladders] if process and process.ladder_by else [],
        "chosen_process": process,
    }


@bp.get("/export.csv")
def export():
    """The list as CSV with the current filters; each exported case is audited."""
    filters, _ = caselist.parse(g.council, request.args, q=session.get(SEARCH_KEY, ""))
    free_text = g.viewer.is_lead and request.args.get("free_text") == "yes"
    today, moment = _today(), now()
    caselist.audit_export(g.viewer, filters, today, moment)
    db.session.commit()
    body = exports.cases_csv(g.council, g.viewer, filters, today, free_text)
    name = f"{g.council.slug}-cases-{today.isoformat()}.csv"
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}", "Cache-Control": "no-store"})


@bp.get("/new")
def choose():
    return render_template("cases/choose.html")


# Answers waiting on "Check your answers", per process, in the server-side session
# (never in a URL or a hidden field): {"token": raise token, "data": {field: [raw values]}}.
PENDING_KEY = "raising"
# The last case raised from each process's form in this session, for the note on a fresh form.
RAISED_KEY = "raised"


def _process_or_404(slug):
    try:
        return g.council.process(slug)
    except KeyError:
        abort(404)


def _pending(process):
    return (session.get(PENDING_KEY) or {}).get(process.slug)


def _keep_pending(process, form, token, page=None):
    """Keep the form's answers so far; ``page``: the number of the question page just answered (for the task list)."""
    data = {f.name: [str(v) for v in (f.raw_data or [])] for f in form if f.name != "csrf_token"}
    visited = set((_pending(process) or {}).get("visited", ())) | ({page} if page else set())
    session[PENDING_KEY] = {**(session.get(PENDING_KEY) or {}),
                            process.slug: {"token": token, "data": data, "visited": sorted(visited)}}


def _drop_pending(process):
    session[PENDING_KEY] = {k: v for k, v in (session.get(PENDING_KEY) or {}).items() if k != process.slug}


def _pending_form(process, pending, checked=False):
    """The form filled with the kept answers; ``checked``: to validate them, where no CSRF token is posted."""
    return intake_form_class(process)(formdata=MultiDict(
        [(name, value) for name, values in pending["data"].items() for value in values]),
        **({"meta": {"csrf": False}} if checked else {}))


@bp.route("/new/<process>", methods=["GET", "POST"])
@names_its_own_text_problems
def raise_case(process):
    """The first question page; a post of every answer at once (no ``page``) is checked as one form."""
    process = _process_or_404(process)
    if request.method == "GET" or request.form.get("page"):
        return _question(process, 1)
    form = intake_form_class(process)()
    token = _token()
    if form.validate():
        if request.form.get("confirmed") == "yes":  # answers and confirmation in one post (no check page)
            return _raise(process, form, token)
        _keep_pending(process, form, token)
        return redirect(url_for("cases.check", process=process.slug), 303)
    return render_template("cases/raise.html", process=process, form=form, raise_token=token)


@bp.route("/new/<process>/<int:number>", methods=["GET", "POST"])
@names_its_own_text_problems
def question(process, number):
    return _question(_process_or_404(process), number)


def _token():
    # One token per visit to the form, carried through "Check your answers": a
    # repeated or replayed confirmation finds the case it already opened.
    token = request.form.get("raise_token", "")
    return token if RAISE_TOKEN.fullmatch(token) else secrets.token_urlsafe(24)


def _page_url(process, number, **args):
    if number == 1:
        return url_for("cases.raise_case", process=process.slug, **args)
    return url_for("cases.question", process=process.slug, number=number, **args)


def _next_page(process, form, number, step=1):
    """The next (or, with step=-1, previous) page with a question asked, given the answers; None past either end."""
    pages = question_pages(process)
    n = number + step
    while 1 <= n <= len(pages):
        if form.visible(pages[n - 1].fields):
            return n
        n += step
    return None


def _carried_in(process) -> MultiDict:
    """A form one of the raiser's own cases waits for them to send (Gloucestershire's Appendix 1) starts
    with the answers that case already has; any other form starts empty."""
    waiting = cases.waiting_for(g.council, process, {}, g.viewer.user)
    if waiting is None:
        return MultiDict()
    formdata, _ = formdata_from_json(cases.carried_answers(g.council, waiting, process), process.intake)
    return formdata


def _question(process, number):
    """One question page: its answers join the others kept for this form, then on to the next page
    asked (a question not asked is skipped), or back to "Check your answers" after a change."""
    pages = question_pages(process)
    if not 1 <= number <= len(pages):
        abort(404)
    page = pages[number - 1]
    pending = _pending(process)
    token = pending["token"] if pending else _token()
    kept = (MultiDict([(k, v) for k, values in pending["data"].items() for v in values]) if pending
            else _carried_in(process))
    if request.method == "POST":
        mine = set(page.fields)
        kept = MultiDict([(k, v) for k, v in kept.items(multi=True) if k not in mine]
                         + [(k, v) for k in page.fields for v in request.form.getlist(k)])
    form = intake_form_class(process)(formdata=kept, meta={"csrf": False})
    if request.method == "POST":
        form.validate()
        asked = set(form.visible(page.fields))
        for field in form:
            if field.name not in asked:
                field.errors = []
        form._errors = None
        _keep_pending(process, form, token, number)
        data = _pending(process)["data"]
        if request.form.get("save") == "yes" and not any(unsavable(v) for vs in data.values() for v in vs):
            # "Save and come back later": the answers so far, as they are (text that cannot be stored is
            # refused below, with this page's other problems)
            draft = drafts.save(g.viewer.user, process.slug, data)
            db.session.commit()
            flash(f"Your answers to ‘{process.title}’ are saved until {local_date(draft.expires_at):%-d %B %Y}. "
                  "Continue them from your cases.", "success")
            return redirect(url_for("cases.mine"), 303)
        if not form.errors:
            after = _next_page(process, form, number)
            if request.form.get("sections") == "yes":
                return redirect(url_for("cases.sections", process=process.slug), 303)
            if request.form.get("change") == "yes" or after is None:
                return redirect(url_for("cases.check", process=process.slug), 303)
            return redirect(_page_url(process, after), 303)
    asked = form.visible(page.fields)
    if not asked:  # nothing on this page applies to the answers given: on to the next
        after = _next_page(process, form, number)
        return redirect(_page_url(process, after) if after else url_for("cases.check", process=process.slug), 303)
    before = _next_page(process, form, number, step=-1)
    raised = None if pending else (session.get(RAISED_KEY) or {}).get(process.slug)
    saved = None if pending else drafts.find(g.viewer.user, process.slug)
    return render_template(
        "cases/question.html", process=process, form=form, page=page, number=number, raise_token=token,
        raised=raised, saved=saved, change=request.values.get("change") == "yes", names=set(page.fields),
        from_sections=request.values.get("sections") == "yes", long=len(pages) >= SECTIONS_FROM,
        heading=len(asked) == 1 and len(page.fields) == 1,
        back=_page_url(process, before) if before else url_for("cases.choose"),
        action=_page_url(process, number))


# A form of this many pages or more also shows its sections as a task list.
SECTIONS_FROM = 5


@bp.get("/new/<process>/sections")
def sections(process):
    """The form's pages as a GOV.UK task list: each one's status, and a way into any of them."""
    process = _process_or_404(process)
    pending = _pending(process) or {"data": {}}
    form = _pending_form(process, pending, checked=True)
    complete = form.validate()
    items = []
    for number, page in enumerate(question_pages(process), start=1):
        asked = form.visible(page.fields)
        if not asked:
            continue
        if number not in pending.get("visited", ()) and not any(any(pending["data"].get(n) or ()) for n in asked):
            status: dict[str, Any] = {"tag": {"text": "Not yet started", "classes": "govuk-tag--blue"}}
        elif any(form[name].errors for name in asked):
            status = {"tag": {"text": "Incomplete", "classes": "govuk-tag--light-blue"}}
        else:
            status = {"text": "Completed"}
        items.append({"title": {"text": page.title}, "status": status,
                      "href": _page_url(process, number, sections="yes")})
    return render_template("cases/sections.html", process=process, items=items, complete=complete)


@bp.get("/new/<process>/draft")
def resume(process):
    """Continue a saved draft: its answers back in the form, at the first page still to answer (or the check)."""
    process = _process_or_404(process)
    draft = drafts.find(g.viewer.user, process.slug)
    db.session.commit()
    if draft is None:
        flash("There are no saved answers to that form: they may have expired", "info")
        return redirect(url_for("cases.mine"), 303)
    pending = {"token": secrets.token_urlsafe(24), "data": draft.answers}
    session[PENDING_KEY] = {**(session.get(PENDING_KEY) or {}), process.slug: pending}
    form = _pending_form(process, pending, checked=True)
    if form.validate():
        return redirect(url_for("cases.check", process=process.slug), 303)
    return redirect(_page_url(process, next(page_of(process, f.name) for f in form if f.errors)), 303)


@bp.post("/new/<process>/draft/delete")
def delete_draft(process):
    process = _process_or_404(process)
    if drafts.discard(g.viewer.user, process.slug):
        db.session.commit()
        _drop_pending(process)
        flash(f"Your saved answers to ‘{process.title}’ have been deleted", "success")
    return redirect(url_for("cases.mine"), 303)


@bp.route("/new/<process>/check", methods=["GET", "POST"])
def check(process):
    """Check your answers: a page of its own (post/redirect/get), so Back and reload never resubmit."""
    process = _process_or_404(process)
    pending = _pending(process)
    if pending is None:
        token = request.form.get("raise_token", "")
        if request.method == "POST" and RAISE_TOKEN.fullmatch(token):
            case = cases.raised_with(g.council, g.viewer.user, f"form:{token}")
            if case is not None:  # "Raise it" pressed again after it was raised
                return redirect(url_for("cases.raised", reference=case.reference), 303)
        return redirect(url_for("cases.raise_case", process=process.slug), 303)
    form = _pending_form(process, pending, checked=True)
    if not form.validate():  # a question not yet answered (or the form changed): the first page that needs it
        missing = next(page_of(process, f.name) for f in form if f.errors)
        return redirect(_page_url(process, missing), 303)
    if request.method == "POST" and request.form.get("confirmed") == "yes":
        return _raise(process, form, pending["token"])
    last = _next_page(process, form, len(question_pages(process)) + 1, step=-1)
    return render_template("cases/check.html", process=process, form=form,
                           answers=answers_of(form, process.intake), raise_token=pending["token"],
                           change_url=lambda name: _page_url(process, page_of(process, name), change="yes") + "#" + name,
                           back=_page_url(process, last or 1))


def _raise(process, form, token):
    try:
        case, created = cases.raise_once(g.council, process, answers_of(form, process.intake), g.viewer.user,
                                         f"form:{token}")
    except cases.CaseError as e:
        return render_template("cases/raise.html", process=process, form=form, problem=str(e),
                               raise_token=token, action=url_for("cases.raise_case", process=process.slug)), 409
    _drop_pending(process)
    if drafts.discard(g.viewer.user, process.slug):  # raised: the saved answers are not kept twice
        db.session.commit()
    session[RAISED_KEY] = {**(session.get(RAISED_KEY) or {}), process.slug: case.reference}
    if not created:
        flash("You had already raised this: it has not been raised twice", "info")
    return redirect(url_for("cases.raised", reference=case.reference), 303)


@bp.get("/<reference>/raised")
def raised(reference):
    """The confirmation panel: the reference and what happens next, for the person who raised it."""
    case, _ = _case_or_404(reference, need=None)
    if case.raised_by_id != g.viewer.user.id:
        return redirect(url_for("cases.show", reference=case.reference))
    stage = stage_of(g.council, case, case.current) if case.current is not None else None
    return render_template("cases/raised.html", case=case, process=process_of(g.council, case), stage=stage,
                           holders=holders(case.current) if case.current else [])


def _case_page():
    """What the case page shows, one statement per relationship however long the timeline.

    Built per request: loader options made at import would configure every mapper at start-up.
    """
    return (selectinload(Case.stages).selectinload(StageEntry.offers).joinedload(StageOffer.contact),)


def _timeline(case):
    """The case's events with their actors' names, as plain rows: 300 of them cost a fifth of ORM objects."""
    return db.session.execute(
        select(CaseEvent.at, CaseEvent.summary, User.name.label("actor_name"))
        .outerjoin(User, CaseEvent.actor_id == User.id)
        .where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)).all()


def _case_or_404(reference, need=FULL, options=()):
    if options:
        case = db.session.scalar(select(Case).where(Case.council == g.council.slug, Case.reference == reference)
                                 .options(*options))
    else:
        case = cases.find(g.council, reference)
    if case is None:
        abort(404)
    seen = g.viewer.access(case)
    if seen is None or (need == FULL and seen != FULL):
        abort(404)
    return case, seen


def _problem(text: str, field: str | None = None, value: str | None = None) -> None:
    """A problem with a form posted here and redirected back: shown in the page's error summary, linked to
    ``field`` (an element id), with what was typed kept for the field."""
    flash({"text": text, **({"href": f"#{field}"} if field else {})}, "problem")  # type: ignore[arg-type]  # the session keeps dicts
    if field and value is not None:
        _keep({field: value})


def _keep(values: dict) -> None:
    """What was typed in a form posted here, given back once to the page it is redirected to."""
    flash(values, "kept")  # type: ignore[arg-type]  # the session keeps dicts


def _posted_entry() -> int | None:
    return row_id(request.form.get("entry"))


@bp.route("/<reference>", methods=["GET", "POST"])
@names_its_own_text_problems
def show(reference):
    case, seen = _case_or_404(reference, need=None, options=_case_page())
    if seen == TAKEN:
        audit.record(case, g.viewer.user, "view-taken")
        db.session.commit()
        return render_template("cases/taken.html", case=case, stages=_stages_by_slug(case))
    if seen == PROGRESS:
        return redirect(url_for("cases.progress", reference=case.reference))
    form = stage = None
    problem = None
    if case.current is not None:
        stage = stage_of(g.council, case, case.current)
        if g.viewer.may_act(case):
            form = record_form_class(stage)()
    if request.method == "POST":
        try:
            cases.open_entry(case, _posted_entry())
        except cases.CaseError as e:  # a form posted twice, or after someone else acted: nothing happens
            _problem(str(e))
            return redirect(url_for("cases.show", reference=case.reference))
        if form is None:
            abort(404)
        if form.validate():
            assert stage is not None  # a form is made only for a stage
            record = record_of(form, stage)
            try:
                cases.act(g.council, case, form.action.data, record, g.viewer.user, _posted_entry())
            except cases.StaleEntry as e:
                _problem(str(e))
                return redirect(url_for("cases.show", reference=case.reference))
            except cases.CaseError as e:
                form.action.errors = [str(e)]
            else:
                flash("Your record has been saved", "success")
                return redirect(url_for("cases.show", reference=case.reference))
        # The page shows the case again, answers and all: that is a read.
        audit.record(case, g.viewer.user, "view", "form with errors")
        db.session.commit()
    else:
        audit.record(case, g.viewer.user, "view")
        db.session.commit()
    return render_template(
        "cases/show.html",
        case=case,
        process=process_of(g.council, case),
        stage=stage,
        # Only a calendar-day deadline can end on a day off: the Due row says so.
        due_note=(not_working_note(calendar_for(g.council), case.current.due_on)
                  if stage is not None and isinstance(stage.deadline, CalendarDays) else ""),
        form=form,
        problem=problem,
        holders=holders(case.current) if case.current else [],
        may_take=g.viewer.may_take(case),
        may_withdraw=g.viewer.may_withdraw(case),
        may_reassign=g.viewer.is_lead and case.current is not None,
        holder_token=cases.holder_token(case.current) if case.current else "",
        colleagues=([(directory.choice_value(p), p) for p in directory.colleagues(g.council, case.raised_by)]
                    if g.viewer.is_lead and case.current else []),
        stages=_stages_by_slug(case),
        failed=_failed_notifications(case),
        timeline=_timeline(case),
    )


@bp.post("/<reference>/take")
def take(reference):
    case, _ = _case_or_404(reference)
    if not g.viewer.may_take(case):
        abort(404)
    try:
        cases.take(g.council, case, g.viewer.user, _posted_entry())
    except cases.CaseError as e:
        _problem(str(e))
    else:
        flash("You have taken this stage: it is yours now", "success")
    return redirect(url_for("cases.show", reference=case.reference))


@bp.post("/<reference>/withdraw")
@names_its_own_text_problems
def withdraw(reference):
    case, _ = _case_or_404(reference)
    if not g.viewer.may_withdraw(case):
        abort(404)
    reason = request.form.get("reason", "").strip()
    problem = "Enter why you are withdrawing it" if not reason else text_problem(reason, multiline=True)
    if problem:
        _problem(problem if not reason else f"Why you are withdrawing it {problem}", "withdraw-reason", reason)
        return redirect(url_for("cases.show", reference=case.reference))
    try:
        cases.act(g.council, case, cases.WITHDRAW, {"reason": reason}, g.viewer.user, _posted_entry())
    except cases.CaseError as e:
        _problem(str(e))
    else:
        flash("You have withdrawn this case", "success")
    return redirect(url_for("cases.show", reference=case.reference))


@bp.post("/<reference>/reassign")
@names_its_own_text_problems
def reassign(reference):
    case, _ = _case_or_404(reference)
    if not g.viewer.is_lead or case.current is None:
        abort(404)
    people = {directory.choice_value(p): p for p in directory.colleagues(g.council, case.raised_by)}
    chosen = request.form.get("person", "")
    person = people.get(chosen)
    note = request.form.get("note", "").strip()
    problems = []
    if person is None:
        problems.append(("Choose the person to reassign to from the list", "reassign-person"))
    if not note:
        problems.append(("Enter a note saying why you are reassigning it", "reassign-note"))
    elif problem := text_problem(note, multiline=True):
        problems.append((f"Note {problem}", "reassign-note"))
    if problems:
        for text, field in problems:
            _problem(text, field)
        _keep({"reassign-person": chosen if chosen in people else "",
               "reassign-note": "" if unsavable(note) else note})
        return redirect(url_for("cases.show", reference=case.reference))
    assert person is not None  # else a problem above
    try:
        cases.reassign(g.council, case, g.viewer.user, _posted_entry(), person, note[:2000],
                       seen=request.form.get("holder"))
    except cases.CaseError as e:
        _problem(str(e))
    else:
        flash(f"The stage has been reassigned to {person.name}", "success")
    return redirect(url_for("cases.show", reference=case.reference))


@bp.get("/<reference>/progress")
def progress(reference):
    """What a council admin sees of a case: where it is and its messages, never the child's details."""
    case, seen = _case_or_404(reference, need=None)
    if not g.viewer.is_admin:
        abort(404)
    audit.record(case, g.viewer.user, "view-progress")
    db.session.commit()
    messages = db.session.scalars(db.select(ScheduledNotification).where(
        ScheduledNotification.case_id == case.id).order_by(ScheduledNotification.id)).all()
    return render_template("cases/progress.html", case=case, stages=_stages_by_slug(case), messages=messages,
                           holders=holders(case.current) if case.current else [])


@bp.post("/<reference>/notifications/<int:row_id>/resend")
def resend(reference, row_id):
    case, _ = _case_or_404(reference, need=None)
    if not g.viewer.is_admin:
        abort(404)
    row = db.session.get(ScheduledNotification, row_id)
    if row is None or row.case_id != case.id or row.state != "failed":
        abort(404)
    row.state, row.attempts, row.last_error, row.send_after = "pending", 0, None, now()
    audit.record(case, g.viewer.user, "resend", f"{row.kind} message")
    db.session.commit()
    flash(f"The {row.kind} message to {row.recipient} will be sent again within a minute", "success")
    return redirect(url_for("cases.progress", reference=case.reference))


def _failed_notifications(case):
    if not g.viewer.is_admin:
        return []
    return db.session.scalars(db.select(ScheduledNotification).where(
        ScheduledNotification.case_id == case.id, ScheduledNotification.state == "failed")).all()


def _stages_by_slug(case):
    ladder = process_of(g.council, case).ladder(case.ladder)
    return {s.slug: s for s in ladder.stages}
