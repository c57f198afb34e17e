"""Shared fixtures: settings on a throwaway SQLite, and real PostgreSQL / Redis servers.

PostgreSQL and Redis tests talk to real servers.  Locally, when a server is not running,
they skip with the reason; in CI (`CI=true`) a missing server fails the run instead, so a
green CI always means those tests ran.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from smtp_inbox import SmtpInbox
from sqlalchemy.engine import make_url

from qa_service.config import Settings

POSTGRES_ADMIN_URL = os.environ.get("QA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_TEST_URL = os.environ.get("QA_TEST_REDIS", "redis://127.0.0.1:6379/9")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _unavailable(what: str, error: Exception) -> None:
    message = f"{what} is not reachable ({type(error).__name__}: {error})"
    if IN_CI:
        pytest.fail(f"{message}; CI must run these tests against the real server", pytrace=False)
    pytest.skip(f"{message}; start it to run this test")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Embedded defaults in a temporary instance folder: SQLite, local blobs, in-process jobs."""
    from qa_service.db.migrate import upgrade

    result = Settings(environment="test", instance_dir=tmp_path / "instance", secret_key="test-secret")
    upgrade(result.sqlalchemy_url)
    return result


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database for this test run on the real PostgreSQL, migrated, dropped afterwards."""
    import psycopg

    name = f"qa_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        _unavailable("PostgreSQL", error)
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    from qa_service.db.migrate import upgrade

    upgrade(Settings(database_url=url).sqlalchemy_url)
    yield url
    from qa_service.db.session import engine_for

    engine_for(Settings(database_url=url).sqlalchemy_url).dispose()
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The real Redis, on a database index of its own, emptied before and after each test."""
    from redis import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except RedisError as error:
        _unavailable("Redis", error)
    client.flushdb()
    yield REDIS_TEST_URL
    client.flushdb()


@pytest.fixture
def pg_settings(postgres_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment="test", database_url=postgres_url, instance_dir=tmp_path / "instance", secret_key="test-secret"
    )


@pytest.fixture
def smtp_server() -> Iterator[tuple[str, SmtpInbox]]:
    """A real SMTP server on a loopback port: yields its smtp:// URL and its inbox."""
    inbox = SmtpInbox()
    # aiosmtpd checks readiness by connecting to the port it was given, so it needs a real one.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{controller.port}", inbox
    finally:
        controller.stop()
