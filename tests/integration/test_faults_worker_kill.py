"""Fault on real parts: workers SIGKILLed every few seconds while 1,000 chats and e-mails flow.

The whole path is real: the platform simulator over HTTP, the connector job fetching and
storing (with redaction) on a worker, the scoring jobs, RQ on the real Redis, PostgreSQL.
Two `qa-service worker` processes are kept running by a supervisor (as systemd or Docker's
restart policy would); every few seconds one that is running a job is SIGKILLed with
everything it started — ten times: scoring jobs, and at most once the connector run after it
has stored some items.  (A worker needs ~5 s of CPU to load its models, over 10 s on a busy
machine, so killing more often than that would only measure start-up.)  The test plays the
scheduler's part (`qa-service scheduler` enqueues the same two periodic jobs): it asks for
`poll_connectors` and `resume_stalled_pipeline` every few seconds.

What recovers the killed work: RQ counts a killed worker's job abandoned once its heartbeat
lapses and a worker's registry maintenance re-queues it (a retry); an ingestion killed after
a batch committed resumes from the stored cursor; a step whose job was never sent (killed
between the commit and the send) is asked for again by `resume_stalled_pipeline`.  Counted in
PostgreSQL at the end: every item once, every one scored, exactly one machine evaluation each.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fault_parts import Supervisor, pipeline_counts, wait_for
from simulated_platform import running_simulator, tenant_with_connector

from qa_service.config import Settings
from qa_service.db.models import ConnectorConfig
from qa_service.db.session import transaction
from qa_service.jobs import TEXT_QUEUE, enqueue, poll_connectors, redis_connection, resume_stalled_pipeline

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

CHATS, EMAILS = 700, 300
KILL_EVERY_SECONDS = 4
KILLS = 10
INGEST_KILLS = 1
TICK_SECONDS = 5


def test_workers_killed_every_few_seconds_lose_nothing_and_score_each_item_once(
    pg_settings: Settings, redis_url: str, tmp_path: Path
) -> None:
    # Retries at once (the test should not sit out the production backoff); a killed job counts as
    # abandoned job timeout + 60 s after it started (RQ's heartbeat TTL): 45 s instead of 15 minutes
    # (a longer ingestion run is stopped by the timeout and the next one resumes from its cursor);
    # a stalled step is asked for again after 20 s instead of 10 minutes.
    settings = pg_settings.with_overrides(
        redis_url=redis_url, retry_intervals=(0, 0, 0), job_timeout_seconds=45, pipeline_resume_age_seconds=20
    )
    total = CHATS + EMAILS
    connection = redis_connection(redis_url)
    with running_simulator(tmp_path / "audio", seed=11, calls=0, chats=CHATS, emails=EMAILS) as simulator:
        tenant_id, connector_id = tenant_with_connector(settings, simulator, page_size=200)
        with transaction(settings.sqlalchemy_url) as session:
            session.get_one(ConnectorConfig, connector_id).poll_interval_seconds = 1

        last_tick = [0.0]

        def scheduler_tick() -> None:
            """The scheduler's two periodic jobs, every few seconds (5 min for the resume job in production)."""
            if time.monotonic() - last_tick[0] >= TICK_SECONDS:
                enqueue(settings, poll_connectors)
                enqueue(settings, resume_stalled_pipeline)
                last_tick[0] = time.monotonic()

        killed_jobs: list[str] = []

        def target(job_id: str) -> bool:
            # The connector run once, after it stored some items (it must resume from its cursor after
            # the abandoned-job wait, which is long); otherwise the scoring jobs, where the items flow.
            if job_id.startswith("ingest-"):
                ingest_kills = sum(killed.startswith("ingest-") for killed in killed_jobs)
                return ingest_kills < INGEST_KILLS and pipeline_counts(settings, tenant_id)["stored"] > 0
            return job_id.startswith("score-")

        began = time.monotonic()
        with Supervisor(settings, TEXT_QUEUE, count=2, log_dir=tmp_path / "workers") as workers:
            # The kill phase: while items flow, every few seconds a worker dies in the middle of a job.
            last_kill = time.monotonic()
            while len(killed_jobs) < KILLS:
                progress = pipeline_counts(settings, tenant_id)
                assert time.monotonic() - began < 900, f"no progress under kills: {progress}"
                scheduler_tick()
                time.sleep(0.5)  # how often a kill is considered, not a wait for work
                if time.monotonic() - last_kill >= KILL_EVERY_SECONDS and (
                    job := workers.kill_busy(connection, target)
                ):
                    killed_jobs.append(job)
                    last_kill = time.monotonic()
            kill_phase = time.monotonic() - began

            # Recovery: abandoned jobs come back after their heartbeat lapses (about 70 s) and a
            # worker's maintenance re-queues them; lost sends come back through the resume job.
            def all_scored() -> bool:
                scheduler_tick()
                return pipeline_counts(settings, tenant_id)["scored"] == total

            wait_for(all_scored, f"every item scored ({pipeline_counts(settings, tenant_id)})", timeout=420, every=2)
            recovered_after = time.monotonic() - began - kill_phase
            counts = pipeline_counts(settings, tenant_id)
            log_tail = workers.logs_tail()
            kills, restarts = workers.kills, workers.restarts

    print(f"\nworkers SIGKILLed mid-job: {kills} (jobs {sorted(set(killed_jobs))}), restarts: {restarts}, "
          f"kill phase {kill_phase:.0f} s, all scored {recovered_after:.0f} s later; counts {counts}")
    assert kills == len(killed_jobs) == KILLS and restarts >= kills
    assert sum(job.startswith("score-") for job in killed_jobs) >= KILLS - INGEST_KILLS
    assert counts == {
        "stored": total, "distinct": total, "scored": total, "failed": 0, "evaluations": total, "evaluated": total
    }, log_tail
