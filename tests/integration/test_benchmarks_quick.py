"""The audio benchmarks' quick forms still run end to end and produce their figures (slow: real
speech synthesis, the real Whisper model and the commands of record).

These are smoke runs, so a benchmark cannot rot unnoticed again; they assert that figures are
produced and hang together, not accuracy targets (those are in benchmarks/RESULTS-*.md).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)


def test_calls_benchmark_quick_form_produces_figures(tmp_path: Path) -> None:
    out = tmp_path / "calls.json"
    done = _run("benchmarks/calls.py", "--quick", "--out", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text("utf-8"))
    assert result["calls"] == 3 and result["mode"] == "commands"
    for key in ("agent_digits", "customer_digits", "all_digits", "all_words"):
        assert 0.0 <= result["wer"][key] <= 200.0, key
    criteria = result["criteria"]
    assert criteria["total"] >= 3 * 10 and 0 <= criteria["right"] <= criteria["total"]
    assert set(result["critical_no_card_by_voice"]) >= {"truth_failures", "missed", "false"}
    assert result["holds"]["found"] <= result["holds"]["truth"]
    assert result["audio_seconds"] > 30 and result["real_time_factor"] > 0
    assert re.search(r"^WER numbers as digits: all [\d.]+ %", done.stdout, re.M), done.stdout[-2000:]
    assert "criterion answers right:" in done.stdout


def test_asr_benchmark_quick_form_runs(tmp_path: Path) -> None:
    done = _run("benchmarks/asr.py", "--quick", "--no-cli")
    assert done.returncode == 0, done.stderr[-3000:]
    assert re.search(r"^ours: WER [\d.]+ % CER [\d.]+ %; [\d.]+x real time", done.stdout, re.M), done.stdout
    assert re.search(r"^dialogues \(stereo 8 kHz, espeak-ng\): WER [\d.]+ %", done.stdout, re.M), done.stdout
