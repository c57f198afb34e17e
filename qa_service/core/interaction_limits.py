"""How much one interaction may hold: bounds that keep one document from stalling a shared worker.

Scoring, redaction and the review page each walk every turn; a 100,000-turn push took close to a
minute and its page 26 MB, and a 100,000-character turn failed scoring on every attempt.  The
bounds sit far above real contact-center traffic (a four-hour call is ~2,000 segments and ~40,000
words) and are checked with the contract, so every boundary — the push API, connectors, files on
the command line — refuses the same document with the same line before any work is done.
"""

from __future__ import annotations

from typing import Any

from qa_service.core.errors import InvalidInteraction

MAX_TURNS = 5_000
MAX_TURN_CHARS = 50_000  # a long e-mail with its quoted thread fits
MAX_INTERACTION_CHARS = 500_000
MAX_WORDS_PER_SECOND = 8.0  # fast speech is ~4; more is not a transcript of this audio
_WORDS_SLACK = 50  # short recordings: a few words over the rate are not an attack


def check_volume(data: dict[str, Any]) -> None:
    """Refuse, naming the bound, a document with too many turns, characters or words for its audio."""
    turns = data.get("turns")
    if not isinstance(turns, list):
        return  # the schema names what is wrong with it
    if len(turns) > MAX_TURNS:
        raise InvalidInteraction(f"реплик {len(turns)}, допустимо не больше {MAX_TURNS}",
                                 f"{len(turns)} turns, at most {MAX_TURNS} are accepted")
    total, words, audio_end = 0, 0, 0.0
    for index, turn in enumerate(turns):
        if not isinstance(turn, dict):
            continue
        text = turn.get("text")
        if isinstance(text, str):
            if len(text) > MAX_TURN_CHARS:
                raise InvalidInteraction(
                    f"turns[{index}].text: {len(text)} символов, допустимо не больше {MAX_TURN_CHARS}",
                    f"turns[{index}].text: {len(text)} characters, at most {MAX_TURN_CHARS} are accepted",
                )
            total += len(text)
            words += len(text.split())
        end = turn.get("end")
        if isinstance(end, int | float) and not isinstance(end, bool):
            audio_end = max(audio_end, float(end))
    if total > MAX_INTERACTION_CHARS:
        raise InvalidInteraction(f"в репликах {total} символов, допустимо не больше {MAX_INTERACTION_CHARS}",
                                 f"the turns hold {total} characters, at most {MAX_INTERACTION_CHARS} are accepted")
    if audio_end > 0 and words > MAX_WORDS_PER_SECOND * audio_end + _WORDS_SLACK:
        raise InvalidInteraction(
            f"{words} слов на {audio_end:.0f} с записи: больше {MAX_WORDS_PER_SECOND:g} слов в секунду",
            f"{words} words in {audio_end:.0f} s of audio: more than {MAX_WORDS_PER_SECOND:g} words per second",
        )
