"""Interactions whose next pipeline step was never queued, or whose queued job was lost.

A step's job is sent after its transaction commits (`services.after_commit`).  Between the
commit and the send a worker can be killed, Redis can be down (the send fails after the
rows are stored and the connector's cursor has moved on), or Redis can restart and lose
its queues.  Nothing would ever look at those rows again, so a periodic job asks for the
next step of every interaction still waiting after `Settings.pipeline_resume_age_seconds`.
Asking again is safe: job ids are deterministic and unique while a job waits or runs, and
every step is idempotent (one machine evaluation per interaction and rubric version).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import Interaction, ProcessingState
from qa_service.db.session import session_factory
from qa_service.services.after_commit import SCORE, TRANSCRIBE

BATCH = 5000  # at most this many per sweep: a huge backlog is taken a sweep at a time


def stalled_steps(settings: Settings, now: datetime) -> list[tuple[str, int, str]]:
    """(job name, interaction id, job id) of the next step of every interaction waiting too long."""
    older_than = now - timedelta(seconds=settings.pipeline_resume_age_seconds)
    with session_factory(settings.sqlalchemy_url)() as session:
        rows = session.execute(
            select(Interaction.id, Interaction.channel, Interaction.state, Interaction.turns.any())
            .where(
                Interaction.state.in_((ProcessingState.FETCHED, ProcessingState.TRANSCRIBED)),
                Interaction.created_at < older_than,
            )
            .order_by(Interaction.id)
            .limit(BATCH)
        ).all()
    steps = []
    for interaction_id, channel, state, has_turns in rows:
        # A call still `fetched` without turns waits for its transcription; everything else to be scored.
        if state == ProcessingState.FETCHED and channel.value == "call" and not has_turns:
            steps.append((TRANSCRIBE, interaction_id, f"transcribe-{interaction_id}"))
        else:
            steps.append((SCORE, interaction_id, f"score-{interaction_id}"))
    return steps
