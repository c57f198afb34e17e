"""Ingestion stores each interaction once, redacted, with raw audio kept out of the blob store."""

import stat
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from qa_service.config import Settings
from qa_service.core.errors import InvalidInteraction
from qa_service.core.tenant_settings import TenantSettings
from qa_service.db.models import Agent, Interaction, Tenant, Turn
from qa_service.db.session import session_factory, transaction
from qa_service.services.ingestion.intake import spool_path, store_interaction

CARD = "4276 3800 1234 5679"  # Luhn-valid test number: it must never reach the database


def chat(external_id: str = "chat-1", text: str = f"Оплачу картой {CARD}, срок 12/27") -> dict[str, Any]:
    return {
        "external_id": external_id,
        "source": "site-chat",
        "channel": "chat",
        "agent_id": "op-17",
        "started_at": "2026-11-20T10:00:00+03:00",
        "meta": {"agent_name": "Анна Смирнова"},
        "turns": [
            {"speaker": "customer", "text": text, "at": "2026-11-20T10:00:05+03:00"},
            {"speaker": "agent", "text": "Пожалуйста, удалите номер карты из чата.", "at": "2026-11-20T10:00:40+03:00"},
        ],
    }


@pytest.fixture
def tenant_id(settings: Settings) -> int:
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="sv", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        return tenant.id


def test_text_is_redacted_before_it_is_stored_and_card_flag_raised(settings: Settings, tenant_id: int) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        stored = store_interaction(session, settings, tenant_id, chat())
    assert stored.created and not stored.needs_transcription
    with session_factory(settings.sqlalchemy_url)() as session:
        row = session.get_one(Interaction, stored.interaction_id)
        texts = [t.text for t in row.turns]
        assert "[карта]" in texts[0] and "5679" not in texts[0]
        assert row.card_data_detected and row.meta["redacted"]["card"] == 1
        assert row.turns[0].redactions and row.turns[0].redactions[0]["kind"] == "card"
        agent = session.get_one(Agent, row.agent_id)
        assert (agent.external_id, agent.name) == ("op-17", "Анна Смирнова")


def test_second_delivery_changes_nothing(settings: Settings, tenant_id: int) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        first = store_interaction(session, settings, tenant_id, chat())
    with transaction(settings.sqlalchemy_url) as session:
        again = store_interaction(session, settings, tenant_id, chat(text="другой текст"))
    assert again.interaction_id == first.interaction_id and not again.created
    with session_factory(settings.sqlalchemy_url)() as session:
        assert session.scalar(select(func.count()).select_from(Interaction)) == 1
        assert session.scalar(select(func.count()).select_from(Turn)) == 2


def test_invalid_document_is_rejected_and_nothing_is_stored(settings: Settings, tenant_id: int) -> None:
    bad = chat()
    bad["channel"] = "fax"
    with pytest.raises(InvalidInteraction) as error, transaction(settings.sqlalchemy_url) as session:
        store_interaction(session, settings, tenant_id, bad)
    assert "channel" in error.value.one_line()
    with session_factory(settings.sqlalchemy_url)() as session:
        assert session.scalar(select(func.count()).select_from(Interaction)) == 0


def test_call_recording_waits_in_the_private_spool_not_the_blob_store(
    settings: Settings, tenant_id: int, sent_jobs: list[tuple[str, tuple[int | str, ...], str]]
) -> None:
    call = {
        "external_id": "1732100000.42",
        "source": "pbx",
        "channel": "call",
        "agent_id": "op-17",
        "started_at": "2026-11-20T10:00:00+03:00",
        "recording": {"uri": "in-1.wav", "channels": {"0": "agent"}},
    }
    with transaction(settings.sqlalchemy_url) as session:
        stored = store_interaction(
            session, settings, tenant_id, call, recording=b"RIFF....", recording_filename="in-1.wav"
        )
    assert stored.needs_transcription
    assert sent_jobs == [("transcribe_interaction", (stored.interaction_id,), f"transcribe-{stored.interaction_id}")]
    path = spool_path(settings, tenant_id, stored.interaction_id, "in-1.wav")
    assert path.read_bytes() == b"RIFF...."
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    blobs = Path(settings.blob_url.removeprefix("file://"))
    assert not blobs.exists() or not any(blobs.rglob("*"))


