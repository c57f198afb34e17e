"""Engine and session factory for the configured database (created on demand, never at import)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


@cache
def engine_for(url: str) -> Engine:
    """One engine (and pool) per database URL per process.

    `hide_parameters`: a failed statement's error (logged, shown in a traceback) names the SQL
    but not its values, which may be a card number someone typed into a field.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            # Foreign keys are off by default in SQLite; WAL lets the demo's web and jobs overlap.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, hide_parameters=True)


# Tests only: URL -> a connection whose outer transaction every session on that URL joins.
_joined: dict[str, Connection] = {}


def session_factory(url: str) -> sessionmaker[Session]:
    connection = _joined.get(url)
    if connection is not None:
        # A session's commit releases a SAVEPOINT; the outer transaction is rolled back after the test.
        return sessionmaker(bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint")
    return sessionmaker(engine_for(url), expire_on_commit=False)


@contextmanager
def sessions_joining(url: str, connection: Connection) -> Iterator[None]:
    """Every session on `url` joins `connection`'s open transaction through a savepoint (the test
    fixture of Warehouse's `db_session`: one rollback undoes the whole test, no per-test database)."""
    _joined[url] = connection
    try:
        yield
    finally:
        _joined.pop(url, None)


@contextmanager
def transaction(url: str) -> Iterator[Session]:
    """A session whose work commits on success and rolls back on any error."""
    with session_factory(url).begin() as session:
        yield session
