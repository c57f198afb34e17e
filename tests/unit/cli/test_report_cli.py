"""`qa-service report …`: the contract's JSON shapes, files, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from report_data import build_report_world

from qa_service.cli import main
from qa_service.config import Settings

HOUR_KEYS = {"hour", "inbound_offered", "inbound_answered", "inbound_lost", "answered_within_20s", "outbound",
             "agents_logged_in", "agents_planned", "understaffed"}
TOTAL_KEYS = {"inbound_offered", "inbound_answered", "inbound_lost", "outbound", "service_level", "abandon_rate",
              "sales_count", "sales_amount", "chats", "emails"}


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    build_report_world(settings)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("QA_INSTANCE_DIR", str(settings.instance_dir))
    return settings


def test_daily_operations_json_shape(env: Settings, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["report", "daily-operations", "--tenant", "severny-veter", "--date", "2026-11-20"]) == 0
    data = json.loads(capsysbinary.readouterr().out)
    assert set(data) == {"date", "timezone", "hours", "totals"}
    assert (data["date"], data["timezone"]) == ("2026-11-20", "Europe/Moscow")
    assert len(data["hours"]) == 24 and all(set(h) == HOUR_KEYS for h in data["hours"])
    assert [h["hour"] for h in data["hours"]] == list(range(24))
    assert set(data["totals"]) == TOTAL_KEYS
    assert 0 <= data["totals"]["service_level"] <= 1 and data["totals"]["abandon_rate"] == 0.4


def test_daily_quality_json_shape(env: Settings, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["report", "daily-quality", "--tenant", "severny-veter", "--date", "2026-11-20",
                 "--format", "json"]) == 0
    data = json.loads(capsysbinary.readouterr().out)
    # The contract's keys, and those added with cases (contact reasons, FCR, repeats, discrepancies)
    # and with search (emerging topics).
    assert set(data) == {"date", "evaluated", "average_score", "by_channel", "critical_failures", "failed_criteria",
                         "contact_reasons", "fcr", "repeat_contacts", "discrepancies", "emerging_topics"}
    assert set(data["fcr"]) == {"rate", "n", "low", "high"}
    assert data["by_channel"]["call"] == {"evaluated": 3, "average_score": 80.0}
    assert set(data["critical_failures"][0]) == {"interaction_id", "criterion", "agent"}
    failed = [row["failed"] for row in data["failed_criteria"]]
    assert failed == sorted(failed, reverse=True)  # Pareto order
    assert all(set(row) == {"criterion", "failed", "applicable"} for row in data["failed_criteria"])


def test_a_day_without_calls_has_null_rates(env: Settings, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["report", "daily-operations", "--tenant", "severny-veter", "--date", "2026-01-01"]) == 0
    totals = json.loads(capsysbinary.readouterr().out)["totals"]
    assert totals["service_level"] is None and totals["abandon_rate"] is None and totals["inbound_offered"] == 0


def test_xlsx_to_a_file(env: Settings, tmp_path: Path) -> None:
    out = tmp_path / "ops.xlsx"
    assert main(["report", "daily-operations", "--tenant", "severny-veter", "--date", "2026-11-20",
                 "--format", "xlsx", "--out", str(out)]) == 0
    assert load_workbook(out)["Итоги"]["B2"].value == 5


@pytest.mark.parametrize(("args", "needle"), [
    (["--tenant", "no-such-airline", "--date", "2026-11-20"], "не найден"),
    (["--tenant", "severny-veter", "--date", "20.11.2026"], "ГГГГ-ММ-ДД"),
])
def test_bad_input_is_one_line_and_exit_1(env: Settings, capsys: pytest.CaptureFixture[str], args: list[str],
                                          needle: str) -> None:
    assert main(["report", "daily-quality", *args]) == 1
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err
