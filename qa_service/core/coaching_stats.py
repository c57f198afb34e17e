"""The statistics behind training needs and coaching effects, on plain numbers (no database).

Every test and interval comes from scipy/statsmodels: Wilson intervals for rates, Fisher's
exact test with a multiple-comparison correction for "worse than the team", and a
difference-in-differences regression with cluster-robust errors for "did coaching work".
"""

from __future__ import annotations

import enum
import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import fisher_exact
from statsmodels.regression.linear_model import OLS
from statsmodels.stats.meta_analysis import combine_effects
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

# The standard §5: below 75 over the last 20 scored interactions is flagged for coaching.
LOW_AVERAGE_THRESHOLD = 75.0
AVERAGE_WINDOW = 20
# Fewer applicable answers than this and we say "too little data" instead of labelling a person.
MIN_SAMPLE = 10
ALPHA = 0.05
CORRECTION = "holm"  # family-wise: a wrongly flagged agent costs more than a missed one


@dataclass(frozen=True)
class Rate:
    """A failure rate with its 95 % Wilson interval."""

    failures: int
    applicable: int
    low: float
    high: float

    @property
    def value(self) -> float:
        return self.failures / self.applicable if self.applicable else math.nan


def wilson(failures: int, applicable: int, alpha: float = ALPHA) -> Rate:
    if applicable <= 0:
        return Rate(failures, applicable, math.nan, math.nan)
    low, high = proportion_confint(failures, applicable, alpha=alpha, method="wilson")
    return Rate(failures, applicable, float(low), float(high))


@dataclass(frozen=True)
class GapCell:
    """One agent × criterion: the agent's failures and answers, and the rest of the team's."""

    key: Hashable
    failures: int
    applicable: int
    team_failures: int
    team_applicable: int


@dataclass(frozen=True)
class GapResult:
    key: Hashable
    agent: Rate
    team: Rate
    p_value: float | None  # corrected; None when the sample was too small to test
    p_raw: float | None
    significant: bool

    @property
    def tested(self) -> bool:
        return self.p_value is not None


def team_gap_tests(
    cells: Sequence[GapCell], *, alpha: float = ALPHA, method: str = CORRECTION, min_sample: int = MIN_SAMPLE
) -> list[GapResult]:
    """Which agents fail a criterion significantly more often than their team (one-sided Fisher, corrected).

    Cells with fewer than `min_sample` answers on either side are not tested and never flagged;
    the correction runs over the tested cells only, all of them one family.
    """
    tested = [c for c in cells if c.applicable >= min_sample and c.team_applicable >= min_sample]
    raw: dict[Hashable, float] = {}
    for cell in tested:
        table = [
            [cell.failures, cell.applicable - cell.failures],
            [cell.team_failures, cell.team_applicable - cell.team_failures],
        ]
        raw[cell.key] = float(fisher_exact(table, alternative="greater").pvalue)
    adjusted: dict[Hashable, tuple[float, bool]] = {}
    if raw:
        reject, corrected, _, _ = multipletests(list(raw.values()), alpha=alpha, method=method)
        adjusted = {
            key: (float(p), bool(r)) for key, p, r in zip(raw, corrected, reject, strict=True)
        }
    results = []
    for cell in cells:
        p_adj, significant = adjusted.get(cell.key, (None, False))
        results.append(
            GapResult(
                key=cell.key,
                agent=wilson(cell.failures, cell.applicable, alpha),
                team=wilson(cell.team_failures, cell.team_applicable, alpha),
                p_value=p_adj,
                p_raw=raw.get(cell.key),
                significant=significant,
            )
        )
    return results


@dataclass(frozen=True)
class AverageCheck:
    average: float | None
    count: int
    flagged: bool


def low_average(
    scores_newest_first: Sequence[float], *, window: int = AVERAGE_WINDOW, threshold: float = LOW_AVERAGE_THRESHOLD,
    min_sample: int = MIN_SAMPLE,
) -> AverageCheck:
    """The standard's rule: the mean of the last `window` scores below `threshold` (with enough scores)."""
    recent = list(scores_newest_first[:window])
    if not recent:
        return AverageCheck(None, 0, False)
    average = float(np.mean(recent))
    return AverageCheck(average, len(recent), len(recent) >= min_sample and average < threshold)


