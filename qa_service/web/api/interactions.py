"""/api/v1/interactions: the push webhook (POST) and read access to stored results (GET)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from qa_service.config import Settings
from qa_service.core.errors import UserFacingError
from qa_service.db.models import Agent, Channel, Evaluation, Interaction, Rubric, RubricVersion
from qa_service.db.session import session_factory, transaction
from qa_service.services.ingest import store_interaction
from qa_service.web.api.auth import api_tenant_id
from qa_service.web.api.errors import api_error, from_user_error
from qa_service.web.api.pagination import decode_cursor, encode_cursor

bp = Blueprint("api_interactions", __name__, url_prefix="/api/v1")

MAX_BODY_BYTES = 5 * 1024 * 1024
MAX_PAGE = 200


def _settings() -> Settings:
    settings: Settings = current_app.config["QA_SETTINGS"]
    return settings


@bp.post("/interactions")
def push_interaction() -> ResponseReturnValue:
    """Accept one interaction JSON from the platform; a repeat of the same item changes nothing."""
    tenant_id = api_tenant_id()
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return api_error("тело запроса больше 5 МБ", "request body over 5 MB", 413)
    document = request.get_json(silent=True)
    if document is None:
        return api_error("тело запроса — не JSON", "request body is not JSON")
    settings = _settings()
    try:
        with transaction(settings.sqlalchemy_url) as session:
            stored = store_interaction(session, settings, tenant_id, document, default_source="push")
    except UserFacingError as error:
        return from_user_error(error)
    # The pipeline's first job was sent by the session when the store committed.
    return {"id": stored.interaction_id, "created": stored.created}, 201 if stored.created else 200


def _interaction_json(row: Interaction, agent_external_id: str | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "external_id": row.external_id,
        "source": row.source,
        "channel": row.channel.value,
        "direction": row.direction,
        "agent_id": agent_external_id,
        "queue": row.queue,
        "started_at": row.started_at.isoformat(),
        "ended_at": row.ended_at.isoformat() if row.ended_at else None,
        "topic": row.topic or row.topic_detected,
        "state": row.state.value,
        "state_reason": row.state_reason,
        "score": row.score,
        "failed_critical": row.failed_critical,
        "needs_review": row.needs_review,
        "reviewed": row.reviewed,
    }


@bp.get("/interactions")
def list_interactions() -> ResponseReturnValue:
    """Newest first, keyset-paginated: pass `next` back as `cursor`."""
    tenant_id = api_tenant_id()
    args = request.args
    try:
        limit = int(args.get("limit", 50))
    except ValueError:
        limit = -1
    if not 1 <= limit <= MAX_PAGE:
        return api_error(f"limit: целое от 1 до {MAX_PAGE}", f"limit: an integer from 1 to {MAX_PAGE}")
    query = (
        select(Interaction, Agent.external_id)
        .outerjoin(Agent, Agent.id == Interaction.agent_id)
        .where(Interaction.tenant_id == tenant_id)
    )
    if args.get("channel"):
        if args["channel"] not in {c.value for c in Channel}:
            return api_error("channel: call, chat или email", "channel: call, chat or email")
        query = query.where(Interaction.channel == Channel(args["channel"]))
    if args.get("since"):
        try:
            since = datetime.fromisoformat(args["since"])
        except ValueError:
            return api_error("since: дата ISO 8601", "since: an ISO 8601 date")
        if since.tzinfo is None:
            return api_error("since: укажите часовой пояс", "since: give a UTC offset")
        query = query.where(Interaction.started_at >= since)
    if args.get("cursor"):
        started, row_id = decode_cursor(args["cursor"])
        query = query.where(
            (Interaction.started_at < started) | ((Interaction.started_at == started) & (Interaction.id < row_id))
        )
    query = query.order_by(Interaction.started_at.desc(), Interaction.id.desc()).limit(limit + 1)
    with session_factory(_settings().sqlalchemy_url)() as session:
        rows = session.execute(query).all()
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1][0].started_at, page[-1][0].id) if len(rows) > limit else None
    return {"items": [_interaction_json(r, ext) for r, ext in page], "next": next_cursor}


def _owned(session: Any, tenant_id: int, interaction_id: int) -> Interaction | None:
    return session.scalar(
        select(Interaction)
        .where(Interaction.id == interaction_id, Interaction.tenant_id == tenant_id)
        .options(selectinload(Interaction.turns))
    )


@bp.get("/interactions/<int:interaction_id>")
def get_interaction(interaction_id: int) -> ResponseReturnValue:
    tenant_id = api_tenant_id()
    with session_factory(_settings().sqlalchemy_url)() as session:
        row = _owned(session, tenant_id, interaction_id)
        if row is None:
            return api_error("взаимодействие не найдено", "interaction not found", 404)
        agent = session.get(Agent, row.agent_id) if row.agent_id else None
        body = _interaction_json(row, agent.external_id if agent else None)
        body["metrics"] = row.metrics
        body["quality"] = row.transcript_quality
        body["turns"] = [
            {
                "speaker": t.speaker,
                "text": t.text,
                "start": t.start,
                "end": t.end,
                "at": t.at.isoformat() if t.at else None,
                "subject": t.subject,
                "redactions": t.redactions or [],
            }
            for t in row.turns
        ]
    return body


@bp.get("/interactions/<int:interaction_id>/evaluations")
def list_evaluations(interaction_id: int) -> ResponseReturnValue:
    """Every evaluation of the interaction in the contract's evaluation shape, plus kind and status."""
    tenant_id = api_tenant_id()
    with session_factory(_settings().sqlalchemy_url)() as session:
        row = _owned(session, tenant_id, interaction_id)
        if row is None:
            return api_error("взаимодействие не найдено", "interaction not found", 404)
        evaluations = session.execute(
            select(Evaluation, Rubric.slug, RubricVersion.content_hash)
            .join(RubricVersion, RubricVersion.id == Evaluation.rubric_version_id)
            .join(Rubric, Rubric.id == RubricVersion.rubric_id)
            .where(Evaluation.interaction_id == row.id, Evaluation.tenant_id == tenant_id)
            .options(selectinload(Evaluation.answers))
            .order_by(Evaluation.id)
        ).all()
        items = [_evaluation_json(row, e, slug, version) for e, slug, version in evaluations]
    return {"items": items}


def _evaluation_json(row: Interaction, evaluation: Evaluation, slug: str, version: str) -> dict[str, Any]:
    return {
        "id": evaluation.id,
        "kind": evaluation.kind.value,
        "status": evaluation.status.value,
        "interaction": row.external_id,
        "rubric": {"id": slug, "version": version},
        "score": evaluation.score,
        "failed_critical": evaluation.failed_critical,
        "needs_review": evaluation.needs_review,
        "criteria": [
            {
                "id": a.criterion_id,
                "answer": a.answer,
                "points": a.points,
                "max_points": a.max_points,
                "critical": a.critical,
                "confidence": a.confidence,
                "reason": a.reason,
                "evidence": a.evidence,
                "machine_answer": a.machine_answer,
                "override_reason": a.override_reason,
            }
            for a in evaluation.answers
        ],
    }
