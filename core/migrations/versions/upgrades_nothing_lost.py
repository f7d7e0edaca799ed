"""nothing lost over time: digests that record their failures; open stages from older releases given
their holders and long-overdue day; repairs for databases an earlier 0003 or 0004 built; a downgrade
that would delete audit rows refuses

Revision ID: upgrades1
Revises: perf_reports1

Migrations already on main are never edited: what an earlier edit of one of them left different in
a database built before that edit is repaired here (and, for the one column 0004 needs before it can
run, in env.py).

* ``failure_digest``/``failure_digest_item``: a digest records the failures it carries and its
  email rows. Digests planned before this revision are carried over (a failure belonged to the
  digest rows created at its ``reported_at``), unsettled, so the next tick reports or releases
  their failures; a failure marked reported that no sent digest carried loses its mark and is in the
  next digest.
* Open stages entered before 0004 had no ``stage_offer`` rows, no assignee for a named holder, and
  before deadlines1 no ``long_overdue_on``: they get what the case engine gives a stage it enters
  now (core.cases._assign, core.overdue.long_overdue_on), read from the directory and calendars as
  they are today, and their long-overdue messages are planned.
* A database built at 296da5b has ``scheduled_notification.case_id`` NOT NULL (digest rows have no
  case); one built at 33b0fef lacks ``ix_notification_unreported_failures``.
* Downgrade: below reports1, ``audit_event.case_id`` becomes NOT NULL and reports1's downgrade
  deletes the audit rows with no case. The audit log is read-only, so this downgrade refuses when
  such rows exist and the target is below reports1.
"""
from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import context, op
from alembic.util import CommandError

revision = "upgrades1"
down_revision = "perf_reports1"
branch_labels = None
depends_on = None

LONDON = ZoneInfo("Europe/London")
DIGEST = "failure-digest"

notification = sa.table(
    "scheduled_notification",
    sa.column("id", sa.Integer), sa.column("council", sa.String), sa.column("case_id", sa.Integer),
    sa.column("stage_entry_id", sa.Integer), sa.column("kind", sa.String), sa.column("recipient", sa.String),
    sa.column("dedupe_key", sa.String), sa.column("send_after", sa.DateTime), sa.column("state", sa.String),
    sa.column("attempts", sa.Integer), sa.column("created_at", sa.DateTime), sa.column("reported_at", sa.DateTime),
)
digest_table = sa.table("failure_digest", sa.column("id", sa.Integer), sa.column("council", sa.String),
                        sa.column("day", sa.Date), sa.column("created_at", sa.DateTime), sa.column("emails", sa.JSON))
item_table = sa.table("failure_digest_item", sa.column("failure_id", sa.Integer), sa.column("digest_id", sa.Integer))
case_table = sa.table("case", sa.column("id", sa.Integer), sa.column("council", sa.String),
                      sa.column("process", sa.String), sa.column("ladder", sa.String), sa.column("answers", sa.JSON),
                      sa.column("status", sa.String), sa.column("raised_by_id", sa.Integer))
entry_table = sa.table(
    "stage_entry",
    sa.column("id", sa.Integer), sa.column("case_id", sa.Integer), sa.column("position", sa.Integer),
    sa.column("stage", sa.String), sa.column("role", sa.String), sa.column("scope", sa.String),
    sa.column("entered_at", sa.DateTime), sa.column("due_on", sa.Date), sa.column("closed_at", sa.DateTime),
    sa.column("record", sa.JSON), sa.column("assignee_email", sa.String), sa.column("assignee_name", sa.String),
    sa.column("to_lead", sa.Boolean), sa.column("no_meeting", sa.Boolean), sa.column("long_overdue_on", sa.Date),
)
offer_table = sa.table("stage_offer", sa.column("stage_entry_id", sa.Integer), sa.column("contact_id", sa.Integer))
contact_table = sa.table("contact", sa.column("id", sa.Integer), sa.column("council", sa.String),
                         sa.column("role", sa.String), sa.column("scope", sa.String), sa.column("name", sa.String),
                         sa.column("email", sa.String), sa.column("active", sa.Boolean))
user_table = sa.table("user", sa.column("id", sa.Integer), sa.column("email", sa.String))
closure_table = sa.table("closure_day", sa.column("council", sa.String), sa.column("day", sa.Date))


