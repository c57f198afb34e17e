"""Worker processes: load the heavy models once, then serve RQ queues (as RQ's docs advise).

`qa-service worker --queues asr,text` and `python -m workers.asr` / `workers.text` both start
here.  The settings are built once and bound for every job the worker runs
(`jobs.run_worker` installs them); the Whisper model (asr) and the scoring models (text) are
loaded before the first job, so no job pays for them.
"""

from __future__ import annotations

from collections.abc import Sequence

from qa_service import jobs
from qa_service.asr.transcriber import preload as preload_whisper
from qa_service.config import ConfigError, Settings
from qa_service.logging_setup import configure_logging
from qa_service.services.ingestion.scoring import warm_up as warm_up_scoring


def preload(queues: Sequence[str]) -> None:
    """Load heavy models once, before the work loop (only for queues that need them)."""
    if jobs.ASR_QUEUE in queues:
        preload_whisper()
    if jobs.TEXT_QUEUE in queues:
        warm_up_scoring()


def check_queues(queues: Sequence[str], settings: Settings) -> None:
    unknown = [q for q in queues if q not in jobs.QUEUES]
    if unknown:
        raise ConfigError(f"неизвестные очереди: {unknown}", f"unknown queues: {unknown}")
    if settings.redis_url is None:
        raise ConfigError(
            "для воркера нужен REDIS_URL (без него задачи выполняются в процессе)",
            "a worker needs REDIS_URL (without it jobs run in-process)",
        )


def serve(settings: Settings, queues: Sequence[str], *, burst: bool = False) -> bool:
    """Check the queues, preload what they need, then serve them until stopped (or, `burst`, until empty)."""
    settings.require_secret()
    check_queues(queues, settings)
    configure_logging()
    return jobs.run_worker(settings, list(queues), burst=burst, preload=lambda: preload(queues))
