"""Keep `turns.lemmas` filled: the index both full-text backends read.

Turns are indexed when their interaction is scored (`index_interaction`) and, for anything
stored before search existed or written around the pipeline, in batches on demand
(`index_pending`: the search entry points call it before they query).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.core.search.query import lemma_texts
from qa_service.db.models import Interaction, Turn

BATCH = 2000


def _fill(turns: list[Turn]) -> int:
    for turn, lemmas in zip(turns, lemma_texts([t.text or "" for t in turns]), strict=True):
        turn.lemmas = lemmas
    return len(turns)


def index_interaction(session: Session, interaction_id: int) -> int:
    """Lemmatise the interaction's turns that are not indexed yet; returns how many."""
    turns = list(session.scalars(select(Turn).where(Turn.interaction_id == interaction_id, Turn.lemmas.is_(None))))
    count = _fill(turns)
    session.flush()
    return count


def index_pending(session: Session, tenant_id: int, limit: int = BATCH) -> int:
    """Index up to `limit` of the tenant's unindexed turns; returns how many (0 when caught up)."""
    turns = list(session.scalars(
        select(Turn)
        .join(Interaction, Interaction.id == Turn.interaction_id)
        .where(Interaction.tenant_id == tenant_id, Turn.lemmas.is_(None))
        .order_by(Turn.id)
        .limit(limit)
    ))
    count = _fill(turns)
    session.flush()
    return count


def index_all_pending(session: Session, tenant_id: int) -> int:
    """Index every unindexed turn of the tenant, batch by batch (flushes, the caller commits)."""
    total = 0
    while count := index_pending(session, tenant_id):
        total += count
    return total
