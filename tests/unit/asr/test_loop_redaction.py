"""A card dictated with repeated digits is silenced in the audio even though the quality gate drops the repeats.

«четыре один один один …» (4111 1111 1111 1111) is, to the gate's repetition filter, a loop: it keeps
«четыре один» and drops the rest, so a redactor that only saw the kept words found no card and left
the number audible in the stored "redacted" recording.  Real speech (a person reading the digits,
Debian's asterisk-core-sounds-ru) and the real VAD; the decoder's words are given in Whisper's
shape, because what matters is what the gate does with them, not how well Whisper hears.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from card_speech import DIGITS_DIR, dictation

from qa_service.asr.audio import decode
from qa_service.asr.pipeline import transcribe_audio
from qa_service.asr.quality import collapse_loops
from qa_service.asr.transcriber import Segment
from qa_service.core.interaction import Word

CARD = "4111111111111111"


class _Decoder:
    """Whisper's output for the dictation: one word per digit, timed over the speech found."""

    def transcribe_channel(self, samples: np.ndarray, speech: list[tuple[float, float]] | None = None) -> list[Segment]:
        assert speech
        start, end = speech[0][0], speech[-1][1]
        step = (end - start) / len(CARD)
        words = [Word(start + i * step, start + (i + 0.9) * step, f" {d}", 0.9) for i, d in enumerate(CARD)]
        return [Segment(start, end, "".join(w.word for w in words), words, avg_logprob=-0.2)]


@pytest.mark.skipif(not DIGITS_DIR.is_dir(), reason="asterisk-core-sounds-ru is not installed")
def test_a_card_the_gate_takes_for_a_loop_is_still_silenced(tmp_path: Path) -> None:
    audio = decode(dictation(tmp_path, CARD))
    decoded = _Decoder().transcribe_channel(audio.channels[0], [(1.0, 1.0 + 16 * 0.9)])[0].words
    kept, dropped = collapse_loops(decoded)
    assert dropped >= 10 and "".join(w.word for w in kept).split() == ["4", "1"]  # the gate's view of it

    transcript = transcribe_audio(audio, transcriber=_Decoder())  # type: ignore[arg-type]
    silenced = transcript.redaction_intervals[0]
    words = _Decoder().transcribe_channel(audio.channels[0], _speech(audio.channels[0]))[0].words
    # Every digit of the card is inside a silenced stretch, the repeats the gate dropped too.
    assert all(any(a <= (w.start + w.end) / 2 <= b for a, b in silenced) for w in words)
    assert transcript.card_seen
    assert CARD not in "".join(t.text for t in transcript.turns).replace(" ", "")


def _speech(samples: np.ndarray) -> list[tuple[float, float]]:
    from qa_service.asr.metrics import speech_intervals

    return speech_intervals(samples)
