"""Council admins keep the contact directory: many people at once, with a note per edit.

Open cases find their people through the directory when they are shown or
notified, so replacing a contact here reaches every case at that rung.
"""
from __future__ import annotations

import csv
import io
from typing import Any

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField, validators

from core.engine import audit, directory
from core.engine.cases import reoffer_stranded, stranded_entries
from core.engine.outbox import replan, tell_leads_rung_empty
from core.forms.checked import CheckedForm, CheckedPlainForm
from core.http.hygiene import names_its_own_text_problems
from core.http.tenancy import admins_only, council_blueprint
from core.model.directory_csv import missing_columns
from core.model.inputs import text_problem
from core.model.records import Contact, ContactChange, db
from core.reads.exports import FORMULA_STARTS, safe
from core.runtime import now

bp = council_blueprint("directory", __name__, "/admin/directory")

NOTE_REQUIRED = "Enter a note saying why the directory is changing"
SELF = "You cannot put yourself on a rung: ask another council admin to make this change"
bp.before_request(admins_only)  # every page here is for council admins


class ContactRow(CheckedPlainForm):
    """One row of the bulk edit table."""

    name = StringField("Name", [validators.DataRequired("Enter a name"), validators.Length(max=200)],
                       filters=[lambda v: v.strip() if v else v])
    email = EmailField("Email", [validators.DataRequired("Enter an email address"),
                                 validators.Email("Enter an email address in the right format, like name@example.org")],
                       filters=[lambda v: v.strip().lower() if v else v])
    active = BooleanField("Active")


class NoteForm(CheckedForm):
    note = TextAreaField("Note for this change", [validators.DataRequired(NOTE_REQUIRED), validators.Length(max=2000)])


class NewContactForm(NoteForm):
    role = SelectField("Rung")
    scope = SelectField("For", validate_choice=False)
    name = StringField("Name", [validators.DataRequired("Enter a name"), validators.Length(max=200)])
    email = EmailField("Email", [validators.DataRequired("Enter an email address"),
                                 validators.Email("Enter an email address in the right format, like name@example.org")])

    def validate_scope(self, field):
        allowed = scopes_of(g.council).get(self.role.data, ())
        if allowed and field.data not in allowed:
            raise validators.ValidationError(f"Select which {' or '.join(allowed[:2])}… this person covers")
        if not allowed:
            field.data = None


class ImportForm(NoteForm):
    file = FileField("CSV file", [FileRequired("Choose a CSV file to import")])


IMMEDIATE_RISK_TITLE = "Same-day contact when a child is at immediate risk"
PER_PAGE = 50


def rung_titles(council) -> dict[str, str]:
    """Every rung the directory may hold, slug → title: the ladders' roles and the immediate-risk contact."""
    titles = {slug: role.title for slug, role in council.roles.items()}
    if council.immediate_risk_role:
        titles.setdefault(council.immediate_risk_role, IMMEDIATE_RISK_TITLE)
    return titles


def scopes_of(council) -> dict[str, tuple[str, ...]]:
    """For each scoped role, the answers it can be scoped by (e.g. the learning communities)."""
    return {
        stage.role.slug: process.field(stage.role.scope).choices
        for process, _, stage in council.stages()
        if stage.role.scope
    }


def contacts():
    return db.session.scalars(
        select(Contact).where(Contact.council == g.council.slug).order_by(Contact.role, Contact.scope, Contact.name, Contact.email)
    ).all()


