"""A card number read aloud digit by digit by a real speaker (Debian's asterisk-core-sounds-ru, CC-BY-3.0)."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np

DIGITS_DIR = Path("/usr/share/asterisk/sounds/ru/digits")
RATE = 8000


def dictation(folder: Path, digits: str) -> Path:
    """`digits` read one by one, a quarter second apart, a second of silence around: an 8 kHz mono WAV."""
    pause = np.zeros(int(0.25 * RATE), np.int16)
    parts: list[np.ndarray] = [np.zeros(RATE, np.int16)]
    for digit in digits:
        resampled = folder / f"digit-{digit}.wav"
        if not resampled.exists():
            # -D -R: no random dither, so the recording (and what Whisper hears in it) is the same every run.
            subprocess.run(["sox", "-D", "-R", str(DIGITS_DIR / f"{digit}.wav"), "-r", str(RATE), "-c", "1", "-b",
                            "16", str(resampled)], check=True)
        with wave.open(str(resampled)) as handle:
            parts.extend([np.frombuffer(handle.readframes(handle.getnframes()), dtype=np.int16), pause])
    parts.append(np.zeros(RATE, np.int16))
    out = folder / f"dictation-{digits}.wav"
    with wave.open(str(out), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(RATE)
        handle.writeframes(np.concatenate(parts).tobytes())
    return out
