"""What a viewer may see of a case: its timeline within the viewer's tenant (a supervisor or an agent
only their own contacts), which of its contacts they may open, and finding a case by booking code."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.core.cases.identifiers import digest, normalise, tenant_secret
from qa_service.db.models import CaseKey, Interaction, Role
from qa_service.services.access import Viewer, scope_interactions
from qa_service.services.calibration.blind import blind_interaction_ids
from qa_service.services.cases.timeline import CaseNotFound, CaseTimeline, case_of_interaction, timeline

CASE_ROLES = (Role.ADMIN, Role.QA, Role.TRAINER, Role.SUPERVISOR, Role.CUSTOMER)


@dataclass(frozen=True)
class CasePage:
    timeline: CaseTimeline
    openable: frozenset[int]  # the contacts this viewer may open


def visible_case(session: Session, viewer: Viewer, case_id: int, now: datetime | None = None) -> CasePage | None:
    """The case as `viewer` may see it, else None (the page answers 404, as for another airline's case)."""
    try:
        found = timeline(session, viewer.tenant_id, case_id, now or datetime.now(UTC))
    except CaseNotFound:
        return None
    ids = [c.interaction_id for c in found.contacts]
    openable = frozenset(session.scalars(scope_interactions(select(Interaction.id).where(Interaction.id.in_(ids)),
                                                            viewer))) if ids else frozenset()
    if viewer.role == Role.SUPERVISOR:  # a supervisor's teams only; the airline's reviewer sees its whole case
        kept = [c for c in found.contacts if c.interaction_id in openable]
        if not kept:
            return None
        found = replace(found, contacts=kept,
                        discrepancies=[d for d in found.discrepancies if d.interaction_id in openable])
    elif viewer.role not in CASE_ROLES:
        return None
    # Calibration blindness holds here too: a contact the viewer still scores blind shows no score.
    blind = blind_interaction_ids(session, viewer, ids)
    if blind:
        found = replace(found, contacts=[replace(c, score=None) if c.interaction_id in blind else c
                                         for c in found.contacts])
    return CasePage(found, openable)


def case_id_for_interaction(session: Session, viewer: Viewer, interaction_id: int) -> int | None:
    return case_of_interaction(session, viewer.tenant_id, interaction_id)


def case_by_booking(session: Session, settings: Settings, viewer: Viewer, code: str) -> int | None:
    """The case of a booking code as typed in the search box (its digest is looked up, never the code)."""
    value = normalise("booking", code.strip())
    if not value:
        return None
    key = digest(tenant_secret(settings.secret_key.encode(), viewer.tenant_id), "booking", value)
    return session.scalar(select(CaseKey.case_id).where(CaseKey.tenant_id == viewer.tenant_id,
                                                        CaseKey.kind == "booking", CaseKey.digest == key))
