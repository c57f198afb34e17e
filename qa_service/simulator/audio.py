"""Synthesised Russian call recordings: Festival's Russian voice speaks each line, sox shapes it.

Why Festival: Debian's `festvox-ru` (`msu_ru_nsh_clunits`) is a real speaker's recorded voice, and
Whisper recognises it at 8 kHz almost word for word; espeak-ng's Russian at 8 kHz comes out as
gibberish.  There is one Festival voice, so the second speaker is made distinct with sox `pitch`.

8 kHz 16-bit stereo like a PBX recording: channel 0 is the agent, channel 1 the customer;
each line sits on its speaker's channel at its time and the other channel stays silent.
Each phrase is synthesised once into `<cache>/phrases/` (keyed by its text and voice), each
recording once into the cache directory (keyed by its content), and both are reused.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import wave
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from qa_service.simulator.scripts import Line

RATE = 8000
ENGINE = "festival:msu_ru_nsh_clunits:no-dither"  # part of every cache key
# sox `pitch` shifts in cents.  The agent keeps the recorded voice (shifting it upwards for the
# female agents cost Whisper the company name, measured); the customer is lowered so the two
# voices differ when one listens to both channels at once, and not so far that words are lost.
_PITCH = {"agent": 0, "customer": -200}
_LOCK = threading.Lock()  # two requests for one recording must not both write the cache file

# Festival's Russian letter-to-sound rules know only Cyrillic: Latin letters and digits (booking
# codes, «CVV», «EMD») make it fail, so they are spelled out as a Russian speaker reads them.
_LATIN = {
    "a": "эй", "b": "би", "c": "си", "d": "ди", "e": "и", "f": "эф", "g": "джи", "h": "эйч", "i": "ай",
    "j": "джей", "k": "кей", "l": "эл", "m": "эм", "n": "эн", "o": "оу", "p": "пи", "q": "кью", "r": "ар",
    "s": "эс", "t": "ти", "u": "ю", "v": "ви", "w": "дабл ю", "x": "экс", "y": "уай", "z": "зед",
}
_DIGITS = ("ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять")


def speakable(text: str) -> str:
    """`text` with Latin letters and digits spelled in Cyrillic words, one by one."""
    def spell(match: re.Match[str]) -> str:
        return " " + " ".join(_DIGITS[int(ch)] if ch.isdigit() else _LATIN[ch.lower()] for ch in match.group()) + " "

    spelled = re.sub(r"[A-Za-z0-9]+", spell, text.replace("—", ","))
    # A punctuation mark standing alone between spaces, or any other symbol, stops Festival as well.
    spelled = re.sub(r"[^\w\s.,?!:;-]", " ", spelled)
    return re.sub(r"\s+([.,?!:;])", r"\1", re.sub(r"\s+", " ", spelled)).strip()


class SpeechSynthesisUnavailable(RuntimeError):
    """Festival, its Russian voice or sox is missing: nothing new can be spoken (shipped recordings still play)."""

    def __init__(self, ru: str, en: str) -> None:
        super().__init__(f"{ru} / {en}")
        self.ru, self.en = ru, en


FESTIVAL_VOICE = Path("/usr/share/festival/voices/russian/msu_ru_nsh_clunits")


def synthesis_missing() -> SpeechSynthesisUnavailable | None:
    """What stops Festival from speaking here, named by its Debian package; None when it can."""
    if shutil.which("text2wave") is None:
        return SpeechSynthesisUnavailable("не найден text2wave (пакет Debian festival)",
                                          "text2wave not found (Debian package festival)")
    if not FESTIVAL_VOICE.is_dir():
        # Without the voice text2wave exits 0 having written nothing, and sox is blamed for it.
        return SpeechSynthesisUnavailable("нет русского голоса Festival (пакет Debian festvox-ru)",
                                          "Festival's Russian voice is missing (Debian package festvox-ru)")
    if shutil.which("sox") is None:
        return SpeechSynthesisUnavailable("не найден sox (пакет Debian sox)", "sox not found (Debian package sox)")
    return None


def _synthesise(text: str, voice: str, target: Path) -> None:
    """One utterance into `target` as 8 kHz mono 16-bit WAV."""
    missing = synthesis_missing()
    if missing is not None:
        raise missing
    with tempfile.TemporaryDirectory(prefix="qa-tts-") as tmp:
        source, raw = Path(tmp) / "line.txt", Path(tmp) / "raw.wav"
        source.write_text(speakable(text) + "\n", "utf-8")
        subprocess.run(["text2wave", "-eval", "(voice_msu_ru_nsh_clunits)", "-o", str(raw), str(source)],
                       check=True, timeout=120, capture_output=True)
        effects = ["pitch", str(_PITCH[voice])] if _PITCH[voice] else []
        # -V1: errors only; -D -R: no random dither, so the same text always gives the same samples
        # (and the same transcript); vol 0.9 leaves headroom so resampling and pitch never clip.
        subprocess.run(["sox", "-V1", "-D", "-R", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(target),
                        *effects, "vol", "0.9"], check=True, timeout=60)


def phrase_samples(text: str, voice: str, cache_dir: Path) -> np.ndarray:
    """One utterance as 8 kHz mono int16 samples, synthesised once per (text, voice) into `cache_dir/phrases`."""
    content = json.dumps([ENGINE, text, voice, _PITCH[voice], RATE], ensure_ascii=False)
    key = hashlib.sha256(content.encode("utf-8")).hexdigest()[:24]
    path = cache_dir / "phrases" / f"{key}.wav"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        # A name of its own: two threads may be synthesising the same phrase at once.
        partial = path.with_name(f"{key}.{os.getpid()}.{threading.get_ident()}.part.wav")
        _synthesise(text, voice, partial)
        partial.replace(path)  # never half a file in the cache, even after a crash
    with wave.open(str(path), "rb") as source:
        return np.frombuffer(source.readframes(source.getnframes()), dtype="<i2").copy()


def _voice_of(line: Line) -> str:
    return "agent" if line.speaker == "agent" else "customer"


def prepare_phrases(
    lines: Iterable[Line], cache_dir: Path, on_done: Callable[[], None] = lambda: None
) -> int:
    """Synthesise every distinct phrase of `lines` into the cache, two Festival processes at a time.

    Rendering a call afterwards only lays cached phrases out, so a client fetching a recording
    never waits on speech synthesis.  Returns how many distinct phrases there are.
    """
    distinct = sorted({(line.text, _voice_of(line)) for line in lines})

    def one(item: tuple[str, str]) -> None:
        phrase_samples(item[0], item[1], cache_dir)
        on_done()

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(one, distinct))
    return len(distinct)


def render_call(
    lines: list[Line], agent_name: str, cache_dir: Path | None = None
) -> tuple[bytes, list[dict[str, Any]]]:
    """The stereo WAV of a conversation and where each line landed (seconds, the ground truth)."""
    del agent_name  # one Festival voice: agents differ by what they say, not how
    pieces: list[tuple[int, np.ndarray]] = []
    truth: list[dict[str, Any]] = []
    cursor = 0.0
    with tempfile.TemporaryDirectory(prefix="qa-sim-") as tmp:
        phrases = cache_dir if cache_dir is not None else Path(tmp)

        def speak(line: Line) -> np.ndarray:
            return phrase_samples(line.text, _voice_of(line), phrases)

        # Festival runs in its own process: two at a time keep both cores busy on a fresh cache.
        with ThreadPoolExecutor(max_workers=2) as pool:
            rendered = list(pool.map(speak, lines))
        for line, samples in zip(lines, rendered, strict=True):
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


def content_key(lines: list[Line], agent_name: str) -> str:
    """What a recording is made of, as a key: the same script and engine give the same recording."""
    content = json.dumps([ENGINE, agent_name, [(ln.speaker, ln.text, ln.pause) for ln in lines], _PITCH, RATE])
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:24]


def cached_call(lines: list[Line], agent_name: str, cache_dir: Path) -> tuple[bytes, list[dict[str, Any]]]:
    """`render_call`, but generated once per content into `cache_dir` and read back afterwards.

    A recording shipped with the package (`simulator.shipped`) is used instead of synthesising it.
    """
    from qa_service.simulator.shipped import shipped_call

    key = content_key(lines, agent_name)
    audio_path, truth_path = cache_dir / f"{key}.wav", cache_dir / f"{key}.json"
    with _LOCK:
        if not (audio_path.is_file() and truth_path.is_file()):
            cache_dir.mkdir(parents=True, exist_ok=True)
            audio, truth = shipped_call(key) or render_call(lines, agent_name, cache_dir)
            # Written under a temporary name first so a crash never leaves half a file in the cache.
            audio_tmp = audio_path.with_suffix(".wav.part")
            audio_tmp.write_bytes(audio)
            truth_path.write_text(json.dumps(truth, ensure_ascii=False), "utf-8")
            audio_tmp.replace(audio_path)
    return audio_path.read_bytes(), json.loads(truth_path.read_text("utf-8"))
