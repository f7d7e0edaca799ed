"""What a typed answer may be: text that can be stored, a plausible date, a row id.

Used by the forms, the engine and the pages alike, so every answer is judged the same way
wherever it arrives (``core.http.hygiene`` applies the same rules to whole requests).
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)
UNSAVABLE = "contains a character that cannot be saved: retype it rather than pasting it"
CONTROL = "contains a control character: remove it"
ONE_LINE = "must be on one line"
SURROGATE = re.compile("[\ud800-\udfff]")


def unsavable(text: str) -> bool:
    return "\x00" in text or SURROGATE.search(text) is not None


def text_problem(text: str, multiline: bool = False) -> str | None:
    """What is wrong with a piece of text someone typed, or None."""
    if unsavable(text):
        return UNSAVABLE
    for ch in text:
        if ch in "\n\r\t":
            if not multiline:
                return ONE_LINE
        elif unicodedata.category(ch) == "Cc":
            return CONTROL
    return None


def plausible(day: date) -> bool:
    return EARLIEST <= day <= LATEST


OUT_OF_RANGE = f"must be between {EARLIEST:%-d %B %Y} and {LATEST:%-d %B %Y}"


class DateProblem(ValueError):
    """A date that cannot be used; the message names the answer and says what to do."""


def iso_day(text: str, label: str) -> date:
    """The date ``text`` gives as YYYY-MM-DD, within the plausible window, or ``DateProblem``."""
    text = (text or "").strip()
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text, re.ASCII):
        raise DateProblem(f"{label} must be a date in the form YYYY-MM-DD, for example 2026-04-01")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise DateProblem(f"{label} must be a real date, for example 2026-04-01") from None
    if not plausible(day):
        raise DateProblem(f"{label} {OUT_OF_RANGE}")
    return day


def boxes_day(day: str, month: str, year: str, label: str) -> date:
    """The date given in day, month and year boxes, within the plausible window, or ``DateProblem``."""
    parts = [p.strip() for p in (day, month, year)]
    if not all(re.fullmatch(r"[0-9]{1,4}", p, re.ASCII) for p in parts):
        raise DateProblem(f"{label} must be a real date, for example 1 4 2026")
    try:
        found = date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        raise DateProblem(f"{label} must be a real date, for example 1 4 2026") from None
    if not plausible(found):
        raise DateProblem(f"{label} {OUT_OF_RANGE}")
    return found


MAX_ROW_ID = 2**31 - 1  # PostgreSQL's integer


def row_id(text) -> int | None:
    """A row id posted in a form, or None when it cannot be one."""
    text = text if isinstance(text, str) else ""
    if not re.fullmatch(r"[0-9]{1,10}", text, re.ASCII):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ROW_ID else None
