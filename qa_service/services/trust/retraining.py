"""`qa-service train-classifiers --tenant SLUG --gold`: refit the learned criteria's models from the
tenant's gold labels merged with the shipped seed lines, and report the figures before and after.

Gold labels, most authoritative first: calibration consensus answers, then reviewers' own answers
(confirmations and overrides) — the same human answers, ranked the same way, as the AutoQA trust
loop measures the machine against (`services.trust.loop.human_answers`).  The text is what scoring reads:
the interaction's stored, redacted turns through the rubric version it was scored with.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.core.classifier_training import DATASETS, read_examples
from qa_service.core.classifiers import lemma_text
from qa_service.core.errors import UserFacingError
from qa_service.core.gold_training import MIN_GOLD_LABELS, GoldLabel, GoldTrainingReport, check_enough, retrain
from qa_service.core.rubric import InvalidRubric
from qa_service.core.rubric.model import Rubric as RubricModel
from qa_service.core.scoring.engine import classifier_input
from qa_service.db.models import Evaluation, Interaction, Rubric, RubricVersion
from qa_service.db.session import transaction
from qa_service.services.accounts.tenants import tenant_by_slug
from qa_service.services.ingestion.scoring import rubric_from_version
from qa_service.services.interactions.domain_mapping import to_domain
from qa_service.services.trust.loop import HumanAnswer, human_answers

log = logging.getLogger(__name__)
GOLD_ANSWERS = {"yes": True, "no": False}  # `na` and empty answers say nothing about the turns


@dataclass
class LearnedModel:
    """The gold labels of one model, over every criterion the tenant's rubrics answer with it."""

    positive: str
    labels: list[GoldLabel]


def _authority(answer: HumanAnswer) -> tuple[bool, float, int]:
    # Consensus before reviews, then newest first: the order `core.gold_training` resolves conflicts in.
    return answer.source != "calibration", -answer.answered_at.timestamp(), -answer.interaction_id


def _latest_version(session: Session, rubric_id: int) -> RubricVersion | None:
    return session.scalar(
        select(RubricVersion)
        .where(RubricVersion.rubric_id == rubric_id, RubricVersion.published_at.is_not(None))
        .order_by(RubricVersion.published_at.desc(), RubricVersion.id.desc()).limit(1)
    )


def _scored_version(session: Session, tenant_id: int, interaction_id: int, rubric_id: int) -> RubricVersion | None:
    """The rubric version the interaction was last evaluated with (its rules chose the turns the model read)."""
    return session.scalar(
        select(RubricVersion)
        .join(Evaluation, Evaluation.rubric_version_id == RubricVersion.id)
        .where(Evaluation.tenant_id == tenant_id, Evaluation.interaction_id == interaction_id,
               RubricVersion.rubric_id == rubric_id)
        .order_by(Evaluation.id.desc()).limit(1)
    )


def _parsed(version: RubricVersion) -> RubricModel | None:
    try:
        return rubric_from_version(version)
    except InvalidRubric:
        # Publishing validates a rubric; a version that no longer parses has no rules to learn from.
        log.warning("rubric version id=%s does not parse: skipped for retraining", version.id)
        return None


def gold_labels(session: Session, tenant_id: int) -> dict[str, LearnedModel]:
    """Per model name, the tenant's gold labels of the criteria answered by it (most authoritative first)."""
    models: dict[str, LearnedModel] = {}
    for rubric in session.scalars(select(Rubric).where(Rubric.tenant_id == tenant_id).order_by(Rubric.id)):
        version = _latest_version(session, rubric.id)
        if version is None:
            continue
        parsed = _parsed(version)
        if parsed is None:
            continue
        learned: dict[str, list[str]] = {}  # criterion → the models its rule (or an override's) uses
        for criterion in parsed.criteria:
            rules = [criterion.rule, *(o.rule for o in criterion.overrides)]
            names = [str(r.params["model"]) for r in rules if r.kind == "classifier"]
            if names:
                learned[criterion.id] = names
                for name in names:
                    models.setdefault(name, LearnedModel(str(criterion.rule.params.get("positive_label", "yes")), []))
        if not learned:
            continue
        found = human_answers(session, tenant_id, rubric.id, sorted(learned))
        for answer in sorted((a for answers in found.values() for a in answers), key=_authority):
            if answer.human not in GOLD_ANSWERS:
                continue
            row = session.get(Interaction, answer.interaction_id)
            if row is None or row.tenant_id != tenant_id:
                continue
            scored_with = _scored_version(session, tenant_id, row.id, rubric.id)
            scored_rubric = (_parsed(scored_with) if scored_with is not None else None) or parsed
            view = classifier_input(to_domain(row), scored_rubric, answer.criterion_id)
            if view is None or not view[2]:
                continue  # another rule answered it here, or no turn to read: nothing for the model to learn
            name, positive, texts = view
            model = models.setdefault(name, LearnedModel(positive, []))
            model.labels.append(GoldLabel(row.id, answer.criterion_id, GOLD_ANSWERS[answer.human], tuple(texts),
                                          answer.source))
    return models


def retrain_from_gold(settings: Settings, slug: str, *, data_dir: Path, out_dir: Path,
                      only: list[str] | None = None, minimum: int = MIN_GOLD_LABELS) -> list[GoldTrainingReport]:
    """Refit each learned model of tenant `slug` on seeds + gold labels; refuse before writing anything
    when a criterion has fewer than `minimum` gold labels."""
    with transaction(settings.sqlalchemy_url) as session:
        tenant = tenant_by_slug(session, slug)
        models = gold_labels(session, tenant.id)
    # Reading is over: the fits below take seconds to minutes and hold no database connection.
    names = list(only) if only else sorted(models)
    for name in names:
        if name not in models or name not in DATASETS:
            raise UserFacingError(
                f"{name}: не модель обучаемого критерия; с --gold обучаются {sorted(set(models) & set(DATASETS))}",
                f"{name}: not a learned criterion's model; --gold trains {sorted(set(models) & set(DATASETS))}",
            )
        check_enough(name, models[name].labels, minimum)
    reports = []
    for name in names:
        texts, labels = read_examples(data_dir / DATASETS[name])
        reports.append(retrain(name, [lemma_text(t) for t in texts], labels, models[name].labels,
                               models[name].positive, out_dir))
    _merge_metrics(out_dir, slug, reports)
    return reports


def _merge_metrics(out_dir: Path, slug: str, reports: list[GoldTrainingReport]) -> Path:
    """Replace the retrained models' entries in `metrics.json`, keeping the others' (the topic model's)."""
    path = out_dir / "metrics.json"
    try:
        metrics = json.loads(path.read_text("utf-8")) if path.exists() else {}
    except ValueError:
        metrics = {}
    for report in reports:
        metrics[report.name] = {**report.to_json(), "tenant": slug}
    path.write_text(json.dumps(metrics, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return path
