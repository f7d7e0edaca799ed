"""Writing a new case's rows with Core INSERTs instead of the ORM's unit of work.

The unit of work (sorting, history, per-object bookkeeping) cost as much CPU as the SQL it sent; a new
case's rows are new and their order is known. Each object is written whole (every column: its default,
else None), its foreign keys taken from the objects it points at, and its new id told to its children.
"""
from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, insert, inspect, text
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
    params = {f"case_{k}": v for k, v in _row(mapper[Case], Case.__table__, case).items()}
    params.update({f"entry_{k}": v for k, v in _row(mapper[StageEntry], StageEntry.__table__, entry).items()})
    params.update({f"audit_{k}": v for k, v in audit_row.items()})
    for kind, prefix, children in ((StageOffer, "offer", entry.offers), (CaseEvent, "event", case.events)):
        params[f"{prefix}s"] = rows_as_json([_row(mapper[kind], kind.__table__, child) for child in children])
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
    """``insert_new_case``'s statement on PostgreSQL, built once: parameters ``<table>_<column>``, the
    offers' and events' as arrays; the children's foreign keys from their parents' RETURNING."""
    from sqlalchemy.dialects import postgresql

    binds: list = []

    def cast(column, name: str) -> str:
        binds.append(bindparam(name, type_=column.type))
        return f"CAST(:{name} AS {column.type.compile(postgresql.dialect())})"

    def from_parent(table, parent: str) -> tuple[list[str], str]:
        """The child's columns filled from its parent's RETURNING, and the parent's columns they take."""
        keys = _PARENT.get((table.name, parent), {})
        return list(keys), ", ".join(f"{parent}.{column}" for column in keys.values())

    def one(table, prefix: str, parent: str = "") -> str:
        keys, taken = from_parent(table, parent)
        columns = [c for c in _columns(table) if c.key not in keys]
        values = ", ".join(cast(c, f"{prefix}_{c.key}") for c in columns)
        names = ", ".join(f'"{c.name}"' for c in columns)
        if not keys:
            return f'INSERT INTO "{table.name}" ({names}) VALUES ({values}) RETURNING id'
        return f"INSERT INTO {table.name} ({', '.join(keys)}, {names}) SELECT {taken}, {values} FROM {parent}"

    def many(table, prefix: str, parent: str) -> str:
        keys, taken = from_parent(table, parent)
        columns = tuple(c.key for c in _columns(table) if c.key not in keys)
        rows, typed = json_rows(table, columns, f"{prefix}s")
        binds.extend(typed)
        return (f"INSERT INTO {table.name} ({', '.join(keys)}, {', '.join(columns)}) SELECT {taken}, "
                f"{', '.join(f'x.{c}' for c in columns)} FROM {parent}, {rows} ORDER BY x.n RETURNING id")

    sql = (f"WITH c AS ({one(Case.__table__, 'case')}), "
           f"s AS ({one(StageEntry.__table__, 'entry', 'c')} RETURNING id, case_id), "
           f"a AS ({one(AuditEvent.__table__, 'audit', 'c')}), "
           f"o AS ({many(StageOffer.__table__, 'offer', 's')}), "
           f"e AS ({many(CaseEvent.__table__, 'event', 'c')}) "
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
    rows = [_row(mapper, table, o) for o in objects]
    ids = db.session.execute(_returning_ids(table), rows).scalars().all()
    for o, new_id in zip(objects, ids, strict=True):
        o.id = new_id
        _tell_children(mapper, o)


def _tell_children(mapper, obj) -> None:
    """Set the parent's new id on the objects in its loaded one-to-many collections (the case's events)."""
    for rel in mapper.relationships:
        if rel.direction is ONETOMANY and rel.key in obj.__dict__:
            for child in obj.__dict__[rel.key]:
                for local, remote in rel.local_remote_pairs:
                    setattr(child, remote.key, getattr(obj, local.key))


@cache
def _returning_ids(table):
    return insert(table).returning(table.c.id, sort_by_parameter_order=True)


def _row(mapper, table, obj) -> dict:
    """The object's row: many-to-one foreign keys from the objects it points at, defaults filled in."""
    state = obj.__dict__
    for rel in mapper.relationships:
        if rel.direction is MANYTOONE and rel.key in state:
            target = state[rel.key]
            for local, remote in rel.local_remote_pairs:
                setattr(obj, local.key, getattr(target, remote.key) if target is not None else None)
    row = {}
    for column in table.columns:
        if column.key == "id":
            continue
        if column.key not in state:
            default = column.default
            if default is None and column.server_default is not None:
                # Writing None would silently override the database's default: say so instead.
                raise TypeError(f"{table.name}.{column.key} has only a server default: give it a Python one")
            setattr(obj, column.key, default.arg if default is not None and default.is_scalar else None)
        row[column.key] = state[column.key]
    return row