def upgrade():
    bind = op.get_bind()
    _repair_outbox(sa.inspect(bind))
    op.create_table(
        "failure_digest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("emails", sa.JSON(), nullable=False),
        sa.Column("settled_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_failure_digest_council_day", "failure_digest", ["council", "day"])
    op.create_table(
        "failure_digest_item",
        sa.Column("failure_id", sa.Integer(), nullable=False),
        sa.Column("digest_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["failure_id"], ["scheduled_notification.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["digest_id"], ["failure_digest.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("failure_id"),
    )
    op.create_index("ix_failure_digest_item_digest_id", "failure_digest_item", ["digest_id"])
    if context.is_offline_mode():
        return
    _carry_over_digests(bind)
    _complete_open_stages(bind)


def _repair_outbox(inspector) -> None:
    columns = {c["name"]: c for c in inspector.get_columns("scheduled_notification")}
    if not columns["case_id"]["nullable"]:  # built at 296da5b
        with op.batch_alter_table("scheduled_notification") as batch:
            batch.alter_column("case_id", existing_type=sa.Integer(), nullable=True)
    if "ix_notification_unreported_failures" not in {i["name"] for i in inspector.get_indexes("scheduled_notification")}:
        unreported = sa.text("state = 'failed' AND reported_at IS NULL")  # built at 33b0fef
        op.create_index("ix_notification_unreported_failures", "scheduled_notification", ["council"],
                        postgresql_where=unreported, sqlite_where=unreported)


def _carry_over_digests(bind) -> None:
    n = notification
    digests = bind.execute(sa.select(n.c.council, n.c.created_at).where(n.c.kind == DIGEST).distinct()).all()
    for council, created_at in digests:
        day = created_at.replace(tzinfo=UTC).astimezone(LONDON).date()
        emails = bind.execute(sa.select(n.c.id).where(n.c.kind == DIGEST, n.c.council == council,
                                                      n.c.created_at == created_at).order_by(n.c.id)).scalars().all()
        digest_id = bind.execute(sa.insert(digest_table).values(council=council, day=day, created_at=created_at,
                                                                emails=emails)
                                 .returning(digest_table.c.id)).scalar_one()
        bind.execute(sa.insert(item_table).from_select(
            ["failure_id", "digest_id"],
            sa.select(n.c.id, sa.literal(digest_id)).where(
                n.c.council == council, n.c.kind != DIGEST, n.c.reported_at == created_at)))
    # Reported means a digest carrying it was sent: the rest are reported again (when their digest is sent).
    sent = n.alias("sent")
    bind.execute(sa.update(n).where(n.c.kind != DIGEST, n.c.reported_at.is_not(None), ~sa.exists().where(
        sent.c.kind == DIGEST, sent.c.council == n.c.council, sent.c.created_at == n.c.reported_at,
        sent.c.state == "sent")).values(reported_at=None))


def _complete_open_stages(bind) -> None:
    """Give each open stage what the case engine gives a stage it enters now."""
    from flask import current_app, has_app_context

    if not has_app_context() or "concord" not in current_app.extensions:
        return
    from core.calendar import WorkingDayCalendar
    from core.overdue import long_overdue_on

    councils = current_app.extensions["concord"].councils
    e, c = entry_table, case_table
    open_entries = bind.execute(sa.select(e, c.c.council, c.c.process, c.c.ladder, c.c.answers, c.c.raised_by_id)
                                .join(c, c.c.id == e.c.case_id)
                                .where(e.c.closed_at.is_(None), c.c.status == "open").order_by(e.c.id)).all()
    offered = set(bind.execute(sa.select(offer_table.c.stage_entry_id).distinct()).scalars())
    emails = dict(bind.execute(sa.select(user_table.c.id, user_table.c.email)).all())
    calendars = {}
    for row in open_entries:
        council = councils.get(row.council)
        if council is None:
            continue
        try:
            stage = council.process(row.process).ladder(row.ladder).stage(row.stage)
        except Exception:  # a renamed stage: start-up names the case and the remap command moves it
            continue
        answers = row.answers or {}
        if row.assignee_email is None and not row.to_lead and row.id not in offered:
            _assign(bind, council, stage, row, answers, (emails.get(row.raised_by_id) or "").lower())
        if row.long_overdue_on is None and not row.no_meeting and council.long_overdue is not None:
            if council.slug not in calendars:
                closures = bind.execute(sa.select(closure_table.c.day).where(closure_table.c.council == council.slug))
                calendars[council.slug] = WorkingDayCalendar(council.nation, frozenset(closures.scalars()))
            records = bind.execute(sa.select(e.c.position, e.c.record).where(e.c.case_id == row.case_id)
                                   .order_by(e.c.position)).all()
            case = SimpleNamespace(process=row.process, ladder=row.ladder, answers=answers,
                                   stages=[SimpleNamespace(position=p, record=r) for p, r in records])
            entry = SimpleNamespace(stage=row.stage, position=row.position, due_on=row.due_on, no_meeting=False,
                                    entered_at=row.entered_at.replace(tzinfo=UTC))
            day = long_overdue_on(council, case, entry, calendars[council.slug])
            if day is not None:
                bind.execute(sa.update(e).where(e.c.id == row.id).values(long_overdue_on=day))
                _plan_long_overdue(bind, row, day, (emails.get(row.raised_by_id) or "").lower())


def _assign(bind, council, stage, row, answers, raiser) -> None:
    """As core.cases._assign: the person named on the case holds it; else it is offered to the rung."""
    e = entry_table
    named = stage.role.named_in(answers)
    if named:
        if named.lower() == raiser:
            bind.execute(sa.update(e).where(e.c.id == row.id).values(to_lead=True))
        else:
            name = (answers.get(stage.role.person_name) if stage.role.person_name else None) or named
            bind.execute(sa.update(e).where(e.c.id == row.id).values(assignee_email=named.lower(), assignee_name=name))
        return
    k = contact_table
    on_rung = sa.and_(k.c.council == council.slug, k.c.active, k.c.role == row.role)
    of_role = bind.execute(sa.select(k.c.id, k.c.scope, k.c.email).where(
        on_rung, sa.or_(k.c.scope == row.scope, k.c.scope.is_(None)) if row.scope else k.c.scope.is_(None))
        .order_by(k.c.name)).all()
    contacts = [x for x in of_role if row.scope and x.scope == row.scope] or [x for x in of_role if x.scope is None]
    others = [x for x in contacts if x.email != raiser]
    if others:
        bind.execute(sa.insert(offer_table), [{"stage_entry_id": row.id, "contact_id": x.id} for x in others])
    else:
        bind.execute(sa.update(e).where(e.c.id == row.id).values(to_lead=True))


def _plan_long_overdue(bind, row, day, raiser) -> None:
    """As core.overdue: one row to the council's safeguarding leads (expanded when due) and one to the raiser."""
    morning = datetime.combine(day, datetime.min.time().replace(hour=7), tzinfo=LONDON).astimezone(UTC)
    moment = datetime.now(UTC).replace(tzinfo=None)
    n = notification
    for recipient in dict.fromkeys(["role:safeguarding-lead", raiser]):
        if not recipient:
            continue
        key = f"entry-{row.id}/long-overdue/{recipient}"
        if bind.execute(sa.select(n.c.id).where(n.c.dedupe_key == key)).first() is None:
            bind.execute(sa.insert(n).values(
                council=row.council, case_id=row.case_id, stage_entry_id=row.id, kind="long-overdue",
                recipient=recipient, dedupe_key=key, send_after=morning.replace(tzinfo=None), state="pending",
                attempts=0, created_at=moment))


def downgrade():
    _refuse_to_delete_audit_rows()
    if not context.is_offline_mode():
        # What the code before this revision reads: a failure belongs to the digest created at its reported_at.
        d, i, n = digest_table, item_table, notification
        bind = op.get_bind()
        for digest_id, created_at in bind.execute(sa.select(d.c.id, d.c.created_at)).all():
            bind.execute(sa.update(n).where(n.c.id.in_(sa.select(i.c.failure_id).where(i.c.digest_id == digest_id)))
                         .values(reported_at=created_at))
    op.drop_index("ix_failure_digest_item_digest_id", table_name="failure_digest_item")
    op.drop_table("failure_digest_item")
    op.drop_index("ix_failure_digest_council_day", table_name="failure_digest")
    op.drop_table("failure_digest")


def _goes_below(revision_id: str) -> bool:
    """Whether the downgrade under way ends below ``revision_id`` (when unsure, yes)."""
    script = context.script
    target = context.get_revision_argument()
    if isinstance(target, (tuple, list)):
        target = target[0] if len(target) == 1 else None
    try:
        if target is None or target == "base":
            return True
        if target.startswith("-"):
            rev = script.get_revision(script.get_current_head())
            for _ in range(int(target[1:])):
                rev = script.get_revision(rev.down_revision) if rev.down_revision else None
                if rev is None:
                    return True
            target = rev.revision
        kept = {rev.revision for rev in script.iterate_revisions(target, "base")}
    except Exception:
        return True
    return revision_id not in kept


def _refuse_to_delete_audit_rows() -> None:
    if context.is_offline_mode() or not _goes_below("reports1"):
        return
    count = op.get_bind().execute(sa.text("SELECT count(*) FROM audit_event WHERE case_id IS NULL")).scalar_one()
    if count:
        raise CommandError(
            f"Refusing to downgrade below reports1: it would delete {count} audit event(s) that name no case "
            "(lists, reports and exports people read). The audit log is kept whole; restore a backup taken "
            "before the upgrade instead, or downgrade no further than reports1.")
