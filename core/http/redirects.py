"""Where to go after signing in: only a path on this site survives.

Browsers are lenient with URLs: they drop tabs and newlines, read ``\\`` as ``/`` and
``//host`` as another site, so ``/\\t/evil.example`` lands on evil.example. A target is kept only
when, parsed, it is a plain absolute path with no scheme, no host and no such characters.
"""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit, urlunsplit

REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"}  # controls, invisible formatting, spaces


def safe_next(target) -> str | None:
    """``target`` if it is a same-site relative path (``/…``), else None."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(unicodedata.category(ch) in REFUSED_CATEGORIES for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment))
