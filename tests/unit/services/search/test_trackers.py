"""Trackers tag each scored interaction once, send the ones that ask for it to review, and back-fill."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from qa_service.config import Settings
from qa_service.db.models import Evaluation, Interaction, Tenant, Tracker, TrackerMatch
from qa_service.db.session import transaction
from qa_service.services.ingestion.intake import store_interaction
from qa_service.services.search.trackers import (
    counts_per_day,
    install_starter_trackers,
    run_backfill,
    tag_interaction,
    tracker_queries,
)


def chat(external_id: str, customer: str) -> dict[str, Any]:
    return {
        "external_id": external_id, "source": "site-chat", "channel": "chat", "agent_id": "op-17",
        "started_at": "2026-11-20T10:00:00+03:00",
        "turns": [
            {"speaker": "customer", "text": customer, "at": "2026-11-20T10:00:05+03:00"},
            {"speaker": "agent", "text": "Здравствуйте, сейчас помогу.", "at": "2026-11-20T10:00:40+03:00"},
        ],
    }


@pytest.fixture
def tenant_id(settings: Settings) -> int:
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="sv", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        assert install_starter_trackers(session, tenant.id) == 6
        assert install_starter_trackers(session, tenant.id) == 0
        return tenant.id


def _matches(settings: Settings, interaction_id: int) -> set[str]:
    with transaction(settings.sqlalchemy_url) as session:
        return set(session.scalars(select(Tracker.slug).join(TrackerMatch, TrackerMatch.tracker_id == Tracker.id)
                                   .where(TrackerMatch.interaction_id == interaction_id)))


def _store(settings: Settings, tenant_id: int, external_id: str, customer: str) -> int:
    with transaction(settings.sqlalchemy_url) as session:
        return store_interaction(session, settings, tenant_id, chat(external_id, customer)).interaction_id


def test_scoring_tags_and_sends_to_review_with_the_reason(settings: Settings, tenant_id: int) -> None:
    escalated = _store(settings, tenant_id, "c1", "Позовите начальника смены, я подам в суд!")
    calm = _store(settings, tenant_id, "c2", "Сколько стоит багаж?")
    assert _matches(settings, escalated) == {"escalation", "regulator"}
    assert _matches(settings, calm) == set()
    with transaction(settings.sqlalchemy_url) as session:
        row = session.get_one(Interaction, escalated)
        evaluation = session.scalar(select(Evaluation).where(Evaluation.interaction_id == escalated))
        assert row.needs_review and evaluation is not None
        assert "Пассажир просит руководителя" in evaluation.review_reasons


def test_a_second_tagging_writes_nothing(settings: Settings, tenant_id: int) -> None:
    interaction_id = _store(settings, tenant_id, "c1", "Я оспорю платёж через банк.")
    with transaction(settings.sqlalchemy_url) as session:
        again = tag_interaction(session, session.get_one(Interaction, interaction_id))
        assert again == []
        assert session.scalar(select(func.count()).select_from(TrackerMatch)) == 1


def test_agent_words_do_not_count_for_customer_trackers(settings: Settings, tenant_id: int) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        document = chat("c1", "Добрый день.")
        document["turns"][1]["text"] = "Могу позвать руководителя, если хотите."
        interaction_id = store_interaction(session, settings, tenant_id, document).interaction_id
    assert _matches(settings, interaction_id) == set()


def test_backfill_tags_history_and_counts_per_day(settings: Settings, tenant_id: int) -> None:
    first = _store(settings, tenant_id, "c1", "Рейс задержали на пять часов, хочу компенсацию.")
    with transaction(settings.sqlalchemy_url) as session:
        tracker = Tracker(tenant_id=tenant_id, slug="luggage", name="Багаж", query="багаж | чемодан")
        session.add(tracker)
        session.flush()
        tracker_id = tracker.id
    second = _store(settings, tenant_id, "c2", "Где мой чемодан?")  # tagged as scored
    assert run_backfill(settings, tracker_id) == 1
    assert "luggage" not in _matches(settings, first) and "luggage" in _matches(settings, second)
    with transaction(settings.sqlalchemy_url) as session:
        done = session.get_one(Tracker, tracker_id)
        assert (done.backfill_done, done.backfill_total) == (2, 2) and done.backfilled_at is not None
        counts = counts_per_day(session, tenant_id, datetime(2026, 11, 1, tzinfo=UTC))
    assert counts == {"disruption": {"2026-11-20": 1}, "luggage": {"2026-11-20": 1}}


def test_tracker_query_alternatives() -> None:
    assert [q.phrases for q in tracker_queries('руководителя | "старший смены" -нет')] == [
        (("руководитель",),), (("старший", "смена"),)]



def test_cli_installs_lists_and_backfills(settings: Settings, tenant_id: int, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from qa_service.cli import main

    monkeypatch.setenv("QA_ENV", "test")
    monkeypatch.setenv("DATABASE_URL", settings.sqlalchemy_url)
    monkeypatch.setenv("SECRET_KEY", "test-secret")
    _store(settings, tenant_id, "c1", "Позовите руководителя!")
    assert main(["trackers", "--tenant", "sv", "--backfill", "escalation", "--json"]) == 0
    items = {t["slug"]: t for t in json.loads(capsys.readouterr().out)["trackers"]}
    assert items["escalation"]["backfill"]["total"] == 1 and items["escalation"]["send_to_review"]
    assert items["escalation"]["per_day"] == {}  # the chat of 2026-11-20 is older than the last 7 days
    assert main(["trackers", "--tenant", "sv", "--json"]) == 0  # the job ran once the first call committed
    done = {t["slug"]: t for t in json.loads(capsys.readouterr().out)["trackers"]}["escalation"]["backfill"]
    assert done["done"] == 1 and done["finished_at"] is not None
    assert main(["trackers", "--tenant", "sv", "--backfill", "nothing"]) == 1
