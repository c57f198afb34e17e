"""Redaction of what a reader sees: URL-decoded text, markup as text, numbers in English and Russian words."""

from __future__ import annotations

import pytest

from qa_service.core.redaction import redact, redact_card_data
from qa_service.core.redaction.card_words import stored_card_runs, worded_card_runs
from qa_service.core.redaction.decoded import decoded_views, markup_as_text, url_decoded
from qa_service.core.redaction.refusal import CardDataRefused, card_lines, holds_card_number, refuse_card_number


@pytest.mark.parametrize("text", [
    "<b>4111</b> 1111 1111 1111",
    "Карта: <b>4111</b><i>1111</i>1111 1111, спасибо",
    "<p>4111&nbsp;1111&#32;1111 1111</p>",
    "<w:r><w:t>4111 </w:t></w:r><w:r><w:t>1111 1111</w:t></w:r><w:r><w:t> 1111</w:t></w:r>",
    "https://pay.example/?card=4111%201111%201111%201111&x=1",
    "q=4111+1111+1111+1111",
    "%3Cb%3E4111%3C%2Fb%3E%201111%201111%201111",
    "my card is four one one one one one one one one one one one one one one one",
    "forty-one eleven eleven eleven eleven eleven eleven eleven",
    "клиент назвал четыре один один один один один один один один один один один один один один один",
])
def test_a_card_in_any_writing_is_redacted_and_the_rest_kept(text: str) -> None:
    for redacted in (redact(text).text, redact_card_data(text)):
        assert "[карта]" in redacted
        assert not stored_card_runs(redacted), redacted  # the scan's rule finds nothing left
    assert stored_card_runs(text)  # and it finds the number in the original


def test_offsets_point_into_the_input() -> None:
    text = "Здравствуйте! <b>4111</b> 1111 <span>1111</span> 1111 — жду возврат"
    redacted = redact_card_data(text)
    assert redacted.startswith("Здравствуйте! <b>[карта]") and redacted.endswith(" — жду возврат")
    view = markup_as_text(text)
    assert view is not None and "4111 1111 1111 1111" in view.text
    start = view.text.index("4111")
    assert view.source_span(start, start + 4) == (text.index("4111"), text.index("4111") + 4)
    url = url_decoded("a%20b")
    assert url is not None and url.text == "a b" and url.source_span(1, 2) == (1, 4)


@pytest.mark.parametrize("text", [
    "one of two options, ten minutes, eight passengers",
    "<table><tr><td>1</td><td>2</td></tr></table> <a href=\"https://x.example/p?id=12345678901234567\">ссылка</a>",
    "Скидка 50%, код 2027 & рейс SU 1234",
    "две тысячи двадцать седьмого года, 15 000 рублей",
])
def test_text_without_a_card_is_left_as_it_is(text: str) -> None:
    assert redact_card_data(text) == text
    assert not stored_card_runs(text)


def test_decoded_views_are_only_made_when_something_is_encoded() -> None:
    assert decoded_views("просто текст 4111") == []
    assert len(decoded_views("%3Cb%3E1%3C%2Fb%3E")) == 2  # URL-decoded, then its markup as text


def test_the_words_rule_reads_whole_groups_and_prefers_sixteen_digits() -> None:
    runs = worded_card_runs("четыре два четыре два четыре два четыре два четыре два четыре два четыре два четыре два")
    assert [r.digits for r in runs] == ["4242424242424242"]


def test_refusal_names_the_field_and_never_repeats_the_number() -> None:
    with pytest.raises(CardDataRefused) as refused:
        refuse_card_number("4111 1111 1111 1111", "публичный номер", "public number")
    assert "публичный номер" in refused.value.ru and "public number" in refused.value.en
    assert "4111" not in refused.value.one_line()
    assert refuse_card_number("8 800 555-35-35", "публичный номер", "public number") == "8 800 555-35-35"
    assert not holds_card_number("anna.petrova@severny.test")
    assert holds_card_number("4111111111111111@severny.test")
    assert card_lines("id: x\ntitle: карта 4111 1111 1111 1111\n") == [2]
