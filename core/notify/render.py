"""Turn an outbox row into an email: reference, what is needed, due date, link.

No child's personal data: templates get the case reference, the stage and
the dates, never the answers.
"""
from __future__ import annotations

import hashlib
from datetime import date
from typing import Any, cast
from urllib.parse import urlsplit

from flask import current_app

from core.engine import outbox
from core.hookspecs import EmailKind, Message, hookimpl
from core.model.procedures import CORE_OUTCOMES, process_of
from core.model.records import ScheduledNotification
from core.runtime import concord as concord_state
from core.runtime import now

SUBJECTS: dict[EmailKind, str] = {
    outbox.ACKNOWLEDGEMENT: "{reference}: received – {process}",
    outbox.ASSIGNMENT: "{reference}: a case is with you, due {due}",
    outbox.REMINDER: "{reference}: reminder – due {due}",
    outbox.DUE_TODAY: "{reference}: due today ({due})",
    outbox.OVERDUE: "{reference}: overdue since {due}",
    outbox.OUTCOME: "{reference}: outcome recorded",
    outbox.LATE: "{reference}: a case is with you and was already due on {due}",
    outbox.RUNG_EMPTY: "{reference}: nobody is on the rung that holds this case",
    outbox.FAILURE_DIGEST: "Concord: {count} message(s) could not be sent",
    outbox.LONG_OVERDUE: "{reference}: long overdue – due {due}",
    outbox.DUE_DATE_MOVED: "{reference}: due date moved – now {due}",
    outbox.CALENDAR_CHECK: "Concord: bank holidays changed – {count} due date(s) would move",
}


def message_id(row: ScheduledNotification) -> str:
    """A Message-ID on the base URL's domain, the same each time this row is tried.

    Not ``email.utils.make_msgid``, whose random part would give a retried or
    redelivered message a new identity: keeping it lets mail systems (and the
    chaos test) recognise the duplicate. The row id, its creation time and its
    dedupe key make it unique across databases restored from one another.
    """
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    digest = hashlib.sha256(row.dedupe_key.encode()).hexdigest()[:16]
    return f"<concord.{row.id}.{row.created_at:%Y%m%d%H%M%S}.{digest}@{host}>"


@hookimpl(trylast=True)
def concord_email_template(council, kind):
    return f"email/{kind}"


def render(row: ScheduledNotification) -> Message:
    concord = concord_state()
    council = concord.councils[row.council]
    if row.case is None:
        if row.kind == outbox.CALENDAR_CHECK:
            return render_calendar_check(row, council)
        return render_digest(row, council)
    case = row.case
    process = process_of(council, case)
    entry = row.entry
    stage = process.ladder(case.ladder).stage(entry.stage) if entry is not None else None
    due = f"{entry.due_on:%A %-d %B %Y}" if entry is not None else ""
    context: dict[str, Any] = {
        "council": council, "reference": case.reference, "process": process.title,
        "stage": stage, "scope": entry.scope if entry is not None else None, "due": due,
        # An outcome told while the case goes on (``Outcome.tells``) is its stage entry's.
        "outcome": (next((o.label for o in stage.outcomes if o.slug == entry.outcome), entry.outcome)
                    if row.kind == outbox.OUTCOME and stage is not None and entry is not None and entry.outcome else
                    CORE_OUTCOMES.get(case.outcome or "")
                    or process.ladder(case.ladder).outcome_labels().get(case.outcome or "", case.outcome)),
        "link": f"{current_app.config['BASE_URL'].rstrip('/')}/{council.slug}/cases/{case.reference}",
    }
    if row.kind == outbox.DUE_DATE_MOVED:
        from core.engine.recalculate import latest_reason

        event = latest_reason(case, row.created_at)
        context["moved"] = event.summary if event else ""
        if entry is not None and entry.no_meeting:
            context["due"] = "no meeting scheduled"
    kind = cast(EmailKind, row.kind)  # the outbox writes only EmailKinds
    template = _template(council, kind)
    subject = SUBJECTS[kind].format(**context)
    text, html = _render_pair(template, context)
    ics = calendar_entry(row, case.reference, entry.due_on, context["link"]) if row.kind in outbox.DEADLINE_KINDS and entry else None
    return Message(
        to=row.recipient, subject=subject, text=text, html=html, ics=ics, kind=row.kind, council=row.council,
        message_id=message_id(row), date=now(),
        personalisation={"reference": case.reference, "due": due, "link": context["link"],
                         "stage": stage.title if stage else ""},
    )


def _template(council, kind: EmailKind) -> str:
    """The template of an email: a plugin's (``concord_email_template``), else core's ``email/<kind>``."""
    return concord_state().pm.hook.concord_email_template(council=council, kind=kind)


def _render_pair(template: str, context: dict) -> tuple[str, str]:
    # Straight from the Jinja environment: emails need no request, and this runs per message.
    env = current_app.jinja_env
    return env.get_template(f"{template}.txt").render(context), env.get_template(f"{template}.html").render(context)


def calendar_entry(row: ScheduledNotification, reference: str, due_on: date, link: str) -> bytes:
    from icalendar import Calendar, Event  # only mail workers build calendar entries

    cal = Calendar()
    cal.add("prodid", "-//Concord//Deadlines//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"stage-{row.stage_entry_id}@{urlsplit(current_app.config['BASE_URL']).hostname or 'localhost'}")
    event.add("summary", f"{reference} due")
    event.add("dtstart", due_on)
    event.add("description", f"Open the case: {link}")
    event.add("dtstamp", row.created_at)
    cal.add_component(event)
    return cal.to_ical()


def render_digest(row: ScheduledNotification, council) -> Message:
    from core.notify.digest import failures_in

    failures = failures_in(row)
    base = current_app.config["BASE_URL"].rstrip("/")
    context = {"council": council, "failures": failures, "count": len(failures), "reference": "Concord",
               "link": f"{base}/{council.slug}/cases/"}
    text, html = _render_pair(_template(council, outbox.FAILURE_DIGEST), context)
    return Message(to=row.recipient, subject=SUBJECTS[outbox.FAILURE_DIGEST].format(**context), text=text, html=html,
                   kind=row.kind, council=row.council, message_id=message_id(row), date=now(),
                   personalisation={"count": str(len(failures)), "link": context["link"]})


def render_calendar_check(row: ScheduledNotification, council) -> Message:
    from core.engine.recalculate import preview

    moves = preview(council)
    base = current_app.config["BASE_URL"].rstrip("/")
    context = {"council": council, "moves": moves, "count": len(moves), "reference": "Concord",
               "link": f"{base}/{council.slug}/admin/calendar/"}
    text, html = _render_pair(_template(council, outbox.CALENDAR_CHECK), context)
    return Message(to=row.recipient, subject=SUBJECTS[outbox.CALENDAR_CHECK].format(**context), text=text, html=html,
                   kind=row.kind, council=row.council, message_id=f"<notification-{row.id}@{council.slug}.concord.invalid>",
                   personalisation={"count": str(len(moves)), "link": context["link"]})
