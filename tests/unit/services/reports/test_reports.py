"""Report figures on a constructed day against hand-computed expectations (SQLite; PostgreSQL in the benchmark)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from report_data import DAY, ReportWorld, build_report_world

from qa_service.config import Settings
from qa_service.core.errors import UserFacingError
from qa_service.db.models import Role
from qa_service.db.session import session_factory
from qa_service.services.access import Viewer
from qa_service.services.reports.daily import build_report, render
from qa_service.services.reports.scope import ReportScope, scope_for

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
def world(settings: Settings) -> ReportWorld:
    return build_report_world(settings)


def _report(settings: Settings, world: ReportWorld, kind: str, scope: ReportScope | None = None) -> object:
    with session_factory(settings.sqlalchemy_url)() as session:
        return build_report(session, kind, scope or ReportScope(world.tenant_id), DAY, DAY, NOW)


def test_operations_buckets_calls_by_local_hour_across_midnight(settings: Settings, world: ReportWorld) -> None:
    data = _report(settings, world, "daily-operations").to_json()  # type: ignore[attr-defined]
    hours = {row["hour"]: row for row in data["hours"]}
    assert len(data["hours"]) == 24 and data["timezone"] == "Europe/Moscow" and data["date"] == "2026-11-20"
    # Hour 0: answered at exactly 20 s (counts), at 21 s (does not), one abandoned; the 23:59:59 call of the
    # evening before and the other airline's call are not here.
    assert (hours[0]["inbound_offered"], hours[0]["inbound_answered"], hours[0]["inbound_lost"],
            hours[0]["answered_within_20s"]) == (3, 2, 1, 1)
    assert (hours[10]["inbound_offered"], hours[10]["answered_within_20s"], hours[10]["outbound"]) == (1, 1, 1)
    assert (hours[23]["inbound_offered"], hours[23]["inbound_lost"]) == (1, 1)  # 23:59:59 local is still the day
    assert data["totals"] == {
        "inbound_offered": 5, "inbound_answered": 3, "inbound_lost": 2, "outbound": 1,
        "service_level": 0.4, "abandon_rate": 0.4, "sales_count": 2, "sales_amount": 15500.0,
        "chats": 2, "emails": 1,
    }


def test_operations_averages_slas_statuses_and_staffing(settings: Settings, world: ReportWorld) -> None:
    report = _report(settings, world, "daily-operations")
    total = report.total  # type: ignore[attr-defined]
    assert total.average_wait == pytest.approx((20 + 21 + 3) / 3)
    assert total.average_talk == pytest.approx(200.0)
    assert total.average_hold == pytest.approx(10.0)
    assert (total.chats_in_sla, total.chats, total.emails_in_sla, total.emails) == (1, 2, 0, 1)
    statuses = report.agent_statuses  # type: ignore[attr-defined]
    anna, petr = statuses["Анна Смирнова (A-101)"], statuses["Пётр Иванов (A-102)"]
    assert anna["ready"] == 15 * 60 + 23 * 3600  # never logs out: counts to the end of the day
    assert anna["break"] == 45 * 60
    assert (petr["ready"], petr["on_call"]) == (20 * 60, 30 * 60)
    hours = report.hours  # type: ignore[attr-defined]
    assert hours[10].status_seconds["on_call"] == 30 * 60  # Пётр's 10:10–10:40
    assert hours[9].status_seconds["ready"] == 60 * 60 + 10 * 60  # Анна all hour, Пётр from 09:50
    assert hours[9].agents_logged_in_avg == pytest.approx((50 * 1 + 10 * 2) / 60)
    assert [h.hour for h in hours if h.understaffed] == [10]  # plan 3, never more than 2 logged in
    assert (hours[10].agents_logged_in, hours[10].agents_planned) == (1, 3)
    json_hours = report.to_json()["hours"]  # type: ignore[attr-defined]
    assert json_hours[10]["understaffed"] is True and json_hours[9]["understaffed"] is False


def test_quality_figures(settings: Settings, world: ReportWorld) -> None:
    report = _report(settings, world, "daily-quality")
    data = report.to_json()  # type: ignore[attr-defined]
    assert data["date"] == "2026-11-20"
    assert (data["evaluated"], data["average_score"]) == (3, 80.0)
    assert data["by_channel"] == {"call": {"evaluated": 3, "average_score": 80.0}}
    assert data["critical_failures"] == [{"interaction_id": world.critical_call_id,
                                          "criterion": "Данные карты не запрашиваются голосом",
                                          "agent": "Пётр Иванов (A-102)"}]
    assert data["failed_criteria"] == [
        {"criterion": "Приветствие и название компании", "failed": 2, "applicable": 3},
        {"criterion": "Данные карты не запрашиваются голосом", "failed": 1, "applicable": 3},
        {"criterion": "Прощание по стандарту", "failed": 1, "applicable": 2},
    ]
    overall = report.overall  # type: ignore[attr-defined]
    # 80 ± t(0.975, 2) · 20/√3 = 80 ± 4.3027 · 11.547: the upper end is cut at 100.
    assert (overall.low, overall.high) == (pytest.approx(30.32, abs=0.01), 100.0)
    assert report.ranked_agents == []  # type: ignore[attr-defined]
    assert [a for a, _ in report.unranked_agents] == ["Анна Смирнова (A-101)", "Пётр Иванов (A-102)"]  # type: ignore[attr-defined]
    trend = dict(report.trend)  # type: ignore[attr-defined]
    assert trend[DAY].n == 3 and trend[DAY].mean == 80.0 and trend[DAY - timedelta(days=1)].n == 0
    assert report.shares["auto_scored"].count == 3  # type: ignore[attr-defined]


def test_supervisor_sees_own_team_in_the_quality_report(settings: Settings, world: ReportWorld) -> None:
    with session_factory(settings.sqlalchemy_url)() as session:
        viewer = Viewer(user_id=0, tenant_id=world.tenant_id, role=Role.SUPERVISOR, team_ids=(world.teams["alpha"],))
        scope = scope_for(session, viewer, quality=True)
        data = build_report(session, "daily-quality", scope, DAY, DAY, NOW).to_json()
        assert (data["evaluated"], data["average_score"]) == (2, 90.0)
        assert data["critical_failures"] == []  # Пётр is in the other team
        with pytest.raises(UserFacingError):
            scope_for(session, viewer, agent_id=world.agents["petr"], quality=True)
        with pytest.raises(UserFacingError):
            scope_for(session, Viewer(0, world.tenant_id, Role.AGENT), quality=True)


def test_exports_csv_xlsx(settings: Settings, world: ReportWorld) -> None:
    with session_factory(settings.sqlalchemy_url)() as session:
        csv_text = render(session, "daily-operations", ReportScope(world.tenant_id), DAY, DAY, NOW, "csv").decode()
        xlsx = render(session, "daily-operations", ReportScope(world.tenant_id), DAY, DAY, NOW, "xlsx")
        payload = render(session, "daily-quality", ReportScope(world.tenant_id), DAY, DAY, NOW, "json")
    assert "# По часам" in csv_text and "Поступило" in csv_text
    workbook = load_workbook(io.BytesIO(xlsx))
    assert "По часам" in workbook.sheetnames and "Итоги" in workbook.sheetnames
    sheet = workbook["По часам"]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]][:5] == ["Час", "Поступило", "Принято", "Потеряно", "Принято за 20 с"]
    assert [c.value for c in sheet[2]][:5] == ["00:00", 3, 2, 1, 1]  # numbers stored as numbers
    assert sheet["F2"].value == pytest.approx(33.3)  # service level of hour 0, per cent
    assert sheet[12][-1].value == "да"  # hour 10 is understaffed
    assert json.loads(payload)["evaluated"] == 3


def test_a_period_and_one_agent_on_request(settings: Settings, world: ReportWorld) -> None:
    with session_factory(settings.sqlalchemy_url)() as session:
        two_days = build_report(session, "daily-operations", ReportScope(world.tenant_id), DAY - timedelta(days=1), DAY,
                                NOW)
        # The evening before's 23:59:59 call joins hour 23 of the profile.
        assert two_days.hours[23].inbound_offered == 2 and two_days.total.inbound_offered == 6
        anna = build_report(session, "daily-operations", ReportScope(world.tenant_id, agent_id=world.agents["anna"]),
                            DAY, DAY, NOW)
        assert anna.total.inbound_answered == 2 and anna.total.outbound == 1  # her 00:00 and 10:00 calls, one out
        assert anna.total.inbound_lost == 0  # lost calls have no agent: not hers
        assert list(anna.agent_statuses) == ["Анна Смирнова (A-101)"]


def test_quality_reports_the_trust_loop_calibration_and_coaching(settings: Settings, world: ReportWorld) -> None:
    """A withheld machine answer counts as awaiting a person; the day's calibration and coaching are counted."""
    from sqlalchemy import select

    from qa_service.db.models import (
        CalibrationSession,
        CoachingStatus,
        CoachingTask,
        CriterionAnswer,
        Evaluation,
        TrainingNeed,
    )
    from qa_service.db.session import transaction

    before = _report(settings, world, "daily-quality")
    assert before.shares["withheld"].count == 0  # type: ignore[attr-defined]
    signed = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # 15:00 in Moscow, inside the report's day
    with transaction(settings.sqlalchemy_url) as session:
        answer = session.scalars(
            select(CriterionAnswer).join(Evaluation, Evaluation.id == CriterionAnswer.evaluation_id)
            .where(Evaluation.interaction_id == world.critical_call_id, CriterionAnswer.criterion_id == "greeting")
        ).one()
        answer.machine_answer, answer.answer = answer.answer or "yes", None  # the trust loop withheld it
        agent_id = world.agents["anna"]
        session.add_all([
            CalibrationSession(tenant_id=world.tenant_id, title="open", created_at=signed),
            CalibrationSession(tenant_id=world.tenant_id, title="signed", created_at=signed, closed_at=signed,
                               signed_off_at=signed),
            TrainingNeed(tenant_id=world.tenant_id, agent_id=agent_id, module="T-OPEN", criterion_ids="greeting",
                         reason="test"),
            CoachingTask(tenant_id=world.tenant_id, agent_id=agent_id, module="T-OPEN", status=CoachingStatus.DONE,
                         completed_at=signed),
            CoachingTask(tenant_id=world.tenant_id, agent_id=agent_id, module="T-OPEN",
                         status=CoachingStatus.DONE, completed_at=signed - timedelta(days=3)),  # another day
        ])
    report = _report(settings, world, "daily-quality")
    withheld = report.shares["withheld"]  # type: ignore[attr-defined]
    assert (withheld.count, withheld.total) == (1, 3)
    assert report.activity == {  # type: ignore[attr-defined]
        "calibration_open": 1, "calibration_signed": 1, "needs_open": 1, "coaching_done": 1}
    csv_text = render_text(settings, world)
    assert "Ждут ответа человека" in csv_text and "Обучений проведено за период" in csv_text


def render_text(settings: Settings, world: ReportWorld) -> str:
    with session_factory(settings.sqlalchemy_url)() as session:
        return render(session, "daily-quality", ReportScope(world.tenant_id), DAY, DAY, NOW, "csv").decode("utf-8-sig")
