"""Background jobs: one helper that binds queue, connection, timeouts, retries and failure TTL.

Jobs take ids, never objects, and each calls one service.  With `REDIS_URL` set they go
to RQ queues served by `qa-service worker`; without it they run in the caller's process
(the embedded default for the demo and unit tests).  Two queues keep slow speech
recognition from delaying chats and e-mails: `asr` for calls, `text` for everything else.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq import Callback, Queue, Retry, SimpleWorker
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus

from qa_service.config import Settings
from qa_service.services.after_commit import JobRequest, install_sender

log = logging.getLogger(__name__)

ASR_QUEUE = "asr"
TEXT_QUEUE = "text"
QUEUES = (ASR_QUEUE, TEXT_QUEUE)

WORKER_MAINTENANCE_SECONDS = 60

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
    already_in_flight: bool = False  # a job with this id was waiting or running: nothing new was queued


JobFunc = Callable[..., None]
JOBS: dict[str, JobFunc] = {}  # every job function by name: what `services.after_commit.request_job` names


def job(queue: str) -> Callable[[JobFunc], JobFunc]:
    """Declare a job function and the queue it runs on (`func.queue`)."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")

    def declare(func: JobFunc) -> JobFunc:
        func.queue = queue  # type: ignore[attr-defined]
        JOBS[func.__name__] = func
        return func

    return declare


def queue_of(func: Callable[..., Any]) -> str:
    queue = getattr(func, "queue", None)
    if queue not in QUEUES:
        raise ValueError(f"{getattr(func, '__name__', func)!r} is not declared with @job(queue=...)")
    return str(queue)


def enqueue(settings: Settings, func: Callable[..., Any], *ids: int | str, job_id: str | None = None) -> EnqueuedJob:
    """Run `func(*ids)` as a job on its declared queue: on RQ with retries and backoff, or right now in-process.

    The job id is deterministic (`job_id`, else the function's name and the ids) and RQ is
    asked for a *unique* job: while a job with that id is waiting or running, a second request
    adds nothing; a finished or failed one is replaced (a grown thread is scored again).
    Services do not call this: they ask for jobs inside their transaction and the session
    sends them after the commit (`services.after_commit`).
    """
    queue = queue_of(func)
    if settings.jobs_in_process:
        with using_settings(settings):
            func(*ids)
        return EnqueuedJob(id=None, queue=queue, ran_in_process=True)
    assert settings.redis_url is not None
    job_id = job_id or "-".join([func.__name__, *map(str, ids)])
    rq_queue = Queue(queue, connection=redis_connection(settings.redis_url))
    for _attempt in range(2):
        try:
            rq_queue.enqueue(
                func,
                *ids,
                job_id=job_id,
                unique=True,
                on_failure=Callback(_on_job_failure),
                job_timeout=settings.job_timeout_seconds,
                failure_ttl=settings.failure_ttl_seconds,
                result_ttl=3600,
                retry=Retry(max=settings.job_retries, interval=list(settings.retry_intervals[: settings.job_retries])),
            )
            return EnqueuedJob(id=job_id, queue=queue, ran_in_process=False)
        except DuplicateJobError:
            if _in_flight(settings, job_id):
                return EnqueuedJob(id=job_id, queue=queue, ran_in_process=False, already_in_flight=True)
            # Finished or failed: its record only keeps the result; the new request replaces it.
            with contextlib.suppress(NoSuchJobError):
                _discard(Job.fetch(job_id, connection=rq_queue.connection))
    # Another process replaced it between our two attempts: that job is now the one in flight.
    return EnqueuedJob(id=job_id, queue=queue, ran_in_process=False, already_in_flight=True)


def _discard(job: Job) -> None:
    """Delete a finished or failed job's record, so that its id can be queued again."""
    try:
        job.delete()
    except ValueError:
        # RQ's registry of the job's executions still names one whose record has expired (its
        # worker was SIGKILLed mid-job), and `delete()` stops at it: drop that registry, then the job.
        job.connection.delete(job.execution_registry.key)
        job.delete()


