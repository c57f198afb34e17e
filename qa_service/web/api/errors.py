"""API errors: one line naming what is wrong, Russian first, English beside it."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue

from qa_service.core.errors import UserFacingError


def api_error(ru: str, en: str, status: int = 400) -> ResponseReturnValue:
    return jsonify({"error": ru, "error_en": en, "status": status}), status


def from_user_error(error: UserFacingError, status: int = 400) -> ResponseReturnValue:
    return api_error(error.ru, error.en, status)
