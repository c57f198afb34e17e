"""`qa-service trust --tenant SLUG [--json]`: recompute on demand, through main(), on the real database file."""

from __future__ import annotations

import json

import pytest
from factories import build_world

from qa_service.cli import main
from qa_service.config import Settings
from qa_service.db.models import User
from qa_service.db.session import transaction
from qa_service.services.access import viewer_for
from qa_service.services.review.evaluations import Decision, submit_review


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("QA_ENV", "test")
    monkeypatch.setenv("DATABASE_URL", settings.sqlalchemy_url)
    monkeypatch.setenv("SECRET_KEY", "test-secret")
    return settings


def test_trust_recomputes_and_prints_each_criterion(env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    world = build_world(env, with_audio=False)
    with transaction(env.sqlalchemy_url) as session:
        qa = viewer_for(session, session.get_one(User, world.users["qa"]))
        submit_review(session, qa, world.call_id, {"greeting": Decision("no", "компания не названа")})
    assert main(["trust", "--tenant", "severny-veter", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    rows = {(r["rubric"], r["criterion"]): r for r in document["criteria"]}
    greeting = rows[("airline-call", "greeting")]
    assert (greeting["agreed"], greeting["n"], greeting["state"]) == (0, 1, "collecting")
    assert greeting["title"].startswith("Приветствие") and greeting["method"] == "phrases"
    assert rows[("airline-call", "agent_name")]["agreed"] == 1  # confirmed by submitting unchanged
    assert ("airline-call", "accuracy") not in rows  # manual criteria have no machine answer to trust
    assert main(["trust", "--tenant", "severny-veter"]) == 0
    assert "greeting" in capsys.readouterr().out


def test_unknown_tenant_is_one_line_and_exit_1(env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trust", "--tenant", "nobody"]) == 1
    err = capsys.readouterr().err
    assert "нет авиакомпании 'nobody'" in err and "Traceback" not in err
