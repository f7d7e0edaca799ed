"""A case's areas (its learning community, locality, service) in one column, ``case.areas``.

The list's area filter reads them there rather than from the answers: the column is in the index of a
council's cases by time raised (``ix_case_council_raised``), so a filtered count reads that index alone
where it read every case's answers (46 ms at 1,000,000 cases). Written when a case is raised, cleared when
it is erased; migration ``scale7_case_areas`` filled it for the cases before it.

Each area answer is ``<SEPARATOR><name>=<value>``, with a closing separator, so that one area is matched
whole with ``LIKE '%…%'`` on SQLite and PostgreSQL alike: ``\\x1fhealth_service=Health Visiting\\x1f``.
"""
from __future__ import annotations

from collections.abc import Iterable

SEPARATOR = "\x1f"  # the ASCII unit separator: no answer keeps one (core/http/hygiene.py refuses it)


def tag(name: str, value: str) -> str:
    """What ``case.areas`` holds for one area answer, separators around it."""
    return f"{SEPARATOR}{name}={value.replace(SEPARATOR, '')}{SEPARATOR}"


def tags(names: Iterable[str], answers: dict) -> str | None:
    """``case.areas`` for a case with these answers, of the council's area ``names``; None with none."""
    found = [f"{name}={answers[name].replace(SEPARATOR, '')}" for name in sorted(names)
             if isinstance(answers.get(name), str) and answers[name]]
    return f"{SEPARATOR}{SEPARATOR.join(found)}{SEPARATOR}" if found else None
