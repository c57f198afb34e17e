"""Retention deletes exactly what is due: nothing younger, never the other airline's, and stored reports survive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from report_data import DAY, build_report_world
from sqlalchemy import func, select

from qa_service.config import Settings
from qa_service.db.blobs import BlobStore
from qa_service.db.models import (
    AuditLog,
    CriterionAnswer,
    Evaluation,
    Interaction,
    Recording,
    ReportRun,
    Tenant,
    Turn,
)
from qa_service.db.session import transaction
from qa_service.services.reports.daily import generate_day
from qa_service.services.retention.purge import apply_retention

# The world's day plus 31 days: its contacts are older than 30 days, the next day's too.
NOW = datetime(2026, 12, 21, 12, 0, tzinfo=UTC)


def _count(settings: Settings, model: type, *where: object) -> int:
    with transaction(settings.sqlalchemy_url) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


def test_retention_removes_what_is_due_and_nothing_younger(settings: Settings) -> None:
    world = build_report_world(settings)
    generate_day(settings, world.tenant_id, DAY, datetime(2026, 11, 21, 5, 0, tzinfo=UTC))
    with transaction(settings.sqlalchemy_url) as session:
        runs_before = {r.kind: r.summary for r in session.scalars(select(ReportRun))}
        tenant = session.get_one(Tenant, world.tenant_id)
        # Transcripts older than 30 days go; evaluations are kept 60 days, so none of them is due.
        tenant.settings = {**tenant.settings, "retention_transcript_days": 30, "retention_evaluation_days": 60,
                           "retention_redacted_audio_days": 30}
        # The other airline's call of the same day has a transcript too: its settings keep it a year.
        other_call = session.scalar(select(Interaction).where(Interaction.tenant_id == world.other_tenant_id))
        assert other_call is not None
        session.add(Turn(interaction_id=other_call.id, position=0, speaker="agent", text="Добрый день"))
        call = session.scalar(select(Interaction).where(Interaction.tenant_id == world.tenant_id,
                                                        Interaction.external_id == "C-0000"))
        assert call is not None
        session.add(Recording(interaction_id=call.id, blob_key=f"tenant-{world.tenant_id}/recordings/{call.id}.wav"))
    store = BlobStore.from_url(settings.blob_url)
    store.put_bytes(f"tenant-{world.tenant_id}/recordings/{call.id}.wav", b"RIFF....WAVE")
    turns, answers = _count(settings, Turn), _count(settings, CriterionAnswer)
    assert turns == 7 and answers == 9

    with transaction(settings.sqlalchemy_url) as session:
        dry = apply_retention(session, settings, world.tenant_id, NOW, dry_run=True)
    assert (dry.due.transcript_turns, dry.due.evaluation_answers, dry.due.redacted_audio) == (6, 0, 1)
    assert store.exists(f"tenant-{world.tenant_id}/recordings/{call.id}.wav")
    assert _count(settings, Turn) == 7 and _count(settings, AuditLog, AuditLog.action == "retention.run") == 0

    # 45 days later for the evaluations: their answers go, the scores stay on the evaluations.
    with transaction(settings.sqlalchemy_url) as session:
        young = apply_retention(session, settings, world.tenant_id, NOW - timedelta(days=25))
    assert young.due.transcript_turns == 0 and _count(settings, Turn) == 7  # 26 days old: younger than 30

    with transaction(settings.sqlalchemy_url) as session:
        run = apply_retention(session, settings, world.tenant_id, NOW)
    assert run.due.transcript_turns == 6 and _count(settings, Turn) == 1  # the other airline's stays
    assert not store.exists(f"tenant-{world.tenant_id}/recordings/{call.id}.wav")
    assert _count(settings, Recording, Recording.blob_key.is_not(None)) == 0
    assert _count(settings, CriterionAnswer) == 9  # younger than 60 days: untouched

    with transaction(settings.sqlalchemy_url) as session:
        later = apply_retention(session, settings, world.tenant_id, NOW + timedelta(days=45))
    assert later.due.evaluation_answers == 9 and _count(settings, CriterionAnswer) == 0
    assert _count(settings, Evaluation, Evaluation.score.is_not(None)) == 3
    with transaction(settings.sqlalchemy_url) as session:
        assert {r.kind: r.summary for r in session.scalars(select(ReportRun))} == runs_before
        [entry, *_] = session.scalars(select(AuditLog).where(AuditLog.action == "retention.run")
                                      .order_by(AuditLog.id.desc()))
        assert "evaluation answers: 9" in entry.details["summary"]
        assert entry.details["before"]["evaluation_answers"] == 9 and entry.details["after"]["evaluation_answers"] == 0
