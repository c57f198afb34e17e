"""Optimistic concurrency for every form that edits a stored object.

A page draws its form from one version of the object and posts that version back; when the
object has changed since (another person, another tab, or the same person pressing Back and
resubmitting), the post is refused with a clear message and changes nothing.  Objects with a
`version` column carry a number; an object without one (a tenant's settings, a rubric's active
version) is versioned by a short hash of the state the form edits.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from qa_service.core.errors import UserFacingError


class StaleForm(UserFacingError):
    """The form was drawn from a version that is no longer the current one."""


def stale(what_ru: str, what_en: str) -> StaleForm:
    return StaleForm(
        f"{what_ru} изменилась после того, как вы открыли страницу: ничего не сохранено. "
        "Откройте страницу заново и внесите изменения в текущую версию",
        f"{what_en} changed after you opened the page: nothing was saved. "
        "Reload the page and make your change to the current version",
    )


def parse_version(raw: str | int | None) -> int | None:
    """The version a form posted (None when it posted none or garbage: the check then refuses)."""
    if isinstance(raw, int):
        return raw
    try:
        return int((raw or "").strip())
    except ValueError:
        return None


def require_version(current: int | str, posted: int | str | None, what_ru: str, what_en: str) -> None:
    """Refuse a post whose version is not `current`; `posted` is None only for callers with no form (CLI, jobs)."""
    if posted is None:
        return
    if str(posted).strip() != str(current):
        raise stale(what_ru, what_en)


def state_token(state: Any) -> str:
    """A short, stable version of a JSON-able state, for objects without a version column."""
    text = json.dumps(state, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def bump(obj: Any) -> None:
    """Raise an object's version: every form drawn from the previous one is now stale."""
    obj.version = (obj.version or 1) + 1
