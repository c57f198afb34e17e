"""ASR benchmark: accuracy and speed of `qa_service.asr` against the plain whisper-ctranslate2 CLI.

    .venv/bin/python benchmarks/asr.py --quick     # 6 prompt files + 2 dialogues
    .venv/bin/python benchmarks/asr.py             # ~20 prompt files (~22 min) + 6 dialogues

Data (built once into benchmarks/.cache/, git-ignored):
- prompts: Debian's asterisk-core-sounds-ru-wav — a real Russian speaker, 8 kHz telephone
  prompts — concatenated in a seeded random order into ~60 s files with 0.7 s of silence
  between, references from core-sounds-ru.txt.gz concatenated likewise;
- dialogues: stereo 8 kHz two-speaker airline calls synthesised with espeak-ng + sox
  (agent on channel 0, customer on channel 1), with a hold and an overtalk.

Both systems run in child processes on the same files in the same run, so the machine
load is shared alike; peak RSS is each child's own (os.wait4).  WER/CER are computed with
jiwer after the same normalisation on both sides (lower case, ё→е, punctuation removed,
numerals as digits).  Our WER is measured before redaction (redaction replaces numbers on
purpose and is not an ASR error).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CACHE = ROOT / "benchmarks" / ".cache"
SOUNDS = Path("/usr/share/asterisk/sounds/ru")
PROMPTS_TXT = Path("/usr/share/doc/asterisk-core-sounds-ru/core-sounds-ru.txt.gz")
VENV_BIN = Path(sys.executable).parent
SEED = 20260424
TARGET_SECONDS = 60.0
GAP_SECONDS = 0.7
SAMPLE_RATE = 8000


# ---------------------------------------------------------------- normalisation and scoring
def normalise(text: str) -> str:
    """Lower case, ё→е, numerals as digits, punctuation removed, single spaces."""
    from qa_service.core.redaction.numbers import number_runs

    text = text.lower().replace("ё", "е")
    pieces = []
    cursor = 0
    for run in number_runs(text):
        for group in run.groups:
            pieces.append(text[cursor : group.start])
            pieces.append(f" {group.digits} ")
            cursor = group.end
    pieces.append(text[cursor:])
    text = "".join(pieces)
    text = re.sub(r"[^\w\s]|_", " ", text)
    return " ".join(text.split())


def error_rates(references: list[str], hypotheses: list[str]) -> dict[str, float]:
    import jiwer

    refs = [normalise(r) for r in references]
    hyps = [normalise(h) for h in hypotheses]
    return {"wer": round(100 * jiwer.wer(refs, hyps), 2), "cer": round(100 * jiwer.cer(refs, hyps), 2)}


# ---------------------------------------------------------------- data sets
def _duration(path: Path) -> float:
    return float(subprocess.run(["soxi", "-D", str(path)], capture_output=True, text=True, check=True).stdout)


def build_prompt_set() -> list[dict[str, Any]]:
    """~20 files of ~60 s of real human Russian telephone prompts, with references."""
    out_dir = CACHE / "prompts"
    index = out_dir / "index.json"
    if index.is_file():
        items: list[dict[str, Any]] = json.loads(index.read_text("utf-8"))
        return items
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = []
    with gzip.open(PROMPTS_TXT, "rt", encoding="utf-8") as handle:
        for line in handle:
            key, sep, text = line.partition(":")
            key, text = key.strip(), text.strip()
            if not sep or "/" in key or key.startswith(";") or not text or text.startswith("["):
                continue
            wav = SOUNDS / f"{key}.wav"
            if wav.is_file() and (length := _duration(wav)) >= 0.8:
                entries.append((key, text, wav, length))
    random.Random(SEED).shuffle(entries)
    gap = out_dir / "gap.wav"
    silence = ["sox", "-n", "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(gap), "trim", "0", str(GAP_SECONDS)]
    subprocess.run(silence, check=True)
    items, batch, seconds = [], [], 0.0
    for entry in entries:
        batch.append(entry)
        seconds += entry[3] + GAP_SECONDS
        if seconds >= TARGET_SECONDS:
            items.append(_write_prompt_file(out_dir, len(items), batch, gap))
            batch, seconds = [], 0.0
    if seconds >= TARGET_SECONDS / 2:
        items.append(_write_prompt_file(out_dir, len(items), batch, gap))
    index.write_text(json.dumps(items, ensure_ascii=False, indent=1), "utf-8")
    return items


def _write_prompt_file(out_dir: Path, number: int, batch: list[Any], gap: Path) -> dict[str, Any]:
    path = out_dir / f"prompts-{number:02d}.wav"
    inputs: list[str] = []
    for _key, _text, wav, _length in batch:
        inputs += [str(wav), str(gap)]
    subprocess.run(["sox", *inputs, "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(path)], check=True)
    return {"path": str(path), "reference": " ".join(t for _k, t, _w, _l in batch), "duration": _duration(path)}


# Realistic airline call scripts: (speaker, text, pause before in seconds; negative = overlap).
DIALOGUES: list[list[tuple[str, str, float]]] = [
    [("agent", "Авиакомпания Северный Ветер, здравствуйте, меня зовут Анна. Чем могу помочь?", 0.5),
     ("customer", "Здравствуйте. Я хочу вернуть билет на рейс в Сочи на пятое марта.", 0.6),
     ("agent", "Назовите, пожалуйста, код бронирования или фамилию пассажира.", 0.5),
     ("customer", "Фамилия Смирнов, код бронирования икс эр семь два.", 0.7),
     ("agent", "Оставайтесь, пожалуйста, на линии, я уточню условия тарифа.", 0.4),
     ("agent", "Спасибо за ожидание. Тариф невозвратный, но можно вернуть таксы и сборы.", 24.0),
     ("customer", "Хорошо, тогда оформите возврат сборов.", 0.5),
     ("agent", "Возврат оформлен, деньги поступят на карту в течение десяти дней. Всего доброго.", 0.6)],
    [("agent", "Авиакомпания Северный Ветер, добрый день, меня зовут Игорь.", 0.4),
     ("customer", "Добрый день, я хочу поменять дату вылета на следующую неделю.", 0.5),
     ("agent", "Какой у вас номер заказа?", 0.5),
     ("customer", "Номер заказа четыре пять восемь один.", 0.6),
     ("agent", "Обмен возможен со штрафом две тысячи рублей плюс разница в тарифе.", 0.5),
     ("customer", "Подождите, это слишком дорого, я не согласен платить штраф.", -1.8),
     ("agent", "Понимаю вас. Могу ли я ещё чем-то помочь?", 0.6),
     ("customer", "Нет, спасибо, до свидания.", 0.5)],
    [("agent", "Авиакомпания Северный Ветер, здравствуйте, меня зовут Мария.", 0.5),
     ("customer", "Здравствуйте, мой багаж не прилетел в Новосибирск.", 0.5),
     ("agent", "Сочувствую. Назовите номер рейса и номер багажной бирки.", 0.5),
     ("customer", "Рейс триста двенадцать, бирка у меня на посадочном талоне.", 0.7),
     ("agent", "Я зарегистрировала заявку о розыске багажа. Мы позвоним вам, когда он найдётся.", 0.5),
     ("customer", "Спасибо большое.", 0.5),
     ("agent", "Спасибо за обращение в авиакомпанию Северный Ветер, хорошего полёта.", 0.5)],
    [("agent", "Авиакомпания Северный Ветер, здравствуйте, оператор Дмитрий.", 0.5),
     ("customer", "Здравствуйте, у меня не проходит оплата картой на сайте.", 0.5),
     ("agent", "Пожалуйста, не называйте данные карты. Я отправлю вам ссылку на оплату по смс.", 0.5),
     ("customer", "Хорошо, отправьте ссылку.", 0.6),
     ("agent", "Ссылка отправлена. Оплатить нужно в течение двадцати минут.", 0.5),
     ("customer", "Спасибо, всё получилось.", 3.0),
     ("agent", "Рада помочь. Всего доброго.", 0.5)],
]


def build_dialogue_set(count: int) -> list[dict[str, Any]]:
    """Stereo 8 kHz synthetic calls with per-utterance references and times."""
    out_dir = CACHE / "dialogues"
    out_dir.mkdir(parents=True, exist_ok=True)
    items = []
    voices = {"agent": ("ru", "150"), "customer": ("ru+m3", "165")}
    for number in range(count):
        script = DIALOGUES[number % len(DIALOGUES)]
        path = out_dir / f"dialogue-{number:02d}.wav"
        meta = out_dir / f"dialogue-{number:02d}.json"
        if path.is_file() and meta.is_file():
            items.append(json.loads(meta.read_text("utf-8")))
            continue
        with tempfile.TemporaryDirectory() as tmp:
            cursor = 0.0
            pieces: dict[str, list[tuple[float, Path]]] = {"agent": [], "customer": []}
            utterances = []
            for i, (speaker, text, pause) in enumerate(script):
                raw = Path(tmp) / f"u{i}.wav"
                voice, speed = voices[speaker]
                subprocess.run(["espeak-ng", "-v", voice, "-s", speed, "-w", str(raw), text], check=True)
                utt = Path(tmp) / f"u{i}-8k.wav"
                subprocess.run(["sox", str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(utt)], check=True)
                start = max(0.0, cursor + pause)
                length = _duration(utt)
                pieces[speaker].append((start, utt))
                utterances.append({"speaker": speaker, "text": text, "start": round(start, 2),
                                   "end": round(start + length, 2)})
                cursor = max(cursor, start + length)
            total = cursor + 1.0
            tracks = []
            for speaker in ("agent", "customer"):
                track = Path(tmp) / f"{speaker}.wav"
                _place(pieces[speaker], total, track, Path(tmp))
                tracks.append(str(track))
            subprocess.run(["sox", "-M", *tracks, str(path)], check=True)
        item = {"path": str(path), "utterances": utterances, "duration": _duration(path)}
        meta.write_text(json.dumps(item, ensure_ascii=False), "utf-8")
        items.append(item)
    return items


def _place(pieces: list[tuple[float, Path]], total: float, dest: Path, tmp: Path) -> None:
    """One channel: each utterance padded to its start time, mixed onto silence of `total` s."""
    padded = []
    for i, (start, utt) in enumerate(pieces):
        out = tmp / f"{dest.stem}-p{i}.wav"
        subprocess.run(["sox", str(utt), str(out), "pad", f"{start:.3f}"], check=True)
        padded.append(str(out))
    base = tmp / f"{dest.stem}-silence.wav"
    subprocess.run(["sox", "-n", "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(base), "trim", "0", f"{total:.3f}"],
                   check=True)
    subprocess.run(["sox", "-m", str(base), *padded, str(dest), "trim", "0", f"{total:.3f}"], check=True)


# ---------------------------------------------------------------- systems under test
def run_ours_child(files: list[str], out: Path, settings: dict[str, Any]) -> None:
    """Child process: load once, transcribe every file with the pipeline (before redaction)."""
    from qa_service.asr import pipeline
    from qa_service.asr.transcriber import DecodeSettings, Transcriber

    # WER is measured before redaction (redaction replaces names and numbers on purpose).
    pipeline.redact_channel = lambda turns, policy=None: (turns, [], False)  # type: ignore[assignment]
    started = time.perf_counter()
    transcriber = Transcriber(settings=DecodeSettings(**settings))
    load = time.perf_counter() - started
    results = []
    begun = time.perf_counter()
    for name in files:
        t = pipeline.transcribe_recording(Path(name), None, transcriber)
        results.append({"path": name, "json": t.to_json()})
    out.write_text(json.dumps({"load": load, "wall": time.perf_counter() - begun, "results": results},
                              ensure_ascii=False), "utf-8")


def _spawn(command: list[str]) -> tuple[float, float, int]:
    """Run a child; its wall time, peak RSS (MiB) and exit status."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if status and proc.stderr:
        sys.stderr.write(proc.stderr.read().decode(errors="replace")[-3000:])
    return wall, usage.ru_maxrss / 1024, status


