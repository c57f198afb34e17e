"""Learned text classifiers (topic, learned criteria): TF-IDF over lemmas + a calibrated linear model.

Artefacts ship in the package (`qa_service/resources/models/classifiers/<name>.joblib`;
`QA_MODELS_DIR/classifiers` replaces them); they are trained by `qa-service train-classifiers`
and loaded once per file.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.pipeline import FeatureUnion

from qa_service.core import resources
from qa_service.core.embeddings import NavecMean, text_vector
from qa_service.core.morphology import lemmatize


def models_dir() -> Path:
    """Where classifier artefacts are read (and written by training): see `core.resources`."""
    return resources.current().classifiers


def lemma_text(text: str) -> str:
    """The classifier's view of a text: its lemmas, words only, space-separated."""
    return " ".join(lem for lem in lemmatize(text).lemmas if any(ch.isalnum() for ch in lem))


@dataclass(frozen=True)
class Prediction:
    label: str
    probability: float
    probabilities: dict[str, float]


class LinearTextModel:
    """Inference for a TF-IDF + sigmoid-calibrated linear pipeline without sklearn's per-call checks.

    sklearn validates inputs on every `predict_proba` (~3 ms for one short text), which
    would dominate scoring time; the arithmetic itself is a sparse dot product.  The
    result equals the pipeline's own `predict_proba` (checked by the tests).
    """

    def __init__(self, pipeline: Any) -> None:
        tfidf, self._embeddings = _feature_steps(pipeline)
        calibrated = pipeline["model"].calibrated_classifiers_[0]
        self.classes_ = np.asarray(calibrated.classes)
        self._analyze = tfidf.build_analyzer()
        self._vocabulary: dict[str, int] = tfidf.vocabulary_
        self._idf = np.asarray(tfidf.idf_)
        self._sublinear = bool(tfidf.sublinear_tf)
        self._coef = np.asarray(calibrated.estimator.coef_)
        self._intercept = np.asarray(calibrated.estimator.intercept_)
        self._a = np.array([c.a_ for c in calibrated.calibrators])
        self._b = np.array([c.b_ for c in calibrated.calibrators])

    @staticmethod
    def supports(pipeline: Any) -> bool:
        model = pipeline.named_steps.get("model") if hasattr(pipeline, "named_steps") else None
        calibrated = getattr(model, "calibrated_classifiers_", None)
        if calibrated is None or len(calibrated) != 1 or calibrated[0].method != "sigmoid":
            return False
        try:
            tfidf, _ = _feature_steps(pipeline)
        except (KeyError, TypeError):
            return False
        return bool(tfidf.norm == "l2")

    def _decision(self, text: str) -> np.ndarray:
        decision = self._intercept.copy()
        if self._embeddings:
            vector = text_vector(text.split())
            if vector is not None:
                decision = decision + self._coef[:, len(self._idf):] @ vector
        counts = Counter(self._vocabulary[t] for t in self._analyze(text) if t in self._vocabulary)
        if not counts:
            return np.asarray(decision)
        columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=float, count=len(counts))
        if self._sublinear:
            tf = 1.0 + np.log(tf)
        weights = tf * self._idf[columns]
        weights /= np.linalg.norm(weights)
        return np.asarray(self._coef[:, columns] @ weights + decision)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        decisions = np.array([self._decision(t) for t in texts]).reshape(len(texts), -1)
        positive = 1.0 / (1.0 + np.exp(self._a * decisions + self._b))
        if len(self.classes_) == 2:
            return np.column_stack([1.0 - positive[:, 0], positive[:, 0]])
        total = positive.sum(axis=1, keepdims=True)
        uniform = np.full_like(positive, 1.0 / len(self.classes_))
        return np.divide(positive, total, out=uniform, where=total != 0)


def _feature_steps(pipeline: Any) -> tuple[Any, bool]:
    """(the TF-IDF step, whether mean navec embeddings follow it) of a shipped pipeline."""
    steps = pipeline.named_steps
    if "tfidf" in steps:  # artefacts trained before embeddings
        return steps["tfidf"], False
    features = steps["features"]
    if isinstance(features, FeatureUnion):
        parts = dict(features.transformer_list)
        if list(parts) != ["tfidf", "navec"] or not isinstance(parts["navec"], NavecMean):
            raise TypeError("unexpected feature union")
        return parts["tfidf"], True
    return features, False


def load_classifier(name: str) -> Any | None:
    """The trained model `name` (fast linear inference when possible), or None without an artefact."""
    return _load_file(models_dir() / f"{name}.joblib")


@cache
def _load_file(path: Path) -> Any | None:
    # Keyed by path, not name: a process configured with another QA_MODELS_DIR loads its own.
    if not path.exists():
        return None
    pipeline = joblib.load(path)
    return LinearTextModel(pipeline) if LinearTextModel.supports(pipeline) else pipeline


def predict(name: str, text: str) -> Prediction | None:
    """Most probable label of `text` under classifier `name` (None without a model)."""
    model = load_classifier(name)
    if model is None or not text.strip():
        return None
    probs = model.predict_proba([lemma_text(text)])[0]
    labels = [str(c) for c in model.classes_]
    table = {label: float(p) for label, p in zip(labels, probs, strict=True)}
    best = max(table, key=lambda k: table[k])
    return Prediction(best, table[best], table)


def positive_probabilities(name: str, lemma_texts: list[str], label: str) -> list[float] | None:
    """P(label) for each already-lemmatized text (see `lemma_text`), in one batch.

    None without a model or when the model has no such label."""
    model = load_classifier(name)
    if model is None:
        return None
    labels = [str(c) for c in model.classes_]
    if label not in labels:
        return None
    if not lemma_texts:
        return []
    column = labels.index(label)
    return [float(row[column]) for row in model.predict_proba(lemma_texts)]


def forget_loaded() -> None:
    """Drop the models loaded so far: the next use reads the files again (after retraining)."""
    _load_file.cache_clear()
