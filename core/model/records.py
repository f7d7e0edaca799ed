"""What Concord stores. Every row carries its council; every query filters by it."""
from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache

import msgspec
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text, TypeDecorator, UniqueConstraint, func, text
from sqlalchemy import false as sa_false
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry, relationship


def insert_ignoring_duplicates(model, rows: list[dict] | None = None, session=None, **values) -> None:
    """One INSERT (of one row, or many) that skips rows whose unique key already exists (SQLite and PostgreSQL)."""
    session = session or db.session
    rows = rows if rows is not None else [values]
    if rows:
        # One statement with the rows as parameters (an executemany): compiled once and cached, where a
        # VALUES list built per call would be compiled again for every new number of rows.
        session.execute(_ignoring_duplicates(model.__table__, session.get_bind().dialect.name), rows)


@cache
def _ignoring_duplicates(table, dialect: str):
    """The table's INSERT … ON CONFLICT DO NOTHING, built once per dialect (building it cost more CPU than
    sending it)."""
    return dialect_module_named(dialect).insert(table).on_conflict_do_nothing()


def insert_rows(session, table, rows: list[dict], add_up: tuple[str, ...] = ()) -> None:
    """PostgreSQL: INSERT these rows, sent as one JSON parameter, skipping those whose unique key exists, or
    with ``add_up`` adding those columns to the existing row's (an upsert on the primary key). One statement
    for the server to run however many rows, where an executemany runs its INSERT once a row."""
    sql, binds, values = rows_insert(table, rows, add_up)
    session.execute(text(sql).bindparams(*binds), values)


def rows_insert(table, rows: list[dict], add_up: tuple[str, ...] = (), name: str = "rows") -> tuple[str, tuple, dict]:
    """The SQL, bind parameters and values of ``insert_rows`` (the rows in the parameter ``name``), to send on
    its own or as one data-modifying WITH of a larger statement."""
    columns = tuple(rows[0])
    sql, binds = _rows_sql(table, columns, add_up, name)
    return sql, binds, {name: rows_as_json(rows)}


@cache
def _rows_sql(table, columns: tuple[str, ...], add_up: tuple[str, ...], name: str) -> tuple[str, tuple]:
    conflict = "DO NOTHING"
    if add_up:
        keys = ", ".join(c.name for c in table.primary_key.columns)
        conflict = f"({keys}) DO UPDATE SET " + ", ".join(f"{c} = {table.name}.{c} + excluded.{c}" for c in add_up)
    rows, binds = json_rows(table, columns, name)
    listed = ", ".join(columns)
    return (f"INSERT INTO {table.name} ({listed}) SELECT {', '.join(f'x.{c}' for c in columns)} FROM {rows} "
            f"ORDER BY x.n ON CONFLICT {conflict}"), binds


@cache
def json_rows(table, columns: tuple[str, ...], name: str) -> tuple[str, tuple]:
    """PostgreSQL: the rows of the JSON parameter ``name`` (``rows_as_json``) as the FROM item ``x``, with
    ``columns`` typed as the table types them and ``x.n`` the rows' order; and its bind parameter.

    One JSON text where there was an array per column: psycopg converted each array in Python, a tenth of a
    submission's CPU for its 26 arrays, where a JSON encoder writes the text in C."""
    from sqlalchemy import bindparam
    from sqlalchemy.dialects import postgresql

    quote = postgresql.dialect().identifier_preparer.quote
    typed = ", ".join(f"{quote(c)} {table.c[c].type.compile(postgresql.dialect())}" for c in columns)
    quoted = ", ".join(quote(c) for c in columns)
    return (f"ROWS FROM (jsonb_to_recordset(CAST(:{name} AS jsonb)) AS ({typed})) WITH ORDINALITY AS x({quoted}, n)",
            (bindparam(name, type_=Text()),))