def run_ours(files: list[str], settings: dict[str, Any]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ours.json"
        wall, rss, status = _spawn([sys.executable, __file__, "--child", json.dumps(
            {"files": files, "out": str(out), "settings": settings})])
        if status:
            raise SystemExit("our pipeline failed")
        data: dict[str, Any] = json.loads(out.read_text("utf-8"))
    data.update(process_wall=wall, rss=rss)
    return data


def run_cli(files: list[str], model: Path) -> dict[str, Any]:
    """The plain `whisper-ctranslate2` CLI, defaults except the model and the language, all files at once."""
    with tempfile.TemporaryDirectory() as tmp:
        wall, rss, status = _spawn([str(VENV_BIN / "whisper-ctranslate2"), *files, "--model_directory", str(model),
                                    "--language", "ru", "--output_format", "json", "--output_dir", tmp,
                                    "--verbose", "False"])
        if status:
            raise SystemExit("whisper-ctranslate2 failed")
        texts = {}
        for name in files:
            doc = json.loads((Path(tmp) / f"{Path(name).stem}.json").read_text("utf-8"))
            texts[name] = doc["text"]
    return {"wall": wall, "rss": rss, "texts": texts}


# ---------------------------------------------------------------- reporting
def attribution(utterances: list[dict[str, Any]], turns: list[dict[str, Any]]) -> tuple[int, int]:
    """Words whose midpoint falls in a reference utterance: how many got that utterance's speaker."""
    right = total = 0
    for turn in turns:
        for word in turn["words"]:
            mid = (word["start"] + word["end"]) / 2
            owners = {u["speaker"] for u in utterances if u["start"] - 0.3 <= mid <= u["end"] + 0.3}
            if owners:
                total += 1
                right += turn["speaker"] in owners
    return right, total


def _text(doc: dict[str, Any]) -> str:
    return " ".join(t["text"] for t in doc["turns"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="6 prompt files and 2 dialogues")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--no-cli", action="store_true", help="skip the whisper-ctranslate2 baseline")
    parser.add_argument("--settings", default="{}", help="JSON DecodeSettings overrides for our pipeline")
    args = parser.parse_args()
    if args.child:
        spec = json.loads(args.child)
        run_ours_child(spec["files"], Path(spec["out"]), spec["settings"])
        return
    from qa_service.asr.model_store import ensure_model

    model = ensure_model()
    prompts = build_prompt_set()
    dialogues = build_dialogue_set(2 if args.quick else 6)
    if args.quick:
        prompts = prompts[:6]
    files = [p["path"] for p in prompts]
    audio_seconds = sum(p["duration"] for p in prompts)
    load_before = os.getloadavg()
    settings = json.loads(args.settings)
    print(f"# {len(prompts)} prompt files, {audio_seconds:.0f} s; {len(dialogues)} dialogues; "
          f"load average {load_before[0]:.2f}; cpus {os.cpu_count()}", flush=True)

    ours = run_ours(files, settings)
    hyps = {r["path"]: _text(r["json"]) for r in ours["results"]}
    ours_rates = error_rates([p["reference"] for p in prompts], [hyps[p["path"]] for p in prompts])
    rtf = audio_seconds / ours["process_wall"]
    print(f"ours: WER {ours_rates['wer']} % CER {ours_rates['cer']} %; {rtf:.1f}x real time "
          f"(process wall {ours['process_wall']:.1f} s incl. load {ours['load']:.1f} s; decode-only "
          f"{audio_seconds / ours['wall']:.1f}x); peak RSS {ours['rss']:.0f} MiB", flush=True)
    if not args.no_cli:
        cli = run_cli(files, model)
        cli_rates = error_rates([p["reference"] for p in prompts], [cli["texts"][p["path"]] for p in prompts])
        cli_rtf = audio_seconds / cli["wall"]
        print(f"whisper-ctranslate2 CLI: WER {cli_rates['wer']} % CER {cli_rates['cer']} %; {cli_rtf:.1f}x real time "
              f"(process wall {cli['wall']:.1f} s incl. load); peak RSS {cli['rss']:.0f} MiB", flush=True)
        print(f"speed-up ours / CLI: {rtf / cli_rtf:.2f}x", flush=True)

    d_files = [d["path"] for d in dialogues]
    d_seconds = sum(d["duration"] for d in dialogues)
    d_ours = run_ours(d_files, settings)
    d_docs = {r["path"]: r["json"] for r in d_ours["results"]}
    refs = [" ".join(u["text"] for u in sorted(d["utterances"], key=lambda u: u["start"])) for d in dialogues]
    d_rates = error_rates(refs, [_text(d_docs[d["path"]]) for d in dialogues])
    right = total = 0
    for d in dialogues:
        r, t = attribution(d["utterances"], d_docs[d["path"]]["turns"])
        right, total = right + r, total + t
    holds = sum(len(d_docs[d["path"]]["metrics"]["holds"]) for d in dialogues)
    overtalk = sum(len(d_docs[d["path"]]["metrics"]["overtalk"]) for d in dialogues)
    print(f"dialogues (stereo 8 kHz, espeak-ng): WER {d_rates['wer']} % CER {d_rates['cer']} %; speaker attribution "
          f"{100 * right / max(total, 1):.1f} % of {total} words; {d_seconds / d_ours['process_wall']:.1f}x real time "
          f"(decode-only {d_seconds / d_ours['wall']:.1f}x); holds found {holds}, overtalk episodes {overtalk}; "
          f"peak RSS {d_ours['rss']:.0f} MiB", flush=True)
    if not args.no_cli:
        d_cli = run_cli(d_files, model)
        d_cli_rates = error_rates(refs, [d_cli["texts"][d["path"]] for d in dialogues])
        print(f"dialogues, CLI (downmixed by the CLI, no speakers): WER {d_cli_rates['wer']} %; "
              f"{d_seconds / d_cli['wall']:.1f}x real time", flush=True)
    print(f"# load average after: {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
