"""Honest cross-validation of the shipped classifiers: group-aware folds, with and without embeddings.

Run: `.venv/bin/python benchmarks/classifiers_cv.py`.

The training lines were written from templates, so a random split puts near-copies of a test
line in training and reports memory (0.997 / 1.0).  Here lines whose word sets overlap by half
or more are one group (`near_duplicate_groups`), and `GroupKFold` keeps a group in one fold.
Printed per dataset: accuracy under the old stratified split and under group folds, for TF-IDF
over lemmas alone and TF-IDF + mean navec embeddings.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import GroupKFold, StratifiedKFold, cross_val_predict

from qa_service.core.classifier_training import DATASETS, SEED, build_pipeline, read_examples
from qa_service.core.classifiers import lemma_text, models_dir
from qa_service.core.embeddings import near_duplicate_groups


def main() -> int:
    data = models_dir().parent / "training-data"
    print(f"{'dataset':<22}{'features':<18}{'stratified':>11}{'group-aware':>13}   groups")
    for name, file in DATASETS.items():
        texts, labels = read_examples(data / file)
        lemmas = [lemma_text(t) for t in texts]
        y = np.array(labels)
        groups = near_duplicate_groups(lemmas)
        for embeddings in (False, True):
            strat = cross_val_predict(build_pipeline(embeddings=embeddings), lemmas, y,
                                      cv=StratifiedKFold(5, shuffle=True, random_state=SEED))
            grouped = cross_val_predict(build_pipeline(embeddings=embeddings), lemmas, y,
                                        cv=GroupKFold(5), groups=groups)
            label = "tfidf+navec" if embeddings else "tfidf"
            print(f"{name:<22}{label:<18}{np.mean(strat == y):>11.3f}{np.mean(grouped == y):>13.3f}   "
                  f"{len(set(groups))} of {len(texts)} lines")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
