"""Retention and data rights: erase what a council no longer may keep, export what a person may ask for.

``purge`` runs daily from the scheduler (``run_daily``) and on demand
(``flask concord purge [--dry-run]``). Per council's ``retention_years`` it
erases the answers, stage records and timeline wording of cases closed longer
ago, and who held and acted at each stage, keeping the anonymised figures
reports need: process, ladder, outcome, dates, and each stage's slug, rung,
due and closed dates. (The raiser's account stays linked to the case.) It also deletes sent
and cancelled outbox rows (they name recipients) after ``CONCORD_SENT_MAIL_DAYS``
and the development outbox's whole messages after ``CONCORD_DEV_MAIL_DAYS``.
Each erasure and each export is audited.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select

from core.engine import audit
from core.engine.drafts import Draft
from core.model.clock import LONDON
from core.model.procedures import process_of
from core.model.records import Case, CaseLearning, DevMail, ScheduledNotification, User, db
from core.runtime import now

PURGE_TIME = time(2, 0)
ERASED_SUMMARY = "Details erased under the council's retention policy"


@dataclass
class PurgeReport:
    erased: dict[str, list[str]] = field(default_factory=dict)  # council slug -> references
    outbox_rows: int = 0
    dev_mail: int = 0
    drafts: int = 0

    def lines(self) -> list[str]:
        lines = [f"{slug}: {len(refs)} case(s) past retention: {', '.join(refs) or '-'}"
                 for slug, refs in sorted(self.erased.items())]
        lines.append(f"sent or cancelled outbox rows past CONCORD_SENT_MAIL_DAYS: {self.outbox_rows}")
        lines.append(f"development outbox messages past CONCORD_DEV_MAIL_DAYS: {self.dev_mail}")
        lines.append(f"saved drafts past their expiry: {self.drafts}")
        return lines


def years_before(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def purge(dry_run: bool = False) -> PurgeReport:
    """Erase and delete what is past retention, in one transaction; ``dry_run`` only counts."""
    moment = now()
    report = PurgeReport()
    for council in current_app.extensions["concord"].councils.values():
        due = db.session.scalars(select(Case).where(
            Case.council == council.slug, Case.status == "closed", Case.erased_at.is_(None),
            Case.closed_at < years_before(moment, council.retention_years)).order_by(Case.id)).all()
        report.erased[council.slug] = [case.reference for case in due]
        if not dry_run:
            for case in due:
                erase(case, moment)
    mail_cutoff = moment - timedelta(days=current_app.config["SENT_MAIL_DAYS"])
    old_mail = or_(
        (ScheduledNotification.state == "sent") & (ScheduledNotification.sent_at < mail_cutoff),
        (ScheduledNotification.state == "cancelled") & (ScheduledNotification.created_at < mail_cutoff))
    old_dev_mail = DevMail.at < moment - timedelta(days=current_app.config["DEV_MAIL_DAYS"])
    # A draft holds a child's details someone began to type: gone at its expiry, whoever reads drafts.
    old_drafts = Draft.expires_at <= moment
    if dry_run:
        report.drafts = db.session.scalar(select(db.func.count()).select_from(Draft).where(old_drafts)) or 0
        report.outbox_rows = db.session.scalar(
            select(db.func.count()).select_from(ScheduledNotification).where(old_mail)) or 0
        report.dev_mail = db.session.scalar(select(db.func.count()).select_from(DevMail).where(old_dev_mail)) or 0
        db.session.rollback()
        return report
    report.outbox_rows = db.session.execute(delete(ScheduledNotification).where(old_mail)).rowcount  # type: ignore[attr-defined]
    report.dev_mail = db.session.execute(delete(DevMail).where(old_dev_mail)).rowcount  # type: ignore[attr-defined]
    report.drafts = db.session.execute(delete(Draft).where(old_drafts)).rowcount  # type: ignore[attr-defined]
    db.session.commit()
    return report


def erase(case: Case, moment: datetime) -> None:
    """Keep the shape of the case for reports; drop everything written about it.

    The timeline is otherwise append-only: erasure is the one change made to
    its rows, because their wording may name places, people or decisions.
    """
    case.answers = {}
    case.areas = None
    case.erased_at = moment
    for entry in case.stages:
        entry.record = None
        entry.assignee_email = entry.assignee_name = entry.acted_by_id = entry.assignee_id = None
    for event in case.events:
        event.summary, event.actor_id = ERASED_SUMMARY, None
    # The learning's words go too (they may name people or places); the case's themes stay counted.
    db.session.execute(delete(CaseLearning).where(CaseLearning.case_id == case.id)
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(ScheduledNotification).where(ScheduledNotification.case_id == case.id)
                       .execution_options(synchronize_session=False))
    audit.record(case, None, "erase")


def run_daily(app) -> PurgeReport | None:
    """Called from each scheduler tick: purges once a day from 02:00 Europe/London."""
    local = now().astimezone(LONDON)
    state = app.extensions.setdefault("concord.retention", {})
    if local.time() < PURGE_TIME or state.get("last") == local.date():
        return None
    report = purge()
    state["last"] = local.date()
    erased = sum(len(refs) for refs in report.erased.values())
    if erased or report.outbox_rows or report.dev_mail or report.drafts:
        app.logger.info("retention: %d case(s) erased, %d outbox rows, %d development messages and %d expired "
                        "drafts deleted", erased, report.outbox_rows, report.dev_mail, report.drafts)
    return report


def export(council, case: Case, by: User) -> dict:
    """Everything Concord holds about one case, for a subject access request (audited)."""
    process = process_of(council, case)
    ladder = process.ladder(case.ladder)
    titles = {stage.slug: stage.title for stage in ladder.stages}
    outbox = db.session.scalars(select(ScheduledNotification).where(ScheduledNotification.case_id == case.id)
                                .order_by(ScheduledNotification.id)).all()
    audit.record(case, by, "export")
    db.session.commit()
    return {
        "council": council.slug,
        "reference": case.reference,
        "process": {"slug": process.slug, "title": process.title},
        "ladder": {"slug": ladder.slug, "title": ladder.title},
        "plugin_version": case.plugin_version,
        "status": case.status,
        "outcome": case.outcome,
        "raised_at": _iso(case.raised_at),
        "closed_at": _iso(case.closed_at),
        "erased_at": _iso(case.erased_at),
        "raised_by": _person(case.raised_by),
        "opened_from": case.opened_from.reference if case.opened_from is not None else None,
        "answers": case.answers,
        "stages": [{
            "position": entry.position, "stage": entry.stage, "title": titles.get(entry.stage, entry.stage),
            "role": entry.role, "scope": entry.scope, "entered_at": _iso(entry.entered_at),
            "due_on": entry.due_on.isoformat(), "closed_at": _iso(entry.closed_at), "outcome": entry.outcome,
            "assignee": ({"name": entry.assignee_name, "email": entry.assignee_email}
                         if entry.assignee_email else None),
            "taken_at": _iso(entry.taken_at), "late_on_arrival": entry.late_on_arrival,
            "acted_by": _person(entry.acted_by), "record": entry.record,
        } for entry in case.stages],
        "timeline": [{"at": _iso(event.at), "kind": event.kind, "summary": event.summary,
                      "actor": _person(event.actor)} for event in case.events],
        "notifications": [{"kind": row.kind, "recipient": row.recipient, "state": row.state,
                           "send_after": _iso(row.send_after), "sent_at": _iso(row.sent_at)} for row in outbox],
        "exported_at": _iso(now()),
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _person(user: User | None) -> dict | None:
    return {"name": user.name, "email": user.email} if user is not None else None
