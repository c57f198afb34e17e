"""On the real Redis: a job id is unique while the job waits or runs, and replaced once it is done."""

from __future__ import annotations

import pytest
from rq import Queue
from rq.job import Job, JobStatus

from qa_service.config import Settings
from qa_service.db.models import Tenant
from qa_service.db.session import transaction
from qa_service.jobs import TEXT_QUEUE, enqueue, redis_connection, score_interaction
from qa_service.services.ingestion.intake import store_interaction

pytestmark = [pytest.mark.redis]

CHAT = {
    "external_id": "chat-9", "channel": "chat", "agent_id": "op-1", "started_at": "2026-11-20T10:00:00+03:00",
    "turns": [{"speaker": "customer", "text": "Здравствуйте"}],
}


def test_second_request_while_queued_adds_nothing_and_a_finished_job_is_replaced(
    settings: Settings, redis_url: str
) -> None:
    settings = settings.with_overrides(redis_url=redis_url)
    queue = Queue(TEXT_QUEUE, connection=redis_connection(redis_url))
    first = enqueue(settings, score_interaction, 5, job_id="score-5")
    again = enqueue(settings, score_interaction, 5, job_id="score-5")
    assert (first.already_in_flight, again.already_in_flight) == (False, True)
    assert queue.job_ids == ["score-5"]

    # What a worker does when it is done: the job leaves the queue, its record stays for result_ttl.
    queue.remove("score-5")
    Job.fetch("score-5", connection=queue.connection).set_status(JobStatus.FINISHED)
    replaced = enqueue(settings, score_interaction, 5, job_id="score-5")
    assert not replaced.already_in_flight
    assert queue.job_ids == ["score-5"]
    assert Job.fetch("score-5", connection=queue.connection).get_status() == JobStatus.QUEUED


def test_a_stored_chat_reaches_redis_only_when_its_transaction_commits(settings: Settings, redis_url: str) -> None:
    settings = settings.with_overrides(redis_url=redis_url)
    queue = Queue(TEXT_QUEUE, connection=redis_connection(redis_url))
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="sv", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        tenant_id = tenant.id
    with pytest.raises(RuntimeError), transaction(settings.sqlalchemy_url) as session:
        store_interaction(session, settings, tenant_id, CHAT)
        raise RuntimeError("the caller failed after storing")
    assert queue.job_ids == []
    with transaction(settings.sqlalchemy_url) as session:
        stored = store_interaction(session, settings, tenant_id, CHAT)
        assert queue.job_ids == []  # still inside the transaction
    assert queue.job_ids == [f"score-{stored.interaction_id}"]


def test_a_job_whose_killed_worker_left_a_stale_execution_is_still_replaced(settings: Settings, redis_url: str) -> None:
    """A worker SIGKILLed mid-job leaves its execution named in the job's execution registry after the
    execution's own record expired; RQ's `Job.delete()` then fails on it.  Found by the worker-kill fault test."""
    settings = settings.with_overrides(redis_url=redis_url)
    queue = Queue(TEXT_QUEUE, connection=redis_connection(redis_url))
    enqueue(settings, score_interaction, 6, job_id="score-6")
    queue.remove("score-6")
    job = Job.fetch("score-6", connection=queue.connection)
    job.set_status(JobStatus.FAILED)
    queue.connection.zadd(job.execution_registry.key, {"gone-execution": 9_999_999_999})  # its record is not there
    with pytest.raises(ValueError, match="not found"):
        Job.fetch("score-6", connection=queue.connection).delete()  # what RQ itself does with it

    replaced = enqueue(settings, score_interaction, 6, job_id="score-6")
    assert not replaced.already_in_flight
    assert queue.job_ids == ["score-6"]
    assert Job.fetch("score-6", connection=queue.connection).get_status() == JobStatus.QUEUED
