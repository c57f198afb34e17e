"""Machine reasons name things in words: a model by its title, a probability the Russian way."""

from __future__ import annotations

from qa_service.core.scoring.words import CHANNELS, TOPICS, answer_word, model_name, probability, word


def test_codes_become_words_and_unknown_ones_stay_readable() -> None:
    assert model_name("clarifying_question") == "«Уточняющий вопрос»"
    assert model_name("late_refund_offer") == "«late refund offer»"
    assert word(TOPICS, "sale") == "продажа билета" and word(CHANNELS, "email") == "письма"
    assert word(TOPICS, "ru-general") == "ru general" and word(TOPICS, None) == "—"


def test_answers_and_probabilities_as_a_reader_says_them() -> None:
    assert [answer_word(a) for a in ("yes", "no", "na", None, 4.0)] == ["да", "нет", "неприменимо", "нет ответа", "4"]
    assert probability(0.934) == "0,93" and probability(1.0) == "1,00"
