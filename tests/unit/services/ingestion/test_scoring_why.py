"""Scoring a stored interaction keeps WHY beside each machine answer."""

from __future__ import annotations

from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import CriterionAnswer, Evaluation, Tenant
from qa_service.db.session import session_factory, transaction
from qa_service.services.ingestion.intake import store_interaction
from qa_service.services.ingestion.scoring import score_stored_interaction

CALL = {
    "external_id": "why-1", "channel": "call", "agent_id": "a1", "started_at": "2026-03-10T09:00:00+03:00",
    "recording": {"channels": {"0": "agent", "1": "customer"}},
    "turns": [
        {"speaker": "agent", "start": 0.5, "end": 4.0, "text": "э добрый день северный вертер с вами денис"},
        {"speaker": "customer", "start": 4.5, "end": 8.0, "text": "добрый день подскажите про багаж"},
    ],
}


def test_machine_answers_are_stored_with_why(settings: Settings) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="sv", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        stored = store_interaction(session, settings, tenant.id, CALL)
    score_stored_interaction(settings, stored.interaction_id)
    with session_factory(settings.sqlalchemy_url)() as session:
        answers = {a.criterion_id: a for a in session.scalars(
            select(CriterionAnswer).join(Evaluation).where(Evaluation.interaction_id == stored.interaction_id))}
    assert answers["greeting"].why["rule"] == "asr"
    assert "северный вертер" in answers["greeting"].why["matched"]
    assert answers["agent_name"].why["rule"] == "self_name"
    assert answers["needs_discovery"].why["rule"] == "model:clarifying_question"
