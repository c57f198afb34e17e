"""Constructed scored calls for coaching tests, on top of `factories.build_world`."""

from __future__ import annotations

from datetime import datetime, timedelta

from factories import World
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import Agent, Evaluation
from qa_service.db.session import transaction
from qa_service.demo.coaching import add_scored_call


def add_calls(settings: Settings, world: World, agent: str, count: int, fail: dict[str, int], *,
              end: datetime, days: float = 20.0, tag: str = "") -> list[int]:
    """`count` calls of `agent` spread evenly over `days` before `end`; the first fail[criterion] fail it."""
    ids = []
    with transaction(settings.sqlalchemy_url) as session:
        version_id = session.scalar(select(Evaluation.rubric_version_id).where(
            Evaluation.id == world.evaluations["call"]))
        assert version_id is not None
        agent_id = world.agents[agent]
        for i in range(count):
            at = end - timedelta(days=days) + timedelta(days=days) * (i + 0.5) / count
            answers = {criterion: "no" for criterion, n in fail.items() if i < n}
            ids.append(add_scored_call(session, world.tenant_id, agent_id, at, answers,
                                       f"T-{agent}-{tag}-{i}", rubric_version_id=version_id).id)
    return ids


def add_agent(settings: Settings, world: World, key: str, name: str, team: str) -> int:
    with transaction(settings.sqlalchemy_url) as session:
        agent = Agent(tenant_id=world.tenant_id, external_id=f"agent-{key}", name=name, team_id=world.teams[team])
        session.add(agent)
        session.flush()
        world.agents[key] = agent.id
        return agent.id
