"""The blind rule of calibration as one predicate, for every page that shows a score.

A participant who has not yet submitted a session that is not revealed scores its interactions
blind: no page may show them an evaluation, a score or a flag derived from one (the machine's
included) for those interactions.  List rows, the review queue, the interaction page, the
agent's and coaching pages all ask here, so the rule cannot drift between surfaces.

Aggregates ask here too: the quality report leaves the items out (`ReportScope.hidden`); figures
stored without a reader in mind (training needs, coaching effects, AutoQA agreement, the stored
report file) are withheld whole while `scores_blind`, with the reason on the page.

The REST API (/api/v1) applies it to a person's session (scores withheld, evaluations refused);
the airline's token is machine-to-machine (the platform, not a person scoring) and reads all.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from qa_service.db.models import CalibrationItem, CalibrationParticipant, CalibrationSession
from qa_service.services.access import Viewer


def blind_interactions(viewer: Viewer) -> Select[int]:
    """Ids of the interactions `viewer` still scores blind (a subquery for WHERE … NOT IN)."""
    return (
        select(CalibrationItem.interaction_id)
        .join(CalibrationParticipant, CalibrationParticipant.session_id == CalibrationItem.session_id)
        .join(CalibrationSession, CalibrationSession.id == CalibrationItem.session_id)
        .where(
            CalibrationParticipant.user_id == viewer.user_id,
            CalibrationParticipant.completed_at.is_(None),
            CalibrationSession.revealed_at.is_(None),
            CalibrationSession.tenant_id == viewer.tenant_id,
        )
    )


def blind_interaction_ids(session: Session, viewer: Viewer, among: Iterable[int] | None = None) -> frozenset[int]:
    """Which of `among` (or of all interactions) `viewer` scores blind."""
    stmt = blind_interactions(viewer)
    if among is not None:
        wanted = list(among)
        if not wanted:
            return frozenset()
        stmt = stmt.where(CalibrationItem.interaction_id.in_(wanted))
    return frozenset(session.scalars(stmt.distinct()))


def is_blind(session: Session, viewer: Viewer, interaction_id: int) -> bool:
    """True while `viewer` must not see any evaluation or score of this interaction."""
    return bool(blind_interaction_ids(session, viewer, [interaction_id]))


def scores_blind(session: Session, viewer: Viewer) -> bool:
    """True while `viewer` scores anything blind: aggregates that cannot leave those items out
    (stored training needs, coaching effects, AutoQA agreement) are withheld whole, with the reason."""
    return session.scalar(blind_interactions(viewer).limit(1)) is not None
