"""Ingestion: store what a connector or the push API delivers, exactly once, already redacted.

`store_interaction` is idempotent on (tenant, source, external_id): a second delivery of the
same item changes nothing.  The first pipeline job is requested in the caller's transaction
and sent when it commits (`services.after_commit`).  Text is redacted before it is written; a call's raw recording
goes to the spool (not the blob store) until the speech job has redacted it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.core.interaction import Interaction as DomainInteraction
from qa_service.core.interaction import interaction_to_json, parse_interaction
from qa_service.core.redaction import RedactedInteraction, redact_interaction
from qa_service.core.redaction.card_runs import tokenize_card_runs
from qa_service.core.redaction.platform_fields import redact_platform_fields
from qa_service.core.tenant_settings import TenantSettings
from qa_service.db.models import Agent, Channel, Interaction, ProcessingState, Recording, Tenant, Turn
from qa_service.db.session import transaction
from qa_service.services.after_commit import SCORE, TRANSCRIBE, after_commit, request_job
from qa_service.services.agent_names import UNASSIGNED_AGENT, UNASSIGNED_AGENT_NAME
from qa_service.services.cases.contacts import note_contact
from qa_service.services.ingestion.spool import spool_path, write_private

log = logging.getLogger(__name__)

LOST_OUTCOMES = ("abandoned", "missed")


@dataclass(frozen=True)
class StoredInteraction:
    interaction_id: int
    created: bool
    needs_transcription: bool
    needs_scoring: bool = True
    updated: bool = False  # an e-mail thread or chat that grew since it was stored


def _redact(session: Session, tenant_id: int, item: DomainInteraction) -> RedactedInteraction:
    """The one redaction path, with the tenant's policy: its public numbers kept, names redacted unless it opted out."""
    tenant = session.get_one(Tenant, tenant_id)
    policy = TenantSettings.from_mapping(tenant.settings)
    return redact_interaction(item, keep_phones=policy.kept_phones, redact_names=policy.redact_names)


def _grow_thread(session: Session, settings: Settings, row: Interaction, item: DomainInteraction) -> StoredInteraction:
    """A repeat delivery changes nothing — unless a written thread got new messages: then they are added."""
    unchanged = StoredInteraction(row.id, created=False, needs_transcription=False, needs_scoring=False)
    if row.channel == Channel.CALL or len(item.turns) <= len(row.turns):
        return unchanged
    redacted = _redact(session, row.tenant_id, item)
    for turn in _stored_turns(redacted)[len(row.turns) :]:
        row.turns.append(turn)
    if redacted.card_seen:
        row.card_data_detected = True
    row.ended_at = item.ended_at or row.ended_at
    row.outcome = item.outcome or row.outcome
    # Scored again from the whole thread; a human review already done is kept as it is.
    row.state = ProcessingState.FETCHED
    session.flush()
    note_contact(session, settings, row, item)  # identifiers of the new messages, hashed before they are lost
    log.info("thread %s/%s grew to %d messages", row.source, row.external_id, len(row.turns))
    stored = StoredInteraction(row.id, created=False, needs_transcription=False, needs_scoring=True, updated=True)
    request_pipeline(session, settings, stored)
    return stored


def agent_for(session: Session, tenant_id: int, external_id: str, name: str | None = None) -> Agent:
    """The tenant's agent with this platform id, created on first sight."""
    agent = session.scalar(select(Agent).where(Agent.tenant_id == tenant_id, Agent.external_id == external_id))
    if agent is None:
        fallback = UNASSIGNED_AGENT_NAME if external_id == UNASSIGNED_AGENT else external_id
        agent = Agent(tenant_id=tenant_id, external_id=external_id, name=name or fallback)
        session.add(agent)
        session.flush()
    elif name and agent.name == agent.external_id:
        agent.name = name
    return agent


def _stored_turns(redacted: RedactedInteraction) -> list[Turn]:
    """Rows for the redacted turns, each with the spans removed from its text."""
    turns: list[Turn] = []
    for position, (turn, spans) in enumerate(zip(redacted.interaction.turns, redacted.turn_spans, strict=True)):
        # Word timings from a pre-transcribed call are not kept: scoring reads the text.
        turns.append(
            Turn(
                position=position,
                speaker=turn.speaker,
                text=turn.text,
                start=turn.start,
                end=turn.end,
                at=turn.at,
                subject=turn.subject,
                redactions=[{"start": s.start, "end": s.end, "kind": s.kind} for s in spans] or None,
            )
        )
    return turns


