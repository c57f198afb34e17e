"""Stored interactions read back as domain objects (rubric impact preview, re-scoring)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from qa_service.config import Settings
from qa_service.core.interaction import Interaction as DomainInteraction
from qa_service.db.models import Agent, Channel, Interaction
from qa_service.db.session import session_factory
from qa_service.services.interactions.domain_mapping import to_domain

BATCH = 500


def iter_stored_interactions(
    since: datetime, channel: str | None = None, *, settings: Settings, tenant_id: int | None = None
) -> Iterator[DomainInteraction]:
    """Every stored interaction started at or after `since`, oldest first, in batches."""
    query = (
        select(Interaction, Agent.external_id)
        .outerjoin(Agent, Agent.id == Interaction.agent_id)
        .where(Interaction.started_at >= since)
        .options(selectinload(Interaction.turns), selectinload(Interaction.recording))
        .order_by(Interaction.started_at, Interaction.id)
    )
    if channel:
        query = query.where(Interaction.channel == Channel(channel))
    if tenant_id is not None:
        query = query.where(Interaction.tenant_id == tenant_id)
    with session_factory(settings.sqlalchemy_url)() as session:
        for row, agent_external_id in session.execute(query.execution_options(yield_per=BATCH)):
            yield to_domain(row, agent_external_id)