def test_a_growing_e_mail_thread_gets_its_new_messages_and_is_scored_again(
    settings: Settings, tenant_id: int
) -> None:
    from qa_service.db.models import Evaluation
    thread = {
        "external_id": "mail-7", "source": "crm", "channel": "email", "agent_id": "op-3",
        "started_at": "2026-11-20T09:00:00+03:00",
        "turns": [{"speaker": "customer", "subject": "Возврат", "text": "Как вернуть билет?",
                   "at": "2026-11-20T09:00:00+03:00"}],
    }
    with transaction(settings.sqlalchemy_url) as session:
        first = store_interaction(session, settings, tenant_id, thread)
    # In-process jobs: scored when the store committed.
    reply = {"speaker": "agent", "subject": "Re: Возврат", "at": "2026-11-20T12:00:00+03:00",
             "text": "Здравствуйте, Анна! Возврат возможен, штраф 3000 рублей. С уважением, Олег, "
                     "контактный центр авиакомпании Северный Ветер, 8 800 700-35-35"}
    grown = dict(thread, turns=[*thread["turns"], reply])
    with transaction(settings.sqlalchemy_url) as session:
        again = store_interaction(session, settings, tenant_id, grown)
    assert again.updated and again.needs_scoring and again.interaction_id == first.interaction_id
    with session_factory(settings.sqlalchemy_url)() as session:
        row = session.get_one(Interaction, first.interaction_id)
        assert [t.speaker for t in row.turns] == ["customer", "agent"]
        evaluations = session.scalars(select(Evaluation).where(Evaluation.interaction_id == row.id)).all()
        assert len(evaluations) == 1 and row.state.value == "scored"
        answers = {a.criterion_id: a.answer for a in evaluations[0].answers}
        assert answers["reply_sla"] == "yes"  # judged on the reply that arrived later
    with transaction(settings.sqlalchemy_url) as session:
        repeat = store_interaction(session, settings, tenant_id, grown)
    assert not repeat.updated and not repeat.created


def test_platform_extras_are_kept_but_redacted(settings: Settings, tenant_id: int) -> None:
    document = chat("chat-meta")
    document["meta"] = {"agent_name": "Анна", "crm": {"note": f"клиент продиктовал {CARD}", "tags": ["vip", 3]}}
    with transaction(settings.sqlalchemy_url) as session:
        stored = store_interaction(session, settings, tenant_id, document)
    with session_factory(settings.sqlalchemy_url)() as session:
        meta = session.get_one(Interaction, stored.interaction_id).meta
    assert meta["crm"]["tags"] == ["vip", 3]
    assert "[карта]" in meta["crm"]["note"] and "5679" not in str(meta)


def test_the_tenants_public_number_survives_and_names_follow_its_setting(settings: Settings) -> None:
    """An agent's e-mail signature keeps the airline's own number; a tenant may keep customers' names."""
    document = {
        "external_id": "mail-signature", "channel": "email", "source": "api",
        "started_at": "2026-11-20T10:00:00+03:00", "agent_id": "A-1",
        "turns": [
            {"speaker": "customer", "text": "Здравствуйте, меня зовут Пётр Сидоров, хочу вернуть билет."},
            {"speaker": "agent", "text": "Пётр, добрый день! Возврат оформлен.\nС уважением, Ольга\n"
                                         "Контакт-центр: +7 495 123-45-67"},
        ],
    }
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="north", name="Северный ветер")
        tenant.settings = TenantSettings(public_phones=("+7 495 123-45-67",)).to_mapping()
        session.add(tenant)
        session.flush()
        stored = store_interaction(session, settings, tenant.id, document)
        texts = [t.text for t in session.get_one(Interaction, stored.interaction_id).turns]
    assert "+7 495 123-45-67" in texts[1]
    assert "Сидоров" not in texts[0] and "[имя]" in texts[0]
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="keeps-names", name="Other")
        tenant.settings = TenantSettings(redact_names=False).to_mapping()
        session.add(tenant)
        session.flush()
        stored = store_interaction(session, settings, tenant.id, {**document, "external_id": "mail-2"})
        assert "Сидоров" in session.get_one(Interaction, stored.interaction_id).turns[0].text
