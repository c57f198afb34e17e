"""End-to-end call benchmark: scripted stereo calls, spoken, transcribed and scored by the commands of record.

    .venv/bin/python benchmarks/calls.py --quick                 # 3 dev calls (the CI smoke run)
    .venv/bin/python benchmarks/calls.py --set dev               # every dev call
    .venv/bin/python benchmarks/calls.py --set heldout --baseline   # the frozen part, once, with the CLI baseline

Each call script (benchmarks/data/calls/<set>/*.json, written from the customer's standard by
authors who never saw the rubrics) is spoken by Festival's Russian voice (the simulator's
phrase cache; the customer lowered by sox `pitch` and sped up a little so the two voices differ),
laid out on 8 kHz stereo (agent channel 0, customer channel 1) at the script's pauses, and given
its audio condition with sox: `clean`; `telephone_noise` (300–3400 Hz band-pass and seeded noise at
about 18 dB SNR); `level_change` (the customer 12 dB quieter and the agent 6 dB louder from the
middle of the call); `codec` (a GSM 06.10 pass of each channel, then the telephone band).  The
timing truth (each line's speech span, holds, overtalk) is written beside the WAV.

Then, per call, as an operator would: `qa-service transcribe AUDIO --channels 0=agent,1=customer
--json` → the interaction JSON (`qa_service/schemas/interaction.schema.json`) → `qa-service score
FILE --json`.  `--inproc` runs the same two steps in one process (the same functions the
commands call, the model loaded once) for quick lever sweeps; `--settings` then overrides
`DecodeSettings`.  Printed, for the set: WER (agent/customer; numbers as digits, and digits as
words), per-criterion agreement with the script's expected answers, missed and false
`no_card_by_voice` failures, any run of the script's `card_digits` found in the transcript or the
evaluation, hold and overtalk detection against the timing truth, and the speed.  `--baseline`
also runs the plain `whisper-ctranslate2` CLI on the same WAVs in the same run.

WER is measured on what the commands print, which is redacted: a redaction placeholder counts
as matching the one reference word it stands on (names and digits removed on purpose are not
recognition errors; words the redactor eats by mistake are benchmarks/redaction.py's business).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "benchmarks" / "data" / "calls"
CACHE = ROOT / "benchmarks" / ".cache" / "calls"
VENV_BIN = Path(sys.executable).parent
RATE = 8000
SEED = 20261208
RENDER_VERSION = "calls-v1"  # part of every rendered call's cache key
HOLD_SECONDS = 20.0  # the standard's hold: both channels silent longer than this
OVERTALK_SECONDS = 1.0  # as the product counts an overtalk episode (asr.metrics.MIN_OVERTALK)
QUICK_CALLS = 3
CUSTOMER_TEMPO = 1.08  # with the simulator's -200 cent pitch: a second voice, not just a lower one
STARTED_AT = "2026-12-01T10:00:00+03:00"
SPEAKERS = ("agent", "customer")


# ---------------------------------------------------------------- scripts
def load_scripts(folder: Path) -> list[dict[str, Any]]:
    scripts = []
    for path in sorted(folder.glob("*.json")):
        script = json.loads(path.read_text("utf-8"))
        script["_file"] = path.name
        scripts.append(script)
    if not scripts:
        raise SystemExit(f"no call scripts in {folder}")
    return scripts


# ---------------------------------------------------------------- rendering
def _line_samples(text: str, speaker: str) -> np.ndarray:
    """One line as 8 kHz int16: the simulator's cached Festival phrase; the customer also sped up."""
    from qa_service.simulator.audio import phrase_samples

    samples = phrase_samples(text, speaker, CACHE)
    if speaker != "customer":
        return samples
    key = hashlib.sha256(json.dumps([text, CUSTOMER_TEMPO]).encode()).hexdigest()[:24]
    path = CACHE / "tempo" / f"{key}.wav"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "in.wav"
            _write_wav(raw, samples[:, None])
            part = Path(tmp) / "out.wav"
            subprocess.run(["sox", "-V1", "-D", str(raw), str(part), "tempo", "-s", str(CUSTOMER_TEMPO)],
                           check=True, timeout=60)
            part.replace(path)
    return _read_wav(path)[:, 0]


