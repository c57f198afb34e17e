"""Jobs and the raw-audio spool wait for the commit: sent after it, dropped by a rollback."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import Interaction, Tenant
from qa_service.db.session import session_factory, transaction
from qa_service.jobs import JOBS, QUEUES, job, queue_of
from qa_service.services import after_commit
from qa_service.services.ingestion.intake import spool_path, store_interaction

CALL = {
    "external_id": "1732100000.7",
    "source": "pbx",
    "channel": "call",
    "agent_id": "op-17",
    "started_at": "2026-11-20T10:00:00+03:00",
    "recording": {"uri": "in-7.wav"},
}


@pytest.fixture
def tenant_id(settings: Settings) -> int:
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="sv", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        return tenant.id


def test_a_job_is_sent_only_after_the_commit_and_sees_its_row(settings: Settings, tenant_id: int) -> None:
    seen: list[tuple[str, bool]] = []

    def sender(_settings: Settings, request: after_commit.JobRequest) -> None:
        # What a worker would do first: read the row from its own connection.
        with session_factory(settings.sqlalchemy_url)() as other:
            seen.append((request.job_id, other.get(Interaction, request.args[0]) is not None))

    after_commit.install_sender(sender)
    try:
        with transaction(settings.sqlalchemy_url) as session:
            stored = store_interaction(
                session, settings, tenant_id, CALL, recording=b"RIFF", recording_filename="a.wav"
            )
            assert seen == []  # nothing leaves before the commit
            assert not spool_path(settings, tenant_id, stored.interaction_id, "a.wav").exists()
    finally:
        from qa_service.jobs import _send_requested

        after_commit.install_sender(_send_requested)
    assert seen == [(f"transcribe-{stored.interaction_id}", True)]
    assert spool_path(settings, tenant_id, stored.interaction_id, "a.wav").read_bytes() == b"RIFF"


def test_a_rolled_back_store_sends_no_job_and_leaves_no_raw_audio(
    settings: Settings, tenant_id: int, sent_jobs: list[Any]
) -> None:
    with pytest.raises(RuntimeError, match="boom"), transaction(settings.sqlalchemy_url) as session:
        store_interaction(session, settings, tenant_id, CALL, recording=b"RIFF", recording_filename="a.wav")
        raise RuntimeError("boom")
    assert sent_jobs == []
    assert not any(Path(settings.spool).rglob("*.*"))
    with session_factory(settings.sqlalchemy_url)() as session:
        # This tenant's rows only: on PostgreSQL the run's database also holds other tests' committed rows.
        assert session.scalar(select(Interaction.id).where(Interaction.tenant_id == tenant_id)) is None
    # The session that rolled back forgot the request: its next commit sends nothing old.
    session = session_factory(settings.sqlalchemy_url)()
    after_commit.request_job(session, settings, after_commit.SCORE, 1, job_id="score-1")
    session.rollback()
    session.commit()
    session.close()
    assert sent_jobs == []


def test_every_failing_action_is_reported_but_the_others_still_run(settings: Settings) -> None:
    ran: list[str] = []

    def fail() -> None:
        ran.append("fail")
        raise OSError("disk full")

    session = session_factory(settings.sqlalchemy_url)()
    after_commit.after_commit(session, fail)
    after_commit.after_commit(session, lambda: ran.append("second"))
    with pytest.raises(OSError, match="disk full"):
        session.commit()
    session.close()
    assert ran == ["fail", "second"]


def test_every_job_declares_its_queue_and_every_requested_name_is_a_job() -> None:
    assert {after_commit.SCORE, after_commit.TRANSCRIBE} <= JOBS.keys()
    for name, func in JOBS.items():
        assert queue_of(func) in QUEUES, name
        # Jobs take ids, never objects.
        assert all(p.annotation in (int, "int") for p in inspect.signature(func).parameters.values()), name
    assert queue_of(JOBS["transcribe_interaction"]) == "asr" and queue_of(JOBS["score_interaction"]) == "text"
    with pytest.raises(ValueError, match="unknown queue"):
        job(queue="video")
    with pytest.raises(ValueError, match="not declared"):
        queue_of(print)
