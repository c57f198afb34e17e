"""AutoQA trust arithmetic: how often the machine's answer matches a person's, and whether to publish it.

Pure functions over (machine answer, human answer) pairs.  Agreement is a proportion, so its
interval is Wilson's (from statsmodels, not hand-written): it stays inside [0, 1] and is honest
at the small samples a new criterion starts with.  The verdict uses the point estimate against
the threshold with hysteresis, so a criterion hovering at the threshold does not flip back and
forth with every review.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from statsmodels.stats.proportion import proportion_confint

CATEGORIES = ("yes", "no", "na")
OTHER = "other"  # a scaled answer ("0.5"): compared exactly, shown apart in the matrix
DEFAULT_WINDOW = 200
DEFAULT_MIN_ANSWERS = 20
DEFAULT_HYSTERESIS = 0.03
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Agreement:
    """`agreed` of `n` human answers matched the machine; rate and 95 % Wilson interval (None when n = 0)."""

    agreed: int
    n: int
    rate: float | None
    lower: float | None
    upper: float | None


@dataclass(frozen=True)
class TrustRule:
    """When to stop publishing a criterion's machine answer, and when to publish it again."""

    threshold: float = 0.90
    min_answers: int = DEFAULT_MIN_ANSWERS
    hysteresis: float = DEFAULT_HYSTERESIS

    @property
    def recover_at(self) -> float:
        # Capped: with a threshold of 100 % the machine recovers only by being perfect again.
        return min(1.0, self.threshold + self.hysteresis)


def normalise(answer: str | None) -> str | None:
    """Stored answers are text; scaled ones are compared as numbers ("1" == "1.0")."""
    if answer is None:
        return None
    value = answer.strip().lower()
    if value in CATEGORIES or not value:
        return value or None
    try:
        return f"{float(value):g}"
    except ValueError:
        return value


def same(machine: str | None, human: str | None) -> bool:
    return normalise(machine) == normalise(human)


def category(answer: str | None) -> str:
    value = normalise(answer)
    return value if value in CATEGORIES else OTHER


def agreement(pairs: Iterable[tuple[str | None, str | None]]) -> Agreement:
    """Share of (machine, human) pairs that agree, with its Wilson interval."""
    outcomes = [same(machine, human) for machine, human in pairs]
    return proportion(sum(outcomes), len(outcomes))


def proportion(agreed: int, n: int) -> Agreement:
    """`agreed` of `n` as an Agreement with its Wilson interval."""
    if n == 0:
        return Agreement(0, 0, None, None, None)
    lower, upper = proportion_confint(agreed, n, alpha=1 - CONFIDENCE, method="wilson")
    return Agreement(agreed, n, agreed / n, float(lower), float(upper))


def confusion(pairs: Iterable[tuple[str | None, str | None]]) -> dict[str, dict[str, int]]:
    """Counts by machine answer (rows) × human answer (columns): yes/no/na, plus `other` only if present."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for machine, human in pairs:
        counts[category(machine)][category(human)] += 1
    labels = list(CATEGORIES)
    if OTHER in counts or any(OTHER in row for row in counts.values()):
        labels.append(OTHER)
    return {m: {h: counts[m][h] if m in counts else 0 for h in labels} for m in labels}


def next_suppressed(suppressed: bool, figures: Agreement, rule: TrustRule) -> bool:
    """The new state: withhold below the threshold, publish again only at threshold + hysteresis.

    Fewer than `rule.min_answers` human answers give no verdict: the state stays as it is.
    """
    if figures.rate is None or figures.n < rule.min_answers:
        return suppressed
    if suppressed:
        return figures.rate < rule.recover_at
    return figures.rate < rule.threshold


def weekly(points: Iterable[tuple[date, bool]]) -> list[tuple[date, Agreement]]:
    """Agreement per week (weeks start on Monday), oldest first, from (local day, agreed) points."""
    by_week: dict[date, list[bool]] = defaultdict(list)
    for day, agreed in points:
        by_week[date.fromordinal(day.toordinal() - day.weekday())].append(agreed)
    return [(week, proportion(sum(by_week[week]), len(by_week[week]))) for week in sorted(by_week)]
