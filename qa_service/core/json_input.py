"""Untrusted JSON: parse it, or refuse it with one line naming where it is unsafe to store.

Python's `json` reads `NaN`, `Infinity` and `1e999` as floats that PostgreSQL's JSONB and our
own JSON output cannot carry, has no depth limit (a deep document ends in `RecursionError`),
and passes NUL characters and lone surrogates that PostgreSQL refuses at insert time.  Every
boundary (the push API, the CLI, the connectors through `validate_interaction`) runs documents
through `check_tree`, so those reach neither the database nor a traceback.
"""

from __future__ import annotations

import json
import math
from typing import Any

from qa_service.core.errors import UserFacingError

MAX_DEPTH = 32  # the contract nests 5 levels; meta from a platform is shallow too
INT4_MAX = 2**31 - 1  # every primary key is a PostgreSQL `integer`: an id past this is no row of ours


class UnsafeJson(UserFacingError):
    """A JSON document that cannot be stored as it is."""


def _where(path: tuple[str | int, ...]) -> str:
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    return text or "(документ)"


def _bad_string(value: str) -> str | None:
    if "\x00" in value:
        return "NUL"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "surrogate"
    return None


def _refuse_string(kind: str, where: str, key: bool) -> UnsafeJson:
    what_ru, what_en = ("ключ", "key") if key else ("строка", "string")
    if kind == "NUL":
        return UnsafeJson(f"поле {where}: {what_ru} содержит символ NUL (\\u0000)",
                          f"field {where}: {what_en} contains a NUL character (\\u0000)")
    return UnsafeJson(f"поле {where}: {what_ru} не в UTF-8 (одиночный суррогат)",
                      f"field {where}: {what_en} is not valid UTF-8 (a lone surrogate)")


def check_tree(document: Any, max_depth: int = MAX_DEPTH) -> None:
    """Raise `UnsafeJson` for the first non-finite number, NUL/surrogate string or key, or nesting too deep.

    Iterative on purpose: a recursive walk would itself fail on the deep documents it refuses.
    """
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(document, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > max_depth:
            raise UnsafeJson(f"поле {_where(path[:max_depth])}: вложенность JSON глубже {max_depth} уровней",
                             f"field {_where(path[:max_depth])}: JSON nested deeper than {max_depth} levels")
        if isinstance(value, float) and not math.isfinite(value):
            raise UnsafeJson(f"поле {_where(path)}: число должно быть конечным (не NaN и не Infinity)",
                             f"field {_where(path)}: the number must be finite (not NaN or Infinity)")
        if isinstance(value, str) and (kind := _bad_string(value)):
            raise _refuse_string(kind, _where(path), key=False)
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and (kind := _bad_string(key)):
                    raise _refuse_string(kind, _where((*path, "<ключ>")), key=True)
                stack.append((item, (*path, str(key))))
        elif isinstance(value, list):
            stack.extend((item, (*path, i)) for i, item in enumerate(value))


def loads(raw: str | bytes, what: str = "JSON") -> Any:
    """Parse `raw` and `check_tree` it (no NaN/Infinity, NUL, deep nesting); every failure is an `UserFacingError`."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise UserFacingError(f"{what}: не в кодировке UTF-8", f"{what}: not UTF-8") from None
    try:
        # NaN, Infinity and 1e999 parse as floats here; `check_tree` refuses them naming their field.
        document = json.loads(raw)
    except json.JSONDecodeError as error:
        raise UserFacingError(f"{what}: не JSON (строка {error.lineno}, столбец {error.colno}: {error.msg})",
                              f"{what}: not JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
    except RecursionError:
        raise UnsafeJson(f"{what}: вложенность JSON глубже {MAX_DEPTH} уровней",
                         f"{what}: JSON nested deeper than {MAX_DEPTH} levels") from None
    check_tree(document)
    return document
