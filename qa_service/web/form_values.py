"""Ids typed into forms and query strings: digits within PostgreSQL's `integer`, or nothing.

`int("99999999999")` is a fine Python int and an SQL overflow (a 500) once it reaches a query.
"""

from __future__ import annotations

from qa_service.core.json_input import INT4_MAX


def id_or_none(text: str | None) -> int | None:
    """The id `text` spells, or None when it is empty, not digits, or beyond any row's id."""
    if not text or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 0 < value <= INT4_MAX else None


def require_id(text: str) -> int:
    """The id `text` spells; `ValueError` (which the forms already answer) when it is none."""
    value = id_or_none(text.strip())
    if value is None:
        raise ValueError(f"not an id: {text[:20]!r}")
    return value
