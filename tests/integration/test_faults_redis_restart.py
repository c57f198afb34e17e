"""Fault on real parts: Redis dies mid-run (every queued job with it) and comes back empty.

A private `redis-server` of this test (the machine's Redis is shared by every test run, so it
is never restarted), the real PostgreSQL, two supervised `qa-service worker` processes and
the platform simulator.  The crash comes while scoring jobs wait in the queue; during the
outage the connector runs (in-process, as a worker would) and stores what is new, but cannot
send its jobs; then Redis returns with no data at all (no persistence: the worst case).
Afterwards the scheduler's two periodic jobs — the test plays the scheduler and asks for
them — bring everything to an end: `poll_connectors` fetches the rest from the cursor and
`resume_stalled_pipeline` asks again for every step whose job was lost.  Counted in
PostgreSQL: every item once, scored once.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import pytest
from fault_parts import Supervisor, pipeline_counts, private_redis, wait_for
from redis.exceptions import RedisError
from simulated_platform import running_simulator, tenant_with_connector

from qa_service.config import Settings
from qa_service.db.models import ConnectorConfig
from qa_service.db.session import transaction
from qa_service.jobs import TEXT_QUEUE, enqueue, poll_connectors, queue_depths, resume_stalled_pipeline
from qa_service.services.connectors.runs import run_connector

pytestmark = [pytest.mark.postgres]

CHATS, EMAILS = 160, 40
FIRST_BATCH = 120  # the platform shows these first; the rest "arrive" while Redis is down
OUTAGE_SECONDS = 5  # how long Redis stays down: the fault's length, not a wait for work


def test_jobs_lost_with_a_crashed_redis_complete_after_it_returns(pg_settings: Settings, tmp_path: Path) -> None:
    total = CHATS + EMAILS
    with private_redis(tmp_path / "redis") as redis_server, running_simulator(
        tmp_path / "audio", seed=12, calls=0, chats=CHATS, emails=EMAILS
    ) as simulator:
        settings = pg_settings.with_overrides(
            redis_url=redis_server.url, retry_intervals=(0, 0, 0), pipeline_resume_age_seconds=20
        )
        # Hold back the newest items: the platform publishes them during the outage.
        data = simulator.data
        merged = sorted(data.chats + data.emails, key=lambda r: r["updated_at"])
        cut = merged[FIRST_BATCH - 1]["updated_at"]
        later_chats = [r for r in data.chats if r["updated_at"] > cut]
        later_emails = [r for r in data.emails if r["updated_at"] > cut]
        data.chats[:] = [r for r in data.chats if r["updated_at"] <= cut]
        data.emails[:] = [r for r in data.emails if r["updated_at"] <= cut]
        first = len(data.chats) + len(data.emails)
        assert 0 < first < total

        tenant_id, connector_id = tenant_with_connector(settings, simulator, page_size=100)
        with transaction(settings.sqlalchemy_url) as session:
            session.get_one(ConnectorConfig, connector_id).poll_interval_seconds = 1
        run_connector(settings, connector_id)  # stores the first items; their scoring jobs wait in Redis
        assert queue_depths(settings)[TEXT_QUEUE] == first

        def scheduler_tick() -> None:
            with contextlib.suppress(RedisError):  # the scheduler itself cannot reach Redis during the outage
                enqueue(settings, poll_connectors)
                enqueue(settings, resume_stalled_pipeline)

        # One worker: it cannot score the whole queue before the crash comes.
        with Supervisor(settings, TEXT_QUEUE, count=1, log_dir=tmp_path / "workers") as workers:
            wait_for(lambda: pipeline_counts(settings, tenant_id)["scored"] >= 5, "the first items scored", 300)
            waiting = queue_depths(settings)[TEXT_QUEUE]
            redis_server.stop()
            down_at = time.monotonic()
            lost_in_redis = first - pipeline_counts(settings, tenant_id)["scored"]

            # The platform publishes the rest; a connector run stores them but cannot queue their jobs.
            data.chats.extend(later_chats)
            data.emails.extend(later_emails)
            with pytest.raises(RedisError):
                run_connector(settings, connector_id)
            stored_during_outage = pipeline_counts(settings, tenant_id)["stored"] - first
            with pytest.raises(RedisError):
                queue_depths(settings)
            time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - down_at)))

            redis_server.start()  # empty: every queued job and its record are gone
            assert queue_depths(settings)[TEXT_QUEUE] == 0

            def all_scored() -> bool:
                scheduler_tick()
                return pipeline_counts(settings, tenant_id)["scored"] == total

            wait_for(all_scored, f"every item scored ({pipeline_counts(settings, tenant_id)})", 420, every=2)
            counts = pipeline_counts(settings, tenant_id)
            restarts = workers.restarts
            log_tail = workers.logs_tail()

    print(f"\nRedis crashed with {waiting} jobs queued ({lost_in_redis} items not yet scored), "
          f"{stored_during_outage} items stored during the outage without their jobs; "
          f"worker restarts {restarts}; counts {counts}")
    assert waiting > 0 and lost_in_redis > 0
    assert stored_during_outage > 0
    assert counts == {
        "stored": total, "distinct": total, "scored": total, "failed": 0, "evaluations": total, "evaluated": total
    }, log_tail
