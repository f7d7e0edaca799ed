"""How Concord's PostgreSQL connections plan their queries.

Every page reads a few thousand rows at most, by probing indexes for rows that sit in memory or on
solid-state storage; many people read pages at once. PostgreSQL's defaults plan for the opposite, and
each connection Concord opens changes two of them (measured at 1,000,000 cases, bench/case_list_scale.py):

* ``random_page_cost`` 4 prices each probe as a seek on a spinning disk, so the planner prefers to read
  a whole index and hash it: the list filtered by a stage hashed the 200,000 cases of its route to count
  the 2,400 at that stage, rather than look up those 2,400. 1.1 is the value PostgreSQL's manual gives
  for solid-state storage.
* ``max_parallel_workers_per_gather`` 2 starts worker processes for a statement the planner thinks is
  large. For a page they cost more to start than they save, and take the cores other requests are
  waiting for: without them the filtered lists' p95 fell by up to 40%, and the reports' (a council's
  whole year of figures) by 13–16%.

They are set on each connection, not in the server's settings, so the plans Concord was measured with
are the ones it runs everywhere; a session-level SET also passes through PgBouncer, which a startup
option would not.
"""
from __future__ import annotations

from sqlalchemy import event

SETTINGS = {"random_page_cost": "1.1", "max_parallel_workers_per_gather": "0"}


def plan_for_pages(engine) -> None:
    """Apply ``SETTINGS`` to every connection the engine opens (PostgreSQL only)."""
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _apply_settings)


def _apply_settings(dbapi_connection, record) -> None:
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True  # outside a transaction, so it lasts the session and nothing is left open
    try:
        with dbapi_connection.cursor() as cursor:
            for name, value in SETTINGS.items():
                cursor.execute(f"SET {name} = {value}")
    finally:
        dbapi_connection.autocommit = autocommit