def _read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as source:
        data = np.frombuffer(source.readframes(source.getnframes()), dtype="<i2")
        return data.reshape(-1, source.getnchannels()).copy()


def _write_wav(path: Path, frames: np.ndarray) -> None:
    with wave.open(str(path), "wb") as target:
        target.setnchannels(frames.shape[1])
        target.setsampwidth(2)
        target.setframerate(RATE)
        target.writeframes(np.ascontiguousarray(frames, dtype="<i2").tobytes())


def _voiced_span(samples: np.ndarray) -> tuple[int, int]:
    """First and last sample of audible speech (Festival pads each phrase with silence)."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > 400)
    return (int(loud[0]), int(loud[-1]) + 1) if loud.size else (0, len(samples))


def prepare(scripts: list[dict[str, Any]], workers: int = 4) -> None:
    """Synthesise every distinct line of `scripts` into the cache, several Festival processes at once."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for script in scripts:  # call by call, so the first calls are ready early
            distinct = sorted({(ln["text"], "agent" if ln["speaker"] == "agent" else "customer")
                               for ln in script["lines"]})
            list(pool.map(lambda item: _line_samples(*item), distinct))
            render(script)


def layout(script: dict[str, Any]) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """The clean stereo call and each line's placement (the audible speech span, in seconds)."""
    lines = script["lines"]
    rendered = [_line_samples(line["text"], "agent" if line["speaker"] == "agent" else "customer") for line in lines]
    placed, cursor = [], 0.0
    for line, samples in zip(lines, rendered, strict=True):
        start = max(0.0, cursor + float(line.get("pause", 0.5)))
        placed.append((start, samples))
        cursor = start + len(samples) / RATE
    total = int((max(s + len(x) / RATE for s, x in placed) + 0.8) * RATE)
    stereo = np.zeros((total, 2), dtype=np.int32)
    truth = []
    for line, (start, samples) in zip(lines, placed, strict=True):
        channel = 0 if line["speaker"] == "agent" else 1
        offset = int(start * RATE)
        stereo[offset : offset + len(samples), channel] += samples
        first, last = _voiced_span(samples)
        truth.append({"speaker": line["speaker"], "text": line["text"],
                      "start": round((offset + first) / RATE, 2), "end": round((offset + last) / RATE, 2)})
    return np.clip(stereo, -32768, 32767).astype(np.int16), truth


def _sox(source: Path, target: Path, *effects: str) -> None:
    encoding = ["-e", "signed-integer", "-b", "16"] if target.suffix == ".wav" else []
    subprocess.run(["sox", "-V1", "-D", "-R", str(source), *encoding, str(target), *effects], check=True, timeout=120)


def apply_condition(frames: np.ndarray, condition: str, seed: int) -> np.ndarray:
    """The call's audio condition (see the module docstring); deterministic for a given seed."""
    from scipy.signal import lfilter

    if condition == "clean":
        return frames
    out = frames.astype(np.float64)
    if condition == "level_change":
        middle = len(out) // 2
        out[middle:, 1] *= 10 ** (-12 / 20)
        out[middle:, 0] *= 10 ** (6 / 20)
        return np.clip(out, -32768, 32767).astype(np.int16)
    with tempfile.TemporaryDirectory() as tmp:
        result = []
        for channel in range(2):
            mono = Path(tmp) / f"c{channel}.wav"
            _write_wav(mono, frames[:, channel : channel + 1])
            if condition == "codec":
                gsm, back = Path(tmp) / f"c{channel}.gsm", Path(tmp) / f"c{channel}-back.wav"
                _sox(mono, gsm)
                _sox(gsm, back, "sinc", "300-3400")
                samples = _read_wav(back)[:, 0].astype(np.float64)
            elif condition == "telephone_noise":
                band = Path(tmp) / f"c{channel}-band.wav"
                _sox(mono, band, "sinc", "300-3400")
                samples = _read_wav(band)[:, 0].astype(np.float64)
                speech_rms = float(np.sqrt(np.mean(np.square(samples[np.abs(samples) > 400])))) if np.any(
                    np.abs(samples) > 400) else 1000.0
                noise = np.random.default_rng(seed + channel).normal(0.0, 1.0, len(samples))
                # Line noise is not white: a one-pole low-pass gives it a hiss-and-hum colour.
                coloured = lfilter([1.0], [1.0, -0.85], noise)
                coloured *= speech_rms * 10 ** (-18 / 20) / max(float(np.std(coloured)), 1e-9)
                samples = samples + coloured
            else:
                raise SystemExit(f"unknown audio condition {condition!r}")
            length = len(frames)
            samples = np.pad(samples, (0, max(0, length - len(samples))))[:length]
            result.append(samples)
    return np.clip(np.stack(result, axis=1), -32768, 32767).astype(np.int16)


