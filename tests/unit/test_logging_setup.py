import json
import logging

import pytest

from qa_service.logging_setup import configure_logging


def test_log_lines_are_json_and_never_hold_a_card_number(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging()
    try:
        log = logging.getLogger("qa_service.test")
        log.info("customer said %s", "карта 4276 3800 1234 5679")
        try:
            raise ValueError("bad input 4276380012345679")
        except ValueError:
            log.exception("job failed")
        lines = [json.loads(line) for line in capsys.readouterr().err.strip().splitlines()]
    finally:
        logging.getLogger().handlers.clear()
    assert [entry["msg"] for entry in lines] == ["customer said карта [карта]", "job failed"]
    assert "ValueError" in lines[1]["exc"]
    text = json.dumps(lines, ensure_ascii=False)
    assert "5679" not in text