def rows_as_json(rows: list[dict]) -> str:
    """Rows as ``json_rows`` reads them: each datetime as UTC without its zone, as ``UTCDateTime`` stores it.

    Written by msgspec: the standard library's ``json`` took 64 µs for a submission's nine outbox rows,
    msgspec 3 (a naive datetime it writes as PostgreSQL reads a ``timestamp``: no zone to ignore)."""
    return _encode([{key: as_stored(value) if isinstance(value, datetime) else value for key, value in row.items()}
                    for row in rows]).decode()


_encode = msgspec.json.Encoder().encode


def dialect_module(session=None):
    """``sqlalchemy.dialects.postgresql`` or ``.sqlite``, for their INSERT … ON CONFLICT."""
    return dialect_module_named((session or db.session).get_bind().dialect.name)


def dialect_module_named(name: str):
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql if name == "postgresql" else sqlite


def as_stored(moment: datetime) -> datetime:
    """An aware datetime as ``UTCDateTime`` stores it: UTC, without its zone. A naive one is refused."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware one")
    return moment.astimezone(UTC).replace(tzinfo=None)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return as_stored(value) if value is not None else None

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=UTC) if value is not None else None


class Base(DeclarativeBase):
    registry = registry(type_annotation_map={datetime: UTCDateTime, dict: JSON, list: JSON})


# Objects keep their loaded state after commit: a page rendered after its action commits
# does not read back every row it has just written.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})


class User(db.Model):  # type: ignore[name-defined]
    """Someone who signed in to one council, keyed on (council, issuer, subject).

    One issuer may serve several councils (Google Workspace, a shared Entra
    tenant), so the same person signing in at two councils is two users, each
    with the roles that council's own callback received.
    """

    __table_args__ = (UniqueConstraint("council", "issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council: Mapped[str] = mapped_column(String(64), index=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list | None]
    last_sign_in_at: Mapped[datetime | None]
    # Bumped to end every session of this user (an admin's "end sessions"); sessions carry it.
    session_generation: Mapped[int] = mapped_column(default=0)
    # Set when a council admin decided, of two identities with one email, that this one is not the
    # person the directory and the cases mean by it: it holds nothing by that email from then on.
    set_aside_at: Mapped[datetime | None]


class Contact(db.Model):  # type: ignore[name-defined]
    """A person on a rung of the directory: a role, an optional scope, an email."""

    __table_args__ = (Index("ix_contact_rung", "council", "role", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # The identity that first signed in, verified, with this email; only it holds the rung.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    user: Mapped[User | None] = relationship()


class ClosureDay(db.Model):  # type: ignore[name-defined]
    """A day the council is closed, on top of its nation's bank holidays."""

    __table_args__ = (UniqueConstraint("council", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council: Mapped[str] = mapped_column(String(64))
    day: Mapped[date]
    reason: Mapped[str] = mapped_column(String(200), default="")


class Meeting(db.Model):  # type: ignore[name-defined]
    """A date on which a council group (e.g. a dissents group) meets."""

    __table_args__ = (UniqueConstraint("council", "group", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council: Mapped[str] = mapped_column(String(64))
    group: Mapped[str] = mapped_column(String(64))
    day: Mapped[date]


class ReferenceCounter(db.Model):  # type: ignore[name-defined]
    council: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class Case(db.Model):  # type: ignore[name-defined]
    """A disagreement or dissent, as opened under one process and ladder.

    ``answers`` is the intake as submitted; ``plugin_version`` the version of
    the council plugin then, so an upgrade never re-routes an open case.
    On PostgreSQL the answers are JSONB, so that reading one answer of a case does
    not parse them all; ``areas`` repeats the area answers where an index holds them.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    council: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    process: Mapped[str] = mapped_column(String(64))
    ladder: Mapped[str] = mapped_column(String(64))
    plugin_version: Mapped[str] = mapped_column(String(32))
    answers: Mapped[dict] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    # The area answers again, as the list's area filter reads them (core/model/areas.py): None with none.
    areas: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    outcome: Mapped[str | None] = mapped_column(String(64))
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    raised_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    # Set when the retention job erased the answers and records (core/engine/retention.py).
    erased_at: Mapped[datetime | None]
    # The raiser's one-time token (check-answers page) or Idempotency-Key (API).
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    # The case whose outcome opened this one ("refer on").
    opened_from_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))

    raised_by: Mapped[User] = relationship()
    opened_from: Mapped[Case | None] = relationship(remote_side="Case.id", foreign_keys=[opened_from_id])
    stages: Mapped[list[StageEntry]] = relationship(
        back_populates="case", order_by="StageEntry.position"
    )
    events: Mapped[list[CaseEvent]] = relationship(order_by="CaseEvent.id")

    __table_args__ = (
        Index("ix_case_council_status", "council", "status"),
        UniqueConstraint("council", "raised_by_id", "idempotency_key"),
    )

    @property
    def current(self) -> StageEntry | None:
        return self.stages[-1] if self.stages and self.stages[-1].closed_at is None else None


class StageEntry(db.Model):  # type: ignore[name-defined]
    """One visit of a case to a rung: who holds it, when it is due, what they recorded."""

    __table_args__ = (
        UniqueConstraint("case_id", "position"),
        Index("ix_stage_entry_rung", "role", "scope"),
        Index("ix_stage_entry_assignee", "assignee_email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    position: Mapped[int]
    stage: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str | None] = mapped_column(String(200))
    entered_at: Mapped[datetime]
    due_on: Mapped[date]
    closed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(64))
    record: Mapped[dict | None]
    acted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Who holds the stage: a person named on the case, whoever took it from the directory rung, or
    # the colleague a lead reassigned it to; all None while it is offered to the rung. Authority is
    # the identity (``assignee_id``), never the email: a person named by email holds the stage once
    # their identity is bound to it (``core.engine.directory.bind``), and nobody holds it before.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    assignee_email: Mapped[str | None] = mapped_column(String(320))
    assignee_name: Mapped[str | None] = mapped_column(String(200))
    taken_at: Mapped[datetime | None]
    # Nobody but a safeguarding lead may act (the raiser held the rung, or it is empty).
    to_lead: Mapped[bool] = mapped_column(default=False)
    late_on_arrival: Mapped[bool] = mapped_column(default=False)
    # Set by core.engine.recalculate when a removed meeting leaves a NextMeeting stage with no date.
    no_meeting: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # The morning the stage counts as long overdue (core.engine.overdue); None when the council has no such rule.
    long_overdue_on: Mapped[date | None] = mapped_column(index=True)

    case: Mapped[Case] = relationship(back_populates="stages")
    acted_by: Mapped[User | None] = relationship(foreign_keys=[acted_by_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    offers: Mapped[list[StageOffer]] = relationship(back_populates="entry", cascade="all, delete-orphan")

    @property
    def offered_contact_ids(self) -> set[int]:
        return {offer.contact_id for offer in self.offers}


class StageOffer(db.Model):  # type: ignore[name-defined]
    """A directory contact a stage was offered to when it was entered.

    The offer is a snapshot: someone added to the rung later gains nothing on
    the stage, while a contact edited in place (a retiring QIO replaced) keeps it.
    """

    # The case is the entry's, kept on the offer too: "the cases offered to my contacts", asked on every page
    # of someone holding a rung, is then read from this table's index alone, where it joined every stage
    # entry (2 s a page at 1,000,000 cases for someone offered a fifth of them). The index carries the entry
    # too, so "the stages offered to my contacts" (what waits for them) is read from it alone as well.
    __table_args__ = (UniqueConstraint("stage_entry_id", "contact_id"),
                      Index("ix_stage_offer_contact_case_entry", "contact_id", "case_id", "stage_entry_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_entry_id: Mapped[int] = mapped_column(ForeignKey("stage_entry.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))

    entry: Mapped[StageEntry] = relationship(back_populates="offers")
    contact: Mapped[Contact] = relationship()
    case: Mapped[Case] = relationship()


class CaseEvent(db.Model):  # type: ignore[name-defined]
    """The case timeline. Rows are only ever added."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)

    actor: Mapped[User | None] = relationship()


class AuditEvent(db.Model):  # type: ignore[name-defined]
    """Who read, wrote or exported what, and when: a case, or (no case) a list, report or export.
    No user: Concord itself (the retention job)."""

    __table_args__ = (Index("ix_audit_event_council_at", "council", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
    detail: Mapped[str | None] = mapped_column(String(400))

    user: Mapped[User | None] = relationship()
    case: Mapped[Case | None] = relationship()


class ContactChange(db.Model):  # type: ignore[name-defined]
    """The directory's history: what an admin changed, when, and their note."""

    id: Mapped[int] = mapped_column(primary_key=True)
    council: Mapped[str] = mapped_column(String(64), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"))
    at: Mapped[datetime]
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    changes: Mapped[dict]
    note: Mapped[str] = mapped_column(Text)

    contact: Mapped[Contact] = relationship()
    by: Mapped[User] = relationship()


class ScheduledNotification(db.Model):  # type: ignore[name-defined]
    """The notification outbox: one row per message, written with the case change.

    ``dedupe_key`` (stage entry or case, kind, recipient) makes a retried action
    unable to write a message twice. The scheduler reads due rows through the
    (state, send_after) index, so a tick costs what is due, not what exists.
    """

    __table_args__ = (
        Index("ix_notification_due", "state", "send_after"),
        # The daily failure digest reads only unreported failures, however many old ones there are.
        Index("ix_notification_unreported_failures", "council",
              postgresql_where=text("state = 'failed' AND reported_at IS NULL"),
              sqlite_where=text("state = 'failed' AND reported_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    stage_entry_id: Mapped[int | None] = mapped_column(ForeignKey("stage_entry.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(320))
    dedupe_key: Mapped[str] = mapped_column(String(400), unique=True)
    send_after: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    reported_at: Mapped[datetime | None]

    case: Mapped[Case | None] = relationship()
    entry: Mapped[StageEntry | None] = relationship()


class DevMail(db.Model):  # type: ignore[name-defined]
    """Messages the development outbox transport keeps for /<council>/dev/mail."""

    id: Mapped[int] = mapped_column(primary_key=True)
    council: Mapped[str | None] = mapped_column(String(64), index=True)
    at: Mapped[datetime]
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)


class CouncilTheme(db.Model):  # type: ignore[name-defined]
    """A learning theme a council admin added to those the council's plugin declares."""

    __table_args__ = (UniqueConstraint("council", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(120))
    added_at: Mapped[datetime]
    added_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))


class CaseTheme(db.Model):  # type: ignore[name-defined]
    """A theme recorded for a case when it closed (or added later by a lead). One row per theme.

    Carries the case's process and closing time, so themes are counted without reading cases.
    """

    __table_args__ = (
        UniqueConstraint("case_id", "theme"),
        Index("ix_case_theme_closed", "council", "closed_at", postgresql_include=["theme", "process"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    theme: Mapped[str] = mapped_column(String(120))
    process: Mapped[str] = mapped_column(String(64))
    closed_at: Mapped[datetime]


class CaseLearning(db.Model):  # type: ignore[name-defined]
    """Learning from a case, in words without the child's details. Rows are only ever added."""

    id: Mapped[int] = mapped_column(primary_key=True)
    council: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    at: Mapped[datetime]
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(Text)

    by: Mapped[User] = relationship()


class CouncilSetting(db.Model):  # type: ignore[name-defined]
    """A council's own settings, chosen by its admins (e.g. sharing anonymised aggregates)."""

    council: Mapped[str] = mapped_column(String(64), primary_key=True)
    share_aggregates: Mapped[bool] = mapped_column(default=False)
    changed_at: Mapped[datetime | None]
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))



class ReportMonth(db.Model):  # type: ignore[name-defined]
    """One council's figures for one London month, kept current in each case's own transaction.

    The reports page adds up a period's months instead of reading every case raised or closed in it
    (``core.engine.report_months`` keeps them). ``figure`` says what a row counts: ``raised`` (cases raised
    that month, by ladder and outcome, ``""`` while open), ``closed`` (cases closed, by tenths of a day
    from raising), ``stage`` (stage entries of cases raised that month, by stage and tenths of a day
    there, -1 while open), ``theme`` (themes of cases closed that month, ``name`` the theme) and
    ``open`` (the open stages of open cases now, by the day they are due, kept in ``month``, and
    ``outcome`` "late" when they arrived late). Each month's row is added to its year's too (the figure
    with ``:year``, ``month`` its 1 January), so a long period reads a row a year where it can. Keyed
    by figure first, so each is read on its own.
    """

    council: Mapped[str] = mapped_column(String(64), primary_key=True)
    figure: Mapped[str] = mapped_column(String(16), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    process: Mapped[str] = mapped_column(String(64), primary_key=True)
    ladder: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenths: Mapped[int] = mapped_column(primary_key=True)
    cases: Mapped[int]
    on_time: Mapped[int]
    reached: Mapped[int]

# Reports count a period's cases from these indexes alone (PostgreSQL reads the included columns
# without visiting the table), and find the open stages without reading the closed ones; the list's
# area filter counts a council's cases of an area from the first alone.
Index("ix_case_council_raised", Case.council, Case.raised_at,
      postgresql_include=["id", "process", "ladder", "status", "outcome", "closed_at", "areas"])
Index("ix_case_council_closed", Case.council, Case.closed_at, postgresql_include=["process", "raised_at"])
Index("ix_stage_entry_open", StageEntry.case_id, postgresql_where=StageEntry.closed_at.is_(None),
      sqlite_where=StageEntry.closed_at.is_(None), postgresql_include=["due_on", "late_on_arrival"])
# The council's open cases in id order, to merge with the open stages (``ix_stage_entry_open``) for the
# reports' "open now" figures without reading the cases themselves.
Index("ix_case_council_open", Case.council, Case.id, postgresql_include=["process"],
      postgresql_where=Case.status == "open", sqlite_where=Case.status == "open")
# Case lists (core.reads.caselist): a council's cases of one process, newest first; open stages by due date.
Index("ix_case_council_process_raised", Case.council, Case.process, Case.raised_at)
Index("ix_stage_entry_current", StageEntry.case_id, StageEntry.due_on,
      postgresql_where=StageEntry.closed_at.is_(None), sqlite_where=StageEntry.closed_at.is_(None))
# The list's sorts, read in index order a page at a time (core.reads.caselist keyset paging): the open stages
# by due date, and a council's cases by reference.
Index("ix_stage_entry_open_due", StageEntry.due_on, StageEntry.case_id,
      postgresql_where=StageEntry.closed_at.is_(None), sqlite_where=StageEntry.closed_at.is_(None))
Index("ix_case_council_reference", Case.council, Case.reference)
# A council's cases of one process and route (``agency``) by time raised: the due-date sort's cases with no open
# stage, read a page at a time down it and counted oldest first (core.reads.caselist._count_after).
Index("ix_case_council_process_ladder_raised", Case.council, Case.process, Case.ladder, Case.raised_at, Case.id)
# The list's search (PostgreSQL only; migration scale6_case_search): any part of a reference, by trigram
# (the pg_trgm extension), and the child's record number exactly, as core.reads.caselist compares them.
Index("ix_case_reference_trgm", func.lower(Case.reference).label("reference_lower"), postgresql_using="gin",
      postgresql_ops={"reference_lower": "gin_trgm_ops"}).ddl_if(dialect="postgresql")
Index("ix_case_child_reference", Case.council, text("lower(answers ->> 'child_reference')")).ddl_if(dialect="postgresql")
