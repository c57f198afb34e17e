"""Semantic fallback (navec similarity) for phrase criteria that opt in, and the WHY of a miss."""

from __future__ import annotations

from scoring_helpers import call, score

from qa_service.core.embeddings import navec, near_duplicate_groups, text_vector
from qa_service.core.morphology import lemma_phrase, lemmatize
from qa_service.core.rubric.model import PhraseGroup
from qa_service.core.scoring.matching import IndexedText
from qa_service.core.scoring.semantic import THRESHOLD, closest, semantic_match

OPEN = ("agent", 0.5, 4.0, "Здравствуйте, авиакомпания Северный Ветер, меня зовут Анна.")
GROUP = PhraseGroup(phrases=(lemma_phrase("вернуть деньги нельзя"),), source=("вернуть деньги нельзя",),
                    labels=("вернуть деньги нельзя",))


def test_navec_ships_with_natasha_and_loads_offline() -> None:
    assert navec() is not None
    vector = text_vector(["штраф"])
    assert vector is not None and vector.shape == (300,)


def test_a_close_paraphrase_matches_and_an_unrelated_clause_does_not() -> None:
    near = IndexedText(lemmatize("Увы, нельзя уже вернуть деньги."))
    found = semantic_match(near, GROUP)
    assert found is not None and found.similarity >= THRESHOLD
    far = IndexedText(lemmatize("Регистрация закрывается за сорок минут до вылета."))
    assert semantic_match(far, GROUP) is None
    miss = closest(far, GROUP)
    assert miss is not None and miss.similarity < THRESHOLD


def test_a_fare_rules_miss_says_which_clause_came_closest() -> None:
    item = call([OPEN, ("customer", 4.5, 8.0, "Хочу сдать билет, бронь ВЕК510."),
                 ("agent", 8.5, 14.0, "Хорошо, возврат оформлен.")], topic="refund")
    answer = score(item).answer("fare_rules")
    assert answer.answer == "no"
    assert "ближе всего «" in answer.reason and "сходство" in answer.reason


def test_template_lines_fall_into_one_group_and_different_lines_do_not() -> None:
    texts = ["сколько стоит багаж на рейс в сочи", "сколько стоит багаж на рейс в казань", "хочу вернуть билет"]
    groups = near_duplicate_groups(texts)
    assert groups[0] == groups[1] != groups[2]
