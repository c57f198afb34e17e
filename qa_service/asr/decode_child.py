"""The child process of `asr.isolated_decode`: check and decode one recording, send the samples back.

Run as `python -m qa_service.asr.decode_child PATH MAX_SECONDS [MAX_CHANNELS]`.  Exit 0: an `.npz` of the
channels on stdout.  Exit 3: a `BadAudio` as one JSON line on stderr.  Anything else (a
signal from a crashing FFmpeg, the memory limit) is the parent's to report.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import numpy as np

from qa_service.asr.audio import decode
from qa_service.asr.errors import BadAudio
from qa_service.asr.media_limits import MediaLimits, check_size, check_stream

BAD_AUDIO_EXIT = 3


def _refuse(ru: str, en: str) -> int:
    sys.stderr.write(json.dumps({"ru": ru, "en": en}, ensure_ascii=False) + "\n")
    return BAD_AUDIO_EXIT


def main(argv: list[str]) -> int:
    path = Path(argv[0])
    limits = MediaLimits(max_seconds=float(argv[1]))
    if len(argv) > 2:
        limits = MediaLimits(max_seconds=limits.max_seconds, max_channels=int(argv[2]))
    try:
        check_size(path, limits)
        check_stream(path, limits)
        audio = decode(path, limit_seconds=limits.max_seconds)
    except BadAudio as error:
        return _refuse(error.ru, error.en)
    except Exception as error:  # any decoder surprise is this file's failure, said in one line
        detail = " ".join(f"{type(error).__name__}: {error}".split())[:300]
        return _refuse(f"{path.name}: не удаётся декодировать ({detail})", f"{path.name}: cannot decode ({detail})")
    buffer = io.BytesIO()
    np.savez(
        buffer,
        channels=np.stack(audio.channels),
        source_rate=np.array(audio.source_rate),
        codec=np.array(audio.codec),
    )
    sys.stdout.buffer.write(buffer.getvalue())
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
