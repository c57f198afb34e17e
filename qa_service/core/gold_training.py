"""Refitting a learned criterion's model from the shipped seed lines plus a tenant's gold labels.

A gold label answers a criterion for a whole interaction ("did the agent ask a clarifying
question?"), while the model reads single turns; scoring says `yes` when any turn the rule
reads reaches the threshold.  So a label becomes turn examples this way:
- `no`: every turn the rule reads is a negative example (none of them may reach the threshold);
- `yes`: the one turn the current model finds most positive becomes a positive example (the
  turn scoring would quote as evidence); the other turns say nothing certain and are left out.
The figures are measured where the decision is made, per interaction: the share of gold labels
the model's answer agrees with, before (the model in use now) and after (each label answered
by the model of the cross-validation fold that never saw that interaction).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.model_selection import GroupKFold

from qa_service.core.classifier_training import build_pipeline
from qa_service.core.classifiers import forget_loaded, load_classifier
from qa_service.core.embeddings import near_duplicate_groups
from qa_service.core.errors import UserFacingError
from qa_service.core.scoring.learned import THRESHOLD

MIN_GOLD_LABELS = 10  # per criterion: two held-out labels per fold of five, or the "after" figure is noise
N_SPLITS = 5


@dataclass(frozen=True)
class GoldLabel:
    """An agreed answer to a learned criterion, with the turns its model reads (lemma texts, as in scoring)."""

    interaction_id: int
    criterion_id: str
    positive: bool
    turns: tuple[str, ...]
    source: str  # "calibration" (consensus) or "review" (a reviewer's confirmation or override)


@dataclass(frozen=True)
class CriterionFigures:
    criterion_id: str
    n_gold: int
    before: float  # agreement of the model in use with the gold labels
    after: float  # agreement of the retrained model, cross-validated (each label from a fold that never saw it)


@dataclass(frozen=True)
class GoldTrainingReport:
    name: str
    n_gold: int
    n_calibration: int
    n_review: int
    n_total: int  # turn examples the model is fitted on: seed lines kept plus gold turns
    n_seeds_replaced: int
    turn_accuracy: float  # cross-validated accuracy over all turn examples
    criteria: tuple[CriterionFigures, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "gold_labels": self.n_gold, "calibration": self.n_calibration, "review": self.n_review,
            "samples": self.n_total, "seeds_replaced": self.n_seeds_replaced,
            "cv_accuracy": round(self.turn_accuracy, 4),
            "criteria": {c.criterion_id: {"gold_labels": c.n_gold, "agreement_before": round(c.before, 4),
                                          "agreement_after": round(c.after, 4)} for c in self.criteria},
        }


def check_enough(name: str, labels: Sequence[GoldLabel], minimum: int = MIN_GOLD_LABELS) -> None:
    """Refuse (one line) when a criterion of model `name` has fewer than `minimum` gold labels."""
    counts: dict[str, int] = {}
    for label in labels:
        counts[label.criterion_id] = counts.get(label.criterion_id, 0) + 1
    if not counts:
        raise UserFacingError(
            f"{name}: нет золотых меток; нужно не меньше {minimum} на критерий",
            f"{name}: no gold labels; at least {minimum} per criterion are needed",
        )
    for criterion, count in sorted(counts.items()):
        if count < minimum:
            raise UserFacingError(
                f"{name}: по критерию {criterion} {count} золотых меток, нужно не меньше {minimum}",
                f"{name}: criterion {criterion} has {count} gold labels, at least {minimum} are needed",
            )


def _positive_probabilities(model: Any, texts: Sequence[str], positive: str) -> np.ndarray:
    column = [str(c) for c in model.classes_].index(positive)
    return np.asarray(model.predict_proba(list(texts)))[:, column]


def _answers(model: Any, labels: Sequence[GoldLabel], positive: str) -> np.ndarray:
    """The model's `yes`/`no` per label, decided as scoring decides it (any turn at the threshold)."""
    return np.array([bool(label.turns) and float(_positive_probabilities(model, label.turns, positive).max())
                     >= THRESHOLD for label in labels])


def _gold_examples(labels: Sequence[GoldLabel], picker: Any, positive: str,
                   negative: str) -> tuple[list[str], list[str], list[int]]:
    """Turn examples (text, label, index of the gold label it came from).

    `labels` come most authoritative first (consensus before reviews, newer before older): where
    two labels give the same turn text different labels, the first one's label is kept for both
    (consensus outranks a single reviewer; the later decision outranks the earlier).
    """
    texts: list[str] = []
    owners: list[int] = []
    decided: dict[str, str] = {}
    for index, label in enumerate(labels):
        if label.positive:
            best = int(np.argmax(_positive_probabilities(picker, label.turns, positive)))
            chosen = [(label.turns[best], positive)]
        else:
            chosen = [(text, negative) for text in label.turns]
        for text, answer in chosen:
            decided.setdefault(text, answer)
            texts.append(text)
            owners.append(index)
    return texts, [decided[t] for t in texts], owners


