"""The review queue page, sampling from the UI, the sampling rule, and user/team administration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from factories import World, build_world, sign_in
from flask import Flask
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import Agent, ReviewAssignment, SamplingRule, Team, User
from qa_service.db.session import transaction
from qa_service.web import create_app

LAST_WEEK = datetime.now(UTC) - timedelta(days=7)


@pytest.fixture
def world(settings: Settings) -> World:
    return build_world(settings, with_audio=False, started=LAST_WEEK)


@pytest.fixture
def app(settings: Settings, world: World) -> Flask:
    return create_app(settings)


def test_sample_from_the_ui_fills_the_queue(app: Flask, world: World, settings: Settings) -> None:
    client = app.test_client()
    token = sign_in(client, world.emails["qa"])
    assert "Ничего не ждёт проверки" in client.get("/queue").get_data(as_text=True)
    monday = (LAST_WEEK - timedelta(days=LAST_WEEK.weekday())).date().isoformat()
    response = client.post("/queue/sample", data={"week": monday, "csrf_token": token}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Отобрано 4 из 4" in html
    assert "CALL-0001" in html and f'href="/interactions/{world.call_id}"' in html
    # Submitting the review completes the assignment.
    client.post(f"/interactions/{world.call_id}/review", data={"csrf_token": token})
    with transaction(settings.sqlalchemy_url) as session:
        done = session.scalar(select(ReviewAssignment).where(ReviewAssignment.interaction_id == world.call_id))
        assert done is not None and done.completed_at is not None


def test_admin_saves_the_sampling_rule(app: Flask, world: World, settings: Settings) -> None:
    client = app.test_client()
    token = sign_in(client, world.emails["admin"])
    client.post("/queue/rule", data={"per_agent": "8", "random_percent": "25", "due_days": "4",
                                     "channels": ["call", "chat"], "csrf_token": token})
    client.post("/queue/rule", data={"per_agent": "-1", "random_percent": "25", "due_days": "4",
                                     "channels": ["call"], "csrf_token": token})  # refused
    with transaction(settings.sqlalchemy_url) as session:
        rule = session.scalar(select(SamplingRule).where(SamplingRule.active.is_(True)))
        assert rule is not None
        saved = (rule.per_agent_per_week, rule.random_share, rule.channels, rule.due_days)
        assert saved == (8, 0.25, ["call", "chat"], 4)


def test_admin_manages_users_and_teams(app: Flask, world: World, settings: Settings) -> None:
    client = app.test_client()
    token = sign_in(client, world.emails["admin"])
    client.post("/admin/users", data={"email": "New.QA@severny.test", "name": "Новый", "role": "qa",
                                      "password": "long-enough-1", "csrf_token": token})
    response = client.post("/admin/users", data={"email": "short@severny.test", "name": "К", "role": "qa",
                                                 "password": "short", "csrf_token": token}, follow_redirects=True)
    assert "пароль короче" in response.get_data(as_text=True)
    client.post(f"/admin/users/{world.users['trainer']}", data={"role": "supervisor", "csrf_token": token})
    client.post("/admin/teams", data={"name": "Гамма", "supervisor": str(world.users["supervisor"]),
                                      "csrf_token": token})
    with transaction(settings.sqlalchemy_url) as session:
        gamma = session.scalar(select(Team).where(Team.name == "Гамма"))
        assert gamma is not None
        gamma_id = gamma.id
    client.post(f"/admin/agents/{world.agents['petr']}/team", data={"team": str(gamma_id), "csrf_token": token})
    with transaction(settings.sqlalchemy_url) as session:
        new = session.scalar(select(User).where(User.email == "new.qa@severny.test"))
        assert new is not None and new.role.value == "qa"
        assert session.scalar(select(User).where(User.email == "short@severny.test")) is None
        trainer = session.get_one(User, world.users["trainer"])
        assert trainer.role.value == "supervisor" and not trainer.active
        assert session.get_one(Agent, world.agents["petr"]).team_id == gamma_id
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert "create" in audit and "user" in audit
    fresh = app.test_client()
    sign_in(fresh, "new.qa@severny.test", "long-enough-1")


def test_admin_cannot_lock_themselves_out(app: Flask, world: World, settings: Settings) -> None:
    client = app.test_client()
    token = sign_in(client, world.emails["admin"])
    client.post(f"/admin/users/{world.users['admin']}", data={"role": "qa", "active": "1", "csrf_token": token})
    with transaction(settings.sqlalchemy_url) as session:
        assert session.get_one(User, world.users["admin"]).role.value == "admin"
