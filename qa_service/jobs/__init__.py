"""The job catalogue: every background job by name, each taking ids and calling one service.

Jobs are declared with `@job(queue=...)` (the helper is `qa_service.jobs.queue`) and stored by
RQ under their dotted name here, `qa_service.jobs.<name>`; `services.after_commit` asks for them
by that name.  The services are imported at the top: this module is the map of what runs in
the background.  Entry points call `install(settings)` once (`create_app`, the CLI, each worker).
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

from redis import Redis
from rq.job import Job

from qa_service.db.session import transaction
from qa_service.jobs.queue import (
    ASR_QUEUE,
    JOBS,
    QUEUES,
    TEXT_QUEUE,
    WORKER_MAINTENANCE_SECONDS,
    EnqueuedJob,
    JobFunc,
    _send_requested,
    check_queue,
    current_settings,
    enqueue,
    install,
    job,
    queue_depths,
    queue_of,
    redis_connection,
    run_worker,
    using_settings,
)
from qa_service.services.calibration.invitations import send_invitations
from qa_service.services.coaching import nightly as coaching_nightly
from qa_service.services.coaching import notices as coaching_notices
from qa_service.services.connectors.runs import due_connectors, run_connector
from qa_service.services.heartbeat import record_heartbeat
from qa_service.services.ingestion.pipeline_resume import stalled_steps
from qa_service.services.ingestion.pipeline_state import record_failure
from qa_service.services.ingestion.scoring import score_stored_interaction
from qa_service.services.ingestion.spool import sweep_orphaned_spool
from qa_service.services.ingestion.transcription import fail_transcription, transcribe_stored_interaction
from qa_service.services.reports import daily as daily_reports
from qa_service.services.reports import staffing
from qa_service.services.retention import purge as retention
from qa_service.services.search.topics import refresh_all_topics
from qa_service.services.search.trackers import run_backfill

__all__ = [
    "ASR_QUEUE", "JOBS", "QUEUES", "TEXT_QUEUE", "WORKER_MAINTENANCE_SECONDS", "EnqueuedJob", "JobFunc",
    "_send_requested", "check_queue", "current_settings", "enqueue", "install", "job", "queue_depths",
    "queue_of", "redis_connection", "run_worker", "using_settings",
]

log = logging.getLogger(__name__)

INTERACTION_STEPS = ("transcribe_interaction", "score_interaction")


def mark_step_failed(job: Job, connection: Redis, exc_type: type, exc_value: BaseException, tb: Any) -> None:
    """After the last retry, make the failure visible on the interaction the job was about."""
    if job.retries_left:
        return
    step = (job.func_name or "").rsplit(".", 1)[-1]
    if step == "transcribe_interaction" and job.args:
        fail_transcription(current_settings(), int(job.args[0]), exc_value)
    elif step in INTERACTION_STEPS and job.args:
        record_failure(current_settings(), int(job.args[0]), step=step, error=exc_value)


@job(queue=TEXT_QUEUE)
def record_worker_heartbeat(tenant_id: int) -> None:
    """Write an audit row from a worker: proves the queue and the database both work end to end."""
    record_heartbeat(current_settings(), tenant_id, at=datetime.now(UTC))


@job(queue=TEXT_QUEUE)
def poll_connectors() -> None:
    """Run by RQ's cron scheduler every minute: start ingestion of every connector that is due."""
    settings = current_settings()
    for connector_id in due_connectors(settings, datetime.now(UTC)):
        # A unique job id: a slow run is not joined by a second one on the same cursor.
        enqueue(settings, ingest_connector, connector_id, job_id=f"ingest-{connector_id}")


@job(queue=TEXT_QUEUE)
def ingest_connector(connector_id: int) -> None:
    """Fetch what is new from one connector; each stored item's pipeline starts when its batch commits."""
    run_connector(current_settings(), connector_id)


@job(queue=ASR_QUEUE, on_failure=mark_step_failed)
def transcribe_interaction(interaction_id: int) -> None:
    """Transcribe a stored call; the service requests its scoring in the transaction that stores the transcript."""
    transcribe_stored_interaction(current_settings(), interaction_id)


@job(queue=TEXT_QUEUE, on_failure=mark_step_failed)
def score_interaction(interaction_id: int) -> None:
    score_stored_interaction(current_settings(), interaction_id)


