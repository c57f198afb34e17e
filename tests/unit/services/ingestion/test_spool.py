"""The spool sweep deletes raw recordings no step will read any more, and keeps those still waiting."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from qa_service.config import Settings
from qa_service.db.models import Interaction, ProcessingState, Tenant
from qa_service.db.session import transaction
from qa_service.services.ingestion.intake import store_interaction
from qa_service.services.ingestion.spool import spool_path, sweep_orphaned_spool, write_private

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _call(external_id: str) -> dict[str, Any]:
    return {"external_id": external_id, "source": "pbx", "channel": "call", "agent_id": "op-1",
            "started_at": "2026-11-20T10:00:00+03:00", "recording": {"uri": f"{external_id}.wav"}}


def _aged(path: Path, hours: float) -> Path:
    stamp = (NOW - timedelta(hours=hours)).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def test_sweep_removes_orphans_older_than_the_age_and_keeps_what_a_step_will_read(
    settings: Settings, sent_jobs: list[Any]
) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="sv", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        tenant_id = tenant.id
        ids = {
            name: store_interaction(session, settings, tenant_id, _call(name), recording=b"RIFF",
                                    recording_filename="x.wav").interaction_id
            for name in ("waiting", "transcribed", "failed-recently", "failed-long-ago")
        }
    assert len(sent_jobs) == 4  # every call asked for its transcription; none ran here
    with transaction(settings.sqlalchemy_url) as session:
        session.get_one(Interaction, ids["transcribed"]).state = ProcessingState.TRANSCRIBED
        session.get_one(Interaction, ids["failed-recently"]).state = ProcessingState.FAILED
        session.get_one(Interaction, ids["failed-long-ago"]).state = ProcessingState.FAILED
    path = {name: spool_path(settings, tenant_id, i, "x.wav") for name, i in ids.items()}
    _aged(path["waiting"], 48)
    _aged(path["transcribed"], 48)
    _aged(path["failed-recently"], 48)
    _aged(path["failed-long-ago"], 24 * 8)  # past the failed job's TTL (7 days): nobody can requeue it
    no_row = spool_path(settings, tenant_id, 99_999, "x.wav")
    write_private(no_row, b"RIFF")
    _aged(no_row, 48)
    young_orphan = spool_path(settings, tenant_id, 99_998, "x.wav")
    write_private(young_orphan, b"RIFF")
    _aged(young_orphan, 1)
    other_tenant = spool_path(settings, tenant_id + 1, ids["waiting"], "x.wav")  # id of another tenant's call
    write_private(other_tenant, b"RIFF")
    _aged(other_tenant, 48)
    half_written = _aged(path["waiting"].with_name(".tmp-77.wav"), 48) if (
        path["waiting"].with_name(".tmp-77.wav").write_bytes(b"RI")
    ) else None

    report = sweep_orphaned_spool(settings, timedelta(hours=24), now=NOW)

    assert sorted(report.removed) == sorted(
        [path["transcribed"], path["failed-long-ago"], no_row, other_tenant, half_written]
    )
    assert report.kept == 2
    for kept in (path["waiting"], path["failed-recently"], young_orphan):
        assert kept.exists()
    for gone in report.removed:
        assert not gone.exists()


def test_sweep_of_an_empty_or_missing_spool_does_nothing(settings: Settings) -> None:
    assert sweep_orphaned_spool(settings, timedelta(0)).removed == []


def test_the_sweep_job_uses_the_configured_age(settings: Settings) -> None:
    from qa_service.jobs import enqueue, sweep_spool

    orphan = spool_path(settings, 1, 5, "x.wav")
    write_private(orphan, b"RIFF")
    hour_ago = (datetime.now(UTC) - timedelta(hours=1)).timestamp()
    os.utime(orphan, (hour_ago, hour_ago))
    enqueue(settings.with_overrides(spool_orphan_age_seconds=2 * 3600), sweep_spool)
    assert orphan.exists()  # younger than the configured two hours
    enqueue(settings.with_overrides(spool_orphan_age_seconds=1800), sweep_spool)
    assert not orphan.exists()
