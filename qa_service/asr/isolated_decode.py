"""Decode an untrusted recording in a child process, so a file that crashes FFmpeg fails only itself.

An 8-channel WAV made PyAV segfault inside the speech worker: the worker died, RQ retried
the job and the next worker died too.  Here the checks and the decoding run in a fresh
interpreter (`asr.decode_child`) with a memory cap, a CPU cap and a wall-clock timeout; a
crash, a kill or a timeout of that child is a `BadAudio` naming what happened.  A fresh
interpreter rather than a fork: the worker's CTranslate2 thread pool does not survive one.
"""

from __future__ import annotations

import io
import json
import resource
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np

from qa_service.asr import options
from qa_service.asr.audio import DecodedAudio
from qa_service.asr.decode_child import BAD_AUDIO_EXIT
from qa_service.asr.errors import BadAudio
from qa_service.asr.media_limits import MediaLimits, check_size

# The decoded 16 kHz float32 channels of a 4-hour stereo call are 1.8 GB; the cap leaves room for FFmpeg.
MEMORY_LIMIT_BYTES = 6 * 1024**3
# FFmpeg decodes telephone audio hundreds of times faster than real time; a child still busy
# after this is stuck on a crafted file.
BASE_TIMEOUT_SECONDS = 60.0
SECONDS_PER_AUDIO_HOUR = 120.0
# The child interpreter and its entry; a test hands in one that dies by a signal of its own.
DECODE_CHILD = (sys.executable, "-m", "qa_service.asr.decode_child")


def _limit_child() -> None:  # pragma: no cover - runs in the child between fork and exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash leaves no core file holding call audio


def _bad(path: Path, ru: str, en: str) -> BadAudio:
    return BadAudio(f"{path.name}: {ru}", f"{path.name}: {en}")


def decode_isolated(
    path: Path,
    limit_seconds: float | None = None,
    *,
    limits: MediaLimits | None = None,
    child_command: tuple[str, ...] = DECODE_CHILD,
) -> DecodedAudio:
    """`asr.audio.decode` behind the limits of `asr.media_limits`, in a child process."""
    if limits is None:
        limits = MediaLimits(max_seconds=options.current().max_seconds if limit_seconds is None else limit_seconds)
    check_size(path, limits)
    timeout = BASE_TIMEOUT_SECONDS + SECONDS_PER_AUDIO_HOUR * limits.max_seconds / 3600
    try:
        child = subprocess.run(
            [*child_command, str(path), repr(limits.max_seconds), str(limits.max_channels)],
            capture_output=True,
            timeout=timeout,
            preexec_fn=_limit_child,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise _bad(
            path, f"декодирование не закончилось за {timeout:.0f} с", f"decoding did not finish in {timeout:.0f} s"
        ) from None
    if child.returncode == 0:
        with np.load(io.BytesIO(child.stdout)) as data:
            samples = data["channels"]
            return DecodedAudio(
                channels=[np.ascontiguousarray(samples[i]) for i in range(samples.shape[0])],
                source_rate=int(data["source_rate"]),
                codec=str(data["codec"]),
            )
    if child.returncode == BAD_AUDIO_EXIT:
        lines = child.stderr.decode("utf-8", errors="replace").strip().splitlines()
        try:
            reason = json.loads(lines[-1])
            raise BadAudio(str(reason["ru"]), str(reason["en"]))
        except (IndexError, ValueError, KeyError, TypeError):
            pass
    if child.returncode < 0:
        name = signal.Signals(-child.returncode).name
        raise _bad(
            path,
            f"декодер аудио аварийно завершился ({name}) — файл повреждён или не поддерживается",
            f"the audio decoder crashed ({name}) — the file is corrupt or unsupported",
        )
    raise _bad(
        path,
        f"декодер аудио завершился с кодом {child.returncode} (нехватка памяти или повреждённый файл)",
        f"the audio decoder exited with code {child.returncode} (out of memory or a corrupt file)",
    )
