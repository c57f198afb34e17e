"""The quality report's queries: the day's current evaluations, their answers, disputes and the trend."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

import yaml
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from qa_service.core.reports.periods import local_midnight, period_bounds
from qa_service.core.reports.quality import (
    CriticalFailure,
    QualityReport,
    ScoredItem,
    ScoreSummary,
    build_quality,
    summarize_moments,
)
from qa_service.core.rubric.loader import rubrics_dir
from qa_service.db.models import (
    Agent,
    CriterionAnswer,
    Dispute,
    Evaluation,
    EvaluationKind,
    Interaction,
    RubricVersion,
    Team,
    Tenant,
)
from qa_service.services.cases.outcomes import cases_section
from qa_service.services.reports.context import activity, withheld_interactions
from qa_service.services.reports.operations import agent_labels
from qa_service.services.reports.scope import ReportScope, settings_of
from qa_service.services.search.topics import emerging_topics_json

TREND_DAYS = 30


def _titles_from_yaml(text: str) -> dict[str, str]:
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    titles: dict[str, str] = {}
    for section in (data or {}).get("sections", []) if isinstance(data, dict) else []:
        for criterion in section.get("criteria", []) if isinstance(section, dict) else []:
            if isinstance(criterion, dict) and criterion.get("id") and criterion.get("title"):
                titles[str(criterion["id"])] = str(criterion["title"])
    return titles


@cache
def _bundled_titles() -> dict[str, str]:
    titles: dict[str, str] = {}
    for path in sorted(rubrics_dir().glob("*.yaml")):
        titles.update(_titles_from_yaml(path.read_text("utf-8")))
    return titles


def criterion_titles(session: Session, version_ids: Iterable[int]) -> dict[str, str]:
    """Criterion titles from the rubric versions the evaluations used, the bundled standard filling gaps."""
    titles = dict(_bundled_titles())
    ids = sorted(set(version_ids))
    if ids:
        for content in session.scalars(select(RubricVersion.content).where(RubricVersion.id.in_(ids))):
            titles.update(_titles_from_yaml(content))
    return titles


def _in_period(scope: ReportScope, start: datetime, end: datetime) -> list[Any]:
    """WHERE clauses over `Interaction` for the scored interactions of the period within the scope.

    Callers JOIN interactions under these clauses rather than using `IN (subquery)`: the planner
    then walks the (tenant, started_at) index into the evaluations, instead of merging whole indexes.
    """
    clauses: list[Any] = [Interaction.tenant_id == scope.tenant_id, Interaction.started_at >= start,
                          Interaction.started_at < end, Interaction.score.is_not(None)]
    agent_clause = scope.agent_filter(Interaction.agent_id)
    if agent_clause is not None:
        clauses.append(agent_clause)
    blind_clause = scope.visible_filter(Interaction.id)
    if blind_clause is not None:
        clauses.append(blind_clause)
    return clauses


def _current_evaluations(session: Session, in_period: list[Any]) -> tuple[dict[int, int], set[int], dict[int, int]]:
    """(interaction → its current evaluation id, interactions with a machine evaluation, evaluation → rubric version).

    The current evaluation is the latest human review, else the latest machine one — as on the interaction page.
    """
    rows = session.execute(
        select(Evaluation.id, Evaluation.interaction_id, Evaluation.kind, Evaluation.rubric_version_id)
        .join(Interaction, Interaction.id == Evaluation.interaction_id)
        .where(*in_period, Evaluation.kind != EvaluationKind.CALIBRATION)
        .order_by(Evaluation.id)
    )
    current: dict[int, tuple[bool, int]] = {}
    auto: set[int] = set()
    versions: dict[int, int] = {}
    for row in rows:
        is_review = row.kind == EvaluationKind.REVIEW
        if row.kind == EvaluationKind.AUTO:
            auto.add(row.interaction_id)
        held = current.get(row.interaction_id)
        if held is None or is_review or not held[0]:
            current[row.interaction_id] = (is_review, row.id)
        versions[row.id] = row.rubric_version_id
    return {k: v[1] for k, v in current.items()}, auto, versions


def _trend(session: Session, scope: ReportScope, last: date, zone: Any) -> list[tuple[date, ScoreSummary]]:
    """Per local day of the 30 days ending `last`: n, sum and sum of squares, grouped in SQL."""
    days = [last - timedelta(days=TREND_DAYS - 1 - i) for i in range(TREND_DAYS)]
    bounds = [local_midnight(d, zone) for d in [*days, last + timedelta(days=1)]]
    bucket = case(*((Interaction.started_at < bounds[i + 1], i) for i in range(TREND_DAYS)), else_=TREND_DAYS)
    stmt = (
        select(bucket.label("day"), func.count(), func.sum(Interaction.score),
               func.sum(Interaction.score * Interaction.score))
        .where(Interaction.tenant_id == scope.tenant_id, Interaction.score.is_not(None),
               Interaction.started_at >= bounds[0], Interaction.started_at < bounds[-1])
        .group_by(bucket)
    )
    blind_clause = scope.visible_filter(Interaction.id)
    if blind_clause is not None:
        stmt = stmt.where(blind_clause)
    moments = {int(r[0]): (int(r[1]), float(r[2] or 0), float(r[3] or 0))
               for r in session.execute(scope.apply(stmt, Interaction.agent_id))}
    return [(day, summarize_moments(*moments.get(i, (0, 0.0, 0.0)))) for i, day in enumerate(days)]


def quality_report(session: Session, scope: ReportScope, first: date, last: date) -> QualityReport:
    """The quality report of the local days `first`..`last`, within `scope`."""
    tenant = session.get_one(Tenant, scope.tenant_id)
    tenant_settings = settings_of(tenant)
    zone = tenant_settings.zone
    start, end = period_bounds(first, last, zone)
    in_period = _in_period(scope, start, end)
    labels = agent_labels(session, scope.tenant_id)
    teams = {r.id: r.name for r in session.execute(select(Team.id, Team.name).where(Team.tenant_id == scope.tenant_id))}
    agent_team = {r.id: r.team_id for r in
                  session.execute(select(Agent.id, Agent.team_id).where(Agent.tenant_id == scope.tenant_id))}
    current, auto, versions = _current_evaluations(session, in_period)
    disputed = set(session.scalars(
        select(Evaluation.interaction_id).join(Dispute, Dispute.evaluation_id == Evaluation.id)
        .join(Interaction, Interaction.id == Evaluation.interaction_id)
        .where(Dispute.tenant_id == scope.tenant_id, *in_period)
    ))
    items: list[ScoredItem] = []
    channels: dict[int, str] = {}
    agents: dict[int, str | None] = {}
    rows = session.execute(
        select(Interaction.id, Interaction.channel, Interaction.agent_id, Interaction.score, Interaction.reviewed)
        .where(*in_period)
    )
    for row in rows:
        agent = labels.get(row.agent_id) if row.agent_id else None
        team_id = agent_team.get(row.agent_id) if row.agent_id else None
        channels[row.id], agents[row.id] = str(row.channel), agent
        items.append(ScoredItem(
            interaction_id=row.id, channel=str(row.channel), agent=agent,
            team=teams.get(team_id) if team_id else None, score=float(row.score), reviewed=bool(row.reviewed),
            auto_scored=row.id in auto, disputed=row.id in disputed,
        ))
    evaluation_ids = list(current.values())
    by_evaluation = {v: k for k, v in current.items()}
    titles = criterion_titles(session, {versions[e] for e in evaluation_ids})
    # Joined on the period's interactions rather than passed as an id list: ten thousand bind
    # parameters cost more to send and parse than the query itself.
    current_ids = set(evaluation_ids)
    # One pass over the answers: evidence is fetched only for the failed critical ones.
    failed_critical = and_(CriterionAnswer.critical, CriterionAnswer.answer == "no")
    answer_rows = session.execute(
        select(CriterionAnswer.evaluation_id, CriterionAnswer.criterion_id, CriterionAnswer.answer,
               case((failed_critical, CriterionAnswer.evidence), else_=None).label("evidence"),
               failed_critical.label("failed_critical"))
        .join(Evaluation, Evaluation.id == CriterionAnswer.evaluation_id)
        .join(Interaction, Interaction.id == Evaluation.interaction_id)
        .where(*in_period, Evaluation.kind != EvaluationKind.CALIBRATION)
        .order_by(CriterionAnswer.evaluation_id, CriterionAnswer.position)
    )
    answers: list[tuple[str, str | None]] = []
    failures: list[CriticalFailure] = []
    for row in answer_rows:
        if row.evaluation_id not in current_ids:
            continue
        answers.append((row.criterion_id, row.answer))
        if not row.failed_critical:
            continue
        interaction_id = by_evaluation[row.evaluation_id]
        quote = next((str(e.get("quote")) for e in row.evidence or [] if isinstance(e, dict) and e.get("quote")),
                     None)
        failures.append(CriticalFailure(
            interaction_id=interaction_id, criterion_id=row.criterion_id,
            criterion=titles.get(row.criterion_id, row.criterion_id), agent=agents.get(interaction_id),
            channel=channels.get(interaction_id, ""), quote=quote,
        ))
    report = build_quality(
        first=first, last=last, timezone=tenant_settings.timezone, items=items, critical_failures=failures,
        answers=answers, titles=titles, trend=_trend(session, scope, last, zone),
        withheld=withheld_interactions(session, in_period),
        activity=activity(session, scope.tenant_id, start, end),
    )
    section = cases_section(session, scope.tenant_id, start, end, datetime.now(UTC),
                            scope.agent_filter(Interaction.agent_id))
    report.cases, report.cases_detail = section.to_json(), section
    report.emerging_topics = emerging_topics_json(session, scope.tenant_id)
    return report

