"""Cheap checks that a downloaded or dropped recording is whole before it is stored."""

from __future__ import annotations

import struct

from qa_service.connectors.base import TransientFetchError

AUDIO_EXTENSIONS = (".wav", ".mp3", ".ogg", ".opus", ".flac", ".gsm", ".wav49")


def check_recording(data: bytes, name: str) -> None:
    """Raise `TransientFetchError` when the recording is empty or a WAV shorter than its header says.

    A WAV still being copied (SFTP upload, interrupted download) carries the final sizes in
    its header, so comparing them with the bytes at hand finds a cut file.  Other formats
    are only checked for being non-empty; the transcription step rejects the rest.
    """
    if not data:
        raise TransientFetchError(f"recording {name} is empty")
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        if name.lower().endswith(".wav"):
            raise TransientFetchError(f"recording {name} is not a RIFF/WAVE file")
        return
    position = 12
    while position + 8 <= len(data):
        chunk_id = data[position : position + 4]
        (size,) = struct.unpack("<I", data[position + 4 : position + 8])
        if chunk_id == b"data":
            # 0 and 0xFFFFFFFF mean "unknown length" (streamed WAV): accept what is there.
            if size not in (0, 0xFFFFFFFF) and position + 8 + size > len(data):
                raise TransientFetchError(
                    f"recording {name} is truncated: {len(data) - position - 8} of {size} audio bytes"
                )
            return
        position += 8 + size + (size & 1)
    raise TransientFetchError(f"recording {name} has no audio data chunk (truncated header)")
