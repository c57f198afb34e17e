"""Span bookkeeping: overlap resolution by priority, placeholders, the public types."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa_service.core.redaction import KINDS, PLACEHOLDERS, Redaction, Span, redact
from qa_service.core.redaction.spans import SpanIndex, apply, resolve


def test_kinds_and_placeholders_are_the_contract() -> None:
    assert set(KINDS) == {"card", "cvv", "card_expiry", "passport", "phone", "email", "snils", "inn", "name"}
    assert PLACEHOLDERS == {
        "card": "[карта]", "cvv": "[CVV]", "card_expiry": "[срок карты]", "passport": "[паспорт]",
        "phone": "[телефон]", "email": "[email]", "snils": "[СНИЛС]", "inn": "[ИНН]",
        "name": "[имя]",
    }


def test_redaction_is_frozen() -> None:
    result = Redaction("x", [])
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "y"  # type: ignore[misc]


def test_card_beats_an_overlapping_phone_and_order_is_by_start() -> None:
    chosen = resolve([Span(0, 11, "phone"), Span(20, 25, "email"), Span(0, 16, "card"), Span(12, 18, "inn")])
    assert chosen == [Span(0, 16, "card"), Span(20, 25, "email")]


def test_longer_span_of_the_same_kind_wins() -> None:
    assert resolve([Span(5, 8, "phone"), Span(2, 12, "phone")]) == [Span(2, 12, "phone")]


def test_apply_replaces_spans_with_placeholders() -> None:
    assert apply("тел 123 и a@b.ru", [Span(4, 7, "phone"), Span(10, 16, "email")]) == "тел [телефон] и [email]"


def test_span_index_overlap_queries() -> None:
    index = SpanIndex([Span(10, 20, "keep"), Span(0, 3, "keep"), Span(12, 30, "keep")])
    assert index.overlaps(25, 26) and index.overlaps(2, 5) and index.overlaps(19, 40)
    assert not index.overlaps(3, 10) and not index.overlaps(30, 31)
    assert index.ends_within(18, 21) and not index.ends_within(21, 29)
    assert not SpanIndex([]).overlaps(0, 100)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_text_gives_consistent_sorted_spans(text: str) -> None:
    result = redact(text)
    assert result.text == apply(text, result.spans)
    assert all(0 <= s.start < s.end <= len(text) and s.kind in KINDS for s in result.spans)
    assert all(a.end <= b.start for a, b in zip(result.spans, result.spans[1:], strict=False))


def test_unicode_digit_look_alikes_do_not_break_it() -> None:
    assert redact("x² 4² ½ ⅔ ①②③").text == "x² 4² ½ ⅔ ①②③"
