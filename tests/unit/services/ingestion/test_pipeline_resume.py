"""Interactions whose next step's job was lost are found once they have waited too long, and only those."""

from datetime import UTC, timedelta

from qa_service.config import Settings
from qa_service.db.models import Channel, Interaction, ProcessingState, Tenant, Turn
from qa_service.db.session import transaction
from qa_service.services.ingestion.intake import store_interaction
from qa_service.services.ingestion.pipeline_resume import stalled_steps


def _chat(external_id: str) -> dict[str, object]:
    return {"external_id": external_id, "channel": "chat", "agent_id": "a", "started_at": "2026-11-20T10:00:00+03:00",
            "turns": [{"speaker": "customer", "text": "Здравствуйте"}]}


def test_each_waiting_interaction_gets_its_next_step_once_it_has_waited_too_long(
    settings: Settings, sent_jobs: list[object]
) -> None:
    # `sent_jobs`: the jobs storing requests are recorded, not run — as if they were lost.
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="sv", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        ids = {name: store_interaction(session, settings, tenant.id, _chat(name)).interaction_id
               for name in ("fetched", "transcribed", "scored", "failed", "call")}
        session.flush()
        session.get_one(Interaction, ids["transcribed"]).state = ProcessingState.TRANSCRIBED
        session.get_one(Interaction, ids["scored"]).state = ProcessingState.SCORED
        session.get_one(Interaction, ids["failed"]).state = ProcessingState.FAILED
        call = session.get_one(Interaction, ids["call"])
        call.channel = Channel.CALL  # a call whose transcription job was lost: no turns yet
        session.query(Turn).filter(Turn.interaction_id == call.id).delete()
        created = call.created_at.replace(tzinfo=call.created_at.tzinfo or UTC)

    age = timedelta(seconds=settings.pipeline_resume_age_seconds)
    assert stalled_steps(settings, created + age - timedelta(seconds=5)) == []  # not waiting long enough yet
    steps = stalled_steps(settings, created + age + timedelta(seconds=5))
    assert sorted(steps) == sorted([
        ("score_interaction", ids["fetched"], f"score-{ids['fetched']}"),
        ("score_interaction", ids["transcribed"], f"score-{ids['transcribed']}"),
        ("transcribe_interaction", ids["call"], f"transcribe-{ids['call']}"),
    ])
