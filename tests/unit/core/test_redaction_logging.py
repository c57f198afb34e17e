"""RedactingFilter: no card number or phone reaches a log line, message or traceback."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from qa_service.core.redaction import luhn_valid
from qa_service.core.redaction.logging_filter import RedactingFilter

CARD = next("427638001234567" + d for d in "0123456789" if luhn_valid("427638001234567" + d))


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("qa_service.test.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def test_message_args_are_redacted(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logged
    logger.info("chat %s said: %s", "c-17", f"моя карта {CARD}, тел +7 912 345-67-89")
    assert stream.getvalue() == "INFO chat c-17 said: моя карта [карта], тел [телефон]\n"


def test_exception_text_is_redacted(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logged
    try:
        raise ValueError(f"bad payment for card {CARD}")
    except ValueError:
        logger.exception("payment failed")
    output = stream.getvalue()
    assert "ValueError: bad payment for card [карта]" in output
    assert CARD not in output and "Traceback" in output


def test_filter_keeps_every_record() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "рейс %s", ("SU 1234",), None)
    assert RedactingFilter().filter(record) is True
    assert record.getMessage() == "рейс SU 1234"


def test_stack_info_is_redacted() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None, sinfo=f"Stack: {CARD}")
    RedactingFilter().filter(record)
    assert record.stack_info == "Stack: [карта]"


def test_broken_format_args_do_not_raise_and_are_redacted() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "card %d", (CARD,), None)
    assert RedactingFilter().filter(record) is True
    assert CARD not in record.getMessage() and "[карта]" in record.getMessage()


def test_machine_timestamps_are_not_taken_for_cards(logged: tuple[logging.Logger, io.StringIO]) -> None:
    """RQ logs its retry time; about a third of such times pass the card check as bare digits."""
    logger, stream = logged
    # Each of these, as digits, was redacted as a card before timestamps were set aside.
    stamps = ["2026-12-05 04:59:15.740988+00:00", "2027-01-28 18:19:13.636326+00:00",
              "2027-01-24 06:41:35.703368+00:00"]
    for stamp in stamps:
        logger.info("Job generate_daily_reports: scheduled for retry at %s, 2 remaining", stamp)
    lines = stream.getvalue().splitlines()
    assert lines == [f"INFO Job generate_daily_reports: scheduled for retry at {s}, 2 remaining" for s in stamps]


def test_a_card_beside_a_timestamp_is_still_redacted(logged: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = logged
    logger.info("at %s card %s; at %s", "2026-12-05 04:59:15.740988+00:00", CARD, "2026-12-05 05:00:00")
    assert stream.getvalue() == (
        "INFO at 2026-12-05 04:59:15.740988+00:00 card [карта]; at 2026-12-05 05:00:00\n")
    assert CARD not in stream.getvalue()
