"""One database session per request, closed (and rolled back if uncommitted) at teardown."""

from __future__ import annotations

from flask import Flask, current_app, g

from qa_service.config import Settings
from qa_service.services.sessions import Session, open_session


def db() -> Session:
    """The request's session; views call services with it and commit once at the end."""
    if "db_session" not in g:
        settings: Settings = current_app.config["QA_SETTINGS"]
        g.db_session = open_session(settings)
    session: Session = g.db_session
    return session


def init_database(app: Flask) -> None:
    @app.teardown_appcontext
    def _close(_error: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.close()
