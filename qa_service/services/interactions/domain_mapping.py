"""Stored rows → the domain's `Interaction`, the shape the scoring engine reads."""

from __future__ import annotations

from typing import Any

from qa_service.core.interaction import CallMetrics, TranscriptQuality, Word
from qa_service.core.interaction import Interaction as DomainInteraction
from qa_service.core.interaction import Turn as DomainTurn
from qa_service.db.models import Interaction


def _pairs(raw: Any) -> list[tuple[float, float]]:
    return [(float(a), float(b)) for a, b in (raw or [])]


def to_domain(row: Interaction, agent_external_id: str | None = None) -> DomainInteraction:
    """The domain view of a stored interaction (its text is the stored, redacted text)."""
    metrics = None
    if row.metrics:
        metrics = CallMetrics(
            silences=_pairs(row.metrics.get("silences")),
            overtalk=_pairs(row.metrics.get("overtalk")),
            talk_ratio={k: float(v) for k, v in (row.metrics.get("talk_ratio") or {}).items()},
            holds=_pairs(row.metrics.get("holds")),
        )
    quality = None
    if row.transcript_quality:
        quality = TranscriptQuality(
            score=float(row.transcript_quality.get("score", 1.0)),
            flags=list(row.transcript_quality.get("flags") or []),
        )
    recording = None
    if row.recording is not None:
        recording = {"uri": row.recording.blob_key or row.recording.source_uri, "channels": row.recording.channels}
    meta = dict(row.meta or {})
    if row.card_data_detected:
        meta["card_data_detected"] = True
    return DomainInteraction(
        external_id=row.external_id,
        channel=row.channel.value,
        agent_id=agent_external_id or str(row.agent_id),
        started_at=row.started_at,
        direction=row.direction,
        source=row.source,
        queue=row.queue,
        ended_at=row.ended_at,
        outcome=row.outcome,
        wait_seconds=row.wait_seconds,
        sale_amount=row.sale_amount,
        currency=row.currency,
        topic=row.topic,
        recording=recording,
        turns=[
            DomainTurn(
                speaker=t.speaker,
                text=t.text,
                start=t.start,
                end=t.end,
                at=t.at,
                subject=t.subject,
                words=[Word(**w) for w in (t.words or [])],
            )
            for t in row.turns
        ],
        meta=meta,
        metrics=metrics,
        quality=quality,
    )
