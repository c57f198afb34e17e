"""Score a stored interaction with its tenant's rubric and store the machine's evaluation.

Idempotent: one machine evaluation per interaction and rubric version (a unique index
enforces it), so a retried job finds the evaluation there and changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.core.rubric import default_rubric_id, load_rubric, load_rubric_text, rubrics_dir
from qa_service.core.scoring import score_interaction
from qa_service.db.models import (
    Agent,
    CriterionAnswer,
    Evaluation,
    EvaluationKind,
    EvaluationStatus,
    Interaction,
    ProcessingState,
    Rubric,
    RubricVersion,
)
from qa_service.db.session import transaction
from qa_service.services.cases.contacts import judge_stored_contact
from qa_service.services.interactions.domain_mapping import to_domain
from qa_service.services.search.trackers import tag_scored_interaction
from qa_service.services.trust.loop import withhold_untrusted

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScoredInteraction:
    interaction_id: int
    evaluation_id: int
    created: bool
    score: float | None


def content_version(content: str) -> str:
    return "sha256:" + hashlib.sha256(content.encode("utf-8")).hexdigest()


def shipped_rubric_text(rubric_id: str) -> str:
    """The YAML of a shipped rubric (the customer's standard), or its `QA_RUBRICS_DIR` replacement."""
    return (rubrics_dir() / f"{rubric_id}.yaml").read_text("utf-8")


def current_rubric_version(session: Session, tenant_id: int, channel: str) -> RubricVersion:
    """The tenant's published rubric for a channel; the shipped standard on first use."""
    slug = default_rubric_id(channel)
    rubric = session.scalar(select(Rubric).where(Rubric.tenant_id == tenant_id, Rubric.slug == slug))
    if rubric is None:
        # Named as the standard names itself: people pick rubrics by title, not by slug.
        title = (yaml.safe_load(shipped_rubric_text(slug)) or {}).get("title") or slug
        rubric = Rubric(tenant_id=tenant_id, slug=slug, channel=channel, title=str(title))
        session.add(rubric)
        session.flush()
    version = session.scalar(
        select(RubricVersion)
        .where(RubricVersion.rubric_id == rubric.id, RubricVersion.published_at.is_not(None))
        .order_by(RubricVersion.published_at.desc(), RubricVersion.id.desc())
        .limit(1)
    )
    if version is None:
        content = shipped_rubric_text(slug)
        version = RubricVersion(
            rubric_id=rubric.id,
            content=content,
            content_hash=content_version(content),
            published_at=datetime.now(UTC),
        )
        session.add(version)
        session.flush()
    return version


def rubric_from_version(version: RubricVersion) -> Any:
    """The engine's rubric for a stored version (parsed from its own content, not today's file)."""
    return _parsed_rubric(version.content_hash, version.content)


@lru_cache(maxsize=64)
def _parsed_rubric(content_hash: str, content: str) -> Any:
    # Parsing lemmatises every phrase: once per version per worker, not once per interaction.
    return load_rubric_text(content)


def _answers(evaluation_json: dict[str, Any]) -> list[CriterionAnswer]:
    answers = []
    for position, criterion in enumerate(evaluation_json["criteria"]):
        answer = criterion.get("answer")
        answer_text = None if answer is None else str(answer)
        answers.append(
            CriterionAnswer(
                position=position,
                criterion_id=criterion["id"],
                answer=answer_text,
                points=criterion.get("points"),
                max_points=float(criterion.get("max_points") or 0),
                critical=bool(criterion.get("critical")),
                confidence=criterion.get("confidence"),
                reason=criterion.get("reason"),
                evidence=list(criterion.get("evidence") or []),
                machine_answer=answer_text,
                machine_confidence=criterion.get("confidence"),
            )
        )
    return answers


def score_stored_interaction(settings: Settings, interaction_id: int) -> ScoredInteraction:
    """Score one stored interaction and store the machine evaluation, once."""
    with transaction(settings.sqlalchemy_url) as session:
        row = session.get_one(Interaction, interaction_id)
        version = current_rubric_version(session, row.tenant_id, row.channel.value)
        existing = session.scalar(
            select(Evaluation).where(
                Evaluation.interaction_id == row.id,
                Evaluation.rubric_version_id == version.id,
                Evaluation.kind == EvaluationKind.AUTO,
            )
        )
        if existing is not None:
            if row.state != ProcessingState.FETCHED:
                return ScoredInteraction(row.id, existing.id, created=False, score=existing.score)
            # The thread grew after it was scored: the machine answers are redone from the whole thread.
            session.delete(existing)
            session.flush()
        # Its case first: a booking code said aloud is hashed and masked before any evidence quotes it.
        judge_stored_contact(session, settings, row)
        agent = session.get(Agent, row.agent_id) if row.agent_id else None
        result = score_interaction(to_domain(row, agent.external_id if agent else None), rubric_from_version(version))
        document = result.to_json()
        evaluation = Evaluation(
            tenant_id=row.tenant_id,
            interaction_id=row.id,
            rubric_version_id=version.id,
            kind=EvaluationKind.AUTO,
            status=EvaluationStatus.SUBMITTED,
            score=document["score"],
            failed_critical=bool(document["failed_critical"]),
            needs_review=bool(document["needs_review"]),
            review_reasons=list(getattr(result, "review_reasons", []) or []),
            submitted_at=datetime.now(UTC),
            answers=_answers(document),
        )
        for answer, why in zip(evaluation.answers, result.why_json().values(), strict=True):
            answer.why = why
        # The AutoQA trust loop: answers of criteria people keep overturning are left to a person.
        withhold_untrusted(session, evaluation, version.rubric_id)
        session.add(evaluation)
        if not row.reviewed:  # once a human has scored it, the list shows the human's score
            row.score = evaluation.score
            row.failed_critical = evaluation.failed_critical
            row.needs_review = evaluation.needs_review
        row.state = ProcessingState.SCORED
        row.state_reason = None
        detected = getattr(result, "topic", None)
        if detected and not row.topic:
            row.topic_detected = str(detected)
        session.flush()
        tag_scored_interaction(session, row, evaluation)  # search index and trackers (issue 24)
        log.info("scored interaction id=%s score=%s", row.id, evaluation.score)
        return ScoredInteraction(row.id, evaluation.id, created=True, score=evaluation.score)


def warm_up() -> None:
    """Load the lemmatizer, classifiers and shipped rubrics now (a worker calls this before its loop)."""
    from qa_service.core.classifiers import load_classifier
    from qa_service.core.morphology import lemmatize

    for channel in ("call", "chat", "email"):
        load_rubric(default_rubric_id(channel))
    for name in ("topic", "clarifying_question"):
        load_classifier(name)
    lemmatize("Здравствуйте, авиакомпания Северный Ветер")
