"""Phrase matching on lemmas: inflection and (for longer phrases) word order may vary."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from qa_service.core.morphology import Lemmatized
from qa_service.core.rubric.model import PhraseGroup

# Two-word phrases keep their order with up to three words between («всего вам доброго»,
# «остались ли у вас вопросы»), except negations, which must be adjacent («не знаю»);
# longer phrases may be reordered within a few extra words («за звонок благодарю»).
_SHORT_GAP = 3
_LONG_SLACK = 4


@dataclass(frozen=True)
class Match:
    """A phrase found in a text: character span and which rule phrase matched."""

    start: int
    end: int
    phrase: str


class IndexedText:
    """A lemmatized text with a lemma → word positions index, built once per turn."""

    def __init__(self, lemmatized: Lemmatized) -> None:
        self.lem = lemmatized
        self.words = [i for i, lem in enumerate(lemmatized.lemmas) if any(ch.isalnum() for ch in lem)]

    @property
    def lemma_text(self) -> str:
        """Words' lemmas joined by spaces: what the classifiers read."""
        return " ".join(self.lem.lemmas[i] for i in self.words)

    @cached_property
    def index(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for pos, token in enumerate(self.words):
            out.setdefault(self.lem.lemmas[token], []).append(pos)
        return out

    def _negated(self, pos: int) -> bool:
        return pos > 0 and self.lem.lemmas[self.words[pos - 1]] == "не"

    def _spans(self, phrase: tuple[str, ...]) -> Iterator[tuple[int, int]]:
        index = self.index
        lists = [index.get(lem) for lem in phrase]
        if any(not x for x in lists):
            return
        if len(phrase) == 1:
            for p in lists[0] or ():
                yield p, p
            return
        if len(phrase) == 2:
            for p in lists[0] or ():
                for q in lists[1] or ():
                    if p < q <= p + 1 + (0 if phrase[0] == "не" else _SHORT_GAP):
                        yield p, q
            return
        slack = len(phrase) + _LONG_SLACK
        for p in lists[0] or ():
            chosen = [p]
            for other in lists[1:]:
                near = [q for q in other or () if abs(q - p) < slack]
                if not near:
                    break
                chosen.append(min(near, key=lambda q: abs(q - p)))
            else:
                if max(chosen) - min(chosen) < slack:
                    yield min(chosen), max(chosen)

    def find(self, group: PhraseGroup) -> list[Match]:
        """Every place where any phrase or regex of the group occurs."""
        found: list[Match] = []
        index = self.index
        for phrase, source in zip(group.phrases, group.labels, strict=True):
            if phrase[0] not in index:  # cheap reject: most phrases are absent from most turns
                continue
            for lo, hi in self._spans(phrase):
                if phrase[0] != "не" and self._negated(lo):
                    continue
                start, end = self.lem.span(self.words[lo], self.words[hi])
                found.append(Match(start, end, source))
        for regex in group.regexes:
            for m in regex.finditer(self.lem.text):
                found.append(Match(m.start(), m.end(), m.group(0).strip()[:60]))
        return found

    def contains(self, group: PhraseGroup) -> Match | None:
        found = self.find(group) if group else []
        return min(found, key=lambda m: m.start) if found else None
