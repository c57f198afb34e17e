"""ASR-robust phrase matching: misheard, fused and inflected forms match; unrelated words don't."""

from __future__ import annotations

import pytest
from scoring_helpers import answer, call, score

from qa_service.core.morphology import lemma_phrase, lemmatize
from qa_service.core.rubric.model import PhraseGroup
from qa_service.core.scoring.matching import IndexedText

COMPANY = PhraseGroup(phrases=(lemma_phrase("Северный Ветер"),), source=("Северный Ветер",),
                      labels=("Северный Ветер",))


def _find(text: str) -> list[str]:
    return [m.phrase for m in IndexedText(lemmatize(text)).find(COMPANY, fuzzy=True)]


@pytest.mark.parametrize("heard", ["северной ветер", "северный вертер", "северныйветер", "северного ветра",
                                   "северный ветир"])
def test_misheard_company_name_matches(heard: str) -> None:
    assert _find(f"здравствуйте авиакомпания {heard} слушаю вас") == ["Северный Ветер"]


@pytest.mark.parametrize("other", ["южный ветер", "северный берег", "северный вокзал", "северный вечер кофе",
                                   "сильный ветер", "северянин", "ветеринар"])
def test_unrelated_words_do_not_match(other: str) -> None:
    assert _find(f"здравствуйте {other} слушаю вас") == []


def test_exact_matching_stays_exact_without_the_asr_view() -> None:
    text = IndexedText(lemmatize("северный вертер"))
    assert text.find(COMPANY) == []
    (match,) = text.find(COMPANY, fuzzy=True)
    assert match.heard == "северный вертер" and 0.8 <= match.similarity < 1.0


def test_greeting_with_a_misheard_company_name_passes_and_says_what_was_heard() -> None:
    item = call([("agent", 0.5, 4.0, "э добрый день северный вертер с вами денис"),
                 ("customer", 4.5, 8.0, "добрый день подскажите про багаж")])
    result = score(item).answer("greeting")
    assert result.answer == "yes"
    assert "распознано «северный вертер»" in result.reason


@pytest.mark.parametrize(("opening", "expected"), [
    ("добрый день северный ветер с вами денис", "yes"),
    ("Авиакомпания «Северный Ветер», Марина, добрый день.", "yes"),
    ("здравствуйте авиакомпания северный ветер оператор контакт центра светлана", "yes"),
    ("Здравствуйте, авиакомпания Северный Ветер, слушаю вас.", "no"),
])
def test_agent_name_without_a_rubric_phrase(opening: str, expected: str) -> None:
    item = call([("agent", 0.5, 4.0, opening), ("customer", 4.5, 8.0, "здравствуйте у меня вопрос")])
    assert answer(item, "agent_name") == expected


def test_short_call_farewell_is_not_completed_by_the_opening() -> None:
    item = call([("agent", 0.5, 4.0, "Здравствуйте, авиакомпания Северный Ветер, оператор Сергей."),
                 ("customer", 4.5, 8.0, "Когда регистрация?"),
                 ("agent", 8.5, 11.0, "За сорок минут до вылета."),
                 ("agent", 11.5, 13.0, "До свидания.")])
    assert answer(item, "farewell") == "no"


@pytest.mark.parametrize("heard", ["песеверный ветер", "Исцеберный ветер", "Сибирный Витер", "сиверный ветир"])
def test_company_name_heard_by_sound_or_glued_to_a_prefix(heard: str) -> None:
    assert _find(f"здравствуйте авиакомпания {heard} слушаю вас") == ["Северный Ветер"]


def test_greeting_and_farewell_with_a_glued_company_name() -> None:
    item = call([("agent", 0.5, 4.0, "добрый день песеверный ветер меня зовут денис"),
                 ("customer", 4.5, 8.0, "здравствуйте хочу узнать про багаж"),
                 ("agent", 9.0, 12.0, "спасибо что позвонили в Исцеберный ветер до свидания")])
    assert answer(item, "greeting") == "yes"
    assert answer(item, "farewell") == "yes"
