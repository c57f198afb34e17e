"""Readiness check of the database (used by /healthz; the queue's is `jobs.check_queue`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from qa_service.config import Settings
from qa_service.db.session import engine_for


def check_database(settings: Settings) -> dict[str, Any]:
    backend = "sqlite" if settings.is_sqlite else "postgresql"
    try:
        with engine_for(settings.sqlalchemy_url).connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return {"ok": False, "backend": backend, "error": type(error).__name__}
    return {"ok": True, "backend": backend}
