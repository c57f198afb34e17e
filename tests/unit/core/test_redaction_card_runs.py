"""Card data outside the transcript: the stored-text card rule, platform fields, split messages, logs."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from qa_service.core.interaction import CallMetrics, Interaction, TranscriptQuality, Turn, parse_interaction
from qa_service.core.redaction import redact, redact_card_data, redact_interaction
from qa_service.core.redaction.card_runs import card_runs, card_runs_anywhere, mask_card_runs, tokenize_card_runs
from qa_service.core.redaction.logging_filter import RedactingFilter
from qa_service.core.redaction.platform_fields import redact_platform_fields

KEY = b"test-secret"
STYLES = ["4111 1111 1111 1111", "4111-1111-1111-1111", "4111.1111.1111.1111", "4111_1111_1111_1111",
          "4111111111111111", "4111 - 1111 - 1111 - 1111", "3782.822463.10005"]


@pytest.mark.parametrize("card", STYLES)
def test_every_separator_style_is_a_card_run_and_is_redacted(card: str) -> None:
    [run] = card_runs(f"id_{card}_x")
    assert run.digits.startswith(card[:4]) and run.masked.endswith(card[-4:])
    assert redact(f"оплачу {card}").text == "оплачу [карта]"
    assert mask_card_runs(f"q={card}") == "q=[карта]"


def test_numbers_that_are_not_cards_stay() -> None:
    # Luhn-invalid, too short, too long without a card-sized group window, a float's repr.
    for text in ("4111 1111 1111 1112", "4111 1111 1111", "0.30000000000000004", "12345678901234567890123",
                 "2026-11-29 02:04:27"):
        assert card_runs(text) == [], text


def test_a_card_inside_a_longer_run_is_found_at_its_separators() -> None:
    [run] = card_runs("order-4111111111111111-7")
    assert run.digits == "4111111111111111"


def test_url_encoded_cards_are_found_and_masked() -> None:
    line = '"GET /interactions?q=4111%201111%201111%201111 HTTP/1.1" 200'
    assert card_runs(line) == [] or card_runs(line)[0].digits != "4111111111111111"
    assert [r.digits for r in card_runs_anywhere(line)] == ["4111111111111111"]
    assert "4111" not in mask_card_runs(line)


def test_tokens_are_keyed_stable_distinct_and_no_longer_than_the_card() -> None:
    one, again = tokenize_card_runs("ext-4111_1111_1111_1111", KEY), tokenize_card_runs("ext-4111_1111_1111_1111", KEY)
    other = tokenize_card_runs("ext-5500000000000004", KEY)
    assert one == again and one != other and one.startswith("ext-[c") and card_runs(one) == []
    assert tokenize_card_runs("ext-4111_1111_1111_1111", b"another-key") != one
    assert len(tokenize_card_runs("4222222222222", KEY)) <= len("4222222222222")
    assert tokenize_card_runs("CALL-0001", KEY) == "CALL-0001"


def _item(**fields: object) -> Interaction:
    base = dict(external_id="chat-4111 1111 1111 1111", channel="chat", agent_id="op_4111_1111_1111_1111",
                started_at=datetime(2026, 11, 20, 10, tzinfo=UTC), source="site 4111.1111.1111.1111",
                queue="q4111111111111111", topic="t-4111-1111-1111-1111",
                recording={"uri": "rec/4111%201111%201111%201111.wav", "channels": {"1 4111111111111111": "x"}},
                meta={"k 4111111111111111": {"n_4111111111111111": ["v 4111111111111111"]},
                      "agent_name": "Анна 4111111111111111"},
                metrics=CallMetrics(talk_ratio={"x4111111111111111": 0.5}),
                quality=TranscriptQuality(flags=["f 4111111111111111"]))
    base.update(fields)
    return Interaction(**base)  # type: ignore[arg-type]


def test_platform_fields_and_dict_keys_keep_no_card_and_stay_joinable() -> None:
    item = redact_platform_fields(_item(), KEY)
    fields = [item.external_id, item.agent_id, item.source, item.queue, item.topic, repr(item.recording),
              repr(item.metrics), repr(item.quality), item.meta["agent_name"]]
    assert [f for f in fields if card_runs(str(f))] == []
    assert "%20" not in item.recording["uri"]  # type: ignore[index]
    assert item.external_id == redact_platform_fields(_item(), KEY).external_id
    assert item.agent_id != _item().agent_id and item.meta["agent_name"].startswith("Анна [c")
    # Keys at any depth are tokenized; values are people's words, left to redact_interaction (card flag).
    [(key, nested)] = [(k, v) for k, v in item.meta.items() if k != "agent_name"]
    assert key.startswith("k [c") and [card_runs(k) for k in nested] == [[]]
    assert list(nested.values()) == [["v 4111111111111111"]]
    redacted = redact_interaction(item)
    assert redacted.card_seen and card_runs(repr(redacted.interaction)) == []


@pytest.mark.parametrize("card", STYLES[:5])
def test_a_card_split_over_two_messages_of_one_speaker_is_redacted_in_both(card: str) -> None:
    first, second = card[:9], card[9:]
    item = parse_interaction({
        "external_id": "c1", "channel": "chat", "agent_id": "op", "started_at": "2026-11-20T10:00:00+03:00",
        "turns": [{"speaker": "customer", "text": f"Моя карта {first}"},
                  {"speaker": "agent", "text": "Не пишите номер карты в чат"},
                  {"speaker": "customer", "text": f"{second} вот"}]})
    redacted = redact_interaction(item)
    texts = [t.text for t in redacted.interaction.turns]
    assert texts == ["Моя карта [карта]", "Не пишите номер карты в чат", "[карта] вот"]
    assert redacted.card_seen
    assert redacted.turn_spans[0] and redacted.turn_spans[2]


def test_two_speakers_numbers_are_not_joined() -> None:
    item = Interaction(external_id="c", channel="chat", agent_id="a", started_at=datetime(2026, 1, 1, tzinfo=UTC),
                       turns=[Turn("customer", "заказ 4111 1111"), Turn("agent", "1111 1111")])
    assert [t.text for t in redact_interaction(item).interaction.turns] == ["заказ 4111 1111", "1111 1111"]


def test_staff_text_loses_the_card_but_keeps_names_and_phones() -> None:
    text = "Анна Смирнова: клиент дал 4111_1111_1111_1111 и телефон 8 916 123-45-67"
    assert redact_card_data(text) == "Анна Смирнова: клиент дал [карта] и телефон 8 916 123-45-67"
    assert redact_card_data("Команда Альфа") == "Команда Альфа"


def test_the_logging_filter_masks_url_encoded_cards_and_exception_text() -> None:
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1,
                               '%s "GET /interactions?q=%s HTTP/1.1"', ("127.0.0.1", "4111%201111%201111%201111"),
                               None)
    RedactingFilter().filter(record)
    assert "4111" not in record.getMessage() and "/interactions?q=" in record.getMessage()
    try:
        raise ValueError("Key (slug)=(t-4111_1111_1111_1111) already exists")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    RedactingFilter().filter(record)
    assert record.exc_text is not None and "4111" not in record.exc_text and "already exists" in record.exc_text
