"""Whether a RIFF/WAVE file is whole: its header says how many audio bytes follow.

A WAV still being copied, or cut by an interrupted download, carries the final sizes in its
header, so comparing them with the bytes at hand finds a cut file.  Shared by the connectors
(a cut download waits for the next run) and the decoder (a cut file is refused, not half-read).
"""

from __future__ import annotations

import struct


def is_riff_wave(head: bytes) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WAVE"


def wav_shortfall(head: bytes, total_size: int) -> str | None:
    """Why the RIFF/WAVE file whose first bytes are `head` (of `total_size` bytes) is incomplete, or None.

    None too when the chunks before the audio reach past `head`: then nothing can be said.
    """
    position = 12
    while position + 8 <= len(head):
        chunk_id = head[position : position + 4]
        (size,) = struct.unpack("<I", head[position + 4 : position + 8])
        if chunk_id == b"data":
            # 0 and 0xFFFFFFFF mean "unknown length" (streamed WAV): accept what is there.
            if size not in (0, 0xFFFFFFFF) and position + 8 + size > total_size:
                return f"truncated: {total_size - position - 8} of {size} audio bytes"
            return None
        position += 8 + size + (size & 1)
    if position + 8 > total_size:
        return "no audio data chunk (truncated header)"
    return None