class Verdict(enum.StrEnum):
    IMPROVED = "improved"
    NO_CHANGE = "no_change"
    WORSE = "worse"
    TOO_LITTLE_DATA = "too_little_data"


@dataclass(frozen=True)
class AnswerObservation:
    """One applicable answer on a coached criterion, placed in the difference-in-differences design."""

    failed: bool
    treated: bool  # the coached agent (else the comparison group)
    post: bool  # after the coaching (else before)
    cluster: Hashable  # the interaction: answers of one conversation are not independent


@dataclass(frozen=True)
class Effect:
    """Change in the coached agent's failure rate, net of the comparison group's change over the same time."""

    verdict: Verdict
    estimate: float | None  # negative = fewer failures after coaching
    low: float | None
    high: float | None
    std_error: float | None
    treated_before: Rate
    treated_after: Rate
    control_before: Rate
    control_after: Rate


def _cell(rows: Sequence[AnswerObservation], treated: bool, post: bool) -> Rate:
    chosen = [r for r in rows if r.treated == treated and r.post == post]
    return wilson(sum(r.failed for r in chosen), len(chosen))


def diff_in_diff(
    rows: Sequence[AnswerObservation], *, alpha: float = ALPHA, min_sample: int = MIN_SAMPLE
) -> Effect:
    """OLS of failed ~ treated + post + treated×post with cluster-robust errors; the interaction is the effect."""
    cells = {(t, p): _cell(rows, t, p) for t in (True, False) for p in (False, True)}
    base = dict(
        treated_before=cells[(True, False)], treated_after=cells[(True, True)],
        control_before=cells[(False, False)], control_after=cells[(False, True)],
    )
    if any(rate.applicable < min_sample for rate in cells.values()):
        return Effect(Verdict.TOO_LITTLE_DATA, None, None, None, None, **base)
    y = np.array([float(r.failed) for r in rows])
    treated = np.array([float(r.treated) for r in rows])
    post = np.array([float(r.post) for r in rows])
    design = np.column_stack([np.ones_like(y), treated, post, treated * post])
    cluster_ids = {key: i for i, key in enumerate(dict.fromkeys(r.cluster for r in rows))}
    groups = np.array([cluster_ids[r.cluster] for r in rows])
    fit = OLS(y, design).fit(cov_type="cluster", cov_kwds={"groups": groups})
    estimate = float(fit.params[3])
    std_error = float(fit.bse[3])
    if not math.isfinite(std_error):
        return Effect(Verdict.NO_CHANGE, estimate, None, None, None, **base)
    low, high = (float(v) for v in fit.conf_int(alpha=alpha)[3])
    if high < 0:
        verdict = Verdict.IMPROVED
    elif low > 0:
        verdict = Verdict.WORSE
    else:
        verdict = Verdict.NO_CHANGE
    return Effect(verdict, estimate, low, high, std_error, **base)


@dataclass(frozen=True)
class PooledEffect:
    """The average effect of all measured coaching of one module (random-effects meta-analysis)."""

    estimate: float | None
    low: float | None
    high: float | None
    count: int


def pooled_effect(effects: Sequence[Effect], *, alpha: float = ALPHA) -> PooledEffect:
    """Combine measured effects (those with data) into one estimate with its interval."""
    measured = [e for e in effects if e.estimate is not None and e.std_error is not None and e.std_error > 0]
    if not measured:
        return PooledEffect(None, None, None, 0)
    if len(measured) == 1:
        only = measured[0]
        return PooledEffect(only.estimate, only.low, only.high, 1)
    estimates = np.array([e.estimate for e in measured], dtype=float)
    variances = np.array([e.std_error for e in measured], dtype=float) ** 2
    result = combine_effects(estimates, variances, alpha=alpha, method_re="chi2")
    _, ci_re, _, _ = result.conf_int(alpha=alpha)
    return PooledEffect(float(result.mean_effect_re), float(ci_re[0]), float(ci_re[1]), len(measured))

