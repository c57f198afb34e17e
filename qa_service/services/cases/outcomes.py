"""The cases sections of the daily quality report: contact reasons, FCR with its interval, repeat
contacts and said-vs-done discrepancies of the period's contacts (all in SQL-light, numpy-heavy passes)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.core.cases.commitments import Commitment
from qa_service.core.cases.matching import Contact, Discrepancy, Event, match_contact
from qa_service.core.cases.repeats import fcr, repeat_flags
from qa_service.db.models import CaseContact, Interaction, TransactionEvent
from qa_service.services.cases.contacts import _policy


@dataclass
class CasesSection:
    contact_reasons: dict[str, int]
    fcr: dict[str, Any]
    repeat_contacts: int
    discrepancies: list[Discrepancy]
    # For the page: beside the contract's keys.
    by_channel: dict[str, dict[str, int]] = field(default_factory=dict)
    fcr_by_channel: dict[str, dict[str, Any]] = field(default_factory=dict)
    fcr_by_reason: dict[str, dict[str, Any]] = field(default_factory=dict)
    wrapup_mismatches: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The keys of record (contracts/README.md, «Added with cases and search»)."""
        return {"contact_reasons": self.contact_reasons, "fcr": self.fcr, "repeat_contacts": self.repeat_contacts,
                "discrepancies": [d.to_json() for d in self.discrepancies]}


def events_of(session: Session, tenant_id: int, case_ids: Sequence[int]) -> dict[int, list[Event]]:
    out: dict[int, list[Event]] = {}
    if not case_ids:
        return out
    rows = session.execute(
        select(TransactionEvent.id, TransactionEvent.case_id, TransactionEvent.kind, TransactionEvent.at,
               TransactionEvent.amount)
        .where(TransactionEvent.tenant_id == tenant_id, TransactionEvent.case_id.in_(sorted(case_ids)))
        .order_by(TransactionEvent.at, TransactionEvent.id))
    for row in rows:
        out.setdefault(row.case_id, []).append(Event(row.kind, row.at, row.amount, row.id))
    return out


def discrepancies_of(contacts: Sequence[CaseContact], events: dict[int, list[Event]], now: datetime
                     ) -> list[Discrepancy]:
    found: list[Discrepancy] = []
    for row in contacts:
        if row.case_id is None:  # no case, no events to compare with: nothing can be shown both ways
            continue
        contact = Contact(row.interaction_id, row.started_at, row.ended_at or row.started_at, row.reason or "other",
                          row.reason_evidence, [Commitment.from_json(c) for c in row.commitments or []])
        found += match_contact(contact, events.get(row.case_id, []), now)
    return found


def _fcr_json(flags: list[bool]) -> dict[str, Any]:
    return fcr(flags).to_json()


def cases_section(session: Session, tenant_id: int, start: datetime, end: datetime, now: datetime,
                  agent_clause: Any = None) -> CasesSection:
    """The sections for contacts started in [start, end) of the tenant (and scope's agents)."""
    window = timedelta(days=_policy(session, tenant_id).repeat_window_days)
    stmt = (select(CaseContact).join(Interaction, Interaction.id == CaseContact.interaction_id)
            # Judged contacts only: one still waiting for its transcript has no reason yet.
            .where(CaseContact.tenant_id == tenant_id, CaseContact.started_at >= start, CaseContact.started_at < end,
                   CaseContact.reason.is_not(None))
            .order_by(CaseContact.started_at, CaseContact.id))
    if agent_clause is not None:
        stmt = stmt.where(agent_clause)
    day = list(session.scalars(stmt))
    case_ids = sorted({c.case_id for c in day if c.case_id is not None})
    # Every contact of those cases near the period: a repeat may come up to `window` after it.
    neighbours: list[tuple[int, int, datetime]] = []
    if case_ids:
        neighbours = [(r.id, r.case_id, r.started_at) for r in session.execute(
            select(CaseContact.id, CaseContact.case_id, CaseContact.started_at).where(
                CaseContact.tenant_id == tenant_id, CaseContact.case_id.in_(case_ids),
                CaseContact.started_at >= start - window, CaseContact.started_at < end + window))]
    known = {n[0] for n in neighbours}
    everyone = neighbours + [(c.id, -c.id, c.started_at) for c in day if c.id not in known]
    followed, repeat = repeat_flags([e[1] for e in everyone], [e[2].timestamp() for e in everyone],
                                    window.total_seconds())
    index = {e[0]: i for i, e in enumerate(everyone)}
    day_followed = [bool(followed[index[c.id]]) for c in day]
    by_channel: dict[str, Counter[str]] = {}
    groups_channel: dict[str, list[bool]] = {}
    groups_reason: dict[str, list[bool]] = {}
    for contact, flag in zip(day, day_followed, strict=True):
        reason = contact.reason or "other"
        by_channel.setdefault(contact.channel, Counter())[reason] += 1
        groups_channel.setdefault(contact.channel, []).append(flag)
        groups_reason.setdefault(reason, []).append(flag)
    discrepancies = discrepancies_of(day, events_of(session, tenant_id, case_ids), now)
    return CasesSection(
        contact_reasons=dict(sorted(Counter(c.reason or "other" for c in day).items(), key=lambda kv: -kv[1])),
        fcr=_fcr_json(day_followed),
        repeat_contacts=sum(bool(repeat[index[c.id]]) for c in day),
        discrepancies=discrepancies,
        by_channel={k: dict(v) for k, v in sorted(by_channel.items())},
        fcr_by_channel={k: _fcr_json(v) for k, v in sorted(groups_channel.items())},
        fcr_by_reason={k: _fcr_json(v) for k, v in sorted(groups_reason.items())},
        wrapup_mismatches=sum(c.wrapup_mismatch for c in day),
        outcomes=dict(Counter(c.outcome or "unresolved" for c in day)),
    )
