"""`qa-service train-classifiers`: fit the topic and learned-criterion models, print CV accuracy.

(Not `train`: "training" in this codebase is the coaching of agents.)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from qa_service.core.errors import UserFacingError


def _train(args: argparse.Namespace) -> int:
    # Imported here: scikit-learn takes seconds to import and every `qa-service` call builds this parser.
    from qa_service.core import resources
    from qa_service.core.classifier_training import DATASETS, train, write_metrics
    from qa_service.core.classifiers import models_dir

    unknown = sorted(set(args.only or ()) - set(DATASETS))
    if unknown:
        raise UserFacingError(
            f"--only: нет моделей {unknown}; есть {sorted(DATASETS)}",
            f"--only: no models {unknown}; there are {sorted(DATASETS)}",
        )
    data_dir = Path(args.data) if args.data else resources.packaged("models", "training-data")
    # Default: where this process reads classifiers (QA_MODELS_DIR/classifiers, else the shipped copy).
    out_dir = Path(args.out) if args.out else models_dir()
    reports = []
    for name in args.only or sorted(DATASETS):
        report = train(name, data_dir, out_dir)
        reports.append(report)
        print(f"{name}: примеров (samples) {report.samples}, точность CV (5-fold accuracy) {report.accuracy:.3f}")
        for label, accuracy in report.per_class.items():
            print(f"  {label:<12} {accuracy:.3f}  (n={report.counts[label]})")
    path = write_metrics(reports, out_dir)
    print(f"метрики / metrics: {path}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("train-classifiers", help="обучить классификаторы / train the classifiers")
    parser.add_argument("--data", metavar="DIR",
                        help="каталог с JSONL (по умолчанию поставляемый models/training-data)")
    parser.add_argument("--out", metavar="DIR",
                        help="куда сохранить модели (по умолчанию $QA_MODELS_DIR/classifiers, иначе поставляемые)")
    parser.add_argument("--only", nargs="+", help="обучить только эти модели")
    parser.set_defaults(handler=_train)
