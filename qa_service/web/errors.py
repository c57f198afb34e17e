"""Error pages: a short message in the user's language, never a traceback.

API errors (and any request asking for JSON) carry the contract's shape
`{"error": <русский>, "error_en": <English>, "status": code}` whatever the user's locale.
"""

from __future__ import annotations

from flask import Flask, Response, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from limits.errors import StorageError
from redis.exceptions import RedisError
from werkzeug.exceptions import HTTPException

# English msgids, translated in qa_service/translations.
MESSAGES = {
    400: "The request is malformed.",
    401: "Please sign in.",
    403: "You do not have access to this page.",
    404: "Page not found.",
    405: "This method is not allowed here.",
    413: "The request body is too large.",
    429: "Too many attempts. Try again later.",
}
UNEXPECTED = "Something went wrong. The error has been logged."
QUEUE_DOWN = (
    "очередь и счётчики попыток (Redis) сейчас недоступны; повторите через минуту",
    "the queue and the attempt counters (Redis) are unavailable right now; try again in a minute",
)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _both(msgid: str) -> tuple[str, str]:
    with force_locale("ru"):
        ru = _(msgid)
    with force_locale("en"):
        en = _(msgid)
    return ru, en


def _json_error(msgid: str, code: int) -> Response:
    ru, en = _both(msgid)
    response = jsonify({"error": ru, "error_en": en, "status": code})
    response.status_code = code
    if code == 401 and request.path.startswith("/api/"):
        response.headers["WWW-Authenticate"] = 'Bearer realm="qa_service"'
    return response


def _rollback_request_session() -> None:
    """A failed flush leaves the request's session unusable; the page itself reads the user with it."""
    session = g.get("db_session")
    if session is None:
        return
    try:
        session.rollback()
    except Exception:
        g.pop("db_session", None)


def _page(code: int, message: str) -> ResponseReturnValue:
    try:
        return render_template("error.html", code=code, message=message), code
    except Exception:
        g.pop("db_session", None)
        body = f"<!doctype html><html lang=ru><title>{code}</title><h1>{code}</h1><p>{message}</p></html>"
        return Response(body, status=code, content_type="text/html; charset=utf-8")


def _seconds_until_retry() -> int | None:
    """Seconds until the limit that refused this request lets it through again (None when unknown)."""
    import time

    from qa_service.web.security import limiter

    try:
        current = limiter.current_limit
    except Exception:  # the page must render whatever the limiter's state
        return None
    if current is None:
        return None
    return max(0, int(current.reset_at - time.time()))


def init_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        msgid = MESSAGES.get(code, "Something went wrong.")
        if _wants_json():
            response = _json_error(msgid, code)
        else:
            message = _(msgid)
            wait = _seconds_until_retry() if code == 429 else None
            if wait is not None:
                # A lock-out says when the person may try again, not only that they may not now.
                message = _("Too many attempts: sign-in from this account or address is paused. "
                            "Try again in %(minutes)s min.", minutes=max(1, -(-wait // 60)))
            rendered = _page(code, message)
            response = app.make_response(rendered)
        # Keep what the exception says about itself: `Allow` on 405, `Retry-After` on 429.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(RedisError)
    @app.errorhandler(StorageError)
    def queue_unavailable(error: Exception) -> ResponseReturnValue:
        # The rate limiter's counters (sign-in, push) and the queue live in Redis: while it is down the
        # request cannot be checked or handed on, which is a 503 with its reason, as /healthz says.
        app.logger.warning("Redis unavailable on %s: %s", request.path, error)
        _rollback_request_session()
        ru, en = QUEUE_DOWN
        if _wants_json():
            response = jsonify({"error": ru, "error_en": en, "status": 503})
            response.status_code = 503
        else:
            response = app.make_response(_page(503, en if str(get_locale()) == "en" else ru))
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> ResponseReturnValue:
        app.logger.exception("unhandled error on %s", request.path)
        _rollback_request_session()
        if _wants_json():
            return _json_error(UNEXPECTED, 500)
        return _page(500, _(UNEXPECTED))
