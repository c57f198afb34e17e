"""Transcript-quality gate: catch Whisper's known failures before anyone scores the text.

Whisper loops on Russian fillers («ну, ну, ну…»), invents subtitle credits on silence and
hold music («Редактор субтитров …»), and is unsure on noisy lines.  The gate drops the
words it can prove wrong (loops, text where the channel is silent, credits), marks the
rest, and sums it up as a 0–1 score with flags, so a poor transcript goes to a human
instead of being scored by rules.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from qa_service.asr.metrics import Interval
from qa_service.asr.transcriber import Segment
from qa_service.core.interaction import Word

LOOP_MIN_REPEATS = 4  # «да, да, да» is speech; the fourth copy in a row is a loop
LOOP_MAX_NGRAM = 4
COMPRESSION_LIMIT = 2.4  # faster-whisper's own threshold for repetitive output
LOW_LOGPROB = -1.0
NO_SPEECH = 0.6
SILENCE_TOLERANCE = 0.3  # s: word timestamps drift a little past the VAD's edges
SWAP_PENALTY = 0.2

# Subtitle credits and video outros that Whisper learnt from Russian subtitles.
_HALLUCINATIONS = re.compile(
    r"редактор субтитров|корректор [а-я]\.|субтитры (сделал|создавал|подготовил)|продолжение следует|"
    r"спасибо за просмотр|подписывайтесь на канал|dimatorzok|амара\.орг|amara\.org",
    re.IGNORECASE,
)
# What only the agent says when picking up: the airline's name and their own name.
_AGENT_OPENING = (
    (re.compile(r"компани"), 1.5),
    (re.compile(r"северн\w* ветер"), 2.0),
    (re.compile(r"меня зовут"), 1.5),
    (re.compile(r"благодар\w* за (ваш )?звон"), 1.0),
    (re.compile(r"(чем|как) (я )?могу (вам )?помочь"), 1.0),
    (re.compile(r"\bоператор"), 0.5),
    (re.compile(r"здравствуйте"), 0.5),
)


@dataclass
class QualityReport:
    """The gate's verdict on one transcript."""

    score: float = 1.0
    flags: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def flag(self, name: str, reason: str) -> None:
        if name not in self.flags:
            self.flags.append(name)
        self.reasons.append(reason)


def _norm(word: str) -> str:
    return re.sub(r"[^\w]", "", word.lower().replace("ё", "е"))


def collapse_loops(words: Sequence[Word]) -> tuple[list[Word], int]:
    """Drop the repeats of any 1–4-word phrase said `LOOP_MIN_REPEATS`+ times in a row.

    Returns the kept words and how many were dropped; the first copy stays.
    """
    keys = [_norm(w.word) for w in words]
    keep = [True] * len(words)
    i = 0
    while i < len(words):
        jumped = False
        for n in range(1, LOOP_MAX_NGRAM + 1):
            phrase = keys[i : i + n]
            if len(phrase) < n or not all(phrase):
                break
            repeats = 1
            while keys[i + repeats * n : i + (repeats + 1) * n] == phrase:
                repeats += 1
            if repeats >= LOOP_MIN_REPEATS:
                for k in range(i + n, i + repeats * n):
                    keep[k] = False
                i += repeats * n
                jumped = True
                break
        if not jumped:
            i += 1
    kept = [w for w, k in zip(words, keep, strict=True) if k]
    return kept, len(words) - len(kept)


def _inside(word: Word, speech: Sequence[Interval]) -> bool:
    return any(word.start < end + SILENCE_TOLERANCE and word.end > start - SILENCE_TOLERANCE for start, end in speech)


@dataclass
class GatedSegment:
    """A segment after the gate: the words kept, and whether its confidence is low."""

    segment: Segment
    words: list[Word]
    low_confidence: bool


def gate_channel(
    segments: Sequence[Segment], speech: Sequence[Interval], report: QualityReport, channel: str
) -> tuple[list[GatedSegment], int, int]:
    """Apply the gate to one channel; returns gated segments, words decoded, words dropped."""
    kept: list[GatedSegment] = []
    total = dropped = 0
    for seg in segments:
        words = list(seg.words)
        total += len(words)
        if _HALLUCINATIONS.search(seg.text):
            dropped += len(words)
            report.flag("hallucination", f"{channel} {seg.start:.1f}s: subtitle-credit text dropped")
            continue
        if seg.no_speech_prob > NO_SPEECH and seg.avg_logprob < LOW_LOGPROB:
            dropped += len(words)
            report.flag("low_confidence", f"{channel} {seg.start:.1f}s: segment looks like no speech, dropped")
            continue
        on_speech = [w for w in words if _inside(w, speech)]
        if len(on_speech) < len(words):
            dropped += len(words) - len(on_speech)
            report.flag(
                "text_on_silence", f"{channel} {seg.start:.1f}s: {len(words) - len(on_speech)} words on silent audio"
            )
        words, looped = collapse_loops(on_speech)
        if looped or seg.compression_ratio > COMPRESSION_LIMIT:
            dropped += looped
            report.flag("repetition_loop", f"{channel} {seg.start:.1f}s: repetition loop ({looped} words dropped)")
        if not words:
            continue
        low = seg.avg_logprob < LOW_LOGPROB
        if low:
            report.flag("low_confidence", f"{channel} {seg.start:.1f}s: avg log-prob {seg.avg_logprob:.2f}")
        kept.append(GatedSegment(seg, words, low))
    return kept, total, dropped


def opening_score(text: str) -> float:
    """How much an opening sounds like the agent's greeting (company name, own name)."""
    normal = text.lower().replace("ё", "е")
    return sum(weight for pattern, weight in _AGENT_OPENING if pattern.search(normal))


def looks_swapped(agent_opening: str, customer_opening: str) -> bool:
    """True when the 'customer' channel says the company greeting and the 'agent' one does not."""
    customer = opening_score(customer_opening)
    return customer >= 2.0 and customer > opening_score(agent_opening)


POOR_BELOW = 0.6  # `core.interaction.TranscriptQuality.is_poor`


def finish(report: QualityReport, kept_words: Sequence[Word], total: int, dropped: int) -> QualityReport:
    """Set the 0–1 score: mean word confidence of what is kept, scaled by what survived."""
    if not kept_words:
        report.score = 0.0
        if "no_speech" not in report.flags and total == 0:
            report.flag("no_speech", "no speech found in the recording")
        elif total:
            report.flag("empty_after_gate", "every decoded word was dropped by the quality gate")
        return report
    confidence = math.fsum(w.probability for w in kept_words) / len(kept_words)
    survived = 1.0 - dropped / max(total, 1)
    score = confidence * survived
    if "swapped_channels" in report.flags:
        score -= SWAP_PENALTY
    report.score = round(min(1.0, max(0.0, score)), 3)
    if report.score < POOR_BELOW and not report.flags:
        # A transcript poor as a whole says so in words too, not only by its number (scoring sends it to a person).
        report.flag("low_confidence", f"overall confidence {report.score:.2f} below {POOR_BELOW}")
    return report
