"""Name redaction on ASR text (issue 26): the tenant's own words, however misheard, are no names."""

from __future__ import annotations

import pytest

from qa_service.core.redaction import redact
from qa_service.core.redaction.names import self_introduced
from qa_service.core.redaction.own_words import company_spans


@pytest.mark.parametrize("heard", [
    "Авиакомпания Сибирный Витер, здравствуйте",  # «Витер» is a first name to the dictionary
    "здравствуйте Северный Витер слушаю вас",
    "по тарифу тарив лайт",
    "вам придёт эсемэс со ссылкой",
    "Назовите тцыры с карты",  # a lower-case slip, in a cased transcript, guessed to be a surname
])
def test_misheard_words_of_the_tenant_are_kept(heard: str) -> None:
    assert "[имя]" not in redact(heard).text


@pytest.mark.parametrize(("said", "name"), [
    ("Да, это Мельников Олег Сергеевич", "Мельников"),
    ("фамилия пассажира соколова", "соколова"),
    ("олег мельников", "мельников"),  # a transcript without capitals still loses its names
    ("Спасибо, Ирина, всего доброго", "Ирина"),
])
def test_customers_names_are_still_redacted(said: str, name: str) -> None:
    assert name not in redact(said).text


def test_company_name_heard_by_sound() -> None:
    for heard in ("Песеверный ветер", "Исцеберный ветер", "Сибирный Витер", "северного ветра"):
        assert company_spans(f"авиакомпания {heard} добрый день"), heard
    for other in ("южный ветер", "северный берег", "сильный ветер"):
        assert not company_spans(f"авиакомпания {other} добрый день"), other


def test_agent_name_after_a_misheard_company_name_is_the_agents() -> None:
    assert self_introduced("авиакомпания Сибирный Витер Ксения добрый день") == {"ксения"}
    assert "Ксения" in redact("Исцеберный ветер, Ксения, здравствуйте",
                              keep_names=self_introduced("Исцеберный ветер, Ксения, здравствуйте")).text