@job(queue=TEXT_QUEUE)
def backfill_tracker(tracker_id: int) -> None:
    """Tag the tenant's history with one tracker, batch by batch (progress on the tracker row)."""
    run_backfill(current_settings(), tracker_id)


@job(queue=TEXT_QUEUE)
def refresh_topics() -> None:
    """Nightly: discovered topics and emerging-topic tests for every tenant."""
    refresh_all_topics(current_settings(), datetime.now(UTC))


@job(queue=TEXT_QUEUE)
def sweep_spool() -> None:
    """Periodic: delete raw recordings no pipeline step will read any more (see `services.ingestion.spool`)."""
    settings = current_settings()
    sweep_orphaned_spool(settings, timedelta(seconds=settings.spool_orphan_age_seconds))



@job(queue=TEXT_QUEUE)
def resume_stalled_pipeline() -> None:
    """Periodic: ask again for the next step of interactions left waiting (a lost job; see
    `services.ingestion.pipeline_resume`).

    A job with the same id still waiting or running absorbs the request (`enqueue` is unique per id).
    """
    settings = current_settings()
    steps = stalled_steps(settings, datetime.now(UTC))
    resent = sum(not enqueue(settings, JOBS[name], interaction_id, job_id=job_id).already_in_flight
                 for name, interaction_id, job_id in steps)
    if resent:
        log.warning("resumed %d interaction(s) whose next pipeline step had been lost", resent)


@job(queue=TEXT_QUEUE)
def refresh_training_needs(tenant_id: int) -> None:
    """Nightly (and on demand): recompute the tenant's training needs, then mail coaching notices."""
    coaching_nightly.refresh_training_needs(current_settings(), tenant_id, datetime.now(UTC))


@job(queue=TEXT_QUEUE)
def refresh_all_training_needs() -> None:
    """The nightly entry point for the scheduler: one job per tenant."""
    settings = current_settings()
    for tenant_id in coaching_nightly.tenant_ids(settings):
        enqueue(settings, refresh_training_needs, tenant_id, job_id=f"training-needs-{tenant_id}")


@job(queue=TEXT_QUEUE)
def send_coaching_notices(tenant_id: int) -> None:
    """Mail the tenant's pending coaching notices (new, due soon, overdue); each is sent once."""
    coaching_notices.send_coaching_notices(current_settings(), tenant_id, datetime.now(UTC))


@job(queue=TEXT_QUEUE)
def check_staffing() -> None:
    """Periodic (every 5 minutes): compare agents logged in with the minimum and the plan; alert once per episode."""
    staffing.check_staffing(current_settings(), datetime.now(UTC))


@job(queue=TEXT_QUEUE)
def generate_daily_reports() -> None:
    """Periodic (every 15 minutes): yesterday's reports for tenants whose local report time has passed.

    A failed tenant raises after the others were tried, so RQ retries the job; the failure is
    also on the run (reports history page), and the next tick tries again up to MAX_ATTEMPTS.
    """
    daily_reports.generate_daily_reports(current_settings(), datetime.now(UTC))


@job(queue=TEXT_QUEUE)
def apply_retention_all() -> None:
    """Periodic: each tenant's retention (`services.retention.purge`), one transaction per tenant."""
    settings = current_settings()
    with transaction(settings.sqlalchemy_url) as session:
        ids = retention.tenant_ids(session)
    for tenant_id in ids:
        with transaction(settings.sqlalchemy_url) as session:
            retention.apply_retention(session, settings, tenant_id, datetime.now(UTC))


@job(queue=TEXT_QUEUE)
def regenerate_report_day(tenant_id: int, day_ordinal: int) -> None:
    """One tenant's day generated and mailed again on a person's request; raises so RQ retries a failure."""
    day = date.fromordinal(day_ordinal)
    outcome = daily_reports.generate_day(current_settings(), tenant_id, day, datetime.now(UTC))
    if outcome.status == "failed":
        raise daily_reports.DailyReportsFailed(f"tenant {tenant_id} {outcome.day}: {outcome.error}")


@job(queue=TEXT_QUEUE)
def send_calibration_invitations(calibration_id: int) -> None:
    """Mail a calibration session's invitations; fails (so RQ retries) while the relay refuses any."""
    send_invitations(current_settings(), calibration_id)

