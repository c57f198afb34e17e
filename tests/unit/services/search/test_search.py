"""Search on lemmas, phrases, exclusions, speaker, position, role rules and blindness — the same
cases on the embedded SQLite (FTS5) and on the real PostgreSQL (GIN over to_tsvector('simple'))."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from factories import World, build_world

from qa_service.config import Settings
from qa_service.db.models import (
    CalibrationItem,
    CalibrationParticipant,
    CalibrationSession,
    Channel,
    Interaction,
    Turn,
    User,
)
from qa_service.db.session import transaction
from qa_service.services.access import viewer_for
from qa_service.services.interactions.listing import HiddenFilterError, ListFilters
from qa_service.services.search.indexing import index_all_pending
from qa_service.services.search.searching import SearchFilters, SearchResult, search

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _call(session: object, tenant_id: int, agent_id: int, external_id: str, started: datetime,
          turns: list[tuple[str, str, float]], score: float = 80.0) -> int:
    call = Interaction(tenant_id=tenant_id, source="test", external_id=external_id, channel=Channel.CALL,
                       agent_id=agent_id, started_at=started, score=score)
    session.add(call)  # type: ignore[attr-defined]
    session.flush()  # type: ignore[attr-defined]
    for position, (speaker, text, start) in enumerate(turns):
        session.add(Turn(interaction_id=call.id, position=position, speaker=speaker, text=text,  # type: ignore[attr-defined]
                         start=start, end=start + 2))
    return call.id


@pytest.fixture
def world(settings: Settings) -> World:
    world = build_world(settings, with_audio=False)
    with transaction(settings.sqlalchemy_url) as session:
        world.evaluations["r1"] = _call(session, world.tenant_id, world.agents["anna"], "CALL-R1", START, [
            ("customer", "Верните денег за билет, пожалуйста.", 5.0),
            ("customer", "Позовите руководителя!", 40.0),
            ("agent", "Сейчас позову старшего смены.", 45.0),
        ])
        world.evaluations["r2"] = _call(session, world.tenant_id, world.agents["petr"], "CALL-R2",
                                        START + timedelta(days=1), [
            ("customer", "Я хочу вернуть деньги и поговорить с начальником.", 3.0),
            ("customer", "Деньги за багаж тоже.", 8.0),
        ], score=40.0)
        _call(session, world.other_tenant_id, world.agents["south"], "CALL-S1", START,
              [("customer", "Верните деньги немедленно.", 1.0)])
        for tenant_id in (world.tenant_id, world.other_tenant_id):
            index_all_pending(session, tenant_id)
    return world


def _search(settings: Settings, user_id: int, typed: str, **filters: object) -> SearchResult:
    conversations = filters.pop("conversations", None) or ListFilters()
    with transaction(settings.sqlalchemy_url) as session:
        viewer = viewer_for(session, session.get_one(User, user_id))
        return search(session, viewer, typed, SearchFilters(conversations=conversations, **filters))  # type: ignore[arg-type]


def _where(result: SearchResult) -> list[tuple[str, int]]:
    return sorted((hit.external_id, hit.turn) for hit in result.hits)


def test_words_match_on_lemmas(settings: Settings, world: World) -> None:
    result = _search(settings, world.users["qa"], "вернуть деньги")
    assert _where(result) == [("CALL-R1", 0), ("CALL-R2", 0)]  # not the other airline's
    assert result.total == 2 and result.conversations == 2
    assert "[Верните денег]" in result.to_json()["hits"][1]["snippet"]


def test_quoted_phrase_keeps_word_order(settings: Settings, world: World) -> None:
    assert _where(_search(settings, world.users["qa"], '"позовите руководителя"')) == [("CALL-R1", 1)]
    assert _where(_search(settings, world.users["qa"], '"руководителя позовите"')) == []


def test_excluded_word_drops_the_conversation(settings: Settings, world: World) -> None:
    assert _where(_search(settings, world.users["qa"], "деньги -багаж")) == [("CALL-R1", 0)]


def test_speaker_and_first_seconds(settings: Settings, world: World) -> None:
    qa = world.users["qa"]
    assert _where(_search(settings, qa, "позвать", speaker="agent")) == [("CALL-R1", 2)]
    assert _where(_search(settings, qa, "позвать", speaker="customer")) == [("CALL-R1", 1)]
    assert _where(_search(settings, qa, "руководитель", first_seconds=30)) == []
    assert _where(_search(settings, qa, "деньги", first_seconds=6)) == [("CALL-R1", 0), ("CALL-R2", 0)]


def test_counts_by_day_and_agent(settings: Settings, world: World) -> None:
    result = _search(settings, world.users["qa"], "деньги")
    assert result.by_day == [("2026-03-03", 1), ("2026-03-02", 1)]
    assert dict(result.by_agent) == {"Анна Смирнова": 1, "Пётр Иванов": 1}


def test_role_scope_of_the_list_applies(settings: Settings, world: World) -> None:
    assert _where(_search(settings, world.users["supervisor"], "деньги")) == [("CALL-R1", 0)]  # team «Альфа»
    assert _where(_search(settings, world.users["customer"], "деньги")) == []  # not in calibration
    assert _where(_search(settings, world.users["customer"], "багажа")) == [("CHAT-0001", 0)]
    with pytest.raises(HiddenFilterError):
        _search(settings, world.users["customer"], "багаж", conversations=ListFilters(score_max=50))


def test_score_filter_leaves_out_what_the_viewer_scores_blind(settings: Settings, world: World) -> None:
    qa = world.users["qa"]
    with transaction(settings.sqlalchemy_url) as session:
        calibration = CalibrationSession(tenant_id=world.tenant_id, title="Слепая")
        session.add(calibration)
        session.flush()
        session.add(CalibrationItem(session_id=calibration.id, interaction_id=world.evaluations["r2"]))
        session.add(CalibrationParticipant(session_id=calibration.id, user_id=qa))
    assert _where(_search(settings, qa, "деньги", conversations=ListFilters(score_max=50))) == []
    assert _where(_search(settings, qa, "деньги", conversations=ListFilters(score_max=90))) == [("CALL-R1", 0)]
    assert ("CALL-R2", 0) in _where(_search(settings, qa, "деньги"))  # no score filter: nothing revealed


def test_new_turn_text_is_found_once_indexed(settings: Settings, world: World) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        session.add(Turn(interaction_id=world.evaluations["r1"], position=9, speaker="customer",
                         text="Я обращусь в Роспотребнадзор.", start=60.0, end=62.0))
    assert _where(_search(settings, world.users["qa"], "Роспотребнадзор")) == []
    with transaction(settings.sqlalchemy_url) as session:
        assert index_all_pending(session, world.tenant_id) == 1
    assert _where(_search(settings, world.users["qa"], "роспотребнадзора")) == [("CALL-R1", 9)]