def truth_timing(lines: list[dict[str, Any]]) -> dict[str, Any]:
    """Holds (nobody speaks > 20 s) and overtalk (both speak at once) from the line placements."""
    spans = sorted((ln["start"], ln["end"]) for ln in lines)
    holds, reach = [], 0.0
    for start, end in spans:
        if start - reach > HOLD_SECONDS:
            holds.append([round(reach, 2), round(start, 2)])
        reach = max(reach, end)
    overlaps = []
    agent = [(ln["start"], ln["end"]) for ln in lines if ln["speaker"] == "agent"]
    customer = [(ln["start"], ln["end"]) for ln in lines if ln["speaker"] == "customer"]
    for a0, a1 in agent:
        for c0, c1 in customer:
            lo, hi = max(a0, c0), min(a1, c1)
            if hi > lo:
                overlaps.append([round(lo, 2), round(hi, 2)])
    overlaps.sort()
    return {"holds": holds, "overtalk": [o for o in overlaps if o[1] - o[0] >= OVERTALK_SECONDS],
            "short_overlaps": [o for o in overlaps if o[1] - o[0] < OVERTALK_SECONDS]}


def render(script: dict[str, Any]) -> tuple[Path, dict[str, Any]]:
    """The call's WAV and timing truth, rendered once per content into the cache."""
    from qa_service.simulator.audio import ENGINE

    content = json.dumps([RENDER_VERSION, ENGINE, CUSTOMER_TEMPO, script["condition"],
                          [(ln["speaker"], ln["text"], ln.get("pause")) for ln in script["lines"]]],
                         ensure_ascii=False)
    key = hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]
    wav, meta = CACHE / f"{script['id']}-{key}.wav", CACHE / f"{script['id']}-{key}.truth.json"
    if not (wav.is_file() and meta.is_file()):
        CACHE.mkdir(parents=True, exist_ok=True)
        frames, lines = layout(script)
        frames = apply_condition(frames, script["condition"], SEED + int(key[:6], 16))
        truth = {"id": script["id"], "condition": script["condition"], "duration": round(len(frames) / RATE, 2),
                 "lines": lines, **truth_timing(lines)}
        part = wav.with_suffix(".part.wav")
        _write_wav(part, frames)
        meta.write_text(json.dumps(truth, ensure_ascii=False, indent=1), "utf-8")
        part.replace(wav)
    return wav, json.loads(meta.read_text("utf-8"))


