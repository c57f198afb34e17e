"""The request's unit of work: one database session, committed once when the view succeeded.

Views hand `db()` to services and never commit: after the view returns, a response below 400
commits the session (`services.sessions.finish`), anything else rolls it back, as Indico's
request handler and pyramid_tm do.  Jobs the services requested are sent after that commit; a
view that wants to say how the follow-up went (in-process, without Redis, a job runs right
there) declares both messages with `say_after_commit`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, current_app, flash, g

from qa_service.config import Settings
from qa_service.services.sessions import Session, abandon, finish, open_session

_SESSION = "db_session"
_MESSAGES = "qa_after_commit_messages"


def db() -> Session:
    """The request's session; views call services with it, and the request commits it once at the end."""
    if _SESSION not in g:
        settings: Settings = current_app.config["QA_SETTINGS"]
        g.db_session = open_session(settings)
    session: Session = g.db_session
    return session


@dataclass(frozen=True)
class _AfterCommit:
    ok: str
    failed: Callable[[BaseException], str]


def say_after_commit(ok: str, failed: str | Callable[[BaseException], str]) -> None:
    """Flash `ok` once the request's work is committed and its jobs sent, or `failed` if one of them failed."""
    setattr(g, _MESSAGES, _AfterCommit(ok, failed if callable(failed) else lambda _error: failed))


def _finish_request(response: Response) -> Response:
    session: Session | None = g.pop(_SESSION, None)
    messages: _AfterCommit | None = g.pop(_MESSAGES, None)
    if session is None:
        if messages is not None:
            flash(messages.ok, "ok")
        return response
    try:
        if response.status_code >= 400:
            abandon(session)
            return response
        failure = finish(session)
    finally:
        session.close()
    if failure is not None:
        if messages is None:
            raise failure
        flash(messages.failed(failure), "error")
    elif messages is not None:
        flash(messages.ok, "ok")
    return response


def init_database(app: Flask) -> None:
    app.after_request(_finish_request)

    @app.teardown_appcontext
    def _close(_error: BaseException | None) -> None:
        # Only when the request ended before `_finish_request` (an error in another hook): roll back.
        session: Session | None = g.pop(_SESSION, None)
        if session is not None:
            session.close()
