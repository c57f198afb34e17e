"""`qa-service transcribe AUDIO [--channels 0=agent,1=customer] [--json]`: one recording → transcript."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from qa_service.core.errors import UserFacingError
from qa_service.core.interaction import SPEAKERS


def parse_channel_map(text: str) -> dict[int, str]:
    """`0=agent,1=customer` → {0: "agent", 1: "customer"}; a bad map is a one-line error."""
    mapping: dict[int, str] = {}
    for part in text.split(","):
        index, sep, speaker = part.strip().partition("=")
        speaker = speaker.strip()
        if not sep or not index.strip().isdigit() or speaker not in SPEAKERS:
            raise UserFacingError(
                f"неверная карта каналов {text!r}: ожидается вида 0=agent,1=customer "
                f"(роли: {', '.join(SPEAKERS)})",
                f"bad channel map {text!r}: expected e.g. 0=agent,1=customer (roles: {', '.join(SPEAKERS)})",
            )
        mapping[int(index)] = speaker
    return mapping


def _clock(seconds: float | None) -> str:
    value = seconds or 0.0
    minutes, rest = divmod(value, 60)
    return f"{int(minutes):02d}:{rest:04.1f}"


def _readable(doc: dict[str, Any]) -> str:
    lines = [f"[{_clock(t['start'])}–{_clock(t['end'])}] {t['speaker']}: {t['text']}" for t in doc["turns"]]
    metrics, quality = doc["metrics"], doc["quality"]
    lines.append(
        f"# {doc['duration']:.1f} s; silences {len(metrics['silences'])}, holds {len(metrics['holds'])}, "
        f"overtalk {len(metrics['overtalk'])}; quality {quality['score']:.2f} {' '.join(quality['flags'])}".rstrip()
    )
    return "\n".join(lines)


def _handle(args: argparse.Namespace) -> int:
    # Imported here: `qa-service --help` must not pay for loading numpy, av or the model.
    from qa_service.asr.pipeline import transcribe_recording

    channel_map = parse_channel_map(args.channels) if args.channels else None
    transcript = transcribe_recording(Path(args.audio), channel_map)
    doc = transcript.to_json()
    if args.json:
        print(json.dumps(doc, ensure_ascii=False))
    else:
        print(_readable(doc))
    return 0


def register(subparsers: Any) -> None:
    """Add the `transcribe` command."""
    parser = subparsers.add_parser(
        "transcribe",
        help="расшифровать запись звонка / transcribe a call recording",
        description="Расшифровка записи (wav/mp3/ogg/flac, 8–48 кГц, моно или стерео) с ролями, паузами и "
        "оценкой качества; текст уже обезличен / transcribe one recording with speakers, silences and a "
        "quality check; the text is already redacted",
    )
    parser.add_argument("audio", metavar="AUDIO", help="файл записи / the recording")
    parser.add_argument(
        "--channels", help="карта каналов стерео, по умолчанию 0=agent,1=customer / stereo channel map"
    )
    parser.add_argument("--json", action="store_true", help="вывести JSON / print JSON")
    parser.set_defaults(handler=_handle)
