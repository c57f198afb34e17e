"""Readiness checks for the database and the job queue (used by /healthz and `qa-service`)."""

from __future__ import annotations

from typing import Any

from redis import Redis
from redis.exceptions import RedisError
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


def check_queue(settings: Settings) -> dict[str, Any]:
    if settings.jobs_in_process:
        return {"ok": True, "mode": "in-process"}
    assert settings.redis_url is not None
    try:
        client = Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except RedisError as error:
        return {"ok": False, "mode": "redis", "error": type(error).__name__}
    return {"ok": True, "mode": "redis"}
