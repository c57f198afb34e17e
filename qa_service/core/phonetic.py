"""A rough sound key for Russian words, for what speech recognition confuses.

Unstressed vowels («о»/«а», «е»/«и»/«я»), voiced and voiceless pairs («б»/«п», «в»/«ф»),
«ц»/«тс»/«с», soft signs and doubled letters all fold together: «аборотной» ≈ «оборотной»,
«Сибирный Витер» ≈ «Северный Ветер».  The key is compared by edit distance.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

_FOLD = str.maketrans({"о": "а", "е": "и", "ё": "и", "э": "и", "я": "и", "ы": "и", "ю": "у", "б": "п",
                       "в": "ф", "г": "к", "д": "т", "ж": "ш", "з": "с", "ц": "с", "щ": "ш", "й": "и"})
_SOFT_SIGNS = str.maketrans("", "", "ьъ")
_DOUBLE = re.compile(r"(.)\1+")


@lru_cache(maxsize=100_000)
def phonetic(word: str) -> str:
    """The sound key of one word (any case)."""
    key = word.lower().translate(_SOFT_SIGNS).translate(_FOLD).replace("тс", "с")
    return _DOUBLE.sub(r"\1", key)


def contains_sound(word: str, stem: str, slack: int = 1) -> bool:
    """Does `word` hold `stem`'s sound key somewhere (a glued prefix aside), within `slack` edits?

    «песеверный» and «исцеберный» hold «северн»; a word much longer than the stem does not count."""
    key, target = phonetic(word), phonetic(stem)
    if len(key) > len(target) + 5 or len(key) < len(target) - slack:
        return False
    for size in {len(target) - 1, len(target), len(target) + 1}:
        for at in range(0, max(1, len(key) - size + 1)):
            if Levenshtein.distance(key[at:at + size], target, score_cutoff=slack) <= slack:
                return True
    return False


def sounds_like(word: str, other: str, slack: int = 1) -> bool:
    """Do the two words' sound keys differ by at most `slack` edits?"""
    return Levenshtein.distance(phonetic(word), phonetic(other), score_cutoff=slack) <= slack
