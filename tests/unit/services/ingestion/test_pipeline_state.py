"""A failed step leaves a reason people can read on the interaction: Russian first, redacted."""

from qa_service.config import Settings
from qa_service.db.models import Interaction, ProcessingState, Tenant
from qa_service.db.session import session_factory, transaction
from qa_service.services.ingestion.intake import store_interaction
from qa_service.services.ingestion.pipeline_state import record_failure
from qa_service.services.ingestion.transcription import RecordingMissing


def test_failure_reason_is_bilingual_and_redacted(settings: Settings, sent_jobs: list[object]) -> None:
    # `sent_jobs`: the scoring that storing requests is recorded, not run, so the row stays unscored.
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="sv", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        stored = store_interaction(
            session,
            settings,
            tenant.id,
            {
                "external_id": "c1",
                "channel": "chat",
                "agent_id": "a",
                "started_at": "2026-11-20T10:00:00+03:00",
                "turns": [{"speaker": "customer", "text": "Здравствуйте"}],
            },
        )
    record_failure(
        settings,
        stored.interaction_id,
        step="transcribe_interaction",
        error=RecordingMissing("запись не найдена", "recording not found"),
    )
    record_failure(
        settings, stored.interaction_id, step="score_interaction", error=ValueError("bad input 4276380012345679")
    )
    with session_factory(settings.sqlalchemy_url)() as session:
        row = session.get_one(Interaction, stored.interaction_id)
    assert row.state == ProcessingState.FAILED
    assert row.state_reason == "score_interaction: ValueError: bad input [карта]"
    record_failure(
        settings,
        stored.interaction_id,
        step="transcribe_interaction",
        error=RecordingMissing("запись не найдена", "recording not found"),
    )
    with session_factory(settings.sqlalchemy_url)() as session:
        reason = session.get_one(Interaction, stored.interaction_id).state_reason
    assert reason == "transcribe_interaction: запись не найдена | recording not found"
