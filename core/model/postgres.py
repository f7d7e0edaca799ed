"""How Concord's PostgreSQL connections price their plans.

The case list and the reports read a page by probing indexes for rows that sit in memory or on
solid-state storage. PostgreSQL's default ``random_page_cost`` (4) prices each probe as a seek on a
spinning disk, so it prefers to read a whole index and hash it: at 1,000,000 cases the list filtered by
a stage hashed the 200,000 cases of its route to find the 2,400 at that stage (60 ms a page), where
probing those 2,400 takes 10 ms. 1.1 is the value PostgreSQL's manual gives for solid-state storage.
It is set on each connection, not in the server's settings, so the plans Concord was measured with are
the ones it runs everywhere; a session-level SET also passes through PgBouncer, which a startup option
would not.
"""
from __future__ import annotations

from sqlalchemy import event

RANDOM_PAGE_COST = "1.1"


def price_plans_for_solid_state(engine) -> None:
    """Set ``random_page_cost`` on every connection the engine opens (PostgreSQL only)."""
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _set_random_page_cost)


def _set_random_page_cost(dbapi_connection, record) -> None:
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True  # outside a transaction, so it lasts the session and nothing is left open
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET random_page_cost = {RANDOM_PAGE_COST}")
    finally:
        dbapi_connection.autocommit = autocommit
