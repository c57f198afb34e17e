"""Fault on real parts: the airline's platform is down for an hour, on a simulated clock.

The platform simulator (a real HTTP server) answers every API request with HTTP 500 for an
hour of simulated time while contacts keep arriving on it; the connector's polls run against
the real PostgreSQL and queue their jobs on the real Redis.  The clock is `time-machine`'s:
each step moves it one minute, the scheduler's tick (`due_connectors`, what `poll_connectors`
asks) decides whether the connector is due, and a due connector runs.  Polling must back off
(doubling the wait after each failed run, capped at `MAX_BACKOFF_SECONDS`) instead of hitting
the dead platform every minute, and once the platform returns it must catch up: every item
stored once, each with one scoring job, the cursor at the end, the error cleared.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from fault_parts import pipeline_counts
from simulated_platform import running_simulator, tenant_with_connector

from qa_service.config import Settings
from qa_service.connectors.base import TransientFetchError
from qa_service.db.models import ConnectorConfig
from qa_service.db.session import session_factory, transaction
from qa_service.jobs import TEXT_QUEUE, queue_depths
from qa_service.services.connectors.runs import MAX_BACKOFF_SECONDS, due_connectors, run_connector
from qa_service.simulator.server import PlatformServer

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

POLL_INTERVAL = 60
OUTAGE_MINUTES = 60
CHATS, EMAILS = 60, 30
FIRST = 30  # items on the platform before the outage; the rest arrive during it, a few a minute
START = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[PlatformServer]:
    with running_simulator(tmp_path / "audio", seed=13, calls=0, chats=CHATS, emails=EMAILS) as server:
        yield server


def test_an_hour_long_outage_backs_off_then_catches_up_without_losing_or_doubling(
    pg_settings: Settings, redis_url: str, simulator: PlatformServer
) -> None:
    settings = pg_settings.with_overrides(redis_url=redis_url)
    total = CHATS + EMAILS
    data = simulator.data
    arriving = sorted(data.chats + data.emails, key=lambda r: (r["updated_at"], r["id"]))
    chat_ids = {r["id"] for r in data.chats}
    data.chats.clear()
    data.emails.clear()

    def publish(count: int) -> None:
        """New contacts reach the platform (in time order, as the connector's cursor expects)."""
        for record in arriving[:count]:
            (data.chats if record["id"] in chat_ids else data.emails).append(record)
        del arriving[:count]

    tenant_id, connector_id = tenant_with_connector(settings, simulator, page_size=50)
    with transaction(settings.sqlalchemy_url) as session:
        session.get_one(ConnectorConfig, connector_id).poll_interval_seconds = POLL_INTERVAL

    def connector() -> ConnectorConfig:
        with session_factory(settings.sqlalchemy_url)() as session:
            return session.get_one(ConnectorConfig, connector_id)

    attempts: list[tuple[datetime, bool]] = []  # (when, succeeded)

    def tick(now: datetime) -> None:
        """The scheduler's minute: run the connector if it is due (what `poll_connectors` enqueues)."""
        if connector_id not in due_connectors(settings, now):
            return
        try:
            run_connector(settings, connector_id)
            attempts.append((now, True))
        except TransientFetchError:
            attempts.append((now, False))

    with time_machine.travel(START, tick=False) as clock:
        publish(FIRST)
        tick(datetime.now(UTC))
        assert pipeline_counts(settings, tenant_id)["stored"] == FIRST

        simulator.faults.update({"status_500": 10**9})  # down: every API request fails
        outage_start = datetime.now(UTC)
        per_minute = -(-(total - FIRST) // OUTAGE_MINUTES)  # the rest arrive over the hour
        for _ in range(OUTAGE_MINUTES):
            clock.shift(timedelta(minutes=1))
            publish(per_minute)
            tick(datetime.now(UTC))
        assert not arriving
        during = [when for when, ok in attempts if when > outage_start]
        assert all(not ok for when, ok in attempts if when > outage_start)
        failures_in_a_row = connector().consecutive_failures
        assert connector().last_error and failures_in_a_row == len(during)

        simulator.faults.update({"status_500": 0})  # back
        back_at = datetime.now(UTC)
        while not attempts[-1][1]:
            assert datetime.now(UTC) - back_at <= timedelta(seconds=MAX_BACKOFF_SECONDS), "no catch-up in time"
            clock.shift(timedelta(minutes=1))
            tick(datetime.now(UTC))
        caught_up_after = datetime.now(UTC) - back_at

    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(during)]
    counts = pipeline_counts(settings, tenant_id)
    after = connector()
    print(f"\noutage {OUTAGE_MINUTES} min (simulated): {len(during)} polls during it (without back-off: "
          f"{OUTAGE_MINUTES}), waits {gaps} s; caught up {caught_up_after} after the platform returned; "
          f"counts {counts}")
    # Backed off: each wait at least as long as the one before, none beyond the cap, few attempts.
    assert gaps == sorted(gaps) and max(gaps) <= MAX_BACKOFF_SECONDS and gaps[0] >= 2 * POLL_INTERVAL
    assert len(during) <= 10
    # Caught up: every item once, each queued for scoring once; the connector is healthy again.
    assert counts["stored"] == counts["distinct"] == total
    assert queue_depths(settings)[TEXT_QUEUE] == total
    assert after.last_error is None and after.consecutive_failures == 0
    # …and polls at its own interval again.
    assert connector_id not in due_connectors(settings, attempts[-1][0] + timedelta(seconds=POLL_INTERVAL - 1))
    assert connector_id in due_connectors(settings, attempts[-1][0] + timedelta(seconds=POLL_INTERVAL))
