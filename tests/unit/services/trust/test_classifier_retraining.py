"""Retraining a learned criterion from gold labels (`services.trust.retraining`), on real
interactions scored by the real engine, with consensus recorded through the calibration services.

The data (`gold_labels_data`): the airline agrees that asking for the booking code is not needs
discovery, which the shipped model gets wrong; the refit model must move toward that, and the
figures must carry their sample sizes.  Runs on SQLite and on the real PostgreSQL.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from gold_labels_data import BOOKING_REQUESTS, QUESTIONS, REVIEWED, gold_world, published_world, scored_call

from qa_service.config import Settings
from qa_service.core import resources
from qa_service.core.classifiers import lemma_text, load_classifier, positive_probabilities
from qa_service.core.errors import UserFacingError
from qa_service.db.models import User
from qa_service.db.session import transaction
from qa_service.services.access import viewer_for
from qa_service.services.review.evaluations import Decision, submit_review
from qa_service.services.trust.retraining import retrain_from_gold


@pytest.fixture
def models_dir(tmp_path: Path) -> Iterator[Path]:
    """A copy of the shipped classifiers as this process's QA_MODELS_DIR: retraining writes there."""
    target = tmp_path / "models"
    shutil.copytree(resources.packaged("models", "classifiers"), target / "classifiers")
    with resources.configured(resources.Locations(models_dir=target)):
        yield target / "classifiers"


def test_retraining_from_gold_moves_the_model_toward_the_gold_labels(settings: Settings, models_dir: Path) -> None:
    gold, _reviewed = gold_world(settings)
    booking = [lemma_text(t) for t in [*BOOKING_REQUESTS, REVIEWED]]
    questions = [lemma_text(t) for t in QUESTIONS]
    before_booking = positive_probabilities("clarifying_question", booking, "yes")
    before_questions = positive_probabilities("clarifying_question", questions, "yes")
    assert before_booking is not None and before_questions is not None
    wrong_before = sum(p >= 0.5 for p in before_booking)
    assert wrong_before >= 6  # the premise: the shipped model calls most booking requests questions

    reports = retrain_from_gold(settings, "severny-veter", data_dir=resources.packaged("models", "training-data"),
                                out_dir=models_dir)

    (report,) = reports
    assert report.name == "clarifying_question"
    assert (report.n_gold, report.n_calibration, report.n_review) == (len(gold), len(gold) - 1, 1)
    # Seeds (the shipped lines, less any a gold label contradicts) plus one turn per `yes` label
    # and every agent turn (3) of each `no` label.
    shipped = resources.packaged("models", "training-data") / "clarifying_question.jsonl"
    seeds = sum(1 for line in shipped.read_text("utf-8").splitlines() if line.strip())
    assert report.n_total == seeds - report.n_seeds_replaced + len(QUESTIONS) + 3 * (len(gold) - len(QUESTIONS))
    (figures,) = report.criteria
    assert figures.criterion_id == "needs_discovery" and figures.n_gold == len(gold)
    truth_yes = len(QUESTIONS)
    # Before: the model in use, on the same gold labels (it answers the questions right, most booking requests not).
    assert figures.before == pytest.approx((truth_yes + len(booking) - wrong_before) / len(gold))
    assert figures.after > figures.before
    assert 0.5 < report.turn_accuracy <= 1.0

    metrics = json.loads((models_dir / "metrics.json").read_text("utf-8"))
    assert metrics["clarifying_question"]["tenant"] == "severny-veter"
    assert metrics["clarifying_question"]["criteria"]["needs_discovery"]["gold_labels"] == len(gold)
    assert "topic" in metrics  # the other model's figures are kept

    # The refit model is where scoring loads it, and it moved toward the gold labels.
    assert (models_dir / "clarifying_question.joblib").exists() and load_classifier("clarifying_question") is not None
    after_booking = positive_probabilities("clarifying_question", booking, "yes")
    after_questions = positive_probabilities("clarifying_question", questions, "yes")
    assert after_booking is not None and after_questions is not None
    assert sum(after_booking) < sum(before_booking)
    assert sum(p >= 0.5 for p in after_booking) < wrong_before
    assert all(p >= 0.5 for p in after_questions)  # the agreed questions stay questions


def test_too_few_gold_labels_is_refused_before_anything_is_written(settings: Settings, models_dir: Path) -> None:
    world = published_world(settings)
    call = scored_call(settings, world.tenant_id, world.agents["anna"], 1, BOOKING_REQUESTS[0])
    with transaction(settings.sqlalchemy_url) as session:
        qa = viewer_for(session, session.get_one(User, world.users["qa"]))
        submit_review(session, qa, call, {"needs_discovery": Decision("no", "это идентификация")})
    shipped = (models_dir / "clarifying_question.joblib").read_bytes()
    with pytest.raises(UserFacingError, match="needs_discovery 1 золотых меток, нужно не меньше 10"):
        retrain_from_gold(settings, "severny-veter", data_dir=resources.packaged("models", "training-data"),
                          out_dir=models_dir)
    assert (models_dir / "clarifying_question.joblib").read_bytes() == shipped
    with pytest.raises(UserFacingError, match="topic"):
        retrain_from_gold(settings, "severny-veter", data_dir=resources.packaged("models", "training-data"),
                          out_dir=models_dir, only=["topic"])
