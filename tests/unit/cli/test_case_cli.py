"""`qa-service case`, the cases keys of `qa-service report daily-quality` and `security scan-identifiers`,
as a user runs them: exact JSON shapes of record, one-line errors, exit codes."""

from __future__ import annotations

import json

import pytest
from cases_data import build_cases_world

from qa_service.cli import main as cli_main
from qa_service.config import Settings
from qa_service.db.models import Tenant
from qa_service.db.session import transaction


@pytest.fixture
def cli_world(sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    monkeypatch.setenv("QA_ENV", "test")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SECRET_KEY", sqlite_settings.secret_key)
    monkeypatch.setenv("QA_INSTANCE_DIR", str(sqlite_settings.instance_dir))
    with transaction(sqlite_settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="sv", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        tenant_id = tenant.id
    return build_cases_world(sqlite_settings, tenant_id)


def test_case_json_has_the_shape_of_record(cli_world: dict[str, int], capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert cli_main(["case", "--tenant", "sv", "--interaction", str(cli_world["repeat"]), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"case_id", "contacts", "events"}
    assert [c["interaction_id"] for c in data["contacts"]] == [cli_world["refund"], cli_world["repeat"]]
    assert all(set(c) == {"interaction_id", "channel", "started_at", "reason", "outcome"} for c in data["contacts"])
    assert [c["channel"] for c in data["contacts"]] == ["chat", "email"]
    # By the platform's id too; the sale's case has its events.
    assert cli_main(["case", "--tenant", "sv", "--interaction", "c3", "--json"]) == 0
    events = json.loads(capsys.readouterr().out)["events"]
    assert [e["kind"] for e in events] == ["ticket_issued", "payment_captured"]
    assert all(set(e) == {"kind", "at", "amount"} for e in events)


def test_case_errors_are_one_line(cli_world: dict[str, int], capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert cli_main(["case", "--tenant", "sv", "--interaction", "nope", "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "nope" in captured.err


def test_daily_quality_json_and_the_identifier_scan(cli_world: dict[str, int],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert cli_main(["report", "daily-quality", "--tenant", "sv", "--date", "2026-11-20", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["contact_reasons"] == {"refund": 1, "sale": 1}
    assert set(data["fcr"]) == {"rate", "n", "low", "high"} and data["fcr"]["n"] == 2
    assert data["repeat_contacts"] == 0  # the repeat came the next day
    assert {d["kind"] for d in data["discrepancies"]} == {"refund_missing", "amount_mismatch", "no_payment_link"}
    assert cli_main(["security", "scan-identifiers"]) == 0
    assert "found 0" in capsys.readouterr().out
