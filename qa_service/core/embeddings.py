"""Russian word embeddings (navec, shipped inside the natasha wheel) for paraphrase tolerance.

A text's vector is the mean of its lemmas' vectors (the surface form when the lemma is not
in navec's 250K vocabulary), L2-normalised; cosine similarity then says how close two
phrasings are in meaning («вернуть деньги нельзя» ≈ «невозвратный тариф»).  The vectors
feed the learned classifiers (`NavecMean`, a scikit-learn transformer) and the semantic
fallback matcher of phrase criteria.

The model is the file natasha's wheel installs (navec_news_v1_1B_250K_300d_100q.tar, 25 MB);
nothing is downloaded at run time.  Without natasha installed, embeddings are off (None).
"""

from __future__ import annotations

import importlib.util
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from qa_service.core.morphology import lemma

NAVEC_FILE = "navec_news_v1_1B_250K_300d_100q.tar"
DIM = 300
# Words that carry no meaning of a request: without them «я вам перезвоню» is not «вам».
_STOP_WORDS = (
    "и в во на с со к ко у о об от до по за из не ни а но же ли бы то это этот тот вы вас вам ваш мы нас нам наш "
    "я меня мне мой он она они его её их ну э да так вот уже ещё еще там тут как что чтобы если или"
)
_STOP = frozenset(_STOP_WORDS.split(" "))


@cache
def navec() -> Any | None:
    """The navec model from natasha's wheel, or None when natasha is not installed."""
    spec = importlib.util.find_spec("natasha")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "data" / "emb" / NAVEC_FILE
    if not path.exists():
        return None
    from navec import Navec  # type: ignore[import-untyped]  # installed with natasha

    return Navec.load(str(path))


@lru_cache(maxsize=200_000)
def word_vector(word: str) -> np.ndarray | None:
    """The navec vector of a word form (its lemma first), or None for unknown and stop words."""
    model = navec()
    folded = word.lower().replace("ё", "е")
    if model is None or folded in _STOP or not folded.isalpha():
        return None
    for key in (lemma(folded), folded):
        if key in model:
            vector: np.ndarray = np.asarray(model[key], dtype=np.float32)
            return vector
    return None


def text_vector(words: list[str] | tuple[str, ...]) -> np.ndarray | None:
    """Normalised mean vector of the words, or None when none of them is known."""
    vectors = [v for v in (word_vector(w) for w in words) if v is not None]
    if not vectors:
        return None
    mean = vectors[0] if len(vectors) == 1 else np.add.reduce(vectors)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm else None


def similarity(a: np.ndarray | None, b: np.ndarray | None) -> float:
    """Cosine similarity of two normalised vectors (0 when either is missing)."""
    if a is None or b is None:
        return 0.0
    return float(a @ b)


class NavecMean:
    """scikit-learn transformer: lemma texts → their mean navec vectors (zeros when unknown)."""

    def fit(self, texts: list[str], y: Any = None) -> NavecMean:
        return self

    def transform(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            vector = text_vector(text.split())
            if vector is not None:
                out[row] = vector
        return out

    def fit_transform(self, texts: list[str], y: Any = None) -> np.ndarray:
        return self.transform(texts)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {}

    def set_params(self, **params: Any) -> NavecMean:
        return self


def near_duplicate_groups(texts: list[str], threshold: float = 0.5) -> list[int]:
    """Group ids joining lines written from one template (word-set Jaccard ≥ threshold).

    Cross-validation must keep such lines in one fold, or it measures memory, not skill."""
    sets = [frozenset(t.lower().split()) for t in texts]
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            union = len(sets[i] | sets[j])
            if union and len(sets[i] & sets[j]) / union >= threshold:
                parent[root(j)] = root(i)
    return [root(i) for i in range(len(texts))]
