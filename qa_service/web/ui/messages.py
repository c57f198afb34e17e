"""Showing a service's `UserFacingError` to the user in the page's language."""

from __future__ import annotations

from flask import flash
from flask_babel import get_locale

from qa_service.core.errors import UserFacingError


def user_message(error: UserFacingError) -> str:
    """The error's text in the page's language."""
    return error.en if str(get_locale()) == "en" else error.ru


def flash_error(error: UserFacingError) -> None:
    flash(user_message(error), "error")
