"""The quality day: average scores with t-intervals and sample sizes, critical failures, a Pareto of
failed criteria, the 30-day trend and how the day's interactions were checked.

Agents are ranked only with at least `MIN_RANKED_SAMPLE` evaluations: a mean of two calls
says nothing about a person, so those are listed apart, unranked, by name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from scipy import stats

MIN_RANKED_SAMPLE = 5
CONFIDENCE = 0.95


@dataclass(frozen=True)
class ScoreSummary:
    """Mean score of `n` evaluations with its 95 % t-interval (None below two evaluations)."""

    n: int
    mean: float | None
    low: float | None = None
    high: float | None = None


def summarize(scores: Sequence[float]) -> ScoreSummary:
    if not scores:
        return ScoreSummary(0, None)
    values = np.asarray(scores, dtype=float)
    mean = float(values.mean())
    if len(values) < 2:
        return ScoreSummary(1, round(mean, 2))
    sem = stats.sem(values)
    if sem == 0:
        return ScoreSummary(len(values), round(mean, 2), round(mean, 2), round(mean, 2))
    low, high = stats.t.interval(CONFIDENCE, len(values) - 1, loc=mean, scale=sem)
    return ScoreSummary(len(values), round(mean, 2), round(max(0.0, float(low)), 2), round(min(100.0, float(high)), 2))


def summarize_moments(n: int, total: float, total_of_squares: float) -> ScoreSummary:
    """The same summary from a count, a sum and a sum of squares (aggregated by the database)."""
    if n == 0:
        return ScoreSummary(0, None)
    mean = total / n
    if n < 2:
        return ScoreSummary(1, round(mean, 2))
    variance = max(0.0, (total_of_squares - n * mean * mean) / (n - 1))
    if variance == 0:
        return ScoreSummary(n, round(mean, 2), round(mean, 2), round(mean, 2))
    low, high = stats.t.interval(CONFIDENCE, n - 1, loc=mean, scale=(variance / n) ** 0.5)
    return ScoreSummary(n, round(mean, 2), round(max(0.0, float(low)), 2), round(min(100.0, float(high)), 2))


@dataclass(frozen=True)
class ScoredItem:
    """One interaction of the day with its current evaluation's score."""

    interaction_id: int
    channel: str
    agent: str | None
    team: str | None
    score: float
    reviewed: bool
    auto_scored: bool
    disputed: bool


@dataclass(frozen=True)
class CriticalFailure:
    interaction_id: int
    criterion_id: str
    criterion: str
    agent: str | None
    channel: str
    quote: str | None


@dataclass(frozen=True)
class ParetoRow:
    criterion_id: str
    criterion: str
    failed: int
    applicable: int
    cumulative_share: float

    @property
    def failure_rate(self) -> float:
        return self.failed / self.applicable if self.applicable else 0.0


@dataclass(frozen=True)
class Share:
    count: int
    total: int

    @property
    def fraction(self) -> float | None:
        return self.count / self.total if self.total else None


@dataclass
class QualityReport:
    first: date
    last: date
    timezone: str
    overall: ScoreSummary
    by_channel: dict[str, ScoreSummary]
    by_team: dict[str, ScoreSummary]
    ranked_agents: list[tuple[str, ScoreSummary]]
    unranked_agents: list[tuple[str, ScoreSummary]]
    critical_failures: list[CriticalFailure]
    pareto: list[ParetoRow]
    trend: list[tuple[date, ScoreSummary]]
    shares: dict[str, Share] = field(default_factory=dict)
    # Calibration and coaching beside the scores (counts; see services/reports_context.py).
    activity: dict[str, int] = field(default_factory=dict)
    # Contact reasons, FCR, repeats and discrepancies (services/cases/outcomes.py): `to_json()` of its
    # section under `cases`, the section itself for the page under `cases_detail`.
    cases: dict[str, Any] = field(default_factory=dict)
    cases_detail: Any = None
    # Issue 24: last night's emerging topics and trackers, [{"label", "kind", "observed", "expected"}].
    emerging_topics: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The shape of record (contracts/README.md, `qa-service report daily-quality`)."""
        return {**self._scores_json(), **self.cases}

    def _scores_json(self) -> dict[str, Any]:
        return {
            "date": self.first.isoformat(),
            "evaluated": self.overall.n,
            "average_score": self.overall.mean,
            "by_channel": {
                channel: {"evaluated": s.n, "average_score": s.mean} for channel, s in self.by_channel.items()
            },
            "critical_failures": [
                {"interaction_id": f.interaction_id, "criterion": f.criterion, "agent": f.agent}
                for f in self.critical_failures
            ],
            "failed_criteria": [
                {"criterion": row.criterion, "failed": row.failed, "applicable": row.applicable} for row in self.pareto
            ],
            "emerging_topics": self.emerging_topics,
        }


def pareto(answers: Iterable[tuple[str, str | None]], titles: Mapping[str, str]) -> list[ParetoRow]:
    """Failed criteria, most failed first, with the cumulative share of all failures (`na` is not applicable)."""
    failed: Counter[str] = Counter()
    applicable: Counter[str] = Counter()
    for criterion, answer in answers:
        if answer in ("yes", "no"):
            applicable[criterion] += 1
            if answer == "no":
                failed[criterion] += 1
    all_failures = sum(failed.values())
    rows: list[ParetoRow] = []
    running = 0
    for criterion, count in sorted(failed.items(), key=lambda item: (-item[1], titles.get(item[0], item[0]))):
        running += count
        rows.append(ParetoRow(criterion, titles.get(criterion, criterion), count, applicable[criterion],
                              running / all_failures))
    return rows


def _grouped(items: Iterable[ScoredItem], key: str) -> dict[str, ScoreSummary]:
    groups: dict[str, list[float]] = {}
    for item in items:
        name = getattr(item, key) or "—"
        groups.setdefault(name, []).append(item.score)
    return {name: summarize(scores) for name, scores in sorted(groups.items())}


def build_quality(
    *,
    first: date,
    last: date,
    timezone: str,
    items: Sequence[ScoredItem],
    critical_failures: Sequence[CriticalFailure],
    answers: Iterable[tuple[str, str | None]],
    titles: Mapping[str, str],
    trend: Sequence[tuple[date, ScoreSummary]],
    min_ranked: int = MIN_RANKED_SAMPLE,
    withheld: int = 0,
    activity: Mapping[str, int] | None = None,
) -> QualityReport:
    agents = _grouped(items, "agent")
    ranked = sorted(((a, s) for a, s in agents.items() if s.n >= min_ranked), key=lambda p: -(p[1].mean or 0))
    unranked = [(a, s) for a, s in agents.items() if s.n < min_ranked]
    total = len(items)
    return QualityReport(
        first=first, last=last, timezone=timezone,
        overall=summarize([i.score for i in items]),
        by_channel=_grouped(items, "channel"),
        by_team=_grouped(items, "team"),
        ranked_agents=ranked,
        unranked_agents=unranked,
        critical_failures=list(critical_failures),
        pareto=pareto(answers, titles),
        trend=list(trend),
        shares={
            "auto_scored": Share(sum(i.auto_scored for i in items), total),
            "reviewed": Share(sum(i.reviewed for i in items), total),
            "disputed": Share(sum(i.disputed for i in items), total),
            # The AutoQA trust loop withheld a machine answer and no person has answered yet: unreviewed.
            "withheld": Share(withheld, total),
        },
        activity=dict(activity or {}),
    )