def _send_requested(settings: Settings, request: JobRequest) -> None:
    """`services.after_commit` calls this after the requesting transaction committed."""
    enqueue(settings, JOBS[request.name], *request.args, job_id=request.job_id)


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


def check_queue(settings: Settings) -> dict[str, Any]:
    """Readiness of the job queue for /healthz: in-process needs nothing; Redis must answer a ping."""
    if settings.jobs_in_process:
        return {"ok": True, "mode": "in-process"}
    assert settings.redis_url is not None
    try:
        client = Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except RedisError as error:
        return {"ok": False, "mode": "redis", "error": type(error).__name__}
    return {"ok": True, "mode": "redis"}


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
    # count as abandoned about a minute after the crash; RQ re-queues an abandoned job (a retry)
    # only in a worker's registry maintenance, every 10 minutes by default: once a minute here,
    # so a killed worker's job is retried within about two minutes, not up to eleven.  An idle
    # worker checks for maintenance only between waits for a job (worker TTL − 15 s, 405 s by
    # default), so the TTL is cut to match: an idle worker wakes once a minute.
    worker = SimpleWorker(
        list(queues),
        connection=redis_connection(settings.redis_url),
        job_monitoring_interval=10,
        maintenance_interval=WORKER_MAINTENANCE_SECONDS,
        worker_ttl=WORKER_MAINTENANCE_SECONDS + 15,
    )
    return bool(worker.work(burst=burst, with_scheduler=True))


def _on_job_failure(job: Job, connection: Redis, exc_type: type, exc_value: BaseException, tb: Any) -> None:
    """After the last retry, make the failure visible on the interaction the job was about."""
    if job.retries_left:
        return
    step = (job.func_name or "").rsplit(".", 1)[-1]
    if step == "transcribe_interaction" and job.args:
        from qa_service.services.ingestion.transcription import fail_transcription

        fail_transcription(current_settings(), int(job.args[0]), exc_value)
    elif step in INTERACTION_STEPS and job.args:
        from qa_service.services.ingestion.pipeline_state import record_failure

        record_failure(current_settings(), int(job.args[0]), step=step, error=exc_value)


# --- job functions -----------------------------------------------------------------------


@job(queue=TEXT_QUEUE)
def record_worker_heartbeat(tenant_id: int) -> None:
    """Write an audit row from a worker: proves the queue and the database both work end to end."""
    from qa_service.services.heartbeat import record_heartbeat

    record_heartbeat(current_settings(), tenant_id, at=datetime.now(UTC))


@job(queue=TEXT_QUEUE)
def poll_connectors() -> None:
    """Run by RQ's cron scheduler every minute: start ingestion of every connector that is due."""
    from qa_service.services.connectors.runs import due_connectors

    settings = current_settings()
    for connector_id in due_connectors(settings, datetime.now(UTC)):
        # A unique job id: a slow run is not joined by a second one on the same cursor.
        enqueue(settings, ingest_connector, connector_id, job_id=f"ingest-{connector_id}")


@job(queue=TEXT_QUEUE)
def ingest_connector(connector_id: int) -> None:
    """Fetch what is new from one connector; each stored item's pipeline starts when its batch commits."""
    from qa_service.services.connectors.runs import run_connector

    run_connector(current_settings(), connector_id)


@job(queue=ASR_QUEUE)
def transcribe_interaction(interaction_id: int) -> None:
    """Transcribe a stored call; the service requests its scoring in the transaction that stores the transcript."""
    from qa_service.services.ingestion.transcription import transcribe_stored_interaction

    transcribe_stored_interaction(current_settings(), interaction_id)


@job(queue=TEXT_QUEUE)
def score_interaction(interaction_id: int) -> None:
    from qa_service.services.ingestion.scoring import score_stored_interaction

    score_stored_interaction(current_settings(), interaction_id)


@job(queue=TEXT_QUEUE)
def backfill_tracker(tracker_id: int) -> None:
    """Tag the tenant's history with one tracker, batch by batch (progress on the tracker row)."""
    from qa_service.services.search.trackers import run_backfill

    run_backfill(current_settings(), tracker_id)