def store_interaction(
    session: Session,
    settings: Settings,
    tenant_id: int,
    document: dict[str, Any],
    *,
    recording: bytes | None = None,
    recording_filename: str | None = None,
    default_source: str = "api",
) -> StoredInteraction:
    """Validate, redact and store one interaction in the caller's transaction (idempotent)."""
    # Card runs in ids, labels and keys are tokenized before anything (the lookup included) reads them.
    key = settings.secret_key.encode()
    item = redact_platform_fields(parse_interaction(document), key)
    source = item.source or tokenize_card_runs(default_source, key)
    existing = session.scalar(
        select(Interaction).where(
            Interaction.tenant_id == tenant_id,
            Interaction.source == source,
            Interaction.external_id == item.external_id,
        )
    )
    if existing is not None:
        return _grow_thread(session, settings, existing, item)

    # A lost or missed call has no conversation: it counts in the operations report, not in quality.
    no_conversation = item.channel == "call" and not item.turns and recording is None
    agent = (
        None
        if no_conversation and item.outcome in LOST_OUTCOMES
        else agent_for(session, tenant_id, item.agent_id, item.meta.get("agent_name"))
    )
    redacted = _redact(session, tenant_id, item)
    turns = _stored_turns(redacted)
    as_json = interaction_to_json(item)  # once: its metrics and transcript quality are stored as JSON
    meta = dict(redacted.interaction.meta)
    card_seen = redacted.card_seen
    if redacted.spans:
        meta["redacted"] = redacted.counts()
    if card_seen:
        meta["card_data_detected"] = True
    row = Interaction(
        tenant_id=tenant_id,
        source=source,
        external_id=item.external_id,
        channel=Channel(item.channel),
        direction=item.direction,
        agent_id=agent.id if agent else None,
        queue=item.queue,
        started_at=item.started_at,
        ended_at=item.ended_at,
        outcome=item.outcome,
        wait_seconds=item.wait_seconds,
        sale_amount=item.sale_amount,
        currency=item.currency,
        topic=item.topic,
        card_data_detected=card_seen,
        meta=meta,
        metrics=as_json.get("metrics"),
        transcript_quality=as_json.get("quality"),
        turns=turns,
    )
    if no_conversation:
        row.state = ProcessingState.SKIPPED
        row.state_reason = "нет разговора для оценки / no conversation to score"
    session.add(row)
    session.flush()
    if not no_conversation:  # its case: identifiers hashed from the clear `item`, masked in the stored row
        note_contact(session, settings, row, item)

    needs_transcription = item.channel == "call" and recording is not None and not item.turns
    if item.channel == "call":
        channels = (item.recording or {}).get("channels")
        row.recording = Recording(
            interaction_id=row.id,
            source_uri=(item.recording or {}).get("uri"),
            channels=channels,
        )
        if needs_transcription:
            assert recording is not None
            # Written only once the row is committed: a rolled-back store leaves no raw (card) audio behind.
            path, data = spool_path(settings, tenant_id, row.id, recording_filename), recording
            after_commit(session, lambda: write_private(path, data))
    log.info("stored interaction %s/%s id=%s", source, item.external_id, row.id)
    stored = StoredInteraction(
        row.id, created=True, needs_transcription=needs_transcription, needs_scoring=not no_conversation
    )
    request_pipeline(session, settings, stored)
    return stored


def request_pipeline(session: Session, settings: Settings, stored: StoredInteraction) -> None:
    """The first job for what was stored, sent when `session` commits: calls go to ASR, the rest to scoring."""
    if not (stored.created or stored.updated) or not stored.needs_scoring:
        return
    interaction_id = stored.interaction_id
    if stored.needs_transcription:
        request_job(session, settings, TRANSCRIBE, interaction_id, job_id=f"transcribe-{interaction_id}")
    else:
        request_job(session, settings, SCORE, interaction_id, job_id=f"score-{interaction_id}")


def ingest_document(
    settings: Settings, tenant_id: int, document: dict[str, Any], *, default_source: str = "api"
) -> StoredInteraction:
    """`store_interaction` in a transaction of its own (the push API); its jobs are sent when it commits."""
    with transaction(settings.sqlalchemy_url) as session:
        return store_interaction(session, settings, tenant_id, document, default_source=default_source)
