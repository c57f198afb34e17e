"""Gold labels: the answers a calibration session agreed on after discussion.

Its own module because two use cases read it: calibration results and the AutoQA trust loop
(which measures the machine against these labels).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.db.models import CalibrationConsensus, CalibrationItem, CalibrationSession


def consensus_answers(session: Session, tenant_id: int) -> list[tuple[int, str, str, datetime]]:
    """Gold labels of a tenant: (interaction id, criterion id, agreed answer, when decided), oldest first."""
    stmt = (select(CalibrationItem.interaction_id, CalibrationConsensus.criterion_id, CalibrationConsensus.answer,
                   CalibrationConsensus.decided_at)
            .join(CalibrationItem, CalibrationItem.id == CalibrationConsensus.item_id)
            .join(CalibrationSession, CalibrationSession.id == CalibrationItem.session_id)
            .where(CalibrationSession.tenant_id == tenant_id)
            .order_by(CalibrationConsensus.decided_at, CalibrationConsensus.id))
    return [(i, c, a, d) for i, c, a, d in session.execute(stmt).all()]
