"""An emerging topic: today's count above its baseline beyond chance (a one-sided Poisson test).

The baseline is the mean daily count over the previous days; under "nothing changed" today's
count is Poisson with that mean, so P(X ≥ observed) is the chance of seeing this many or more.
Flagged when that chance is below `alpha` and the count is not trivially small.  The expected
count is shown beside the observed one, so a reader judges the size, not just the flag.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scipy.stats import poisson

ALPHA = 0.01
MIN_OBSERVED = 3
MIN_BASELINE_DAYS = 7


@dataclass(frozen=True)
class Emergence:
    observed: int
    expected: float
    p_value: float
    emerging: bool


def emergence(observed: int, baseline: Sequence[int], *, alpha: float = ALPHA) -> Emergence | None:
    """Test today's `observed` count against the daily counts of `baseline` days; None with too short a baseline."""
    if len(baseline) < MIN_BASELINE_DAYS:
        return None
    # Half a contact over the whole baseline when it saw none: a new topic is surprising, not infinitely so.
    expected = max(sum(baseline), 0.5) / len(baseline)
    p_value = float(poisson.sf(observed - 1, expected))
    return Emergence(observed, round(expected, 2), p_value, p_value < alpha and observed >= MIN_OBSERVED)
