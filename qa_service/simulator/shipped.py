"""The demo's call recordings, shipped pre-rendered so the demo needs no speech synthesiser.

Festival and sox are Debian packages; the demo promises to need only Python.  So the recordings of
the demo's own calls (the simulator's dataset for `DEMO_SEED` and `DEMO_CALLS`) are rendered once
by Festival, stored losslessly as FLAC in `qa_service/simulator/recordings/`, and looked up by the same
content key the render cache uses: a changed script gives a new key and is synthesised as before.

Regenerate them (Festival with festvox-ru and sox installed) — the output is byte for byte the same:

    python -m qa_service.simulator.shipped
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import wave
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

# Package data, read through importlib.resources like the rubrics (a checkout or an installed wheel).
SHIPPED = Path(str(resources.files("qa_service.simulator.recordings")))
DEMO_SEED = 7
DEMO_CALLS = 6  # `qa-service demo`'s default --calls


def shipped_path(key: str) -> Path:
    return SHIPPED / f"{key}.flac"


def shipped_call(key: str) -> tuple[bytes, list[dict[str, Any]]] | None:
    """The shipped recording for a content key as 16-bit stereo WAV bytes with its timing truth, or None."""
    path = shipped_path(key)
    if not (path.is_file() and path.with_suffix(".json").is_file()):
        return None
    import av  # the decoder faster-whisper brings; only needed when a shipped recording is read

    chunks: list[np.ndarray] = []
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        channels, rate = stream.codec_context.channels, stream.codec_context.sample_rate
        for frame in container.decode(stream):
            samples = frame.to_ndarray()
            # Packed s16 comes as one interleaved row, planar as a row per channel.
            chunks.append(samples.reshape(-1, channels) if frame.format.is_packed else samples.T)
    interleaved = np.concatenate(chunks).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as target:
        target.setnchannels(channels)
        target.setsampwidth(2)
        target.setframerate(rate)
        target.writeframes(interleaved.tobytes())
    return buffer.getvalue(), json.loads(path.with_suffix(".json").read_text("utf-8"))


def render_shipped(target: Path = SHIPPED) -> list[Path]:
    """Render every demo call with Festival into `target` as FLAC (with its timing truth as JSON)."""
    from qa_service.simulator.audio import content_key, render_call
    from qa_service.simulator.data import generate

    data = generate(seed=DEMO_SEED, calls=DEMO_CALLS, chats=0, emails=0)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for call in data.calls:
        lines = data.call_lines.get(call["id"])
        if not lines:
            continue  # a lost call has no recording
        key = content_key(lines, call["operator"]["name"])
        audio, truth = render_call(lines, call["operator"]["name"])
        flac = target / f"{key}.flac"
        with tempfile.TemporaryDirectory(prefix="qa-rec-") as tmp:
            wav = Path(tmp) / "call.wav"
            wav.write_bytes(audio)
            # -D: no dither; FLAC is lossless, so the samples served are the samples Festival made.
            subprocess.run(["sox", "-V1", "-D", str(wav), str(flac)], check=True, timeout=120)
        flac.with_suffix(".json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", "utf-8")
        written.append(flac)
        print(f"{call['id']}: {flac.name}", file=sys.stderr)
    return written


if __name__ == "__main__":
    render_shipped()
