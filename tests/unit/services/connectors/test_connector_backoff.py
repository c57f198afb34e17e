"""Polling a failing platform backs off: each failed run in a row doubles the wait, up to a cap."""

from datetime import UTC, datetime, timedelta

from qa_service.config import Settings
from qa_service.db.models import ConnectorConfig, Tenant
from qa_service.db.session import transaction
from qa_service.services.connectors.configuration import save_connector
from qa_service.services.connectors.runs import MAX_BACKOFF_SECONDS, due_connectors, poll_wait_seconds


def test_the_wait_doubles_per_failure_up_to_the_cap_and_never_below_the_interval() -> None:
    assert [poll_wait_seconds(60, failures) for failures in range(6)] == [60, 120, 240, 480, 900, 900]
    assert poll_wait_seconds(60, 10_000) == MAX_BACKOFF_SECONDS
    assert poll_wait_seconds(3600, 3) == 3600  # a connector polled hourly is never polled more often


def test_a_failing_connector_is_due_later_and_a_healthy_one_at_its_interval(settings: Settings) -> None:
    last = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="sv", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        ids = []
        for name, failures in (("healthy", 0), ("failing", 3)):
            connector = save_connector(session, tenant.id, sandbox=None, name=name, kind="http",
                                       config={"base_url": "http://127.0.0.1:9"}, secrets={})
            row = session.get_one(ConnectorConfig, connector.id)
            row.poll_interval_seconds, row.last_run_at, row.consecutive_failures = 60, last, failures
            ids.append(connector.id)
    healthy, failing = ids
    assert set(due_connectors(settings, last + timedelta(seconds=60))) & set(ids) == {healthy}
    assert set(due_connectors(settings, last + timedelta(seconds=479))) & set(ids) == {healthy}
    assert set(due_connectors(settings, last + timedelta(seconds=480))) & set(ids) == {healthy, failing}
