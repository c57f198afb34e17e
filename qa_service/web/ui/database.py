"""One SQLAlchemy session per request, closed (and rolled back if uncommitted) at teardown."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.db.session import session_factory


def db() -> Session:
    """The request's session; views call services with it and commit once at the end."""
    if "db_session" not in g:
        settings: Settings = current_app.config["QA_SETTINGS"]
        g.db_session = session_factory(settings.sqlalchemy_url)()
    session: Session = g.db_session
    return session


def init_database(app: Flask) -> None:
    @app.teardown_appcontext
    def _close(_error: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.close()
