"""Delete what a tenant's retention settings say is due, or count it (dry run).

Age is the interaction's `started_at` (the contact's own date, as the reports count it); raw audio
in the spool is aged by its file time, as the orphan sweep does.  Evaluations keep their row and
score (the quality list, trust history and stored daily report runs read those); only the
per-criterion detail (answers, evidence quotes) goes.  Stored `ReportRun` rows are never touched.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.core.tenant_settings import TenantSettings
from qa_service.db.blobs import BlobStore
from qa_service.db.models import CriterionAnswer, Evaluation, Interaction, Recording, Tenant, Turn
from qa_service.services.audit import record
from qa_service.services.ingestion.spool import TMP_PREFIX

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionCounts:
    raw_audio: int
    redacted_audio: int
    transcript_turns: int
    evaluation_answers: int

    def in_words(self) -> str:
        return (f"raw audio files: {self.raw_audio}, redacted recordings: {self.redacted_audio}, "
                f"transcript turns: {self.transcript_turns}, evaluation answers: {self.evaluation_answers}")


@dataclass(frozen=True)
class RetentionRun:
    tenant_id: int
    dry_run: bool
    due: RetentionCounts  # what is (or was) due
    before: RetentionCounts  # everything stored of the tenant before the run
    after: RetentionCounts


def _older(tenant_id: int, cutoff: datetime) -> Select[int]:
    return select(Interaction.id).where(Interaction.tenant_id == tenant_id, Interaction.started_at < cutoff)


def _raw_files(settings: Settings, tenant_id: int, cutoff: datetime | None) -> list[Path]:
    folder = settings.spool / f"tenant-{tenant_id}"
    if not folder.is_dir():
        return []
    return [p for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(TMP_PREFIX)
            and (cutoff is None or p.stat().st_mtime < cutoff.timestamp())]


def _counts(session: Session, settings: Settings, tenant_id: int, rules: TenantSettings | None,
            now: datetime) -> RetentionCounts:
    """Everything stored (rules None) or what is due under `rules`."""
    far = now + timedelta(days=36500)

    def cutoff(days: int | None) -> datetime:
        return far if days is None else now - timedelta(days=days)

    raw = cutoff(rules.retention_raw_audio_days if rules else None)
    redacted = cutoff(rules.retention_redacted_audio_days if rules else None)
    turns = cutoff(rules.retention_transcript_days if rules else None)
    answers = cutoff(rules.retention_evaluation_days if rules else None)
    return RetentionCounts(
        raw_audio=len(_raw_files(settings, tenant_id, raw if rules else None)),
        redacted_audio=session.scalar(select(func.count()).select_from(Recording).where(
            Recording.blob_key.is_not(None), Recording.interaction_id.in_(_older(tenant_id, redacted)))) or 0,
        transcript_turns=session.scalar(select(func.count()).select_from(Turn).where(
            Turn.interaction_id.in_(_older(tenant_id, turns)))) or 0,
        evaluation_answers=session.scalar(select(func.count()).select_from(CriterionAnswer).join(Evaluation).where(
            Evaluation.tenant_id == tenant_id, Evaluation.interaction_id.in_(_older(tenant_id, answers)))) or 0,
    )


def apply_retention(session: Session, settings: Settings, tenant_id: int, now: datetime, *,
                    dry_run: bool = False) -> RetentionRun:
    """One tenant's retention run; flushes, the caller commits.  A dry run changes nothing and writes no audit."""
    tenant = session.get_one(Tenant, tenant_id)
    stored = dict(tenant.settings or {})
    stored.setdefault("timezone", tenant.timezone)
    rules = TenantSettings.from_mapping(stored)
    before = _counts(session, settings, tenant_id, None, now)
    due = _counts(session, settings, tenant_id, rules, now)
    if dry_run:
        return RetentionRun(tenant_id, True, due, before, before)

    for path in _raw_files(settings, tenant_id, now - timedelta(days=rules.retention_raw_audio_days)):
        path.unlink(missing_ok=True)
    store = BlobStore.from_url(settings.blob_url)
    old_recordings = session.scalars(select(Recording).where(
        Recording.blob_key.is_not(None),
        Recording.interaction_id.in_(_older(tenant_id, now - timedelta(days=rules.retention_redacted_audio_days)))))
    for recording in old_recordings:
        if recording.blob_key:
            # The blob goes first: a crash after it leaves a row pointing at nothing, which the player
            # already reports as "no recording", never a stored blob no row knows of.
            store.delete(recording.blob_key)
            recording.blob_key = None
    session.execute(delete(Turn).where(
        Turn.interaction_id.in_(_older(tenant_id, now - timedelta(days=rules.retention_transcript_days)))),
        execution_options={"synchronize_session": False})
    old_evaluations = select(Evaluation.id).where(
        Evaluation.tenant_id == tenant_id,
        Evaluation.interaction_id.in_(_older(tenant_id, now - timedelta(days=rules.retention_evaluation_days))))
    session.execute(delete(CriterionAnswer).where(CriterionAnswer.evaluation_id.in_(old_evaluations)),
                    execution_options={"synchronize_session": False})
    session.flush()
    after = _counts(session, settings, tenant_id, None, now)
    record(session, tenant_id=tenant_id, user_id=None, action="retention.run", entity="tenant", entity_id=tenant_id,
           details={"before": asdict(before), "after": asdict(after), "deleted": asdict(due),
                    "summary": f"before — {before.in_words()}; after — {after.in_words()}"})
    log.info("retention tenant %d: removed %s", tenant_id, due.in_words())
    return RetentionRun(tenant_id, False, due, before, after)


def tenant_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Tenant.id).order_by(Tenant.id)))


def run_for_slug(settings: Settings, slug: str, now: datetime, *, dry_run: bool) -> RetentionRun:
    """`qa-service retention`: one tenant by slug, in its own transaction."""
    from qa_service.db.session import transaction
    from qa_service.services.accounts.tenants import tenant_by_slug

    with transaction(settings.sqlalchemy_url) as session:
        return apply_retention(session, settings, tenant_by_slug(session, slug).id, now, dry_run=dry_run)
