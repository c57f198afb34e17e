"""Text a person types into a form, checked against the column that will hold it.

The limit is read from the SQLAlchemy column itself, so a migration that widens a column
widens the check with it; NUL is refused because PostgreSQL cannot store it in text.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Text

from qa_service.core.errors import UserFacingError
from qa_service.core.json_input import INT4_MAX


class FieldTooLong(UserFacingError):
    """A form value that does not fit its column (or holds a NUL character)."""


# A `Text` column without its own `info={"max_length": n}` still refuses a novel pasted into a form.
TEXT_LIMIT = 5000


def column_length(column: Any) -> int | None:
    """The longest value a mapped attribute takes: `String(n)`'s n, a Text column's `info["max_length"]`."""
    mapped = column.property.columns[0]
    length: int | None = getattr(mapped.type, "length", None)
    if length is None:
        length = mapped.info.get("max_length", TEXT_LIMIT if isinstance(mapped.type, Text) else None)
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
        raise FieldTooLong(f"поле «{title_ru}» длиннее {limit} символов (введено {len(value)}): сократите его",
                           f"field “{title_en}” is longer than {limit} characters ({len(value)} typed): shorten it")
    return value


def check_id(value: int | None, title_ru: str, title_en: str) -> int | None:
    """An id that can exist (int4); else a one-line error naming the field."""
    if value is not None and not 0 < value <= INT4_MAX:
        raise FieldTooLong(f"поле «{title_ru}»: нет такой записи", f"field “{title_en}”: no such record")
    return value
