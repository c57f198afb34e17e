"""An audit trail a customer can sign: every route by which a person changes state names the audit
entry it writes (or why it writes none), each such action reads in words, and the entries of the
routes this trail is judged by are produced for real, with before/after values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from access_matrix import MATRIX, methods
from factories import World, build_world, csrf_from, sign_in
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import AuditLog, CoachingTask, Dispute, Evaluation
from qa_service.db.session import transaction
from qa_service.web import create_app
from qa_service.web.labels import LABELS

# Every POST rule → the audit action it records.
AUDITED = {
    "/login": "login", "/account/password": "password.change",
    "/interactions/<int:interaction_id>/review": "review.submit",
    "/interactions/<int:interaction_id>/comments": "comment.create",
    "/evaluations/<int:evaluation_id>/release": "review.release",
    "/evaluations/<int:evaluation_id>/amend": "evaluation.amend",
    "/evaluations/<int:evaluation_id>/acknowledge": "evaluation.acknowledge",
    "/evaluations/<int:evaluation_id>/disputes": "dispute.create",
    "/disputes/<int:dispute_id>/resolve": "dispute.accepted",
    "/disputes/<int:dispute_id>/reopen": "dispute.reopen",
    "/queue/sample": "sampling.run", "/queue/rule": "update",
    "/admin/users": "create", "/admin/users/<int:user_id>": "update", "/admin/teams": "create",
    "/admin/agents/<int:agent_id>/team": "update", "/admin/settings": "settings.update",
    "/admin/rubrics": "rubric.upload", "/admin/rubrics/versions/<int:version_id>/activate": "rubric.activate",
    "/admin/connectors": "connector.save", "/admin/connectors/<int:connector_id>/run": "connector.run",
    "/autoqa/<int:rubric_id>/<criterion_id>/threshold": "autoqa.threshold",
    "/calibration": "calibration.create", "/calibration/<int:calibration_id>/items/<int:item_id>": "calibration.submit",
    "/calibration/<int:calibration_id>/items/<int:item_id>/consensus": "calibration.consensus",
    "/calibration/<int:calibration_id>/submit": "calibration.submit",
    "/calibration/<int:calibration_id>/reveal": "calibration.reveal",
    "/calibration/<int:calibration_id>/deadline": "calibration.extend",
    "/calibration/<int:calibration_id>/sign-off": "calibration.sign_off",
    "/coaching/tasks": "coaching.assign", "/coaching/tasks/<int:task_id>/schedule": "coaching.schedule",
    "/coaching/tasks/<int:task_id>/session": "coaching.session",
    "/coaching/tasks/<int:task_id>/acknowledge": "coaching.acknowledge",
    "/reports/runs/<int:run_id>/rerun": "report.rerun", "/reports/daily-quality/sign-off": "report.sign_off",
}
# POST rules that record no entry of their own, and why.
EXEMPT = {
    "/logout": "ends the session; no stored object changes",
    "/csp-report": "a browser's violation report, written to the log",
    "/api/v1/interactions": "the airline's platform pushes data (a machine, with its token), not a person",
    "/admin/connectors/<int:connector_id>/test": "a connection test changes nothing",
    "/autoqa/recompute": "recomputes derived statistics; each criterion withheld or restored is its own entry",
    "/coaching/needs/refresh": "recomputes derived training needs from scores; no person's decision changes",
}
EXPORTS = {"/reports/<kind>/download.<fmt>": "report.export", "/calibration/<int:calibration_id>/report.<fmt>":
           "calibration.export", "/admin/audit.csv": None}


def test_every_state_changing_route_names_its_audit_entry() -> None:
    posts = {rule for rule, access in MATRIX.items() if "POST" in methods(access) and not rule.startswith("/admin/rq")}
    assert posts - set(AUDITED) - set(EXEMPT) == set(), "name the audit entry of these routes"
    assert set(AUDITED) | set(EXEMPT) <= set(MATRIX)
    for action in {*AUDITED.values(), *(a for a in EXPORTS.values() if a)}:
        assert action in LABELS["action"], f"{action}: say it in words in web/labels.py"


def _entries(settings: Settings, action: str) -> list[AuditLog]:
    with transaction(settings.sqlalchemy_url) as session:
        rows = list(session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))
        session.expunge_all()
    return rows


@pytest.fixture
def world(settings: Settings) -> World:
    return build_world(settings, with_audio=False, with_dispute=True, started=datetime.now(UTC) - timedelta(days=2))


def _form_value(html: str, name: str) -> str:
    import re

    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, name
    return match.group(1)


def test_the_entries_exist_with_before_and_after(settings: Settings, world: World) -> None:
    app = create_app(settings)
    admin, qa, supervisor, customer = (app.test_client() for _ in range(4))
    admin_token = sign_in(admin, world.emails["admin"])
    qa_token = sign_in(qa, world.emails["qa"])
    supervisor_token = sign_in(supervisor, world.emails["supervisor"])
    customer_token = sign_in(customer, world.emails["customer"])

    # Settings: the dispute window 7 → 10, said as what changed from what to what.
    page = admin.get("/admin/settings").get_data(as_text=True)
    form: dict[str, Any] = {"csrf_token": admin_token, "version": _form_value(page, "version"),
                            "timezone": "Europe/Moscow", "public_phones": "", "dispute_window_days": "10",
                            "per_agent": "5", "random_percent": "20", "due_days": "2", "channels": ["call", "chat"]}
    assert admin.post("/admin/settings", data=form).status_code == 303
    [entry] = _entries(settings, "settings.update")
    assert entry.details["changes"]["dispute_window_days"] == {"from": 7, "to": 10}
    # The same form again (a stale page): refused, no second entry.
    admin.post("/admin/settings", data=form | {"dispute_window_days": "12"})
    assert len(_entries(settings, "settings.update")) == 1

    # A review submitted and released, then changed after release.
    page = qa.get(f"/interactions/{world.call_id}").get_data(as_text=True)
    qa.post(f"/interactions/{world.call_id}/review", data={
        "csrf_token": qa_token, "action": "release", "evaluation": _form_value(page, "evaluation"),
        "version": _form_value(page, "version")})
    [submitted] = _entries(settings, "review.submit")
    assert submitted.details["released"] is True
    page = qa.get(f"/interactions/{world.call_id}?amend=1").get_data(as_text=True)
    qa.post(f"/evaluations/{_form_value(page, 'evaluation')}/amend", data={
        "csrf_token": qa_token, "version": _form_value(page, "version"), "change_reason": "перепроверка",
        "answer-greeting": "no", "reason-greeting": "без названия"})
    [amended] = _entries(settings, "evaluation.amend")
    assert amended.details["changed"] == {"greeting": {"from": "yes", "to": "no"}}
    assert amended.details["reason"] == "перепроверка" and amended.details["version"] == 2

    # The dispute accepted, then reopened: two entries, the reopen with its status from → to.
    with transaction(settings.sqlalchemy_url) as session:
        version = session.get_one(Dispute, world.dispute_id).version
    supervisor.post(f"/disputes/{world.dispute_id}/resolve", data={
        "csrf_token": supervisor_token, "version": version, "decision": "accept", "new_answer": "yes",
        "resolution": "Телефон в подписи есть"})
    [accepted] = _entries(settings, "dispute.accepted")
    assert (accepted.details["before"], accepted.details["after"]) == ("no", "yes")
    supervisor.post(f"/disputes/{world.dispute_id}/reopen", data={
        "csrf_token": supervisor_token, "version": version + 1, "reason": "Подпись без телефона"})
    [reopened] = _entries(settings, "dispute.reopen")
    assert reopened.details["status"] == {"from": "accepted", "to": "open"}

    # The customer's sign-off of a day: who signed which version of the figures; an export.
    day = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    page = customer.get(f"/reports/daily-quality?date={day}").get_data(as_text=True)
    customer.post("/reports/daily-quality/sign-off", data={
        "csrf_token": customer_token, "date": day, "content_hash": _form_value(page, "content_hash")})
    [signed] = _entries(settings, "report.sign_off")
    assert signed.details["day"] == day and len(signed.details["content_hash"]) == 16
    assert customer.get(f"/reports/daily-quality/download.xlsx?date={day}").status_code == 200
    [export] = _entries(settings, "report.export")
    assert export.details["format"] == "XLSX" and "Северный Ветер" in export.details["filters"]

    # A later change to the day's figures marks the signature outdated on the page.
    with transaction(settings.sqlalchemy_url) as session:
        review = session.get_one(Evaluation, world.evaluations["email_review"])
        version = review.version
    page = qa.get(f"/interactions/{world.email_id}?amend=1").get_data(as_text=True)
    qa.post(f"/evaluations/{world.evaluations['email_review']}/amend", data={
        "csrf_token": qa_token, "version": version, "change_reason": "ошибка в SLA", "answer-reply_sla": "no",
        "reason-reply_sla": "ответ позже срока"})
    page = customer.get(f"/reports/daily-quality?date={day}").get_data(as_text=True)
    assert 'id="signature-outdated"' in page

    # The audit page says it all in words, no codes.
    audit = admin.get("/admin/audit").get_data(as_text=True)
    for words in ("подписал(а) отчёт о качестве за день", "изменил(а) опубликованную оценку", "переоткрыл(а) спор",
                  "скачал(а) отчёт", "срок спора, дней"):
        assert words in audit, words
    assert csrf_from(audit)


def test_a_coaching_schedule_entry_has_before_and_after(settings: Settings, world: World) -> None:
    app = create_app(settings)
    trainer = app.test_client()
    token = sign_in(trainer, world.emails["trainer"])
    with transaction(settings.sqlalchemy_url) as session:
        task = CoachingTask(tenant_id=world.tenant_id, agent_id=world.agents["anna"], module="T-PAY")
        session.add(task)
        session.flush()
        task_id = task.id
    page = trainer.get(f"/coaching/tasks/{task_id}").get_data(as_text=True)
    version = _form_value(page, "version")
    trainer.post(f"/coaching/tasks/{task_id}/schedule", data={"csrf_token": token, "version": version,
                                                             "scheduled_at": "2031-05-05T10:30"})
    [entry] = _entries(settings, "coaching.schedule")
    assert entry.details["at"]["from"] is None and entry.details["at"]["to"].startswith("2031-05-05")
    # The same page's form again: the task changed since, refused, no second entry.
    trainer.post(f"/coaching/tasks/{task_id}/schedule", data={"csrf_token": token, "version": version,
                                                             "scheduled_at": "2031-05-06T10:30"})
    assert len(_entries(settings, "coaching.schedule")) == 1
