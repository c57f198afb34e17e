"""The job helper: queues, connection, timeouts, retries and failure TTL bound in one place (as Redash's).

With `REDIS_URL` set jobs go to RQ queues served by `qa-service worker`; without it they run
in the caller's process (the embedded default for the demo and unit tests).  Two queues keep
slow speech recognition from delaying chats and e-mails: `asr` for calls, `text` for the rest.

Settings are bound once per process by `install(settings)` — the web app, the CLI and each
worker call it — and a job reads them with `current_settings()`; a job run in-process sees
its caller's settings instead.  The job functions themselves are the catalogue, `qa_service.jobs`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

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
_installed: list[Settings] = []  # the process's settings, bound by `install` (the entry points call it once)


def install(settings: Settings) -> None:
    """Bind `settings` for the jobs this process runs, and send the jobs services request after their commits."""
    _installed[:] = [settings]
    install_sender(_send_requested)


def current_settings() -> Settings:
    """Settings of the running job: its caller's when it runs in-process, else those `install` bound."""
    settings = _settings_override.get() or (_installed[0] if _installed else None)
    if settings is None:
        raise RuntimeError("jobs.install(settings) was not called: start workers with `qa-service worker`")
    return settings


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


FailureCallback = Callable[[Job, Redis, type, BaseException, Any], None]


def job(queue: str, *, on_failure: FailureCallback | None = None) -> Callable[[JobFunc], JobFunc]:
    """Declare a job function, the queue it runs on (`func.queue`) and what RQ calls when a run fails."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")

    def declare(func: JobFunc) -> JobFunc:
        func.queue = queue  # type: ignore[attr-defined]
        func.on_failure = on_failure  # type: ignore[attr-defined]
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
                on_failure=_failure_callback(func),
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


def _failure_callback(func: Callable[..., Any]) -> Callback | None:
    handler = cast(FailureCallback | None, getattr(func, "on_failure", None))
    return Callback(handler) if handler is not None else None


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
    """Serve `queues` until stopped, with `settings` bound for its jobs; `preload` loads heavy models once first."""
    if settings.redis_url is None:
        raise ValueError("REDIS_URL is required to run a worker")
    install(settings)
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
