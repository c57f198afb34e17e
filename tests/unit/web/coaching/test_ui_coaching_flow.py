"""The coaching flow through the UI: assign with materials, the agent reads and acknowledges, the trainer
records the session, and the effect is measured once there are answers before and after."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from coaching_data import add_agent, add_calls
from factories import World, build_world, sign_in
from flask import Flask
from smtp_inbox import SmtpInbox
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import CoachingFormat, CoachingStatus, CoachingTask
from qa_service.db.session import transaction
from qa_service.services.coaching.notices import send_coaching_notices
from qa_service.web import create_app

NOW = datetime.now(UTC).replace(microsecond=0)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(settings: Settings) -> World:
    return build_world(settings, with_audio=False, started=NOW - timedelta(days=5))


@pytest.fixture
def app(settings: Settings, world: World) -> Flask:
    return create_app(settings)


def _tasks(settings: Settings) -> list[CoachingTask]:
    with transaction(settings.sqlalchemy_url) as session:
        tasks = list(session.scalars(select(CoachingTask).order_by(CoachingTask.id)))
        for task in tasks:
            _ = task.materials
        session.expunge_all()
        return tasks


def test_bad_materials_are_refused_with_a_clear_message(app: Flask, world: World, settings: Settings) -> None:
    trainer = app.test_client()
    token = sign_in(trainer, world.emails["trainer"])
    for filename, content, message in [
        ("virus.exe", b"MZ\x90\x00", "допустимы PDF"),
        ("fake.pdf", b"not a pdf at all", "не похоже на PDF"),
        ("big.txt", b"a" * (20 * 1024 * 1024 + 1), "больше 20 МБ"),
    ]:
        response = trainer.post("/coaching/tasks", data={
            "csrf_token": token, "module": "T-PAY", "agent_id": str(world.agents["anna"]), "format": "one_to_one",
            "due_at": "2031-05-06", "scheduled_at": "2031-05-05T10:30", "links": "https://intranet.example/pay",
            "notes": "Не просить карту", "material": (io.BytesIO(content), filename),
        }, content_type="multipart/form-data", follow_redirects=True)
        page = response.get_data(as_text=True)
        response.close()  # the refused form is the response itself: close it, and the request's upload with it
        assert message in page
        # Refused for the upload, the form keeps everything else the trainer typed.
        if response.status_code == 422:
            for kept in ("2031-05-06", "2031-05-05T10:30", "https://intranet.example/pay", "Не просить карту"):
                assert kept in page, kept
    response = trainer.post("/coaching/tasks", data={
        "csrf_token": token, "module": "T-PAY", "agent_id": str(world.agents["anna"]), "links": "javascript:alert(1)",
    }, follow_redirects=True)
    assert "http://" in response.get_data(as_text=True)
    assert _tasks(settings) == []


def test_assign_acknowledge_record_and_measure(app: Flask, world: World, settings: Settings) -> None:
    trainer = app.test_client()
    token = sign_in(trainer, world.emails["trainer"])
    response = trainer.post("/coaching/tasks", data={
        "csrf_token": token, "module": "T-FARES", "agent_id": str(world.agents["anna"]), "format": "one_to_one",
        "due_at": (NOW + timedelta(days=3)).strftime("%Y-%m-%d"), "links": "https://intranet.example/fares",
        "example": [f"bad:{world.call_id}", f"good:{world.email_id}"], "notes": "Штраф и сбор — называть всегда",
        "material": [(io.BytesIO(PDF), "Правила тарифов.pdf"), (io.BytesIO("Памятка".encode()), "памятка.txt")],
    }, content_type="multipart/form-data")
    assert response.status_code == 303
    [task] = _tasks(settings)
    assert (task.module, task.format, task.status) == ("T-FARES", CoachingFormat.ONE_TO_ONE, CoachingStatus.ASSIGNED)
    assert [m.title for m in task.materials] == ["Правила тарифов.pdf", "памятка.txt", "https://intranet.example/fares"]
    assert task.example_interactions == [{"interaction_id": world.call_id, "kind": "bad"},
                                         {"interaction_id": world.email_id, "kind": "good"}]
    assert task.due_at is not None and task.due_at > NOW

    agent = app.test_client()
    agent_token = sign_in(agent, world.emails["agent"])
    home = agent.get("/my").get_data(as_text=True)
    assert 'id="coaching-notices">1<' in home  # the new task is announced on the agent's home page
    page = agent.get(f"/coaching/tasks/{task.id}").get_data(as_text=True)
    assert "Правила тарифов.pdf" in page and "CALL-0001" in page
    with agent.get(f"/coaching/materials/{task.materials[0].id}") as material:
        assert material.status_code == 200 and material.data == PDF
    assert agent.get(f"/coaching/materials/{task.materials[2].id}").headers["Location"] == \
        "https://intranet.example/fares"
    agent.post(f"/coaching/tasks/{task.id}/acknowledge", data={"csrf_token": agent_token})
    [task] = _tasks(settings)
    assert task.acknowledged_at is not None and task.status == CoachingStatus.ACKNOWLEDGED

    held = NOW - timedelta(days=10)
    trainer.post(f"/coaching/tasks/{task.id}/session", data={
        "csrf_token": token, "attended": "yes", "session_notes": "Разобрали два звонка",
        "held_at": held.astimezone(ZoneInfo("Europe/Moscow")).strftime("%Y-%m-%dT%H:%M"),  # the tenant's zone
    })
    [task] = _tasks(settings)
    assert task.status == CoachingStatus.DONE and task.attended and task.session_notes == "Разобрали два звонка"
    assert task.completed_at is not None
    page = trainer.get(f"/coaching/tasks/{task.id}?lang=ru").get_data(as_text=True)
    assert "пока мало данных" in page  # no answers around the session yet

    # Constructed answers: Анна fails fare rules 12/20 before and 1/20 after; three colleagues 5/20 throughout.
    completed = task.completed_at
    add_calls(settings, world, "anna", 20, {"fare_rules": 12}, end=completed, days=9, tag="before")
    add_calls(settings, world, "anna", 20, {"fare_rules": 1}, end=NOW, days=9, tag="after")
    for key, name in (("olga", "Ольга Белова"), ("ivan", "Иван Серов"), ("nina", "Нина Котова")):
        add_agent(settings, world, key, name, "beta")
        add_calls(settings, world, key, 20, {"fare_rules": 5}, end=completed, days=9, tag="before")
        add_calls(settings, world, key, 20, {"fare_rules": 5}, end=NOW, days=9, tag="after")
    page = trainer.get(f"/coaching/tasks/{task.id}?lang=ru").get_data(as_text=True)
    assert "стало лучше" in page
    home = trainer.get("/coaching?lang=ru").get_data(as_text=True)
    assert "стало лучше" in home and "T-FARES" in home


def test_missed_session_keeps_the_task_open(app: Flask, world: World, settings: Settings) -> None:
    trainer = app.test_client()
    token = sign_in(trainer, world.emails["trainer"])
    trainer.post("/coaching/tasks", data={"csrf_token": token, "module": "T-OPEN", "format": "group",
                                          "agent_id": [str(world.agents["anna"]), str(world.agents["petr"])]})
    tasks = _tasks(settings)
    assert [t.agent_id for t in tasks] == [world.agents["anna"], world.agents["petr"]]  # one per participant
    trainer.post(f"/coaching/tasks/{tasks[0].id}/session", data={"csrf_token": token, "attended": "no"})
    task = _tasks(settings)[0]
    assert task.attended is False and task.status == CoachingStatus.ASSIGNED and task.completed_at is None


def test_notices_are_mailed_once(world: World, settings: Settings, smtp_server: tuple[str, SmtpInbox]) -> None:
    url, inbox = smtp_server
    mail_settings = replace(settings, smtp_url=url)
    with transaction(settings.sqlalchemy_url) as session:
        session.add_all([
            CoachingTask(tenant_id=world.tenant_id, agent_id=world.agents["anna"], module="T-PAY",
                         trainer_id=world.users["trainer"], due_at=NOW + timedelta(days=1), created_at=NOW),
            CoachingTask(tenant_id=world.tenant_id, agent_id=world.agents["petr"], module="T-OPEN",
                         trainer_id=world.users["trainer"], due_at=NOW - timedelta(days=1),
                         created_at=NOW - timedelta(days=9), notified_new_at=NOW - timedelta(days=9)),
        ])
    assert send_coaching_notices(mail_settings, world.tenant_id, NOW) == 3  # new + due soon; overdue
    recipients = sorted(tuple(envelope.rcpt_tos) for envelope, _ in inbox.messages)
    assert recipients == [("agent@severny.test",), ("agent@severny.test",),
                          ("petr@severny.test", "trainer@severny.test")]
    assert send_coaching_notices(mail_settings, world.tenant_id, NOW) == 0  # never twice
    assert send_coaching_notices(settings, world.tenant_id, NOW) == 0  # no relay: nothing to do


def test_a_module_many_agents_need_suggests_a_group_session(app: Flask, world: World, settings: Settings) -> None:
    from qa_service.db.models import NeedRule, TrainingNeed

    ids = [world.agents["anna"], world.agents["petr"], add_agent(settings, world, "olga", "Ольга Белова", "beta")]
    with transaction(settings.sqlalchemy_url) as session:
        session.add_all(TrainingNeed(tenant_id=world.tenant_id, agent_id=i, module="T-FARES", rule=NeedRule.TEAM_GAP,
                                     criterion_ids="fare_rules", reason="…", since=NOW) for i in ids)
    trainer = app.test_client()
    sign_in(trainer, world.emails["trainer"])
    home = trainer.get("/coaching?lang=ru").get_data(as_text=True)
    link = re.search(r'href="(/coaching/tasks/new\?[^"]+)">Назначить групповое занятие', home)
    assert link is not None
    form = trainer.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    selected = re.findall(r'<option value="(\d+)" selected>', form)
    assert sorted(map(int, selected)) == sorted(ids)
    assert '<option value="group" selected>' in form