def _listing():
    """The rows this page shows: filtered by rung and by name or email, a page at a time."""
    rung, q = request.args.get("rung", ""), (request.args.get("q") or "").strip()
    query = select(Contact).where(Contact.council == g.council.slug)
    if rung in rung_titles(g.council):
        query = query.where(Contact.role == rung)
    if q:
        query = query.where(or_(func.lower(Contact.name).contains(q.lower(), autoescape=True),
                                func.lower(Contact.email).contains(q.lower(), autoescape=True)))
    total = db.session.scalar(query.with_only_columns(func.count(Contact.id))) or 0
    pages = max(1, -(-total // PER_PAGE))
    try:
        page = min(max(1, int(request.args.get("page", "1"))), pages)
    except ValueError:
        page = 1
    rows = db.session.scalars(query.order_by(Contact.role, Contact.scope, Contact.name, Contact.id)
                              .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    args = {k: v for k, v in (("rung", rung), ("q", q)) if v}
    return rows, {"total": total, "page": page, "pages": pages, "args": args, "rung": rung, "q": q}


def _new_contact_form():
    form = NewContactForm(prefix="new")
    form.role.choices = list(rung_titles(g.council).items())
    form.scope.choices = [("", "Everyone (no particular scope)")] + sorted(
        {(s, s) for values in scopes_of(g.council).values() for s in values}
    )
    return form


@bp.route("/", methods=["GET", "POST"])
@names_its_own_text_problems
def edit():
    rows, listing = _listing()
    note = NoteForm()
    forms = {c.id: ContactRow(request.form if request.method == "POST" else None, obj=c, prefix=f"c{c.id}") for c in rows}
    if request.method == "POST":
        valid = note.validate_on_submit()
        valid = all([form.validate() for form in forms.values()]) and valid
        for c in rows:
            if forms[c.id].email.data == g.viewer.user.email and c.email != g.viewer.user.email:
                forms[c.id].email.errors = [*forms[c.id].email.errors, SELF]
                valid = False
        if valid:
            before = stranded_entries(g.council.slug)
            changed = _apply(rows, forms, note.note.data)
            emptied = [e for e in stranded_entries(g.council.slug) if e not in before]
            if emptied and request.form.get("confirm_empty") != "yes":
                db.session.rollback()
                rows, listing = _listing()
                return _page(rows, forms, note, [], emptied=emptied, listing=listing)
            _commit_and_replan(emptied)
            flash(f"{changed} contact{'s' if changed != 1 else ''} updated" if changed else "Nothing had changed", "success")
            return redirect(url_for("directory.edit", **listing["args"], page=listing["page"]))
    errors = [
        {"text": f"{c.name}: {msg[0]}", "href": f"#c{c.id}-{field}"}
        for c in rows for field, msg in forms[c.id].errors.items()
    ] + [{"text": m, "href": "#note"} for m in note.note.errors]
    return _page(rows, forms, note, errors, listing=listing)


def _page(rows, forms, note, errors, new=None, upload=None, status=200, emptied=(), listing=None):
    return render_template("admin/directory.html", rows=rows, forms=forms, note=note, errors=errors,
                           new=new or _new_contact_form(), upload=upload or ImportForm(prefix="import"),
                           roles=rung_titles(g.council), emptied=emptied, conflicts=directory.conflicts(g.council.slug),
                           stages=_stage_titles(emptied), listing=listing or _listing()[1]), status


def _stage_titles(entries) -> dict[int, str]:
    return {e.id: g.council.process(e.case.process).ladder(e.case.ladder).stage(e.stage).title for e in entries}


def _unchanged_page(errors, **forms):
    rows, _ = _listing()
    return _page(rows, {c.id: ContactRow(obj=c, prefix=f"c{c.id}") for c in rows}, NoteForm(), errors,
                 status=400, **forms)


def _apply(rows, forms, note: str) -> int:
    moment, changed = now(), 0
    for contact in rows:
        form = forms[contact.id]
        diff = {
            field: [getattr(contact, field), form[field].data]
            for field in ("name", "email", "active")
            if getattr(contact, field) != form[field].data
        }
        if diff:
            form.populate_obj(contact)
            if "email" in diff:
                contact.user_id = None  # a new person: bound at their first verified sign-in
            db.session.add(ContactChange(council=g.council.slug, contact=contact, at=moment, by_id=g.viewer.user.id,
                                         changes=diff, note=note))
            changed += 1
    db.session.flush()
    return changed


@bp.post("/conflicts")
def resolve_conflict():
    """The admin says which of the identities sharing an email is the person; the others are set aside."""
    email = request.form.get("email", "").strip().lower()
    note = request.form.get("note", "").strip()
    conflict = next((c for c in directory.conflicts(g.council.slug) if c.email == email), None)
    if conflict is None:
        flash("That email is no longer shared by two identities: nothing was changed", "problem")
        return redirect(url_for("directory.edit"))
    chosen = next((u for u in conflict.identities if str(u.id) == request.form.get("identity", "")), None)
    problem = text_problem(note, multiline=True) if note else NOTE_REQUIRED
    if chosen is None or problem:
        errors = ([{"text": f"Select who {email} is", "href": f"#identity-{conflict.identities[0].id}"}]
                  if chosen is None else [])
        if problem:
            errors.append({"text": problem if note else NOTE_REQUIRED, "href": "#conflict-note-1"})
        return _unchanged_page(errors)
    moment = now()
    aside = directory.resolve(g.council.slug, email, chosen, moment)
    for contact in conflict.contacts:
        db.session.add(ContactChange(council=g.council.slug, contact=contact, at=moment, by_id=g.viewer.user.id,
                                     changes={"identity": [None, f"{chosen.name} ({chosen.issuer})"]}, note=note))
    audit.record_council(g.council.slug, g.viewer.user, "identity-chosen",
                         f"{email}: kept {chosen.issuer}; set aside {len(aside)} other identities")
    _commit_and_replan()
    flash(f"{chosen.name} now holds what {email} is given; the other sign-ins hold nothing by it", "success")
    return redirect(url_for("directory.edit"))


@bp.post("/add")
@names_its_own_text_problems
def add():
    form = _new_contact_form()
    if form.is_submitted() and (form.email.data or "").strip().lower() == g.viewer.user.email:
        form.validate()
        form.email.errors = [*form.email.errors, SELF]
        return _unchanged_page([{"text": SELF, "href": "#new-email"}], new=form)
    if not form.validate_on_submit():
        return _unchanged_page([{"text": m[0], "href": f"#new-{f}"} for f, m in form.errors.items()], new=form)
    contact = Contact(council=g.council.slug, role=form.role.data, scope=form.scope.data or None,
                      name=form.name.data.strip(), email=form.email.data.strip().lower())
    if _on_rung(contact.role, contact.scope, contact.email):
        return _unchanged_page([{"text": f"{contact.email} is already on this rung", "href": "#new-email"}], new=form)
    db.session.add(contact)
    db.session.add(ContactChange(council=g.council.slug, contact=contact, at=now(), by_id=g.viewer.user.id,
                                 changes={"added": [None, _rung_words(contact.role, contact.scope)]},
                                 note=form.note.data))
    _commit_and_replan()
    flash(f"{contact.name} added", "success")
    return redirect(url_for("directory.edit"))


def _on_rung(role, scope, email) -> bool:
    return (db.session.scalar(select(func.count(Contact.id)).where(
        Contact.council == g.council.slug, Contact.role == role, Contact.email == email,
        Contact.scope.is_(None) if scope is None else Contact.scope == scope)) or 0) > 0


def _rung_words(role, scope) -> str:
    title = rung_titles(g.council).get(role, role)
    return f"{title} for {scope}" if scope else title


def _commit_and_replan(emptied=()) -> None:
    # The directory change and the re-addressed notifications commit together.
    db.session.flush()
    with directory.read_whole(g.council.slug):  # one read of the directory, however many stages are stranded
        reoffer_stranded(g.council)
    replan(g.council)
    for entry in emptied:
        tell_leads_rung_empty(g.council, entry)
    db.session.commit()


@bp.get("/history")
def history():
    changes = db.session.scalars(
        select(ContactChange).where(ContactChange.council == g.council.slug).order_by(ContactChange.id.desc()).limit(500)
    ).all()
    return render_template("admin/directory_history.html", changes=changes, roles=rung_titles(g.council))


@bp.get("/export.csv")
def export():
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["role", "scope", "name", "email", "active"])
    for c in contacts():
        writer.writerow([safe(cell) for cell in (c.role, c.scope or "", c.name, c.email)]
                        + ["yes" if c.active else "no"])
    return current_app.response_class(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={g.council.slug}-directory.csv"})


@bp.post("/import")
def import_csv():
    """Add or update contacts from a CSV (role, scope, name, email[, active]); all rows or none."""
    form = ImportForm(prefix="import")
    if not form.validate_on_submit():
        return _unchanged_page([{"text": m[0], "href": f"#import-{f}"} for f, m in form.errors.items()], upload=form)
    try:
        text = form.file.data.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        return _unchanged_page([{"text": "The file must be a CSV saved as UTF-8", "href": "#import-file"}], upload=form)
    try:
        rows, errors = _parse(text)
    except CsvLineError as problem:
        # The parser stops at the first line it cannot read (a cell over its size limit, a stray quote
        # or line ending): say where, and import nothing.
        errors = [f"Line {problem.line}: this line cannot be read as CSV ({problem.reason}). Check its quotes and "
                  "line endings, or save the file again from the spreadsheet as 'CSV UTF-8'"]
    if errors:
        return _unchanged_page([{"text": e, "href": "#import-file"} for e in errors[:20]], upload=form)
    added, updated = _write_import(rows, form.note.data)
    _commit_and_replan()
    flash(f"Imported: {added} added, {updated} updated", "success")
    return redirect(url_for("directory.edit"))


def _write_import(rows, note: str) -> tuple[int, int]:
    """The import as one diff against the directory, written in bulk: (added, updated).

    One read of the council's contacts; the new contacts in one INSERT and their ids in one read, the
    changed ones in one UPDATE, and the history rows of both in one INSERT: each an executemany of
    its rows, so the statements do not grow with the file. The contacts already loaded are given
    their new values, so what runs after the import in this request reads them as they are now.
    """
    existing = {(c.role, c.scope, c.email): c for c in contacts()}
    moment, by_id, council = now(), g.viewer.user.id, g.council.slug
    new, changes = [], []
    for row in rows:
        contact = existing.get((row["role"], row["scope"], row["email"]))
        if contact is None:
            new.append(row)
        else:
            diff = {f: [getattr(contact, f), row[f]] for f in ("name", "active") if getattr(contact, f) != row[f]}
            if diff:
                changes.append((contact, diff, row))
    if new:
        # One executemany; then their ids in one read (RETURNING would send SQLite's rows one by one).
        db.session.execute(insert(Contact.__table__), [
            {"council": council, "role": r["role"], "scope": r["scope"], "email": r["email"], "name": r["name"],
             "active": r["active"]} for r in new])
        known = {c.id for c in existing.values()}
        added = {(role, scope, email): id_ for id_, role, scope, email in db.session.execute(
            select(Contact.id, Contact.role, Contact.scope, Contact.email).where(Contact.council == council))
            if id_ not in known}
        ids = [added[(r["role"], r["scope"], r["email"])] for r in new]
    else:
        ids = []
    if changes:
        db.session.execute(update(Contact), [{"id": c.id, "name": r["name"], "active": r["active"]}
                                             for c, _, r in changes])
        for contact, _, row in changes:
            set_committed_value(contact, "name", row["name"])
            set_committed_value(contact, "active", row["active"])
    history = [{"contact_id": i, "changes": {"added": [None, _rung_words(r["role"], r["scope"])]}}
               for i, r in zip(ids, new, strict=True)]
    history += [{"contact_id": c.id, "changes": diff} for c, diff, _ in changes]
    if history:
        db.session.execute(insert(ContactChange), [
            {"council": council, "at": moment, "by_id": by_id, "note": note, **h} for h in history])
    return len(new), len(changes)


def _from_spreadsheet(cell: str) -> str:
    """Undo ``exports.safe``, so an exported file imports unchanged."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


class CsvLineError(csv.Error):
    def __init__(self, line: int, reason: str):
        super().__init__(reason)
        self.line, self.reason = line, reason


def _lines(text: str):
    """Rows of the CSV as dicts; a line the parser cannot read raises ``CsvLineError`` with its number."""
    if "\r" in text.replace("\r\n", ""):
        raise CsvLineError(1 + text.replace("\r\n", "\n").split("\r")[0].count("\n"),
                           "a line ends in a lone carriage return")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        yield next(reader, None)
        yield from reader
    except csv.Error as e:
        raise CsvLineError(reader.line_num, str(e)) from None


def _parse(text: str):
    from email_validator import EmailNotValidError, validate_email  # only an import needs it: not at start-up

    lines = _lines(text)
    fieldnames = next(lines) or []
    reader = (dict(zip(fieldnames, row, strict=False)) for row in lines if row)
    missing = missing_columns(fieldnames)
    if missing:
        return [], [f"The CSV needs the columns role, scope, name and email (missing: {', '.join(missing)})"]
    # The immediate-risk contact (e.g. a duty team) is a directory role on no ladder.
    titles, scopes = rung_titles(g.council), scopes_of(g.council)
    by_title = {title.lower(): slug for slug, title in titles.items()}
    rows: list[dict] = []
    errors: list[str] = []
    seen: dict = {}
    for line, raw in enumerate(reader, start=2):
        row: dict[str, Any] = {k: _from_spreadsheet((raw.get(k) or "").strip()) for k in ("role", "scope", "name", "email", "active")}
        row["role"] = by_title.get(row["role"].lower(), row["role"])
        row["email"] = row["email"].lower()
        row["scope"] = row["scope"] or None
        active = row["active"].lower() or "yes"
        if active not in ("yes", "no"):
            errors.append(f"Line {line}: active must be yes or no, not {row['active']}")
        row["active"] = active == "yes"
        if row["role"] not in titles:
            errors.append(f"Line {line}: {row['role'] or 'an empty role'} is not a rung here; use one of {', '.join(titles)}")
        elif row["scope"] and row["scope"] not in scopes.get(row["role"], ()):
            errors.append(f"Line {line}: {row['scope']} is not a scope of {titles[row['role']]}")
        if not row["name"]:
            errors.append(f"Line {line}: the name is empty")
        for field in ("name", "email"):
            problem = text_problem(row[field])
            if problem:
                errors.append(f"Line {line}: the {field} {problem}")
        if row["email"] == g.viewer.user.email:
            errors.append(f"Line {line}: {SELF}")
        try:
            validate_email(row["email"], check_deliverability=False)
        except EmailNotValidError:
            errors.append(f"Line {line}: {row['email'] or 'the email'} is not an email address")
        key = (row["role"], row["scope"], row["email"])
        if key in seen:
            errors.append(f"Line {line}: {row['email']} is on this rung already, at line {seen[key]}")
        seen.setdefault(key, line)
        rows.append(row)
    return rows, errors
