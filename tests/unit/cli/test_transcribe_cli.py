"""`qa-service transcribe`: the contract JSON, readable lines, one-line errors (real model: slow)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa_service.cli import main

AUDIO = Path(__file__).resolve().parents[2] / "data" / "audio"


@pytest.mark.slow
def test_json_has_the_contract_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["transcribe", str(AUDIO / "call_stereo_8k.flac"), "--channels", "0=agent,1=customer", "--json"]) == 0
    out = capsys.readouterr().out
    doc = json.loads(out)  # one JSON document and nothing else on stdout
    assert set(doc) >= {"duration", "language", "turns", "metrics", "quality"}
    assert set(doc["metrics"]) >= {"silences", "overtalk", "talk_ratio"}
    assert set(doc["quality"]) >= {"score", "flags"}
    for turn in doc["turns"]:
        assert set(turn) >= {"speaker", "start", "end", "text", "words"}
        assert all(set(w) == {"start", "end", "word", "probability"} for w in turn["words"])
    assert {t["speaker"] for t in doc["turns"]} == {"agent", "customer"}
    assert set(doc["metrics"]["talk_ratio"]) == {"agent", "customer"}
    assert all(isinstance(x, float) for pair in doc["metrics"]["silences"] for x in pair)


@pytest.mark.slow
def test_readable_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["transcribe", str(AUDIO / "mono_8k.wav")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("[00:00.") and "unknown: Здравствуйте" in lines[0]
    assert "–00:0" in lines[0]


@pytest.mark.parametrize("name", ["corrupt.wav", "empty.wav", "not_audio.mp3", "zero_length.wav", "nope.wav"])
def test_bad_file_exits_1_with_one_line(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["transcribe", str(AUDIO / name), "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and name in captured.err and "Traceback" not in captured.err


def test_bad_channel_map_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["transcribe", str(AUDIO / "mono_8k.wav"), "--channels", "0=boss"]) == 1
    assert "0=agent,1=customer" in capsys.readouterr().err
