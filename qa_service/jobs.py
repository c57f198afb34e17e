"""Background jobs: one helper that binds queue, connection, timeouts, retries and failure TTL.

Jobs take ids, never objects, and each calls one service.  With `REDIS_URL` set they go
to RQ queues served by `qa-service worker`; without it they run in the caller's process
(the embedded default for the demo and unit tests).  Two queues keep slow speech
recognition from delaying chats and e-mails: `asr` for calls, `text` for everything else.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from redis import Redis
from rq import Callback, Queue, Retry, SimpleWorker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from qa_service.config import Settings
from qa_service.services.ingest import StoredInteraction

log = logging.getLogger(__name__)

ASR_QUEUE = "asr"
TEXT_QUEUE = "text"
QUEUES = (ASR_QUEUE, TEXT_QUEUE)

_settings_override: ContextVar[Settings | None] = ContextVar("qa_settings_override", default=None)


@cache
def _settings_from_env() -> Settings:
    return Settings.from_env()


def current_settings() -> Settings:
    """Settings of the running job: the caller's in-process, the environment's in a worker."""
    return _settings_override.get() or _settings_from_env()


@contextmanager
def using_settings(settings: Settings) -> Iterator[None]:
    token = _settings_override.set(settings)
    try:
        yield
    finally:
        _settings_override.reset(token)


@cache
def redis_connection(url: str) -> Redis:
    return Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)


@dataclass(frozen=True)
class EnqueuedJob:
    id: str | None
    queue: str
    ran_in_process: bool


def enqueue(
    settings: Settings, func: Callable[..., Any], *ids: int | str, queue: str = TEXT_QUEUE, job_id: str | None = None
) -> EnqueuedJob:
    """Run `func(*ids)` as a job: on RQ with retries and backoff, or right now in-process.

    `job_id` makes enqueueing idempotent (RQ keeps one job per id).  Call this only after
    the transaction that produced the ids has committed, so a worker never sees a row that
    is not there yet.
    """
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    if settings.jobs_in_process:
        with using_settings(settings):
            func(*ids)
        return EnqueuedJob(id=None, queue=queue, ran_in_process=True)
    assert settings.redis_url is not None
    rq_queue = Queue(queue, connection=redis_connection(settings.redis_url))
    job = rq_queue.enqueue(
        func,
        *ids,
        job_id=job_id,
        on_failure=Callback(_on_job_failure),
        job_timeout=settings.job_timeout_seconds,
        failure_ttl=settings.failure_ttl_seconds,
        result_ttl=3600,
        retry=Retry(max=settings.job_retries, interval=list(settings.retry_intervals[: settings.job_retries])),
    )
    return EnqueuedJob(id=job.id, queue=queue, ran_in_process=False)


def _in_flight(settings: Settings, job_id: str) -> bool:
    """Whether a job with this id is waiting, scheduled or running."""
    if settings.redis_url is None:
        return False
    try:
        job = Job.fetch(job_id, connection=redis_connection(settings.redis_url))
    except NoSuchJobError:
        return False
    return job.get_status() in (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED)


def queue_depths(settings: Settings) -> dict[str, int]:
    """Jobs waiting per queue (raises if Redis is unreachable); empty when jobs run in-process."""
    if settings.jobs_in_process:
        return {}
    assert settings.redis_url is not None
    connection = redis_connection(settings.redis_url)
    return {name: Queue(name, connection=connection).count for name in QUEUES}


def run_worker(
    settings: Settings, queues: Sequence[str], *, burst: bool = False, preload: Callable[[], None] | None = None
) -> bool:
    """Serve `queues` until stopped; heavy models are loaded once by `preload` before the loop."""
    if settings.redis_url is None:
        raise ValueError("REDIS_URL is required to run a worker")
    if preload is not None:
        preload()
    # SimpleWorker runs jobs in this process instead of a fork per job: the models loaded by
    # `preload` stay warm, and CTranslate2's thread pool does not survive a fork (the forked
    # work-horse deadlocked on it).  A short monitoring interval makes a dead worker's job
    # count as abandoned — and retried — about a minute after the crash.
    worker = SimpleWorker(list(queues), connection=redis_connection(settings.redis_url), job_monitoring_interval=10)
    return bool(worker.work(burst=burst, with_scheduler=True))


def _on_job_failure(job: Job, connection: Redis, exc_type: type, exc_value: BaseException, tb: Any) -> None:
    """After the last retry, make the failure visible on the interaction the job was about."""
    if job.retries_left:
        return
    step = (job.func_name or "").rsplit(".", 1)[-1]
    if step in INTERACTION_STEPS and job.args:
        from qa_service.services.pipeline_state import record_failure

        record_failure(current_settings(), int(job.args[0]), step=step, error=exc_value)


# --- job functions -----------------------------------------------------------------------


def record_worker_heartbeat(tenant_id: int) -> None:
    """Write an audit row from a worker: proves the queue and the database both work end to end."""
    from qa_service.services.heartbeat import record_heartbeat

    record_heartbeat(current_settings(), tenant_id, at=datetime.now(UTC))


def poll_connectors() -> None:
    """Run by RQ's cron scheduler every minute: start ingestion of every connector that is due."""
    from qa_service.services.connector_runs import due_connectors

    settings = current_settings()
    for connector_id in due_connectors(settings, datetime.now(UTC)):
        job_id = f"ingest-{connector_id}"
        if not _in_flight(settings, job_id):  # a slow run is not joined by a second one on the same cursor
            enqueue(settings, ingest_connector, connector_id, job_id=job_id)


