"""`qa-service train-classifiers --tenant SLUG --gold` through main(), on the real database file:
the refusal with too few gold labels, and the printed before/after figures with their n."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from gold_labels_data import BOOKING_REQUESTS, gold_world, published_world, scored_call

from qa_service.cli import main
from qa_service.config import Settings
from qa_service.core import resources
from qa_service.db.models import User
from qa_service.db.session import transaction
from qa_service.services.access import viewer_for
from qa_service.services.review.evaluations import Decision, submit_review


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The database of `settings` and a QA_MODELS_DIR holding a copy of the shipped classifiers."""
    models = tmp_path / "models"
    shutil.copytree(resources.packaged("models", "classifiers"), models / "classifiers")
    monkeypatch.setenv("QA_ENV", "test")
    monkeypatch.setenv("DATABASE_URL", settings.sqlalchemy_url)
    monkeypatch.setenv("SECRET_KEY", "test-secret")
    monkeypatch.setenv("QA_MODELS_DIR", str(models))
    return models / "classifiers"


def test_too_few_gold_labels_is_one_line_exit_1_and_writes_nothing(
    env: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    world = published_world(settings)
    call = scored_call(settings, world.tenant_id, world.agents["anna"], 1, BOOKING_REQUESTS[0])
    with transaction(settings.sqlalchemy_url) as session:
        qa = viewer_for(session, session.get_one(User, world.users["qa"]))
        submit_review(session, qa, call, {"needs_discovery": Decision("no", "это идентификация")})
    shipped = (env / "clarifying_question.joblib").read_bytes()
    assert main(["train-classifiers", "--tenant", "severny-veter", "--gold"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert "needs_discovery 1 золотых меток, нужно не меньше 10" in captured.err
    assert "at least 10 are needed" in captured.err
    assert (env / "clarifying_question.joblib").read_bytes() == shipped
    assert main(["train-classifiers", "--gold"]) == 1  # --gold without --tenant
    assert "--tenant" in capsys.readouterr().err
    assert main(["train-classifiers", "--tenant", "nobody", "--gold"]) == 1
    assert "нет авиакомпании 'nobody'" in capsys.readouterr().err


def test_gold_retraining_prints_before_and_after_with_their_n(
    env: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    gold, _ = gold_world(settings)
    shipped = (env / "clarifying_question.joblib").read_bytes()
    assert main(["train-classifiers", "--tenant", "severny-veter", "--gold"]) == 0
    out = capsys.readouterr().out
    print(out)  # the figures, for the record (pytest -s)
    header = re.search(r"^clarifying_question: золотых меток \(gold labels\) n=(\d+) \(калибровка/calibration (\d+), "
                       r"проверки/reviews (\d+)\), примеров всего \(samples\) n=(\d+)", out, re.M)
    assert header is not None, out
    assert (int(header[1]), int(header[2]), int(header[3])) == (len(gold), len(gold) - 1, 1)
    figures = re.search(r"^  needs_discovery: .*\(agreement with gold labels, n=(\d+)\) до \(before\) ([\d.]+) "
                        r"→ после \(after, 5-fold group CV\) ([\d.]+)$", out, re.M)
    assert figures is not None, out
    assert int(figures[1]) == len(gold) and float(figures[3]) > float(figures[2])
    assert re.search(rf"turn-level 5-fold group CV accuracy, n={header[4]}\) [\d.]+$", out, re.M)
    assert (env / "clarifying_question.joblib").read_bytes() != shipped  # written where scoring loads it
