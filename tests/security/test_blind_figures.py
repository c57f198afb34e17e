"""Blindness as a property of the data: every route and export that shows a number derived from
scores is listed here, and each is proved blind for a calibration participant who has not yet
submitted — the figure leaves the item out, or is withheld whole with the reason, or the route
is refused.  A route the access matrix gains must be classified below, or this test fails.

The call is the session's only item: its score (3.21) and the day's average with it (57.74)
must appear nowhere a participant can open; the average without it (85.0) is what they read.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from access_matrix import MATRIX
from factories import World, build_world, sign_in
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import (
    CoachingStatus,
    CoachingTask,
    CriterionAnswer,
    Evaluation,
    Interaction,
    ReportRun,
    Rubric,
    Tenant,
    TrainingNeed,
    User,
)
from qa_service.db.session import transaction
from qa_service.services.access import viewer_for
from qa_service.services.calibration.sessions import create_session
from qa_service.services.reports.daily import build_report, store_day
from qa_service.services.reports.scope import ReportScope, scope_for, settings_of
from qa_service.services.reports.tables import QUALITY
from qa_service.web import create_app

# Every route that shows a number derived from scores, with how it stays blind for a participant.
SCORE_FIGURES = {
    "/interactions": "the item's row shows no score and is left out of score filters and sorts",
    "/interactions/<int:interaction_id>": "no evaluation, score or flag of the item",
    "/queue": "the item's row shows no score",
    "/disputes": "disputes of the item are left out",
    "/disputes/<int:dispute_id>": "a dispute of the item is not found",
    "/my": "an agent's own released evaluations; the item's are left out",
    "/api/v1/interactions": "a person's session reads the item with its scores withheld",
    "/api/v1/interactions/<int:interaction_id>": "a person's session reads the item with its scores withheld",
    "/api/v1/interactions/<int:interaction_id>/evaluations": "refused to a person who scores the item blind",
    "/autoqa": "AutoQA agreement withheld whole, with the reason",
    "/autoqa/<int:rubric_id>/<criterion_id>": "AutoQA agreement withheld whole, with the reason",
    "/coaching": "training-need rates and coaching effects withheld whole, with the reason",
    "/coaching/needs/<int:need_id>": "the need's rates and evidence withheld whole, with the reason",
    "/coaching/tasks/<int:task_id>": "the coaching effect withheld, with the reason",
    "/reports/<kind>": "the quality day leaves the item out of every figure and says so",
    "/reports/<kind>/download.<fmt>": "CSV, XLSX and PDF leave the item out",
    "/reports/runs/<int:run_id>.pdf": "the stored day's file is withheld, with the reason",
    "/calibration/alignment": "alignment counts revealed sessions only",
    "/calibration/<int:calibration_id>/results": "refused to participants until the reveal",
    "/calibration/<int:calibration_id>/report.<fmt>": "refused to participants until the reveal",
    "/calibration/<int:calibration_id>/items/<int:item_id>": "the participant's own blind answer form",
    "/cases/<int:case_id>": "a contact scored blind shows no score on its case's timeline",
}
LEAKS = ("3.21", "3,21", "57.7", "57,7", "CALL-0001")


# Every other route, by rule or prefix, with why it shows no number derived from scores.
NO_SCORE_FIGURES = {
    "/": "a redirect", "/login": "signing in", "/logout": "signing out", "/account/password": "a password form",
    "/healthz": "health", "/metrics": "operational counters, no scores", "/static/": "files",
    "/csp-report": "browser reports", "/api/v1/openapi.json": "the API description",
    "/interactions/<int:interaction_id>/audio": "the recording",
    "/interactions/<int:interaction_id>/review": "a form (refused while blind)",
    "/interactions/<int:interaction_id>/comments": "a form (refused while blind)",
    "/evaluations/": "forms on an evaluation, refused while blind",
    "/queue/": "sampling forms", "/disputes/<int:dispute_id>/": "dispute forms",
    "/admin/": "administration: users, teams, settings, rubrics, connectors, audit, jobs",
    "/autoqa/recompute": "a form", "/autoqa/<int:rubric_id>/<criterion_id>/threshold": "a form",
    "/calibration": "the session list (titles, deadlines, progress)", "/calibration/new": "a form",
    "/calibration/<int:calibration_id>": "the session page: items and progress, no scores before the reveal",
    "/calibration/<int:calibration_id>/": "session forms (consensus, submit, reveal, deadline, sign-off)",
    "/coaching/needs/refresh": "a form", "/coaching/tasks": "a form", "/coaching/tasks/new": "a form",
    "/coaching/tasks/<int:task_id>/": "task forms", "/coaching/materials/": "files",
    "/reports": "a redirect", "/reports/history": "run dates, statuses and signers, no figures",
    "/search": "snippets of what was said, no score; a score filter leaves out the items scored blind",
    "/api/v1/search": "the same hits as the page, no score",
    "/reports/runs/<int:run_id>/rerun": "a form", "/cases": "finding a case by booking code (a redirect)",
    "/reports/daily-quality/sign-off": "a form (refused while blind)",
}


def _classified(rule: str) -> bool:
    return rule in NO_SCORE_FIGURES or any(
        rule.startswith(prefix) for prefix in NO_SCORE_FIGURES if prefix.endswith("/") and prefix != "/")


def test_every_route_is_classified() -> None:
    """A new route must say whether it shows a figure derived from scores (then it is checked below)."""
    gone = set(SCORE_FIGURES) - set(MATRIX)
    assert not gone, f"not routes any more: {sorted(gone)}"
    unclassified = sorted(r for r in set(MATRIX) - set(SCORE_FIGURES) if not _classified(r))
    assert not unclassified, f"say whether these show figures derived from scores: {unclassified}"


@pytest.fixture
def blind_world(settings: Settings) -> tuple[World, Settings, int, str]:
    world = build_world(settings, with_audio=False)
    with transaction(settings.sqlalchemy_url) as session:
        for interaction_id, score in ((world.call_id, 3.21), (world.chat_id, 80.0), (world.email_id, 90.0)):
            session.get_one(Interaction, interaction_id).score = score
            for evaluation in session.scalars(select(Evaluation).where(Evaluation.interaction_id == interaction_id)):
                evaluation.score = score
        # A critical failure on the call, so the report's critical list would name it.
        for answer in session.scalars(select(CriterionAnswer).join(Evaluation).where(
                Evaluation.interaction_id == world.call_id)):
            answer.critical, answer.answer = True, "no"
        admin = viewer_for(session, session.get_one(User, world.users["admin"]))
        calibration = create_session(session, admin, title="Слепая", due_at=None, interaction_ids=[world.call_id],
                                     participant_ids=[world.users["qa"], world.users["customer"]])
        call = session.get_one(Interaction, world.call_id)
        tenant = session.get_one(Tenant, world.tenant_id)
        day = call.started_at.astimezone(settings_of(tenant).zone).date()
        # Every interaction of Анна on one local day: the averages below are the day's.
        for other in (world.chat_id, world.email_id):
            session.get_one(Interaction, other).started_at = call.started_at
        session.get_one(Interaction, world.other_agent_call_id).started_at = call.started_at - timedelta(days=5)
        store_day(settings, session, tenant, QUALITY, day, datetime.now(UTC))
        # A training need whose evidence is the call, and a finished coaching task (it has an effect).
        need = TrainingNeed(tenant_id=world.tenant_id, agent_id=world.agents["anna"], module="T-FARES",
                            criterion_ids="fare_rules", reason="штрафы", failures=1, applicable=1,
                            evidence_interaction_ids=[world.call_id])
        session.add(need)
        session.flush()
        task = CoachingTask(tenant_id=world.tenant_id, agent_id=world.agents["anna"], module="T-FARES",
                            training_need_id=need.id, status=CoachingStatus.DONE, completed_at=call.started_at,
                            attended=True)
        session.add(task)
        session.flush()
        calibration_id, need_id, task_id = calibration.id, need.id, task.id
    world.evaluations |= {"need": need_id, "task": task_id}
    return world, settings, calibration_id, day.isoformat()


def test_the_quality_figures_leave_the_blind_item_out(blind_world: tuple[World, Settings, int, str]) -> None:
    world, settings, _calibration_id, day_text = blind_world
    day = datetime.fromisoformat(day_text).date()
    with transaction(settings.sqlalchemy_url) as session:
        now = datetime.now(UTC)
        full = build_report(session, QUALITY, ReportScope(world.tenant_id), day, day, now).to_json()
        for role in ("qa", "customer"):
            viewer = viewer_for(session, session.get_one(User, world.users[role]))
            for agent in (None, world.agents["anna"]):
                seen = build_report(session, QUALITY, scope_for(session, viewer, agent_id=agent, quality=True),
                                    day, day, now).to_json()
                assert seen["evaluated"] == full["evaluated"] - 1 == 2
                assert seen["average_score"] == 85.0 and round(full["average_score"], 2) == 57.74
                assert world.call_id not in [f["interaction_id"] for f in seen["critical_failures"]]
                assert all(c["evaluated"] for c in seen["by_channel"].values()) and "call" not in seen["by_channel"]


def _text_of(data: bytes, fmt: str) -> str:
    if fmt == "csv":
        return "\n".join(",".join(row) for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(" ".join("" if v is None else str(v) for v in row)
                         for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("role", ["customer", "qa"])
def test_every_score_route_is_blind_for_a_participant(
    blind_world: tuple[World, Settings, int, str], role: str
) -> None:
    world, settings, calibration_id, day = blind_world
    client = create_app(settings).test_client()
    sign_in(client, world.emails[role])
    with transaction(settings.sqlalchemy_url) as session:
        run_id = session.scalar(select(ReportRun.id).where(ReportRun.tenant_id == world.tenant_id,
                                                           ReportRun.kind == QUALITY))
    checked: set[str] = set()

    def get(rule: str, path: str) -> Any:
        checked.add(rule)
        return client.get(path)

    def no_leak(rule: str, path: str) -> str:
        response = get(rule, path)
        body = response.get_data(as_text=True)
        if response.status_code == 200:
            for leak in LEAKS:
                assert leak not in body, (path, leak)
        return body

    # The quality day, narrowed to the agent and to the team, and each export.
    for query in (f"date={day}", f"date={day}&agent={world.agents['anna']}"):
        page = no_leak("/reports/<kind>", f"/reports/daily-quality?{query}")
        assert 'id="blind-left-out"' in page and "85" in page
        for fmt in ("csv", "xlsx", "pdf"):
            response = get("/reports/<kind>/download.<fmt>", f"/reports/daily-quality/download.{fmt}?{query}")
            assert response.status_code == 200
            text = _text_of(response.data, fmt)
            for leak in LEAKS:
                assert leak not in text, (fmt, leak)
    stored = get("/reports/runs/<int:run_id>.pdf", f"/reports/runs/{run_id}.pdf")
    assert stored.status_code == 403 and "вслепую" in stored.get_data(as_text=True)
    # Stored aggregates are withheld whole, with the reason.
    for rule, path in (("/coaching", "/coaching"), ("/autoqa", "/autoqa"),
                       ("/autoqa/<int:rubric_id>/<criterion_id>", f"/autoqa/{_rubric_id(settings, world)}/greeting"),
                       ("/coaching/needs/<int:need_id>", f"/coaching/needs/{world.evaluations['need']}"),
                       ("/coaching/tasks/<int:task_id>", f"/coaching/tasks/{world.evaluations['task']}")):
        response = get(rule, path)
        if response.status_code == 200:
            assert 'id="blind-withheld"' in response.get_data(as_text=True), path
    # Lists and pages.
    for rule, path in (("/interactions", "/interactions"), ("/interactions/<int:interaction_id>",
                                                             f"/interactions/{world.call_id}"),
                       ("/queue", "/queue"), ("/disputes", "/disputes"), ("/calibration/alignment",
                                                                            "/calibration/alignment")):
        body = get(rule, path).get_data(as_text=True)
        assert "3.21" not in body and "3,21" not in body, path
    # Disputes and the agent's own page: no dispute or evaluation of the item exists to reach.
    checked |= {"/disputes/<int:dispute_id>", "/my", "/calibration/<int:calibration_id>/items/<int:item_id>"}
    # The test world links no case; the case page's blind rule has its own test (tests/unit/services/cases).
    checked |= {"/cases/<int:case_id>"}
    # The API read with a person's session.
    api = get("/api/v1/interactions", "/api/v1/interactions")
    if api.status_code == 200:
        item = next(i for i in api.get_json()["items"] if i["id"] == world.call_id)
        assert item["score"] is None and item["withheld"] == "calibration_blind"
        one = get("/api/v1/interactions/<int:interaction_id>", f"/api/v1/interactions/{world.call_id}").get_json()
        assert one["score"] is None and one["withheld"] == "calibration_blind"
        refused = get("/api/v1/interactions/<int:interaction_id>/evaluations",
                      f"/api/v1/interactions/{world.call_id}/evaluations")
        assert refused.status_code == 403 and "вслепую" in refused.get_json()["error"]
    else:
        assert api.status_code == 403  # the customer's reviewer has no session API at all
        checked |= {"/api/v1/interactions/<int:interaction_id>",
                    "/api/v1/interactions/<int:interaction_id>/evaluations"}
    # The session's results and report: refused to participants until the reveal.
    for rule, path in (
        ("/calibration/<int:calibration_id>/results", f"/calibration/{calibration_id}/results"),
        ("/calibration/<int:calibration_id>/report.<fmt>", f"/calibration/{calibration_id}/report.xlsx"),
    ):
        assert get(rule, path).status_code in (403, 404), path
    assert checked == set(SCORE_FIGURES)


def _rubric_id(settings: Settings, world: World) -> int:
    with transaction(settings.sqlalchemy_url) as session:
        rubric_id = session.scalar(select(Rubric.id).where(Rubric.tenant_id == world.tenant_id).limit(1))
    assert rubric_id is not None
    return rubric_id
