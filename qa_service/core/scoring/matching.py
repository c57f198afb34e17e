"""Phrase matching on lemmas: inflection and (for longer phrases) word order may vary.

Speech recognition mishears words («северный вертер»), fuses them («северныйветер») and
splits them; `find(group, fuzzy=True)` therefore also reads the turn through an ASR view in
which a word absent from the group's vocabulary stands for the vocabulary lemma within a
bounded edit distance (1 for words under 8 letters, 2 from 8 on; same first letter), and a
fused word for the two lemmas it is made of.  Only forms the dictionary does not know are
read that way: a real word («вечер») is taken as said, never as another («ветер»).  A
multi-word phrase still needs one word heard exactly, and a one-word phrase a long word, so
short unrelated words do not match.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from qa_service.core.morphology import Lemmatized, is_known, is_name, lemma
from qa_service.core.phonetic import contains_sound, sounds_like
from qa_service.core.rubric.model import PhraseGroup
from qa_service.core.rubric.patterns import evidence_span

# Two-word phrases keep their order with up to three words between («всего вам доброго»,
# «остались ли у вас вопросы»), except negations, which must be adjacent («не знаю»);
# longer phrases may be reordered within a few extra words («за звонок благодарю»).
_SHORT_GAP = 3
_LONG_SLACK = 4
_FUZZY_MIN = 4  # shorter words are never taken for another («вы»/«мы», «не»/«ни»)
_SINGLE_WORD_FUZZY_MIN = 7
_SOUNDING_MIN = 5  # both words of a phrase matched by sound are at least this long


def _heard_as(surface: str, lem: str, wanted: str) -> bool:
    """May this word be `wanted` misheard?  A real word is what was said, unless it is the word
    itself or a name (the recogniser writes «Витер» for «ветер»: a name the dictionary knows)."""
    if lem == wanted or not surface.isalpha():
        return lem == wanted
    return not is_known(surface) or is_name(surface)


@dataclass(frozen=True)
class Match:
    """A phrase found in a text: character span, which rule phrase matched, and how closely.

    `heard` is set when the ASR view matched: the words as transcribed, compared with the
    phrase at `similarity` (1 − normalised edit distance)."""

    start: int
    end: int
    phrase: str
    heard: str | None = None
    similarity: float = 1.0
    via: str = "phrases"  # which matcher: phrases (exact lemmas), asr, semantic, self_name


def _bound(length: int) -> int:
    return 1 if length < 8 else 2


@lru_cache(maxsize=200_000)
def asr_reading(token: str, vocabulary: frozenset[str]) -> tuple[tuple[str, ...], float, bool]:
    """(vocabulary lemmas an unknown token stands for, similarity, fused?); ((), 0, False) if none.

    A fused word («северныйветер») is two words heard exactly, only without the space."""
    if token in vocabulary or len(token) < _FUZZY_MIN or not token.isalpha():
        return (), 0.0, False
    for cut in range(3, len(token) - 2):
        left, right = lemma(token[:cut]), lemma(token[cut:])
        if left in vocabulary and right in vocabulary:
            return (left, right), 1.0 - 1 / len(token), True
    best = process.extractOne(token, vocabulary, scorer=Levenshtein.distance, score_cutoff=_bound(len(token)))
    if best is not None and best[0][0] == token[0] and len(best[0]) >= _FUZZY_MIN:
        return (best[0],), 1.0 - best[1] / max(len(token), len(best[0])), False
    return (), 0.0, False


@dataclass
class _View:
    """A sequence of lemmas over the turn's tokens.

    `slips[pos]` is the similarity of an ASR reading (0 = read as transcribed); `firm[pos]`
    says the word was heard exactly (as transcribed, or as a part of a fused word)."""

    lemmas: list[str]
    tokens: list[int]
    slips: list[float]
    firm: list[bool]

    @cached_property
    def index(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for pos, lem in enumerate(self.lemmas):
            out.setdefault(lem, []).append(pos)
        return out

    def negated(self, pos: int) -> bool:
        return pos > 0 and self.lemmas[pos - 1] == "не"

    def spans(self, phrase: tuple[str, ...]) -> Iterator[tuple[int, int]]:
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


class IndexedText:
    """A lemmatized text with a lemma → word positions index, built once per turn."""

    def __init__(self, lemmatized: Lemmatized) -> None:
        self.lem = lemmatized
        self.words = [i for i, lem in enumerate(lemmatized.lemmas) if any(ch.isalnum() for ch in lem)]
        self._asr_views: dict[int, tuple[frozenset[str], _View]] = {}
        # semantic.closest per phrase group: the answer and its WHY read it twice.
        self.closest_cache: dict[int, tuple[PhraseGroup, Match | None]] = {}

    @property
    def lemma_text(self) -> str:
        """Words' lemmas joined by spaces: what the classifiers read."""
        return " ".join(self.lem.lemmas[i] for i in self.words)

    @cached_property
    def exact(self) -> _View:
        count = len(self.words)
        return _View([self.lem.lemmas[i] for i in self.words], list(self.words), [0.0] * count, [True] * count)

    @cached_property
    def index(self) -> dict[str, list[int]]:
        return self.exact.index

    def asr_view(self, vocabulary: frozenset[str]) -> _View:
        """The turn read with ASR slips resolved against `vocabulary` (cached per vocabulary)."""
        cached = self._asr_views.get(id(vocabulary))
        if cached is not None and cached[0] is vocabulary:
            return cached[1]
        lemmas: list[str] = []
        tokens: list[int] = []
        slips: list[float] = []
        firm: list[bool] = []
        for token in self.words:
            surface = self.lem.tokens[token].lower().replace("ё", "е")
            reading: tuple[str, ...] = ()
            similarity, fused = 0.0, False
            # A real word is what was said («вечер» is not «ветер»); only forms the dictionary
            # does not know are read as slips, and any word may be two fused together.
            if not is_known(surface):
                reading, similarity, fused = asr_reading(self.lem.lemmas[token], vocabulary)
                if not reading:  # the lemmatizer guesses at a misheard form («вертер» → «вертереть»)
                    reading, similarity, fused = asr_reading(surface, vocabulary)
            for part in reading or (self.lem.lemmas[token],):
                lemmas.append(part)
                tokens.append(token)
                slips.append(similarity if reading else 0.0)
                firm.append(fused or not reading)
        # Nothing heard as a slip (the usual case): the exact view already said all there is.
        view = _View(lemmas, tokens, slips, firm) if any(slips) else self.exact
        self._asr_views[id(vocabulary)] = (vocabulary, view)
        return view

    def find(self, group: PhraseGroup, fuzzy: bool = False) -> list[Match]:
        """Every place where any phrase or regex of the group occurs (ASR slips too if `fuzzy`)."""
        found = self._find_in(self.exact, group)
        if fuzzy and not found and group.phrases:
            view = self.asr_view(vocabulary_of(group))
            if view is not self.exact:
                found = self._find_in(view, group, asr=True)
            if not found:
                found = self._find_sounding(group)
        for regex in group.regexes:
            for m in regex.finditer(self.lem.text):
                start, end = evidence_span(regex, m)
                found.append(Match(start, end, self.lem.text[start:end].strip()[:60]))
        return found

    def _find_sounding(self, group: PhraseGroup) -> list[Match]:
        """Two-word phrases heard by sound: «песеверный ветер», «Исцеберный ветер», «Сибирный Витер».

        The first word may carry a glued prefix; each word is compared on its sound key, and a
        word the dictionary knows as something else («южный», «вечер») is taken as said."""
        found: list[Match] = []
        pairs = [p for p in zip(group.phrases, group.labels, strict=True)
                 if len(p[0]) == 2 and min(len(w) for w in p[0]) >= _SOUNDING_MIN]
        if not pairs:
            return found
        tokens = self.lem.tokens
        for a, b in zip(self.words, self.words[1:], strict=False):
            if b != a + 1:
                continue
            first, second = tokens[a].lower().replace("ё", "е"), tokens[b].lower().replace("ё", "е")
            for (one, two), label in pairs:
                stem = one[:-2] if len(one) >= 6 else one
                if not (_heard_as(first, self.lem.lemmas[a], one) and _heard_as(second, self.lem.lemmas[b], two)):
                    continue
                if contains_sound(first, stem) and (sounds_like(second, two) or sounds_like(self.lem.lemmas[b], two)):
                    start, end = self.lem.span(a, b)
                    heard = self.lem.text[start:end]
                    similarity = 1.0 - Levenshtein.normalized_distance(heard.lower(), " ".join((one, two)))
                    found.append(Match(start, end, label, heard, max(0.5, similarity), "asr"))
        return found

    def _find_in(self, view: _View, group: PhraseGroup, asr: bool = False) -> list[Match]:
        found: list[Match] = []
        index = view.index
        for phrase, source in zip(group.phrases, group.labels, strict=True):
            if phrase[0] not in index:  # cheap reject: most phrases are absent from most turns
                continue
            for lo, hi in view.spans(phrase):
                if phrase[0] != "не" and view.negated(lo):
                    continue
                slips = [s for s in view.slips[lo:hi + 1] if s]
                if asr and not slips:
                    continue  # found exactly: the exact pass has reported it
                firm = any(view.firm[lo:hi + 1])
                if slips and not firm and (len(phrase) > 1 or len(phrase[0]) < _SINGLE_WORD_FUZZY_MIN):
                    continue  # nothing heard exactly: too weak to trust
                start, end = self.lem.span(view.tokens[lo], view.tokens[hi])
                heard = self.lem.text[start:end] if slips else None
                found.append(Match(start, end, source, heard, min(slips) if slips else 1.0,
                                   "asr" if slips else "phrases"))
        return found

    def contains(self, group: PhraseGroup, fuzzy: bool = False) -> Match | None:
        found = self.find(group, fuzzy) if group else []
        return min(found, key=lambda m: m.start) if found else None


_VOCABULARIES: dict[int, tuple[PhraseGroup, frozenset[str]]] = {}


def vocabulary_of(group: PhraseGroup) -> frozenset[str]:
    """Lemmas of a group's phrases long enough to be matched through an ASR slip."""
    cached = _VOCABULARIES.get(id(group))
    if cached is not None and cached[0] is group:
        return cached[1]
    vocabulary = frozenset(lem for phrase in group.phrases for lem in phrase if len(lem) >= _FUZZY_MIN)
    _VOCABULARIES[id(group)] = (group, vocabulary)
    return vocabulary
