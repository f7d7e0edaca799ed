"""Two reads of one page at once: on PostgreSQL the second runs meanwhile, on a connection of its own."""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from flask import current_app

from core.model.london_sql import on_postgres

First = TypeVar("First")
Second = TypeVar("Second")


def side_by_side(first: Callable[[], First], second: Callable[[], Second],
                 each_session: Callable[[], None] | None = None) -> tuple[First, Second]:
    """``(first(), second())``. On PostgreSQL ``second`` runs meanwhile, in a session of its own.

    Each is work on the database's CPU while the other waits, or Python's; on two connections they run
    on two cores, and the page comes back in the time of the longer. Both must only read: each statement
    reads its own snapshot anyway (READ COMMITTED), so nothing is less consistent than one after the
    other. On PostgreSQL ``each_session`` runs first in both sessions (settings for the transaction).
    SQLite, the embedded default, reads one after the other.
    """
    if not on_postgres():
        return first(), second()
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def in_a_session_of_its_own() -> Second:
        with app.app_context():  # a new context is a new Flask-SQLAlchemy session, removed when it ends
            if each_session:
                each_session()
            return second()

    with ThreadPoolExecutor(max_workers=1) as meanwhile:
        later = meanwhile.submit(in_a_session_of_its_own)
        if each_session:
            each_session()
        return first(), later.result()
