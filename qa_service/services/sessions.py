"""The session an entry point holds for one unit of work (a web request) and passes to services.

The web layer may not import SQLAlchemy or `db.session`: it asks here for a session, hands it
to services (which flush, never commit), and at the end of the request `finish`es it — the one
commit of the unit of work — or abandons it; it is closed at teardown.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.db.session import session_factory
from qa_service.services.after_commit import committed_but_failed

__all__ = ["Session", "abandon", "finish", "open_session"]


def open_session(settings: Settings) -> Session:
    """A new session on the configured database; the caller closes it (uncommitted work rolls back)."""
    return session_factory(settings.sqlalchemy_url)()


def finish(session: Session) -> BaseException | None:
    """Commit the unit of work; the jobs it requested are sent (in-process: run) after the commit.

    Returns the first failure of that follow-up work (the data is committed; without Redis a job
    ran right here and failed), and raises when the commit itself fails.
    """
    try:
        session.commit()
    except Exception as error:
        if committed_but_failed(session, error):
            return error
        raise
    return None


def abandon(session: Session) -> None:
    """Roll the unit of work back: nothing it did is kept, none of the jobs it requested is sent."""
    session.rollback()