@job(queue=TEXT_QUEUE)
def refresh_topics() -> None:
    """Nightly: discovered topics and emerging-topic tests for every tenant."""
    from qa_service.services.search.topics import refresh_all_topics

    refresh_all_topics(current_settings(), datetime.now(UTC))


@job(queue=TEXT_QUEUE)
def sweep_spool() -> None:
    """Periodic: delete raw recordings no pipeline step will read any more (see `services.ingestion.spool`)."""
    from datetime import timedelta

    from qa_service.services.ingestion.spool import sweep_orphaned_spool

    settings = current_settings()
    sweep_orphaned_spool(settings, timedelta(seconds=settings.spool_orphan_age_seconds))


INTERACTION_STEPS = ("transcribe_interaction", "score_interaction")


@job(queue=TEXT_QUEUE)
def resume_stalled_pipeline() -> None:
    """Periodic: ask again for the next step of interactions left waiting (a lost job; see
    `services.ingestion.pipeline_resume`).

    A job with the same id still waiting or running absorbs the request (`enqueue` is unique per id).
    """
    from qa_service.services.ingestion.pipeline_resume import stalled_steps

    settings = current_settings()
    steps = stalled_steps(settings, datetime.now(UTC))
    resent = sum(not enqueue(settings, JOBS[name], interaction_id, job_id=job_id).already_in_flight
                 for name, interaction_id, job_id in steps)
    if resent:
        log.warning("resumed %d interaction(s) whose next pipeline step had been lost", resent)


@job(queue=TEXT_QUEUE)
def refresh_training_needs(tenant_id: int) -> None:
    """Nightly (and on demand): recompute the tenant's training needs, then mail coaching notices."""
    from qa_service.services.coaching.nightly import refresh_training_needs as refresh

    refresh(current_settings(), tenant_id, datetime.now(UTC))


@job(queue=TEXT_QUEUE)
def refresh_all_training_needs() -> None:
    """The nightly entry point for the scheduler: one job per tenant."""
    from qa_service.services.coaching.nightly import tenant_ids

    settings = current_settings()
    for tenant_id in tenant_ids(settings):
        enqueue(settings, refresh_training_needs, tenant_id, job_id=f"training-needs-{tenant_id}")


@job(queue=TEXT_QUEUE)
def send_coaching_notices(tenant_id: int) -> None:
    """Mail the tenant's pending coaching notices (new, due soon, overdue); each is sent once."""
    from qa_service.services.coaching.notices import send_coaching_notices as send

    send(current_settings(), tenant_id, datetime.now(UTC))


@job(queue=TEXT_QUEUE)
def check_staffing() -> None:
    """Periodic (every 5 minutes): compare agents logged in with the minimum and the plan; alert once per episode."""
    from qa_service.services.reports.staffing import check_staffing as run_check

    run_check(current_settings(), datetime.now(UTC))


@job(queue=TEXT_QUEUE)
def generate_daily_reports() -> None:
    """Periodic (every 15 minutes): yesterday's reports for tenants whose local report time has passed.

    A failed tenant raises after the others were tried, so RQ retries the job; the failure is
    also on the run (reports history page), and the next tick tries again up to MAX_ATTEMPTS.
    """
    from qa_service.services.reports.daily import generate_daily_reports as run_reports

    run_reports(current_settings(), datetime.now(UTC))


@job(queue=TEXT_QUEUE)
def regenerate_report_day(tenant_id: int, day_ordinal: int) -> None:
    """One tenant's day generated and mailed again on a person's request; raises so RQ retries a failure."""
    from qa_service.services.reports.daily import DailyReportsFailed, generate_day

    outcome = generate_day(current_settings(), tenant_id, date.fromordinal(day_ordinal), datetime.now(UTC))
    if outcome.status == "failed":
        raise DailyReportsFailed(f"tenant {tenant_id} {outcome.day}: {outcome.error}")


@job(queue=TEXT_QUEUE)
def send_calibration_invitations(calibration_id: int) -> None:
    """Mail a calibration session's invitations; fails (so RQ retries) while the relay refuses any."""
    from qa_service.services.calibration.invitations import send_invitations

    send_invitations(current_settings(), calibration_id)


install_sender(_send_requested)
