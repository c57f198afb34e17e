"""Each contact in its case: identifiers hashed from the clear text at ingestion (then masked in what
is stored), and its reason, outcome and commitments judged from the stored (redacted) turns."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.core.cases.commitments import find_commitments
from qa_service.core.cases.identifiers import STRONG, find_in_text, mask
from qa_service.core.cases.reasons import judge_contact
from qa_service.core.interaction import Interaction as DomainInteraction
from qa_service.core.tenant_settings import TenantSettings
from qa_service.db.models import CaseContact, Interaction, Tenant
from qa_service.services.cases.keys import booking_display, contact_identifiers, keyed
from qa_service.services.cases.linking import link

OWN_ADDRESS_KEYS = ("mailbox",)


def _policy(session: Session, tenant_id: int) -> TenantSettings:
    return TenantSettings.from_mapping(session.get_one(Tenant, tenant_id).settings)


def _masked_tree(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: _masked_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked_tree(v) for v in value]
    return value


def _mask_row(row: Interaction) -> None:
    """Booking codes and ticket numbers masked in place in the stored turns and fields (same length)."""
    for turn in row.turns:
        masked = mask(turn.text)
        if masked != turn.text:
            turn.text = masked
        if turn.subject and mask(turn.subject) != turn.subject:
            turn.subject = mask(turn.subject)
    meta = _masked_tree(row.meta or {})
    if meta != row.meta:
        row.meta = meta


def _contact_row(session: Session, row: Interaction) -> CaseContact:
    contact = session.scalar(select(CaseContact).where(CaseContact.interaction_id == row.id))
    if contact is None:
        contact = CaseContact(tenant_id=row.tenant_id, interaction_id=row.id, channel=str(row.channel),
                              started_at=row.started_at, ended_at=row.ended_at, keys=[], commitments=[])
        session.add(contact)
    contact.ended_at = row.ended_at
    return contact


def _relink(session: Session, contact: CaseContact, keys: list[str], display: str | None, window: int) -> None:
    merged = sorted(set(contact.keys or []) | set(keys))
    if merged == sorted(contact.keys or []) and contact.case_id is not None:
        return
    contact.keys = merged
    contact.case_id = link(session, contact.tenant_id, merged, contact.started_at, window, display)


def note_contact(session: Session, settings: Settings, row: Interaction, item: DomainInteraction) -> None:
    """At ingestion, with the clear `item` still in memory: hash its identifiers, link it, mask what is stored."""
    policy = _policy(session, row.tenant_id)
    own = [str(item.meta[k]) for k in OWN_ADDRESS_KEYS if isinstance(item.meta.get(k), str)]
    found = contact_identifiers(item, policy.kept_phones, own)
    contact = _contact_row(session, row)
    session.flush()
    _relink(session, contact, keyed(settings, row.tenant_id, found), booking_display(found), policy.repeat_window_days)
    _mask_row(row)
    session.flush()


def judge_stored_contact(session: Session, settings: Settings, row: Interaction) -> CaseContact:
    """After transcription and scoring: reason, outcome and commitments from the stored turns.

    A call's words exist only once transcribed: booking codes and ticket numbers said aloud are
    hashed here from the transcript (the redaction left them) and then masked in it.
    """
    policy = _policy(session, row.tenant_id)
    contact = _contact_row(session, row)
    session.flush()
    spoken = [i for t in row.turns for i in find_in_text(t.text, personal=False) if i.kind in STRONG]
    _relink(session, contact, keyed(settings, row.tenant_id, spoken), booking_display(spoken),
            policy.repeat_window_days)
    _mask_row(row)
    turns = [(t.speaker, t.text) for t in row.turns]
    disposition = (row.meta or {}).get("disposition")
    verdict = judge_contact(turns, row.topic, disposition if isinstance(disposition, str) else None)
    contact.reason, contact.reason_evidence = verdict.reason.value, verdict.reason.evidence
    contact.outcome, contact.outcome_evidence = verdict.outcome.value, verdict.outcome.evidence
    contact.wrapup, contact.wrapup_mismatch = verdict.wrapup, verdict.wrapup_mismatch
    contact.commitments = [c.to_json() for c in find_commitments(turns)]
    session.flush()
    return contact