# ---------------------------------------------------------------- the commands of record
def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "qa_service", *args]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def transcribe_cli(wav: Path) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    done = subprocess.run(_command("transcribe", str(wav), "--channels", "0=agent,1=customer", "--json"),
                          capture_output=True, text=True, env=_env(), timeout=1800)
    if done.returncode:
        raise SystemExit(f"qa-service transcribe {wav.name} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout), time.perf_counter() - started


def score_cli(interaction_path: Path) -> dict[str, Any]:
    done = subprocess.run(_command("score", str(interaction_path), "--json"), capture_output=True, text=True,
                          env=_env(), timeout=600)
    if done.returncode:
        raise SystemExit(f"qa-service score {interaction_path.name} failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


class InProcess:
    """The same two steps in one process (model loaded once), for lever sweeps."""

    def __init__(self, settings: dict[str, Any]) -> None:
        from qa_service.asr.transcriber import DecodeSettings, Transcriber

        self.transcriber = Transcriber(settings=DecodeSettings(**settings))

    def transcribe(self, wav: Path) -> tuple[dict[str, Any], float]:
        from qa_service.asr.pipeline import transcribe_recording

        started = time.perf_counter()
        doc = transcribe_recording(wav, {0: "agent", 1: "customer"}, self.transcriber).to_json()
        return doc, time.perf_counter() - started

    @staticmethod
    def score(interaction_path: Path) -> dict[str, Any]:
        from qa_service.cli.score import read_interaction, redacted
        from qa_service.core.rubric import default_rubric_id, load_rubric
        from qa_service.core.scoring import score_interaction

        interaction = redacted(read_interaction(str(interaction_path)))
        evaluation = score_interaction(interaction, load_rubric(default_rubric_id(interaction.channel)))
        result: dict[str, Any] = json.loads(json.dumps(evaluation.to_json(), ensure_ascii=False))
        return result


def interaction_of(script: dict[str, Any], transcript: dict[str, Any]) -> dict[str, Any]:
    """The interaction JSON a platform connector would send for this recording (schema of record)."""
    metrics = transcript["metrics"]
    doc: dict[str, Any] = {
        "external_id": script["id"],
        "source": "calls-benchmark",
        "channel": "call",
        "direction": script.get("direction", "inbound"),
        "agent_id": f"agent-{script['id']}",
        "started_at": STARTED_AT,
        "outcome": "answered",
        "recording": {"uri": f"{script['id']}.wav", "channels": {"0": "agent", "1": "customer"}},
        "turns": [{"speaker": t["speaker"], "text": t["text"], "start": t["start"], "end": t["end"]}
                  for t in transcript["turns"]],
        "metrics": {key: metrics[key] for key in ("silences", "overtalk", "holds", "talk_ratio") if key in metrics},
        "quality": {"score": transcript["quality"]["score"], "flags": transcript["quality"]["flags"]},
        "meta": {},
    }
    if transcript.get("card_data_detected"):
        doc["meta"]["card_data_detected"] = True  # as services.transcription stores it
    return doc


# ---------------------------------------------------------------- measures
_UNITS = ("ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять")
_TEENS = ("десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать", "пятнадцать", "шестнадцать",
          "семнадцать", "восемнадцать", "девятнадцать")
_TENS = ("", "", "двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят", "семьдесят", "восемьдесят", "девяносто")
_HUNDREDS = ("", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот", "семьсот", "восемьсот", "девятьсот")


def _number_words(digits: str) -> str:
    """A digit string in Russian words: up to 9999 as one number, longer strings digit by digit."""
    if len(digits) > 4 or (len(digits) > 1 and digits.startswith("0")):
        return " ".join(_UNITS[int(d)] for d in digits)
    value = int(digits)
    if value == 0:
        return _UNITS[0]
    words = []
    thousands, rest = divmod(value, 1000)
    if thousands:
        words.append({1: "одна тысяча", 2: "две тысячи", 3: "три тысячи", 4: "четыре тысячи"}.get(
            thousands, f"{_UNITS[thousands]} тысяч"))
    hundreds, rest = divmod(rest, 100)
    if hundreds:
        words.append(_HUNDREDS[hundreds])
    if 10 <= rest < 20:
        words.append(_TEENS[rest - 10])
    else:
        tens, unit = divmod(rest, 10)
        if tens:
            words.append(_TENS[tens])
        if unit:
            words.append(_UNITS[unit])
    return " ".join(words)


REDACTED = "zzredactedzz"  # a redaction placeholder as one word token


def normalise(text: str, digits_as_words: bool = False) -> str:
    """Lower case, ё→е, numbers as digits (or every digit string as words), no punctuation;
    each redaction placeholder («[имя]», «[карта]») becomes one `REDACTED` token."""
    from qa_service.core.redaction.numbers import number_runs

    text = re.sub(r"\[[^\]]{1,40}\]", f" {REDACTED} ", text.lower().replace("ё", "е"))
    pieces, cursor = [], 0
    for run in number_runs(text):
        for group in run.groups:
            pieces.append(text[cursor : group.start])
            pieces.append(f" {group.digits} ")
            cursor = group.end
    pieces.append(text[cursor:])
    text = re.sub(r"[^\w\s]|_", " ", "".join(pieces))
    if digits_as_words:
        text = re.sub(r"\d+", lambda m: f" {_number_words(m.group())} ", text)
    return " ".join(text.split())


def word_errors(reference: list[str], hypothesis: list[str]) -> int:
    """Levenshtein distance over words, where a `REDACTED` hypothesis word matches any reference word.

    The transcript of record is redacted on purpose; a placeholder standing where the reference
    has a name or a digit is not a recognition error (how well redaction itself does is measured
    by benchmarks/redaction.py).
    """
    previous = list(range(len(hypothesis) + 1))
    for i, ref_word in enumerate(reference, 1):
        current = [i] + [0] * len(hypothesis)
        for j, hyp_word in enumerate(hypothesis, 1):
            same = hyp_word in (ref_word, REDACTED)
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (0 if same else 1))
        previous = current
    return previous[-1]


def wer_parts(references: list[str], hypotheses: list[str], digits_as_words: bool) -> dict[str, int]:
    errors = words = 0
    for reference, hypothesis in zip(references, hypotheses, strict=True):
        ref = normalise(reference, digits_as_words).split()
        errors += word_errors(ref, normalise(hypothesis, digits_as_words).split())
        words += len(ref)
    return {"errors": errors, "words": words}


def _digit_streams(texts: list[str]) -> list[str]:
    """Every text's numbers as digits, with separators between number groups dropped."""
    from qa_service.core.redaction.numbers import number_runs

    streams = []
    for text in texts:
        lowered = text.lower()
        streams.append("".join(g.digits for run in number_runs(lowered) for g in run.groups))
        streams.append(re.sub(r"\D", "", lowered))
    return streams


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


def card_leaks(card_digits: list[str], outputs: list[Any]) -> list[dict[str, Any]]:
    """Runs of the script's card/CVV/expiry digits that survive in any output text.

    A run counts when ≥ 4 consecutive digits of a long card string, or the whole of a short one
    (CVV, expiry), appear inside one output text's digit stream.
    """
    texts = [s for out in outputs for s in _strings(out)]
    streams = _digit_streams(texts)
    leaks = []
    for secret in card_digits:
        digits = re.sub(r"\D", "", secret)
        if len(digits) < 3:
            continue
        need = len(digits) if len(digits) <= 4 else 4
        longest = 0
        for stream in streams:
            for size in range(len(digits), need - 1, -1):
                if size <= longest:
                    break
                if any(digits[i : i + size] in stream for i in range(len(digits) - size + 1)):
                    longest = size
                    break
        if longest >= need:
            leaks.append({"length": len(digits), "found_run": longest})
    return leaks


def match_intervals(truth: list[list[float]], found: list[list[float]], slack: float = 0.5) -> dict[str, Any]:
    """Truth episodes found (an overlapping detected interval), extra detections, worst boundary error."""
    hit, errors, used = 0, [], set()
    for t0, t1 in truth:
        for index, (f0, f1) in enumerate(found):
            if index not in used and f0 < t1 + slack and f1 > t0 - slack:
                used.add(index)
                hit += 1
                errors.append(max(abs(f0 - t0), abs(f1 - t1)))
                break
    return {"truth": len(truth), "found": hit, "extra": len(found) - len(used),
            "max_boundary_error": round(max(errors), 2) if errors else None}


# ---------------------------------------------------------------- one set
def run_set(scripts: list[dict[str, Any]], engine: InProcess | None, work: Path) -> dict[str, Any]:
    per_call = []
    for index, script in enumerate(scripts):
        wav, truth = render(script)
        transcript, seconds = engine.transcribe(wav) if engine else transcribe_cli(wav)
        interaction = interaction_of(script, transcript)
        path = work / f"{script['id']}.interaction.json"
        path.write_text(json.dumps(interaction, ensure_ascii=False), "utf-8")
        evaluation = engine.score(path) if engine else score_cli(path)
        answers = {c["id"]: c["answer"] for c in evaluation["criteria"]}
        per_call.append({
            "_index": index, "id": script["id"], "condition": script["condition"], "wav": str(wav),
            "audio_seconds": truth["duration"],
            "transcribe_seconds": round(seconds, 2), "transcript": transcript, "evaluation": evaluation,
            "answers": answers, "expected": script["expected"], "truth": truth,
            "leaks": card_leaks(script.get("card_digits", []), [transcript, evaluation]),
            "reference": {sp: " ".join(ln["text"] for ln in script["lines"] if ln["speaker"] == sp)
                          for sp in SPEAKERS},
        })
        print(f"  {script['id']:<6} {script['condition']:<16} {truth['duration']:6.1f} s audio, "
              f"{seconds:5.1f} s; score {evaluation.get('score')}", flush=True)
    return summarise(per_call)


def summarise(per_call: list[dict[str, Any]]) -> dict[str, Any]:
    wer: dict[str, Any] = {}
    for mode, as_words in (("digits", False), ("words", True)):
        for speaker in SPEAKERS:
            parts = [wer_parts([c["reference"][speaker]],
                               [" ".join(t["text"] for t in c["transcript"]["turns"] if t["speaker"] == speaker)],
                               as_words) for c in per_call]
            errors, words = sum(p["errors"] for p in parts), sum(p["words"] for p in parts)
            wer[f"{speaker}_{mode}"] = round(100 * errors / max(words, 1), 1)
            wer.setdefault(f"_{mode}", [0, 0])
            wer[f"_{mode}"][0] += errors
            wer[f"_{mode}"][1] += words
        errors, words = wer.pop(f"_{mode}")
        wer[f"all_{mode}"] = round(100 * errors / max(words, 1), 1)
    criteria: dict[str, dict[str, int]] = {}
    disagreements = []
    for call in per_call:
        for criterion, expected in call["expected"].items():
            got = call["answers"].get(criterion, "missing")
            row = criteria.setdefault(criterion, {"right": 0, "total": 0, "to_human": 0})
            row["total"] += 1
            row["right"] += got == expected
            row["to_human"] += got is None
            if got != expected:
                disagreements.append(f"{call['id']}:{criterion} expected {expected} got {got}")
    right = sum(r["right"] for r in criteria.values())
    total = sum(r["total"] for r in criteria.values())
    critical = {"truth_failures": 0, "missed": [], "false": [], "missed_but_review": []}
    for call in per_call:
        expected, got = call["expected"].get("no_card_by_voice"), call["answers"].get("no_card_by_voice")
        if expected == "no":
            critical["truth_failures"] += 1
            if got != "no":
                critical["missed"].append(call["id"])
                if call["evaluation"].get("needs_review") or got is None:
                    critical["missed_but_review"].append(call["id"])
        elif got == "no":
            critical["false"].append(call["id"])
    holds = match_intervals([h for c in per_call for h in _shifted(c, "holds", truth=True)],
                            [h for c in per_call for h in _shifted(c, "holds", truth=False)])
    overtalk = match_intervals([h for c in per_call for h in _shifted(c, "overtalk", truth=True)],
                               [h for c in per_call for h in _shifted(c, "overtalk", truth=False)])
    audio = sum(c["audio_seconds"] for c in per_call)
    spent = sum(c["transcribe_seconds"] for c in per_call)
    return {
        "calls": len(per_call),
        "audio_seconds": round(audio, 1),
        "transcribe_seconds": round(spent, 1),
        "real_time_factor": round(audio / max(spent, 1e-9), 2),
        "wer": wer,
        "criteria": {"right": right, "total": total, "percent": round(100 * right / max(total, 1), 1),
                     "by_criterion": criteria, "disagreements": disagreements},
        "critical_no_card_by_voice": critical,
        "card_digit_leaks": {c["id"]: c["leaks"] for c in per_call if c["leaks"]},
        "holds": holds,
        "overtalk": overtalk,
        "short_overlaps_in_truth": sum(len(c["truth"]["short_overlaps"]) for c in per_call),
        "per_call": [{key: c[key] for key in ("id", "condition", "audio_seconds", "transcribe_seconds", "answers",
                                              "expected", "leaks", "wav", "reference")}
                     | {"score": c["evaluation"].get("score"),
                        "heard": {s: " ".join(t["text"] for t in c["transcript"]["turns"] if t["speaker"] == s)
                                  for s in SPEAKERS},
                        "metrics": c["transcript"]["metrics"], "quality": c["transcript"]["quality"]}
                     for c in per_call],
    }


def _shifted(call: dict[str, Any], kind: str, truth: bool) -> list[list[float]]:
    """A call's intervals moved onto one long time line, so episodes of different calls never match."""
    offset = 100000.0 * call["_index"] if "_index" in call else 0.0
    source = call["truth"][kind] if truth else call["transcript"]["metrics"].get(kind, [])
    return [[a + offset, b + offset] for a, b in source]


# ---------------------------------------------------------------- baseline
def run_baseline(wavs: list[str]) -> dict[str, Any]:
    """The plain `whisper-ctranslate2` CLI (defaults except model and language), all files in one run."""
    from qa_service.asr.model_store import ensure_model

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        done = subprocess.run([str(VENV_BIN / "whisper-ctranslate2"), *wavs, "--model_directory", str(ensure_model()),
                               "--language", "ru", "--output_format", "json", "--output_dir", tmp,
                               "--verbose", "False"], capture_output=True, text=True, timeout=7200)
        wall = time.perf_counter() - started
        if done.returncode:
            raise SystemExit(f"whisper-ctranslate2 failed: {done.stderr[-2000:]}")
    return {"wall_seconds": round(wall, 1)}


def _print(name: str, result: dict[str, Any]) -> None:
    w, c, k = result["wer"], result["criteria"], result["critical_no_card_by_voice"]
    print(f"== {name}: {result['calls']} calls, {result['audio_seconds']} s of audio, transcribed in "
          f"{result['transcribe_seconds']} s ({result['real_time_factor']}x real time)")
    print(f"WER numbers as digits: all {w['all_digits']} %, agent {w['agent_digits']} %, customer "
          f"{w['customer_digits']} %; digits as words: all {w['all_words']} %, agent {w['agent_words']} %, "
          f"customer {w['customer_words']} %")
    print(f"criterion answers right: {c['right']}/{c['total']} = {c['percent']} %")
    for criterion, row in c["by_criterion"].items():
        print(f"  {criterion:<18} {row['right']}/{row['total']}" + (f" ({row['to_human']} to a person)"
                                                                   if row["to_human"] else ""))
    print(f"no_card_by_voice: {k['truth_failures']} true failures; missed {len(k['missed'])} {k['missed']} "
          f"(sent to review {k['missed_but_review']}); false {len(k['false'])} {k['false']}")
    print(f"card/CVV digit runs found in outputs: {sum(len(v) for v in result['card_digit_leaks'].values())} "
          f"{result['card_digit_leaks']}")
    h, o = result["holds"], result["overtalk"]
    print(f"holds: {h['found']}/{h['truth']} found, {h['extra']} extra, worst boundary {h['max_boundary_error']} s; "
          f"overtalk ≥ {OVERTALK_SECONDS} s: {o['found']}/{o['truth']} found, {o['extra']} extra, worst boundary "
          f"{o['max_boundary_error']} s ({result['short_overlaps_in_truth']} shorter overlaps in the truth)")
    if "baseline" in result:
        b = result["baseline"]
        print(f"whisper-ctranslate2 CLI on the same {b['calls']} files: {b['wall_seconds']} s; ours "
              f"{b['ours_seconds']} s → speed ratio {b['speed_ratio']}x")
    for line in c["disagreements"]:
        print(f"  ✗ {line}")


def sweep(scripts: list[dict[str, Any]], levers: dict[str, dict[str, Any]], out: Path | None) -> None:
    """Each lever on the same calls in one process (the scoring engine loaded once): one line each."""
    rows = {}
    for name, settings in levers.items():
        load = os.getloadavg()[0]
        with tempfile.TemporaryDirectory() as tmp:
            result = run_set(scripts, InProcess(settings), Path(tmp))
        w, c = result["wer"], result["criteria"]
        rows[name] = {"settings": settings, "load": round(load, 1), **{k: result[k] for k in (
            "wer", "audio_seconds", "transcribe_seconds", "real_time_factor")}, "criteria_percent": c["percent"],
            "criteria_right": c["right"], "by_criterion": c["by_criterion"], "per_call": result["per_call"]}
        print(f"LEVER {name:<14} WER {w['all_digits']:5.1f} % (agent {w['agent_digits']:5.1f}, customer "
              f"{w['customer_digits']:5.1f}; words {w['all_words']:5.1f}) criteria {c['right']}/{c['total']} "
              f"ASR {result['transcribe_seconds']:6.1f} s for {result['audio_seconds']} s (load {load:.1f})",
              flush=True)
        if out:
            out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", default="dev", help="dev | heldout | a folder of call scripts")
    parser.add_argument("--quick", action="store_true", help=f"the first {QUICK_CALLS} dev calls (CI smoke run)")
    parser.add_argument("--only", help="comma-separated call ids")
    parser.add_argument("--limit", type=int, help="at most this many calls")
    parser.add_argument("--inproc", action="store_true", help="one process, model loaded once (lever sweeps)")
    parser.add_argument("--settings", default="{}", help="JSON DecodeSettings overrides (with --inproc)")
    parser.add_argument("--sweep", help="JSON {name: DecodeSettings overrides}: one in-process run each, one line each")
    parser.add_argument("--baseline", action="store_true", help="also time the whisper-ctranslate2 CLI")
    parser.add_argument("--render-only", action="store_true", help="render the set's audio into the cache, no ASR")
    parser.add_argument("--workers", type=int, default=4, help="Festival processes at once (--render-only)")
    parser.add_argument("--baseline-calls", type=int, help="time the CLI on only the first N calls (and ours on them)")
    parser.add_argument("--out", help="results JSON (default benchmarks/.cache/calls-<set>.json)")
    args = parser.parse_args()
    folder = DATA / args.set if args.set in ("dev", "heldout") else Path(args.set)
    scripts = load_scripts(folder)
    if args.only:
        wanted = set(args.only.split(","))
        scripts = [s for s in scripts if s["id"] in wanted]
    if args.quick:
        scripts = scripts[:QUICK_CALLS]
    if args.limit:
        scripts = scripts[: args.limit]
    settings = json.loads(args.settings)
    if settings and not args.inproc:
        raise SystemExit("--settings needs --inproc (the commands of record take the operator's settings)")
    if args.render_only:
        prepare(scripts, args.workers)
        print(f"# rendered {len(scripts)} calls into {CACHE}")
        return
    if args.sweep:
        sweep(scripts, json.loads(args.sweep), Path(args.out) if args.out else None)
        return
    load_before = os.getloadavg()
    name = args.set if args.set in ("dev", "heldout") else folder.name
    print(f"# {name}: {len(scripts)} calls; {'in-process ' + json.dumps(settings) if args.inproc else 'commands'}"
          f"; load average {load_before[0]:.2f}; cpus {os.cpu_count()}", flush=True)
    engine = InProcess(settings) if args.inproc else None
    with tempfile.TemporaryDirectory() as tmp:
        result = run_set(scripts, engine, Path(tmp))
    if args.baseline:
        timed = result["per_call"][: args.baseline_calls or None]
        baseline = run_baseline([c["wav"] for c in timed])
        ours = sum(c["transcribe_seconds"] for c in timed)
        baseline.update(calls=len(timed), ours_seconds=round(ours, 1),
                        speed_ratio=round(baseline["wall_seconds"] / max(ours, 1e-9), 2))
        result["baseline"] = baseline
    result.update(set=name, settings=settings, mode="inproc" if args.inproc else "commands",
                  load_average_before=round(load_before[0], 2), load_average_after=round(os.getloadavg()[0], 2))
    _print(name, result)
    print(f"# load average after: {result['load_average_after']:.2f}", flush=True)
    out = Path(args.out) if args.out else CACHE.parent / f"calls-{name}{'-quick' if args.quick else ''}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1), "utf-8")
    print(f"# results: {out}")


if __name__ == "__main__":
    main()
