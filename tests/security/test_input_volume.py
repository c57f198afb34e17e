"""Documents too big for a shared worker are refused at every boundary, in one line, before any work.

The probe's push of 100,000 turns took 57 s (its page 23 s / 26 MB) and a turn of 100,000 emoji
failed scoring on all four attempts.  Through the real push API and a real drop-folder run.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from factories import build_world
from flask import Flask
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.core.errors import InvalidInteraction
from qa_service.core.interaction import parse_interaction
from qa_service.core.interaction_limits import MAX_TURN_CHARS, MAX_TURNS
from qa_service.db.models import AuditLog, Interaction
from qa_service.db.session import session_factory, transaction
from qa_service.services.accounts.tokens import issue_token_for
from qa_service.services.connectors.configuration import save_connector
from qa_service.services.connectors.runs import run_connector
from qa_service.web import create_app


def _chat(external_id: str, turns: list[dict[str, Any]], channel: str = "chat") -> dict[str, Any]:
    return {"external_id": external_id, "channel": channel, "agent_id": "A-101",
            "started_at": "2026-11-20T10:00:00+03:00", "turns": turns}


HOSTILE = {
    "100,000 turns": (_chat("many", [{"speaker": "agent", "text": "да"}] * 100_000), "at most 5000"),
    "a turn of 100,000 emoji": (_chat("emoji", [{"speaker": "customer", "text": "😀" * 100_000}]),
                                f"at most {MAX_TURN_CHARS}"),
    "12 turns of 49,000 characters": (_chat("long", [{"speaker": "agent", "text": "а" * 49_000}] * 12),
                                      "at most 500000"),
    "a 10-second call of 5,000 words": (
        _chat("fast", [{"speaker": "agent", "text": "слово " * 5_000, "start": 0.0, "end": 10.0}], "call"),
        "words per second"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_the_contract_refuses_it_quickly_naming_the_bound(case: str) -> None:
    document, says = HOSTILE[case]
    began = time.monotonic()
    with pytest.raises(InvalidInteraction) as refused:
        parse_interaction(document)
    assert says in refused.value.en and refused.value.ru
    assert time.monotonic() - began < 10  # refused before anything walks every turn (measured: ms)


def test_real_traffic_sizes_pass() -> None:
    turns = [{"speaker": "agent", "text": "Здравствуйте, чем могу помочь? " * 2, "start": i * 4.0,
              "end": i * 4.0 + 3.5} for i in range(MAX_TURNS // 4)]
    assert len(parse_interaction(_chat("ok", turns, "call")).turns) == MAX_TURNS // 4


@pytest.fixture
def app_and_token(settings: Settings) -> tuple[Flask, str]:
    build_world(settings, with_audio=False)
    return create_app(settings), issue_token_for(settings, "severny-veter")


def test_the_push_api_refuses_it_with_a_400(app_and_token: tuple[Flask, str]) -> None:
    app, token = app_and_token
    client = app.test_client()
    for case, (document, says) in HOSTILE.items():
        response = client.post("/api/v1/interactions", json=document, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 400, case
        assert says in response.get_json()["error_en"], case


def test_a_connector_run_quarantines_it_and_stores_the_rest(settings: Settings, tmp_path: Path,
                                                            sent_jobs: list[Any]) -> None:
    world = build_world(settings, with_audio=False)
    drop = tmp_path / "drop"
    drop.mkdir()
    emoji, _ = HOSTILE["a turn of 100,000 emoji"]
    ok = _chat("fine", [{"speaker": "agent", "text": "Здравствуйте"}])
    (drop / "manifest.jsonl").write_text(json.dumps(emoji) + "\n" + json.dumps(ok) + "\n", "utf-8")
    with transaction(settings.sqlalchemy_url) as session:
        connector_id = save_connector(session, world.tenant_id, sandbox=None, name="drop", kind="dropfolder",
                                      config={"path": str(drop)}).id
    report = run_connector(settings, connector_id)
    with session_factory(settings.sqlalchemy_url)() as session:
        stored = set(session.scalars(select(Interaction.external_id).where(Interaction.tenant_id == world.tenant_id)))
        reasons = [str(row.details) for row in session.scalars(select(AuditLog))]
    assert "fine" in stored and "emoji" not in stored and len(report.quarantined) == 1
    assert [name for name, *_ in sent_jobs].count("score_interaction") <= 1  # only the fine one goes on
    assert any(str(MAX_TURN_CHARS) in reason for reason in reasons)
