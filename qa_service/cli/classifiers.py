"""`qa-service train-classifiers`: fit the topic and learned-criterion models, print CV accuracy.

With `--tenant SLUG --gold` the learned criteria's models are refitted from that tenant's gold
labels (calibration consensus, then reviewers' answers) merged with the shipped lines, and the
agreement with the gold labels is printed before and after (see `services.trust.retraining`).

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
    if args.gold or args.tenant:
        if not (args.gold and args.tenant):
            raise UserFacingError("--gold и --tenant указываются вместе", "--gold and --tenant go together")
        return _train_gold(args, data_dir, out_dir)
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


def _train_gold(args: argparse.Namespace, data_dir: Path, out_dir: Path) -> int:
    from qa_service.services.trust.retraining import retrain_from_gold

    for report in retrain_from_gold(args.settings, args.tenant, data_dir=data_dir, out_dir=out_dir, only=args.only):
        print(f"{report.name}: золотых меток (gold labels) n={report.n_gold} (калибровка/calibration "
              f"{report.n_calibration}, проверки/reviews {report.n_review}), примеров всего (samples) "
              f"n={report.n_total}, заменено исходных (seeds replaced) {report.n_seeds_replaced}")
        for figures in report.criteria:
            print(f"  {figures.criterion_id}: согласие с золотыми метками (agreement with gold labels, "
                  f"n={figures.n_gold}) до (before) {figures.before:.3f} → после (after, 5-fold group CV) "
                  f"{figures.after:.3f}")
        print(f"  точность CV по репликам (turn-level 5-fold group CV accuracy, n={report.n_total}) "
              f"{report.turn_accuracy:.3f}")
        print(f"  модель / model: {out_dir / (report.name + '.joblib')}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("train-classifiers", help="обучить классификаторы / train the classifiers")
    parser.add_argument("--data", metavar="DIR",
                        help="каталог с JSONL (по умолчанию поставляемый models/training-data)")
    parser.add_argument("--out", metavar="DIR",
                        help="куда сохранить модели (по умолчанию $QA_MODELS_DIR/classifiers, иначе поставляемые)")
    parser.add_argument("--only", nargs="+", help="обучить только эти модели")
    parser.add_argument("--tenant", metavar="SLUG", help="авиакомпания, чьи золотые метки берутся (с --gold)")
    parser.add_argument("--gold", action="store_true",
                        help="дообучить модели обучаемых критериев на золотых метках авиакомпании (с --tenant)")
    parser.set_defaults(handler=_train)
