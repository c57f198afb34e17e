"""Shared fixtures: settings on a throwaway SQLite, and real PostgreSQL / Redis servers.

PostgreSQL and Redis tests talk to real servers.  Locally, when a server is not running,
they skip with the reason; in CI (`CI=true`) a missing server fails the run instead, so a
green CI always means those tests ran.
"""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from aiosmtpd.controller import Controller
from connector_allowance import connectors_allowed
from smtp_inbox import SmtpInbox
from sqlalchemy.engine import make_url

from qa_service import jobs
from qa_service.config import Settings

# Entry points install the sender of the jobs services request after their commits; so does the test
# process (explicitly: importing qa_service.jobs no longer does it).  A job run in-process sees its
# caller's settings, so the settings bound here are only a default no test relies on.
jobs.install(Settings(environment="test", secret_key="test-secret"))

if TYPE_CHECKING:
    from redis import Redis

POSTGRES_ADMIN_URL = os.environ.get("QA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _unavailable(what: str, error: Exception) -> None:
    message = f"{what} is not reachable ({type(error).__name__}: {error})"
    if IN_CI:
        pytest.fail(f"{message}; CI must run these tests against the real server", pytrace=False)
    pytest.skip(f"{message}; start it to run this test")


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    """Embedded defaults in a temporary instance folder: SQLite, local blobs, in-process jobs."""
    from qa_service.db.migrate import upgrade

    result = Settings(environment="test", instance_dir=tmp_path / "instance", secret_key="test-secret",
                      **connectors_allowed(tmp_path))
    upgrade(result.sqlalchemy_url)
    return result


# The demo seeding moved beside the simulator; its tests still run on both databases.
SERVICE_TESTS = (Path(__file__).parent / "unit" / "services", Path(__file__).parent / "unit" / "demo")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Service tests run twice: on the embedded SQLite and on the real PostgreSQL."""
    path = metafunc.definition.path
    if "settings" in metafunc.fixturenames and any(path.is_relative_to(root) for root in SERVICE_TESTS):
        metafunc.parametrize(
            "settings", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
        )


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Embedded SQLite by default; for a service test's `postgresql` run, the real PostgreSQL with
    a savepoint per test (as Warehouse's `db_session`).

    On PostgreSQL the test runs inside one transaction of one connection: every session the
    services open joins it through a savepoint, and it is rolled back after the test.  The
    run's database is migrated once, so a test costs a BEGIN and a ROLLBACK, not a migration.
    """
    if getattr(request, "param", "sqlite") == "sqlite":
        yield request.getfixturevalue("sqlite_settings")
        return
    from qa_service.db.session import engine_for, sessions_joining

    postgres_url: str = request.getfixturevalue("service_postgres_url")
    result = Settings(
        environment="test", database_url=postgres_url, instance_dir=tmp_path / "instance", secret_key="test-secret",
        **connectors_allowed(tmp_path),
    )
    connection = engine_for(result.sqlalchemy_url).connect()
    outer = connection.begin()
    try:
        with sessions_joining(result.sqlalchemy_url, connection):
            yield result
    finally:
        outer.rollback()
        connection.close()


@contextlib.contextmanager
def _own_database(prefix: str) -> Iterator[str]:
    """A new, migrated database on the real PostgreSQL, dropped afterwards (CI fails without the server)."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        _unavailable("PostgreSQL", error)
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    from qa_service.db.migrate import upgrade
    from qa_service.db.session import engine_for

    try:
        upgrade(Settings(database_url=url).sqlalchemy_url)
        yield url
    finally:
        engine_for(Settings(database_url=url).sqlalchemy_url).dispose()
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def service_postgres_url() -> Iterator[str]:
    """The database of the service tests' savepoints alone: nothing else commits there, so a service test
    never counts rows that an integration test with real workers left in the run's shared database."""
    with _own_database("qa_svc") as url:
        yield url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database for this test run on the real PostgreSQL, migrated, dropped afterwards."""
    with _own_database("qa_test") as url:
        yield url


@pytest.fixture
def own_pg_settings(tmp_path: Path) -> Iterator[Settings]:
    """A PostgreSQL database for this test alone: for work that visits every tenant (daily jobs,
    trust recomputation, a scan of every table), which the shared run database fills with others'."""
    with _own_database("qa_own") as url:
        yield Settings(environment="test", database_url=url, instance_dir=tmp_path / "instance",
                       secret_key="test-secret", **connectors_allowed(tmp_path))


REDIS_CLAIM_KEY = "qa-service-tests:claimed-by"
REDIS_CLAIM_SECONDS = 6 * 3600  # a crashed run's claim lapses; no suite runs this long


def _empty_except_claim(client: Redis) -> None:
    """Delete every key of the run's database but its claim (RQ's keys, jobs, results)."""
    keys = [key for key in client.scan_iter(count=500) if key != REDIS_CLAIM_KEY.encode()]
    for start in range(0, len(keys), 500):
        client.delete(*keys[start : start + 500])


@pytest.fixture(scope="session")
def redis_base_url() -> Iterator[str]:
    """A Redis database index of this test run's own, so concurrent runs on one machine never meet.

    `QA_TEST_REDIS` names one explicitly (the developer's choice, used as given).  Otherwise the
    run claims the first of databases 1–15 that is empty, with an expiring `SET NX` key inside
    it: a database holding anyone else's keys is never taken, and so never flushed.
    """
    from redis import Redis
    from redis.exceptions import RedisError

    explicit = os.environ.get("QA_TEST_REDIS")
    base = make_url(explicit or "redis://127.0.0.1:6379/0")
    token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"
    claimed: Redis | None = None
    url = explicit or ""
    try:
        if explicit:
            Redis.from_url(explicit, socket_connect_timeout=3).ping()
        else:
            for index in range(1, 16):
                candidate = base.set(database=str(index)).render_as_string(hide_password=False)
                client = Redis.from_url(candidate, socket_connect_timeout=3)
                if not client.set(REDIS_CLAIM_KEY, token, nx=True, ex=REDIS_CLAIM_SECONDS):
                    continue
                if client.dbsize() == 1:
                    claimed, url = client, candidate
                    break
                client.delete(REDIS_CLAIM_KEY)  # someone's data lives here: leave it alone
    except RedisError as error:
        _unavailable("Redis", error)
    if not url:
        pytest.fail("no free Redis database among 1–15 for this test run; set QA_TEST_REDIS", pytrace=False)
    yield url
    if claimed is not None:
        _empty_except_claim(claimed)
        if claimed.get(REDIS_CLAIM_KEY) == token.encode():
            claimed.delete(REDIS_CLAIM_KEY)


@pytest.fixture
def redis_url(redis_base_url: str) -> Iterator[str]:
    """The real Redis, on this run's own database index, emptied before and after each test."""
    from redis import Redis

    client = Redis.from_url(redis_base_url, socket_connect_timeout=3)
    _empty_except_claim(client)
    yield redis_base_url
    _empty_except_claim(client)


@pytest.fixture
def pg_settings(postgres_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment="test", database_url=postgres_url, instance_dir=tmp_path / "instance", secret_key="test-secret",
        **connectors_allowed(tmp_path),
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


@pytest.fixture
def sent_jobs() -> Iterator[list[tuple[str, tuple[int | str, ...], str]]]:
    """Jobs that services request are recorded as (name, args, job_id) instead of being run or queued."""
    from qa_service.jobs import _send_requested
    from qa_service.services.after_commit import JobRequest, install_sender

    sent: list[tuple[str, tuple[int | str, ...], str]] = []

    def record(_settings: Settings, request: JobRequest) -> None:
        sent.append((request.name, request.args, request.job_id))

    install_sender(record)
    try:
        yield sent
    finally:
        install_sender(_send_requested)


CHROMIUM = Path("/usr/bin/chromium")
# No background networking: this machine's closed network refuses Chromium's own connections.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's chromium through Playwright (one per test); missing, it skips locally and fails in CI."""
    if not CHROMIUM.exists():
        _unavailable("chromium", FileNotFoundError(f"{CHROMIUM} is missing (apt-get install chromium)"))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
