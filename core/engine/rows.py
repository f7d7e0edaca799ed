"""Writing a new case's rows with Core INSERTs instead of the ORM's unit of work.

The unit of work (sorting, history, per-object bookkeeping) cost as much CPU as the SQL it sent; a new
case's rows are new and their order is known. Each object is written whole (every column: its default,
else None), its foreign keys taken from the objects it points at, and its new id told to its children.
"""
from __future__ import annotations

from functools import cache
from typing import NamedTuple

from sqlalchemy import insert, inspect, text
from sqlalchemy.orm import MANYTOONE, ONETOMANY

from core.model.records import AuditEvent, Case, CaseEvent, StageEntry, StageOffer, db, json_rows, rows_as_json


def insert_new_case(case: Case, entry: StageEntry, audit_row: dict) -> None:
    """A new case with its first stage entry, the entry's offers, the case's timeline and its audit row.

    On PostgreSQL one statement (data-modifying WITHs, each child given its parent's new id in the database)
    where it was four; SQLite has no INSERT in a WITH: a statement each there."""
    if db.session.get_bind().dialect.name != "postgresql":
        insert_new([case])
        db.session.execute(insert(AuditEvent.__table__), {**audit_row, "case_id": case.id})
        insert_new([entry])
        insert_new(list(entry.offers))
        insert_new(list(case.events))
        return
    mapper = {kind: inspect(kind) for kind in (Case, StageEntry, StageOffer, CaseEvent)}
    params = {"case": rows_as_json([_row(mapper[Case], case)]), "entry": rows_as_json([_row(mapper[StageEntry], entry)]),
              "audit": rows_as_json([audit_row]),
              "offers": rows_as_json([_row(mapper[StageOffer], offer) for offer in entry.offers]),
              "events": rows_as_json([_row(mapper[CaseEvent], event) for event in case.events])}
    case_id, entry_id, offer_ids, event_ids = db.session.execute(_new_case_statement(), params).one()
    case.id, entry.id = case_id, entry_id
    _tell_children(mapper[Case], case)
    _tell_children(mapper[StageEntry], entry)
    # In the order written: each INSERT reads its rows in order and takes ids from one sequence.
    for offer, offer_id in zip(entry.offers, sorted(offer_ids), strict=True):
        offer.id, offer.case_id = offer_id, case_id
    for event, event_id in zip(case.events, sorted(event_ids), strict=True):
        event.id = event_id


@cache
def _new_case_statement():
    """``insert_new_case``'s statement on PostgreSQL, built once: each table's rows in one JSON parameter
    (``case``, ``entry``, ``audit``, ``offers``, ``events``: ``rows_as_json``); the children's foreign keys
    from their parents' RETURNING."""
    from sqlalchemy.dialects import postgresql

    quote = postgresql.dialect().identifier_preparer.quote
    binds: list = []

    def written(table, name: str, parent: str = "", returning: str = "id") -> str:
        taken = _PARENT.get((table.name, parent), {})
        columns = tuple(c.key for c in _columns(table) if c.key not in taken)
        rows, typed = json_rows(table, columns, name)
        binds.extend(typed)
        names = ", ".join(quote(c) for c in (*taken, *columns))
        values = ", ".join([*(f"{parent}.{column}" for column in taken.values()), *(f"x.{c}" for c in columns)])
        sources = f"{parent}, {rows}" if parent else rows
        return f"INSERT INTO {quote(table.name)} ({names}) SELECT {values} FROM {sources} ORDER BY x.n RETURNING {returning}"

    sql = (f"WITH c AS ({written(Case.__table__, 'case')}), "
           f"s AS ({written(StageEntry.__table__, 'entry', 'c', returning='id, case_id')}), "
           f"a AS ({written(AuditEvent.__table__, 'audit', 'c')}), "
           f"o AS ({written(StageOffer.__table__, 'offers', 's')}), "
           f"e AS ({written(CaseEvent.__table__, 'events', 'c')}) "
           "SELECT c.id, s.id, ARRAY(SELECT id FROM o), ARRAY(SELECT id FROM e) FROM c, s")
    return text(sql).bindparams(*binds)


# The child's columns its parent's RETURNING fills (child column: parent column), by (child table, parent's
# WITH name): each child gets its parent's new id, and an offer its stage entry's case too.
_PARENT = {("stage_entry", "c"): {"case_id": "id"}, ("audit_event", "c"): {"case_id": "id"},
           ("stage_offer", "s"): {"stage_entry_id": "id", "case_id": "case_id"}, ("case_event", "c"): {"case_id": "id"}}


def _columns(table) -> list:
    return [c for c in table.columns if c.key != "id"]


def insert_new(objects: list) -> None:
    """INSERT new objects of one mapped class in one statement, RETURNING their ids in order.

    Every column is written and set on the object (its default, else None), so the object is complete
    when it joins the session and reading a column never goes back to the database.
    """
    if not objects:
        return
    mapper = inspect(type(objects[0]))
    table = mapper.local_table
    rows = [_row(mapper, o) for o in objects]
    ids = db.session.execute(_returning_ids(table), rows).scalars().all()
    for o, new_id in zip(objects, ids, strict=True):
        o.id = new_id
        _tell_children(mapper, o)


def _tell_children(mapper, obj) -> None:
    """Set the parent's new id on the objects in its loaded one-to-many collections (the case's events)."""
    state = obj.__dict__
    for key, pairs in _shape(mapper).to_many:
        if key in state:
            for child in state[key]:
                for local, remote in pairs:
                    setattr(child, remote, getattr(obj, local))


@cache
def _returning_ids(table):
    return insert(table).returning(table.c.id, sort_by_parameter_order=True)


def _row(mapper, obj) -> dict:
    """The object's row: many-to-one foreign keys from the objects it points at, defaults filled in."""
    state = obj.__dict__
    shape = _shape(mapper)
    for key, pairs in shape.to_one:
        if key in state:
            target = state[key]
            for local, remote in pairs:
                setattr(obj, local, getattr(target, remote) if target is not None else None)
    row = {}
    for key, default, refused in shape.columns:
        if key not in state:
            if refused:
                raise TypeError(refused)
            setattr(obj, key, default)
        row[key] = state[key]
    return row


class _Shape(NamedTuple):
    to_one: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]   # relationship, (foreign key, target's column)
    to_many: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # collection, (parent's column, child's key)
    columns: tuple[tuple[str, object, str], ...]                   # column, its default, why it has none


@cache
def _shape(mapper) -> _Shape:
    """What ``_row`` and ``_tell_children`` read of a mapped class, read once (walking the mapper's
    relationships and columns on every object cost more than writing its row)."""
    def pairs(rel):
        return tuple((local.key, remote.key) for local, remote in rel.local_remote_pairs)

    columns = []
    for column in mapper.local_table.columns:
        if column.key == "id":
            continue
        default = column.default
        # Writing None would silently override the database's default: say so instead.
        refused = (f"{mapper.local_table.name}.{column.key} has only a server default: give it a Python one"
                   if default is None and column.server_default is not None else "")
        columns.append((column.key, default.arg if default is not None and default.is_scalar else None, refused))
    return _Shape(tuple((rel.key, pairs(rel)) for rel in mapper.relationships if rel.direction is MANYTOONE),
                  tuple((rel.key, pairs(rel)) for rel in mapper.relationships if rel.direction is ONETOMANY),
                  tuple(columns))
