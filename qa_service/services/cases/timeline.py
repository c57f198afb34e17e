"""One case's timeline: every contact across channels with its score, reason and outcome, the booking
and payment events beside them, and the discrepancies — for the case page and `qa-service case`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.core.cases.matching import Discrepancy
from qa_service.core.errors import UserFacingError
from qa_service.db.models import Agent, Case, CaseContact, Dispute, Evaluation, Interaction, TransactionEvent
from qa_service.db.session import session_factory
from qa_service.services.agent_names import agent_label
from qa_service.services.cases.outcomes import discrepancies_of, events_of
from qa_service.services.reports.scope import tenant_by_slug


class CaseNotFound(UserFacingError):
    """No such case or contact for this tenant (pages answer 404, as for any other airline's object)."""


@dataclass(frozen=True)
class TimelineContact:
    interaction_id: int
    external_id: str
    channel: str
    started_at: datetime
    reason: str | None
    reason_evidence: str | None
    outcome: str | None
    outcome_evidence: str | None
    wrapup: str | None
    wrapup_mismatch: bool
    score: float | None
    agent: str | None
    disputed: bool


@dataclass(frozen=True)
class TimelineEvent:
    kind: str
    at: datetime
    amount: float | None
    currency: str
    booking: str | None


@dataclass(frozen=True)
class CaseTimeline:
    case_id: int
    display: str | None
    contacts: list[TimelineContact]
    events: list[TimelineEvent]
    discrepancies: list[Discrepancy]

    def to_json(self) -> dict[str, Any]:
        """The shape of record of `qa-service case --json`."""
        return {
            "case_id": self.case_id,
            "contacts": [{"interaction_id": c.interaction_id, "channel": c.channel,
                          "started_at": c.started_at.isoformat(), "reason": c.reason, "outcome": c.outcome}
                         for c in self.contacts],
            "events": [{"kind": e.kind, "at": e.at.isoformat(), "amount": e.amount} for e in self.events],
        }

    def items(self) -> list[tuple[datetime, str, Any]]:
        """Contacts and events in one time order, for the page."""
        merged: list[tuple[datetime, str, Any]] = [(c.started_at, "contact", c) for c in self.contacts]
        merged += [(e.at, "event", e) for e in self.events]
        return sorted(merged, key=lambda x: (x[0], x[1]))


def case_of_interaction(session: Session, tenant_id: int, interaction_id: int) -> int | None:
    return session.scalar(select(CaseContact.case_id).where(CaseContact.tenant_id == tenant_id,
                                                            CaseContact.interaction_id == interaction_id))


def timeline(session: Session, tenant_id: int, case_id: int, now: datetime | None = None) -> CaseTimeline:
    case = session.get(Case, case_id)
    if case is None or case.tenant_id != tenant_id:
        raise CaseNotFound("такого дела нет", "no such case")
    contacts = list(session.scalars(select(CaseContact).where(
        CaseContact.tenant_id == tenant_id, CaseContact.case_id == case_id)
        .order_by(CaseContact.started_at, CaseContact.id)))
    ids = [c.interaction_id for c in contacts]
    rows = {r.id: r for r in session.execute(
        select(Interaction.id, Interaction.external_id, Interaction.score, Interaction.agent_id, Agent.name,
               Agent.external_id.label("agent_external"))
        .outerjoin(Agent, Agent.id == Interaction.agent_id)
        .where(Interaction.tenant_id == tenant_id, Interaction.id.in_(ids)))} if ids else {}
    disputed = set(session.scalars(
        select(Evaluation.interaction_id).join(Dispute, Dispute.evaluation_id == Evaluation.id)
        .where(Dispute.tenant_id == tenant_id, Evaluation.interaction_id.in_(ids)))) if ids else set()
    out = []
    for c in contacts:
        row = rows.get(c.interaction_id)
        out.append(TimelineContact(
            c.interaction_id, row.external_id if row else "", c.channel, c.started_at, c.reason, c.reason_evidence,
            c.outcome, c.outcome_evidence, c.wrapup, c.wrapup_mismatch, row.score if row else None,
            agent_label(row.name, row.agent_external) if row and row.name else None, c.interaction_id in disputed))
    events = [TimelineEvent(e.kind, e.at, e.amount, e.currency, e.booking_display) for e in session.scalars(
        select(TransactionEvent).where(TransactionEvent.tenant_id == tenant_id, TransactionEvent.case_id == case_id)
        .order_by(TransactionEvent.at, TransactionEvent.id))]
    found = discrepancies_of(contacts, events_of(session, tenant_id, [case_id]), now or datetime.now(UTC))
    return CaseTimeline(case_id, case.display, out, events, found)


def timeline_of_interaction(session: Session, tenant_id: int, interaction_id: int,
                            now: datetime | None = None) -> CaseTimeline:
    case_id = case_of_interaction(session, tenant_id, interaction_id)
    if case_id is None:
        raise CaseNotFound(f"у обращения {interaction_id} нет дела (нет брони, билета, телефона или e-mail)",
                           f"interaction {interaction_id} has no case (no booking, ticket, phone or e-mail)")
    return timeline(session, tenant_id, case_id, now)


def case_for_tenant(settings: Settings, slug: str, interaction: str) -> dict[str, Any]:
    """`qa-service case`: the case of an interaction (its id, or its platform id) as the JSON of record."""
    with session_factory(settings.sqlalchemy_url)() as session:
        tenant = tenant_by_slug(session, slug)
        interaction_id = int(interaction) if interaction.isdigit() else None
        if interaction_id is None or session.scalar(select(Interaction.id).where(
                Interaction.tenant_id == tenant.id, Interaction.id == interaction_id)) is None:
            found = session.scalar(select(Interaction.id).where(Interaction.tenant_id == tenant.id,
                                                                Interaction.external_id == interaction)
                                   .order_by(Interaction.id).limit(1))
            if found is None:
                raise CaseNotFound(f"обращение {interaction!r} не найдено", f"interaction {interaction!r} not found")
            interaction_id = found
        return timeline_of_interaction(session, tenant.id, interaction_id).to_json()
