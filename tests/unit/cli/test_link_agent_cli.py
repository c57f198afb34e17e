"""`qa-service link-agent`: tie a sign-in to the platform's agent id, through main(), on the real database."""

from __future__ import annotations

import pytest
from factories import build_world

from qa_service.cli import main
from qa_service.config import Settings
from qa_service.db.models import Agent
from qa_service.db.session import session_factory, transaction


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("QA_ENV", "test")
    monkeypatch.setenv("DATABASE_URL", settings.sqlalchemy_url)
    monkeypatch.setenv("SECRET_KEY", "test-secret")
    return settings


def test_link_agent_ties_the_sign_in_and_says_when_the_agent_is_not_there_yet(
    env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    world = build_world(env, with_audio=False)
    args = ["link-agent", "--tenant", "severny-veter", "--email", world.emails["agent2"], "--agent-id", "A-777"]
    assert main(args) == 1  # not ingested yet: a clear line, nothing changed
    assert "A-777" in capsys.readouterr().out
    with transaction(env.sqlalchemy_url) as session:
        session.add(Agent(tenant_id=world.tenant_id, external_id="A-777", name="Новый Оператор"))
    assert main(args) == 0
    with session_factory(env.sqlalchemy_url)() as session:
        agent = session.query(Agent).filter_by(tenant_id=world.tenant_id, external_id="A-777").one()
        assert agent.user_id == world.users["agent2"]
    # Another airline's slug does not find this tenant's user.
    assert main(["link-agent", "--tenant", "yuzhny-bereg", "--email", world.emails["agent2"],
                 "--agent-id", "A-777"]) != 0
