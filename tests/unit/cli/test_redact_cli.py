"""`qa-service redact [--json]` as an external caller runs it: a subprocess, stdin in, stdout out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from qa_service.core.redaction import KINDS, luhn_valid

ROOT = Path(__file__).resolve().parents[3]
PYTHON = ROOT / ".venv" / "bin" / "python"
CARD = next("220220123456789" + d for d in "0123456789" if luhn_valid("220220123456789" + d))


def run(stdin: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    python = str(PYTHON) if PYTHON.exists() else sys.executable
    return subprocess.run(
        [python, "-m", "qa_service", "redact", *args], input=stdin, capture_output=True, cwd=ROOT, timeout=60
    )


def test_json_contract() -> None:
    text = f"Карта {CARD}, срок действия 12/27, CVV 123, тел. 8 912 345-67-89, почта a@mail.ru\nбилет 5552112345678"
    done = run(text.encode("utf-8"), "--json")
    assert done.returncode == 0, done.stderr.decode()
    document = json.loads(done.stdout.decode("utf-8"))
    assert set(document) == {"text", "spans"}
    assert CARD not in document["text"] and "5552112345678" in document["text"]
    assert [s["kind"] for s in document["spans"]] == ["card", "card_expiry", "cvv", "phone", "email"]
    for span in document["spans"]:
        assert set(span) == {"start", "end", "kind"} and span["kind"] in KINDS
    # Offsets index the INPUT text.
    assert [text[s["start"] : s["end"]] for s in document["spans"]] == [
        CARD, "12/27", "123", "8 912 345-67-89", "a@mail.ru"]


def test_plain_output_is_the_redacted_text() -> None:
    done = run("Мой телефон +7 912 345 67 89\n".encode())
    assert done.returncode == 0
    assert done.stdout.decode("utf-8") == "Мой телефон [телефон]\n"


def test_empty_stdin() -> None:
    done = run(b"", "--json")
    assert done.returncode == 0
    assert json.loads(done.stdout) == {"text": "", "spans": []}


def test_bad_encoding_is_one_line_and_exit_1() -> None:
    done = run(b"\xff\xfe card", "--json")
    assert done.returncode == 1
    assert done.stdout == b""
    lines = done.stderr.decode("utf-8").strip().splitlines()
    assert len(lines) == 1 and "UTF-8" in lines[0] and "Traceback" not in lines[0]
