"""The session an entry point holds for one unit of work (a web request) and passes to services.

The web layer may not import SQLAlchemy or `db.session`: it asks here for a session, hands it
to services, commits once at the end of the request, and closes it at teardown.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.db.session import session_factory

__all__ = ["Session", "open_session"]


def open_session(settings: Settings) -> Session:
    """A new session on the configured database; the caller closes it (uncommitted work rolls back)."""
    return session_factory(settings.sqlalchemy_url)()
