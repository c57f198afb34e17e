"""Flask-Babel wiring: Russian by default, English on request (?lang=en, then remembered)."""

from __future__ import annotations

from flask import Flask, request, session
from flask_babel import Babel, get_locale

SUPPORTED_LOCALES = ("ru", "en")


def select_locale() -> str:
    wanted = request.args.get("lang")
    if wanted in SUPPORTED_LOCALES:
        session["lang"] = wanted
        return wanted
    remembered = session.get("lang")
    if remembered in SUPPORTED_LOCALES:
        return str(remembered)
    return "ru"


def init_i18n(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
