"""Numbers for /metrics, read at scrape time from the database and RQ's registries.

Workers run in other processes (often other machines), so in-process counters in the web
app would see nothing of them: the truth is in PostgreSQL and Redis, and we read it there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from qa_service.config import Settings
from qa_service.db.models import Interaction, ProcessingState
from qa_service.db.session import session_factory


@dataclass
class PipelineFigures:
    interactions_by_state: dict[tuple[str, str], int] = field(default_factory=dict)
    failures_by_step: dict[str, int] = field(default_factory=dict)
    asr_audio_seconds: float = 0.0
    asr_processing_seconds: float = 0.0


def pipeline_figures(settings: Settings, *, window: timedelta = timedelta(hours=24)) -> PipelineFigures:
    figures = PipelineFigures()
    with session_factory(settings.sqlalchemy_url)() as session:
        for channel, state, count in session.execute(
            select(Interaction.channel, Interaction.state, func.count()).group_by(
                Interaction.channel, Interaction.state
            )
        ):
            figures.interactions_by_state[(channel.value, state.value)] = count
        # Only failures: a skipped (lost, missed) call has a reason too, but nothing went wrong.
        reasons = session.scalars(
            select(Interaction.state_reason).where(
                Interaction.state == ProcessingState.FAILED, Interaction.state_reason.is_not(None)
            )
        )
        for reason in reasons:
            step = (reason or "").split(":", 1)[0].strip() or "unknown"
            figures.failures_by_step[step] = figures.failures_by_step.get(step, 0) + 1
        since = datetime.now(UTC) - window
        recent = session.scalars(
            select(Interaction.metrics).where(Interaction.created_at >= since, Interaction.metrics.is_not(None))
        )
        for metrics in recent:
            asr = (metrics or {}).get("asr") or {}
            figures.asr_audio_seconds += float(asr.get("audio_seconds") or 0)
            figures.asr_processing_seconds += float(asr.get("processing_seconds") or 0)
    return figures
