"""Text a person types into a form, checked against the column that will hold it.

The limit is read from the SQLAlchemy column itself, so a migration that widens a column
widens the check with it; NUL is refused because PostgreSQL cannot store it in text.
"""

from __future__ import annotations

from typing import Any

from qa_service.core.errors import UserFacingError
from qa_service.core.json_input import INT4_MAX


class FieldTooLong(UserFacingError):
    """A form value that does not fit its column (or holds a NUL character)."""


def column_length(column: Any) -> int | None:
    """`String(n)`'s n of a mapped attribute (None for unbounded text)."""
    length: int | None = getattr(column.property.columns[0].type, "length", None)
    return length


def check_text(value: str, column: Any, title_ru: str, title_en: str) -> str:
    """`value` if it fits `column`; else a one-line error naming the field."""
    if "\x00" in value:
        raise FieldTooLong(f"поле «{title_ru}» содержит символ NUL", f"field “{title_en}” contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise FieldTooLong(f"поле «{title_ru}» не в UTF-8", f"field “{title_en}” is not valid UTF-8") from None
    limit = column_length(column)
    if limit is not None and len(value) > limit:
        raise FieldTooLong(f"поле «{title_ru}» длиннее {limit} символов",
                           f"field “{title_en}” is longer than {limit} characters")
    return value


def check_id(value: int | None, title_ru: str, title_en: str) -> int | None:
    """An id that can exist (int4); else a one-line error naming the field."""
    if value is not None and not 0 < value <= INT4_MAX:
        raise FieldTooLong(f"поле «{title_ru}»: нет такой записи", f"field “{title_en}”: no such record")
    return value
