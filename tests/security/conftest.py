"""One matrix world per test module: both airlines with every role, on SQLite, with jobs on the real Redis.

Redis: with it the app mounts rq-dashboard, so its rules are in the URL map the matrix must cover.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from matrix_world import METRICS_TOKEN, OPERATOR, MatrixWorld, build_matrix_world
from role_clients import Principal, signed_in_clients
from sqlalchemy import text

from qa_service.config import Settings
from qa_service.db.migrate import upgrade
from qa_service.db.models import Base
from qa_service.db.session import engine_for, transaction
from qa_service.web import create_app

UNTRACKED_TABLES = {"audit_log"}  # refused attempts may be audited; that is not a change of data


@pytest.fixture(scope="module")
def matrix_settings(tmp_path_factory: pytest.TempPathFactory, redis_base_url: str) -> Iterator[Settings]:
    folder = tmp_path_factory.mktemp("matrix")
    settings = Settings(environment="test", instance_dir=folder / "instance", secret_key="test-secret",
                        redis_url=redis_base_url, platform_operators=(OPERATOR,), metrics_token=METRICS_TOKEN)
    upgrade(settings.sqlalchemy_url)
    yield settings
    engine_for(settings.sqlalchemy_url).dispose()


@pytest.fixture(scope="module")
def matrix(matrix_settings: Settings) -> MatrixWorld:
    from redis import Redis
    from rq import Queue

    result = build_matrix_world(matrix_settings)
    # A failed job for rq-dashboard's job pages and its requeue action; no worker runs it.
    redis = Redis.from_url(matrix_settings.redis_url or "")
    queue = Queue("text", connection=redis)
    job = queue.enqueue("builtins.len", "matrix")
    queue.remove(job)
    queue.failed_job_registry.add(job, exc_string="matrix: a failed job")
    result.ids["job"] = job.id
    Queue("asr", connection=redis).enqueue("builtins.len", "waiting")  # a queue to compact and to empty
    return result


@pytest.fixture(scope="module")
def matrix_app(matrix_settings: Settings, matrix: MatrixWorld) -> Flask:
    return create_app(matrix_settings)


@pytest.fixture(scope="module")
def principals(matrix_app: Flask, matrix: MatrixWorld) -> dict[str, Principal]:
    return signed_in_clients(matrix_app, matrix.emails)


@pytest.fixture(scope="module")
def snapshot(matrix_settings: Settings) -> Any:
    """Every stored row (but the audit log's): equal before and after a refused write."""
    tables = [t for t in sorted(Base.metadata.tables) if t not in UNTRACKED_TABLES]

    def take() -> int:
        with transaction(matrix_settings.sqlalchemy_url) as session:
            return hash(tuple(repr(session.execute(text(f"SELECT * FROM {t} ORDER BY 1")).all())
                              for t in tables))

    return take
