"""The CLI builds Settings once and hands the overrides down; they do not outlive the command."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from qa_service.asr import options
from qa_service.cli import main
from qa_service.core import resources

DATA = Path(__file__).resolve().parents[2] / "data" / "interactions"


def test_rubrics_dir_override_reaches_scoring_for_one_command(tmp_path, monkeypatch, capsys) -> None:
    shutil.copy(resources.packaged("rubrics", "airline-chat.yaml"), tmp_path / "strict-chat.yaml")
    monkeypatch.setenv("QA_RUBRICS_DIR", str(tmp_path))
    monkeypatch.setenv("QA_ASR_MAX_SECONDS", "60")
    before = resources.current(), options.current()
    assert main(["score", str(DATA / "chat-refund.json"), "--rubric", "strict-chat", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rubric"]["id"] == "airline-chat"
    assert (resources.current(), options.current()) == before  # restored after the command


def test_bad_environment_is_one_line_and_exit_1(monkeypatch, capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://x/y")
    assert main(["redact"]) == 1
    err = capsys.readouterr().err
    assert "DATABASE_URL" in err and err.count("\n") == 1


@pytest.mark.parametrize("url", ["postgres://qa@db/qa", "postgresql://qa@db/qa"])
def test_both_postgres_spellings_pass_the_entry_point(url: str, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO("карта 4276 3800 1234 5678".encode())))
    assert main(["redact"]) == 0
    assert "4276 3800" not in capsys.readouterr().out
