"""The demo's calls, spoken by Festival's Russian voice, read back through the real Whisper model as
the dialogues they were scripted from (slow: real speech synthesis and recognition)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_service.asr.pipeline import transcribe_recording
from qa_service.simulator.audio import cached_call
from qa_service.simulator.data import generate

pytestmark = pytest.mark.slow


def _norm(text: str) -> str:
    return text.lower().replace("ё", "е")


def test_demo_calls_transcribe_to_their_key_phrases(tmp_path: Path) -> None:
    from qa_service.asr.transcriber import get_transcriber

    data = generate(seed=7, calls=6, chats=0, emails=0)
    calls = [c for c in data.calls if data.call_lines.get(c["id"])][:4]
    assert len(calls) == 4
    company, greeted, greetings_scripted = 0, 0, 0
    for call in calls:
        lines = data.call_lines[call["id"]]
        audio, _truth = cached_call(lines, call["operator"]["name"], tmp_path)
        path = tmp_path / f"{call['id']}.wav"
        path.write_bytes(audio)
        doc = transcribe_recording(path, {0: "agent", 1: "customer"}, get_transcriber()).to_json()
        agent = _norm(" ".join(t["text"] for t in doc["turns"] if t["speaker"] == "agent"))
        company += "северный ветер" in agent
        if lines[0].text.startswith("Здравствуйте"):
            greetings_scripted += 1
            greeted += "здравствуйте" in agent.split(".")[0] or "здравствуйте" in agent[:80]
    assert company >= 3, f"the company name was heard in {company} of 4 calls"
    assert greetings_scripted >= 2 and greeted >= greetings_scripted - 1, (greeted, greetings_scripted)
