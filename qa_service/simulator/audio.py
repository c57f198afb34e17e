"""Synthesised Russian call recordings: espeak-ng speaks each line, sox resamples, numpy lays out channels.

8 kHz 16-bit stereo like a PBX recording: channel 0 is the agent, channel 1 the customer;
each line sits on its speaker's channel at its time and the other channel stays silent.
A recording is generated once into the cache directory (keyed by its content) and reused.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import tempfile
import threading
import wave
from pathlib import Path
from typing import Any

import numpy as np

from qa_service.simulator.scripts import Line

RATE = 8000
_VOICES = {"agent_f": "ru+f3", "agent_m": "ru+m3", "customer": "ru+m1"}
_LOCK = threading.Lock()  # two requests for one recording must not both write the cache file


def _voice(speaker: str, agent_name: str) -> str:
    if speaker != "agent":
        return _VOICES["customer"]
    return _VOICES["agent_f"] if agent_name.endswith(("а", "я")) else _VOICES["agent_m"]


def _speak(text: str, voice: str, workdir: Path) -> np.ndarray:
    """One utterance as 8 kHz mono int16 samples."""
    raw, resampled = workdir / "raw.wav", workdir / "8k.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "165", "-w", str(raw), text], check=True, timeout=60)
    # -V1: errors only; vol 0.9 leaves headroom so resampling never clips.
    subprocess.run(["sox", "-V1", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(resampled), "vol", "0.9"],
                   check=True, timeout=60)
    with wave.open(str(resampled), "rb") as source:
        return np.frombuffer(source.readframes(source.getnframes()), dtype="<i2").copy()


def render_call(lines: list[Line], agent_name: str) -> tuple[bytes, list[dict[str, Any]]]:
    """The stereo WAV of a conversation and where each line landed (seconds, the ground truth)."""
    pieces: list[tuple[int, np.ndarray]] = []
    truth: list[dict[str, Any]] = []
    cursor = 0.0
    with tempfile.TemporaryDirectory(prefix="qa-sim-") as tmp:
        for line in lines:
            samples = _speak(line.text, _voice(line.speaker, agent_name), Path(tmp))
            start = cursor + line.pause
            end = start + len(samples) / RATE
            pieces.append((0 if line.speaker == "agent" else 1, samples))
            truth.append({"speaker": line.speaker, "text": line.text, "start": round(start, 2), "end": round(end, 2)})
            cursor = end
    total = int((cursor + 0.5) * RATE)
    stereo = np.zeros((total, 2), dtype="<i2")
    for (channel, samples), placed in zip(pieces, truth, strict=True):
        offset = int(placed["start"] * RATE)
        stereo[offset : offset + len(samples), channel] = samples[: total - offset]
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as target:
        target.setnchannels(2)
        target.setsampwidth(2)
        target.setframerate(RATE)
        target.writeframes(stereo.tobytes())
    return buffer.getvalue(), truth


def cached_call(lines: list[Line], agent_name: str, cache_dir: Path) -> tuple[bytes, list[dict[str, Any]]]:
    """`render_call`, but generated once per content into `cache_dir` and read back afterwards."""
    content = json.dumps([agent_name, [(ln.speaker, ln.text, ln.pause) for ln in lines], _VOICES, RATE])
    key = hashlib.sha256(content.encode("utf-8")).hexdigest()[:24]
    audio_path, truth_path = cache_dir / f"{key}.wav", cache_dir / f"{key}.json"
    with _LOCK:
        if not (audio_path.is_file() and truth_path.is_file()):
            cache_dir.mkdir(parents=True, exist_ok=True)
            audio, truth = render_call(lines, agent_name)
            # Written under a temporary name first so a crash never leaves half a file in the cache.
            audio_tmp = audio_path.with_suffix(".wav.part")
            audio_tmp.write_bytes(audio)
            truth_path.write_text(json.dumps(truth, ensure_ascii=False), "utf-8")
            audio_tmp.replace(audio_path)
    return audio_path.read_bytes(), json.loads(truth_path.read_text("utf-8"))
