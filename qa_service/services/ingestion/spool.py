"""The spool: raw call recordings waiting for the speech job, outside the blob store.

A raw recording may hold a card number read aloud, so it lives only here, private to the
service user, until the speech job has written the redacted copy and deleted it.  It is
written after the storing transaction commits (`services.after_commit`); what is left over
anyway — a crash between two steps, a call deleted, a step that failed for good — is deleted
by `sweep_orphaned_spool` once it is older than `Settings.spool_orphan_age_seconds`.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import Interaction, ProcessingState, Recording
from qa_service.db.session import session_factory

log = logging.getLogger(__name__)

AUDIO_SUFFIXES = (".wav", ".mp3", ".ogg", ".opus", ".flac", ".gsm")
TMP_PREFIX = ".tmp-"


def spool_path(settings: Settings, tenant_id: int, interaction_id: int, filename: str | None) -> Path:
    """Where a raw recording waits for redaction: outside the blob store, removed once redacted."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in AUDIO_SUFFIXES:
        suffix = ".audio"
    return settings.spool / f"tenant-{tenant_id}" / f"{interaction_id}{suffix}"


def spooled(settings: Settings, tenant_id: int, interaction_id: int) -> Path | None:
    """The raw recording of this call, if it is in the spool."""
    folder = spool_path(settings, tenant_id, interaction_id, None).parent
    matches = sorted(folder.glob(f"{interaction_id}.*")) if folder.is_dir() else []
    return matches[0] if matches else None


def write_private(path: Path, data: bytes) -> None:
    """Write `data` readable by the service user only, atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f"{TMP_PREFIX}{path.name}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


@dataclass
class SweepReport:
    removed: list[Path] = field(default_factory=list)
    kept: int = 0  # raw recordings a pipeline step will still read


def _spooled_files(settings: Settings) -> list[tuple[int, int | None, Path]]:
    """(tenant id, interaction id or None for a half-written file, path) of everything in the spool."""
    found: list[tuple[int, int | None, Path]] = []
    if not settings.spool.is_dir():
        return found
    for folder in sorted(settings.spool.glob("tenant-*")):
        tenant = folder.name.removeprefix("tenant-")
        if not tenant.isdigit() or not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            stem = path.name.split(".", 1)[0]
            if path.name.startswith(TMP_PREFIX):
                found.append((int(tenant), None, path))
            elif stem.isdigit() and path.is_file():
                found.append((int(tenant), int(stem), path))
    return found


def sweep_orphaned_spool(settings: Settings, older_than: timedelta, *, now: datetime | None = None) -> SweepReport:
    """Delete spooled raw recordings older than `older_than` that no pipeline step will read.

    Still needed: a call waiting for transcription (`fetched`, not yet redacted), and a call
    whose transcription failed for good while RQ keeps the failed job (an admin may requeue
    it from the queue dashboard until `failure_ttl_seconds`).  Everything else — no such
    interaction, already transcribed, skipped, or a half-written temporary file — goes.
    """
    now = now or datetime.now(UTC)
    cutoff = (now - older_than).timestamp()
    failed_cutoff = (now - max(older_than, timedelta(seconds=settings.failure_ttl_seconds))).timestamp()
    report = SweepReport()
    files = [(t, i, p) for t, i, p in _spooled_files(settings) if p.stat().st_mtime < cutoff]
    ids = {i for _, i, _ in files if i is not None}
    with session_factory(settings.sqlalchemy_url)() as session:
        rows = {
            row.id: (row.tenant_id, row.state, bool(redacted))
            for row, redacted in session.execute(
                select(Interaction, Recording.redacted)
                .outerjoin(Recording, Recording.interaction_id == Interaction.id)
                .where(Interaction.id.in_(ids))
            )
        } if ids else {}
    for tenant_id, interaction_id, path in files:
        row = rows.get(interaction_id) if interaction_id is not None else None
        waiting = (
            row is not None
            and row[0] == tenant_id
            and not row[2]
            and (
                row[1] == ProcessingState.FETCHED
                or (row[1] == ProcessingState.FAILED and path.stat().st_mtime >= failed_cutoff)
            )
        )
        if waiting:
            report.kept += 1
            continue
        path.unlink(missing_ok=True)
        report.removed.append(path)
    if report.removed:
        log.info("spool sweep: removed %d orphaned raw recording(s), kept %d", len(report.removed), report.kept)
    return report
