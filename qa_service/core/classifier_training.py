"""Fitting the shipped text classifiers from labelled JSONL (`{"text": …, "label": …}` per line).

Named `classifier_training` because in this codebase "training" means coaching agents
(training needs, coaching sessions); this module only fits scikit-learn models.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import GroupKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from qa_service.core.classifiers import lemma_text
from qa_service.core.embeddings import NavecMean, navec, near_duplicate_groups
from qa_service.core.errors import UserFacingError

# name of the artefact → labelled file under models/training-data/ (shipped in qa_service/resources)
DATASETS = {"topic": "topics.jsonl", "clarifying_question": "clarifying_question.jsonl"}
SEED = 13


@dataclass(frozen=True)
class ClassifierReport:
    name: str
    samples: int
    accuracy: float
    per_class: dict[str, float]  # cross-validated accuracy (recall) per class
    counts: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {"samples": self.samples, "cv_accuracy": round(self.accuracy, 4),
                "per_class_accuracy": {k: round(v, 4) for k, v in self.per_class.items()}, "counts": self.counts}


def read_examples(path: Path) -> tuple[list[str], list[str]]:
    """Texts and labels of a JSONL file; a bad line is a user-facing error naming it."""
    texts: list[str] = []
    labels: list[str] = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            texts.append(str(row["text"]))
            labels.append(str(row["label"]))
        except (ValueError, KeyError, TypeError):
            raise UserFacingError(f"{path}:{number}: ожидается JSON с полями text и label",
                                  f"{path}:{number}: expected JSON with text and label") from None
    return texts, labels


def build_pipeline(embeddings: bool = True) -> Pipeline:
    """TF-IDF over lemma uni/bigrams (+ mean navec embeddings) and a calibrated linear SVM."""
    tfidf = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    features: Any = tfidf
    if embeddings and navec() is not None:
        # Embeddings let a paraphrase with none of the training words still land near them.
        features = FeatureUnion([("tfidf", tfidf), ("navec", NavecMean())])
    return Pipeline([
        ("features", features),
        # One calibrator over cross-validated decisions (ensemble=False): same calibration,
        # a third of the inference cost of the default three-model ensemble.
        ("model", CalibratedClassifierCV(LinearSVC(C=1.0, random_state=SEED), cv=3, ensemble=False)),
    ])


def train(name: str, data_dir: Path, out_dir: Path) -> ClassifierReport:
    """Cross-validate, then fit on all data and save `<out_dir>/<name>.joblib`."""
    texts, labels = read_examples(data_dir / DATASETS[name])
    lemmas = [lemma_text(t) for t in texts]
    y = np.array(labels)
    # Group-aware folds: lines written from one template stay in one fold (honest figures).
    groups = near_duplicate_groups(lemmas)
    predicted = cross_val_predict(build_pipeline(), lemmas, y, cv=GroupKFold(n_splits=5), groups=groups)
    classes = sorted(set(labels))
    per_class = {c: float(np.mean(predicted[y == c] == c)) for c in classes}
    counts = {c: int(np.sum(y == c)) for c in classes}
    pipeline = build_pipeline().fit(lemmas, y)
    out_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipeline, out_dir / f"{name}.joblib")
    return ClassifierReport(name, len(labels), float(np.mean(predicted == y)), per_class, counts)


def write_metrics(reports: list[ClassifierReport], out_dir: Path) -> Path:
    """Record the reports in `metrics.json`; models not retrained now (`--only`) keep their figures."""
    path = out_dir / "metrics.json"
    metrics = json.loads(path.read_text("utf-8")) if path.exists() else {}
    metrics.update({r.name: r.to_json() for r in reports})
    path.write_text(json.dumps(dict(sorted(metrics.items())), ensure_ascii=False, indent=2) + "\n", "utf-8")
    return path