def _groups(texts: list[str], owners: list[int | None], labels: Sequence[GoldLabel]) -> np.ndarray:
    """Fold groups: near-duplicate lines together (as for the seeds) and one interaction's turns together."""
    near = near_duplicate_groups(texts)
    # A graph of examples joined to their near-duplicate root and their interaction; a group is a component.
    interactions = {i: n for n, i in enumerate(sorted({labels[o].interaction_id for o in owners if o is not None}))}
    count = len(texts)
    rows, cols = [], []
    for example, (root, owner) in enumerate(zip(near, owners, strict=True)):
        rows.append(example)
        cols.append(count + root)
        if owner is not None:
            rows.append(example)
            cols.append(2 * count + interactions[labels[owner].interaction_id])
    size = 2 * count + len(interactions)
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(size, size))
    _, component = connected_components(graph, directed=False)
    return np.asarray(component[:count])


def save_model(pipeline: Any, out_dir: Path, name: str) -> Path:
    """Write `<out_dir>/<name>.joblib` atomically: a scoring process never reads half a file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{name}.joblib"
    handle, temporary = tempfile.mkstemp(dir=out_dir, prefix=f".{name}.", suffix=".joblib")
    os.close(handle)
    try:
        joblib.dump(pipeline, temporary)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    forget_loaded()
    return target


def retrain(name: str, seed_texts: Sequence[str], seed_labels: Sequence[str], labels: Sequence[GoldLabel],
            positive: str, out_dir: Path) -> GoldTrainingReport:
    """Cross-validate seeds + gold examples with group-aware folds, report before/after, save the refit model.

    `seed_texts` are lemma texts; `labels` most authoritative first (see `_gold_examples`).
    """
    negatives = sorted(set(seed_labels) - {positive})
    if len(negatives) != 1:
        raise UserFacingError(f"{name}: ожидаются две метки в обучающих данных, есть {sorted(set(seed_labels))}",
                              f"{name}: two labels expected in the training data, found {sorted(set(seed_labels))}")
    current = load_classifier(name)
    # Without a model in use, a seeds-only fit picks the positive turn and is the "before".
    reference = current if current is not None else build_pipeline().fit(list(seed_texts), list(seed_labels))
    gold_texts, gold_answers, gold_owners = _gold_examples(labels, reference, positive, negatives[0])
    decided = dict(zip(gold_texts, gold_answers, strict=True))
    # Gold outranks seeds: a seed line whose text a gold label answered otherwise is dropped, so
    # the tenant's agreed answer replaces the shipped one instead of fighting it in the fit.
    kept = [(t, y) for t, y in zip(seed_texts, seed_labels, strict=True) if decided.get(t, y) == y]
    texts = [t for t, _ in kept] + gold_texts
    y = np.array([a for _, a in kept] + gold_answers)
    owners: list[int | None] = [None] * len(kept) + list(gold_owners)
    groups = _groups(texts, owners, labels)
    truth = np.array([label.positive for label in labels])
    after = np.zeros(len(labels), dtype=bool)
    predicted = np.empty(len(texts), dtype=object)
    for train_index, test_index in GroupKFold(n_splits=N_SPLITS).split(texts, y, groups):
        fold = build_pipeline().fit([texts[i] for i in train_index], y[train_index])
        predicted[test_index] = fold.predict([texts[i] for i in test_index])
        # Every turn of a held-out interaction is in this fold's test part, its unlabelled turns too.
        held_out = sorted({o for i in test_index if (o := owners[i]) is not None})
        if held_out:
            after[held_out] = _answers(fold, [labels[i] for i in held_out], positive)
    before = _answers(reference, labels, positive)
    criteria = []
    for criterion in sorted({label.criterion_id for label in labels}):
        mask = np.array([label.criterion_id == criterion for label in labels])
        criteria.append(CriterionFigures(criterion, int(mask.sum()), float(np.mean(before[mask] == truth[mask])),
                                         float(np.mean(after[mask] == truth[mask]))))
    save_model(build_pipeline().fit(texts, y), out_dir, name)
    sources = [label.source for label in labels]
    return GoldTrainingReport(
        name=name, n_gold=len(labels), n_calibration=sources.count("calibration"), n_review=sources.count("review"),
        n_total=len(texts), n_seeds_replaced=len(seed_texts) - len(kept),
        turn_accuracy=float(np.mean(predicted == y)), criteria=tuple(criteria),
    )
