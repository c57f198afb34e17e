"""Error pages: a short message in the user's language, never a traceback."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def init_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        messages = {
            400: _("The request is malformed."),
            401: _("Please sign in."),
            403: _("You do not have access to this page."),
            404: _("Page not found."),
            405: _("This method is not allowed here."),
            429: _("Too many attempts. Try again later."),
        }
        code = error.code or 500
        message = messages.get(code, _("Something went wrong."))
        if _wants_json():
            return jsonify({"error": message, "status": code}), code
        return render_template("error.html", code=code, message=message), code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> ResponseReturnValue:
        app.logger.exception("unhandled error on %s", request.path)
        message = _("Something went wrong. The error has been logged.")
        if _wants_json():
            return jsonify({"error": message, "status": 500}), 500
        return render_template("error.html", code=500, message=message), 500