def ingest_connector(connector_id: int) -> None:
    """Fetch what is new from one connector; each stored item starts its own pipeline."""
    from qa_service.services.connector_runs import run_connector

    settings = current_settings()
    run_connector(settings, connector_id, on_stored=lambda stored: start_pipeline(settings, stored))


def start_pipeline(settings: Settings, stored: StoredInteraction) -> None:
    """Called after the interaction's transaction committed: calls go to ASR, the rest to scoring."""
    interaction_id = stored.interaction_id
    if not (stored.created or stored.updated) or not stored.needs_scoring:
        return
    if stored.needs_transcription:
        enqueue(
            settings, transcribe_interaction, interaction_id, queue=ASR_QUEUE, job_id=f"transcribe-{interaction_id}"
        )
    else:
        enqueue(settings, score_interaction, interaction_id, job_id=f"score-{interaction_id}")


def transcribe_interaction(interaction_id: int) -> None:
    from qa_service.services.transcription import transcribe_stored_interaction

    settings = current_settings()
    if transcribe_stored_interaction(settings, interaction_id).ready_for_scoring:
        enqueue(settings, score_interaction, interaction_id, job_id=f"score-{interaction_id}")


def score_interaction(interaction_id: int) -> None:
    from qa_service.services.scoring import score_stored_interaction

    score_stored_interaction(current_settings(), interaction_id)


INTERACTION_STEPS = ("transcribe_interaction", "score_interaction")


def refresh_training_needs(tenant_id: int) -> None:
    """Nightly (and on demand): recompute the tenant's training needs, then mail coaching notices."""
    from qa_service.services.coaching_jobs import refresh_training_needs as refresh

    refresh(current_settings(), tenant_id, datetime.now(UTC))


def refresh_all_training_needs() -> None:
    """The nightly entry point for the scheduler: one job per tenant."""
    from qa_service.services.coaching_jobs import tenant_ids

    settings = current_settings()
    for tenant_id in tenant_ids(settings):
        enqueue(settings, refresh_training_needs, tenant_id, job_id=f"training-needs-{tenant_id}")


def send_coaching_notices(tenant_id: int) -> None:
    """Mail the tenant's pending coaching notices (new, due soon, overdue); each is sent once."""
    from qa_service.services.coaching_notices import send_coaching_notices as send

    send(current_settings(), tenant_id, datetime.now(UTC))


def send_calibration_invitations(calibration_id: int, link: str) -> None:
    """Mail a calibration session's invitations; fails (so RQ retries) while the relay refuses any."""
    from qa_service.services.calibration_invitations import send_invitations

    send_invitations(current_settings(), calibration_id, link)
