"""Topic detection (shipped classifier) and the learned `needs_discovery` criterion."""

import json
from pathlib import Path

import pytest
from scoring_helpers import OPENING, call, score

from qa_service.core.classifiers import models_dir, predict
from qa_service.core.topics import detect_topic

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(("text", "topic"), [
    ("Я хотела бы сдать билеты, мы не полетим, заболел муж", "refund"),
    ("Можно перенести мой вылет на следующую среду?", "exchange"),
    ("Сколько стоит провезти кошку в салоне?", "baggage"),
    ("Хочу купить два билета до Казани на субботу", "sale"),
    ("Во сколько откроется регистрация на рейс до Мурманска?", "info"),
    ("Безобразие, вы потеряли мой чемодан уже второй раз, требую компенсацию!", "complaint"),
])
def test_topic_classifier_on_unseen_sentences(text, topic):
    guess = detect_topic(call([("customer", 0.0, 4.0, text)]))
    assert guess.source == "classifier" and guess.topic == topic


def test_wrap_up_code_wins_over_the_classifier():
    guess = detect_topic(call([("customer", 0.0, 4.0, "Хочу вернуть билет")], topic="Обмен"))
    assert (guess.topic, guess.source, guess.confidence) == ("exchange", "platform", 1.0)


def test_detected_topic_decides_applicability():
    turns = [*OPENING, ("customer", 10.0, 14.0, "Хочу сдать билет и вернуть деньги, лететь не смогу."),
             ("agent", 15.0, 19.0, "Оформлю возврат, ваш тариф без штрафа.")]
    assert score(call(turns)).answer("fare_rules").answer == "yes"
    info = [*OPENING, ("customer", 10.0, 14.0, "Из какого терминала вылетает рейс в Сочи?")]
    assert score(call(info)).answer("fare_rules").answer == "na"


def test_needs_discovery_is_learned_and_polite_formulas_are_not_clarifying():
    clarifying = [*OPENING, ("agent", 10.0, 13.0, "Подскажите, на какую дату вы планируете вылет?")]
    formula = [*OPENING[:1], ("agent", 10.0, 13.0, "Могу ли я ещё чем-то помочь?")]
    assert score(call(clarifying)).answer("needs_discovery").answer == "yes"
    assert score(call(formula)).answer("needs_discovery").answer == "no"
    assert predict("clarifying_question", "Сколько вам лет?") is not None


def test_shipped_artefacts_and_metrics_exist():
    metrics = json.loads((models_dir() / "metrics.json").read_text("utf-8"))
    assert set(metrics) == {"topic", "clarifying_question"}
    assert set(metrics["topic"]["per_class_accuracy"]) == {"sale", "exchange", "refund", "baggage", "info",
                                                           "complaint"}
    lines = (REPO / "models" / "training-data" / "topics.jsonl").read_text("utf-8").splitlines()
    assert len(lines) >= 300


@pytest.mark.parametrize("name", ["topic", "clarifying_question"])
def test_fast_inference_equals_the_sklearn_pipeline(name):
    import joblib
    import numpy as np

    from qa_service.core.classifiers import LinearTextModel, lemma_text, load_classifier

    pipeline = joblib.load(models_dir() / f"{name}.joblib")
    fast = load_classifier(name)
    assert isinstance(fast, LinearTextModel)
    texts = [lemma_text(t) for t in ("Хочу вернуть билет", "Какой у вас тариф?", "", "zzz qqq", "Багаж, лыжи")]
    assert list(fast.classes_) == list(pipeline.classes_)
    assert np.allclose(fast.predict_proba(texts), pipeline.predict_proba(texts), atol=1e-9)
