"""Inter-rater agreement: Krippendorff's alpha, Fleiss' kappa and plain percent agreement.

The one code path for the calibration pages, their exports and `qa-service calibration
agreement`.  The coefficients come from the reference libraries (`krippendorff`,
`statsmodels.stats.inter_rater`); this module only arranges the ratings for them and says
how many ratings each figure rests on.

A *unit* is what is rated (an interaction, or an interaction × criterion when pooled); a
rating is one rater's answer to one unit.  Missing ratings are allowed.  `na` (not
applicable) is an answer like any other on the nominal level: two raters who disagree on
whether a criterion applies disagree.

Undefined figures are None (null in JSON), never a made-up number: alpha needs at least one
unit rated twice and more than one value in the data (when everybody gave the same answer
there is no variation to be reliable about: alpha is 0/0); Fleiss' kappa needs every unit
rated by the same number of raters (a balanced design) and some variation too.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import asdict, dataclass
from itertools import combinations
from typing import Any, Literal

import krippendorff
import numpy as np
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

Level = Literal["nominal", "interval"]
LEVELS: tuple[Level, ...] = ("nominal", "interval")
BOOTSTRAP_SEED = 20261128
BOOTSTRAP_RESAMPLES = 1000
INTERVAL_LEVEL = 0.95

# unit -> rater -> answer (str for nominal; float for interval)
Ratings = Mapping[Any, Mapping[Any, Any]]


@dataclass(frozen=True)
class Reliability:
    krippendorff_alpha: float | None
    fleiss_kappa: float | None
    percent_agreement: float | None
    n_units: int  # units rated by at least two raters: the ones agreement can be measured on
    n_ratings: int  # ratings in those units
    alpha_low: float | None = None  # bootstrap interval of alpha (units resampled), when asked for
    alpha_high: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The contract's keys only (see contracts/README.md, "Reports and agreement")."""
        data = asdict(self)
        return {k: data[k] for k in ("krippendorff_alpha", "fleiss_kappa", "percent_agreement", "n_units", "n_ratings")}


def _clean(value: float) -> float | None:
    return None if value is None or math.isnan(value) or math.isinf(value) else round(float(value), 4)


def _pairable(ratings: Ratings) -> dict[Hashable, dict[Hashable, Any]]:
    """Units with at least two ratings (None answers dropped): the only ones that say anything."""
    result = {}
    for unit, by_rater in ratings.items():
        present = {r: v for r, v in by_rater.items() if v is not None and v != ""}
        if len(present) >= 2:
            result[unit] = present
    return result


def _matrix(units: dict[Hashable, dict[Hashable, Any]], level: Level) -> np.ndarray:
    """Raters × units, NaN where missing; nominal values coded as category indices."""
    raters = sorted({r for by in units.values() for r in by}, key=str)
    if level == "nominal":
        categories = sorted({str(v) for by in units.values() for v in by.values()})
        code = {c: float(i) for i, c in enumerate(categories)}
    data = np.full((len(raters), len(units)), np.nan)
    for j, by in enumerate(units.values()):
        for i, rater in enumerate(raters):
            if rater in by:
                data[i, j] = code[str(by[rater])] if level == "nominal" else float(by[rater])
    return data


def _alpha(data: np.ndarray, level: Level) -> float | None:
    values = data[~np.isnan(data)]
    if data.shape[1] == 0 or np.unique(values).size < 2:
        return None  # no unit rated twice, or no variation at all: alpha is undefined
    try:
        return _clean(krippendorff.alpha(reliability_data=data, level_of_measurement=level))
    except ValueError:
        return None


def _fleiss(data: np.ndarray) -> float | None:
    counts = (~np.isnan(data)).sum(axis=0)
    if data.shape[1] == 0 or np.unique(counts).size != 1:
        return None  # unbalanced: units rated by different numbers of raters
    # aggregate_raters wants units × raters with every cell filled: compact each unit's ratings.
    compact = np.array([data[~np.isnan(data[:, j]), j] for j in range(data.shape[1])])
    table, _categories = aggregate_raters(compact)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _clean(fleiss_kappa(table, method="fleiss"))


def _percent_agreement(units: dict[Hashable, dict[Hashable, Any]]) -> float | None:
    """Share of agreeing rater pairs over all pairs within units (each unit's pairs counted)."""
    agree = pairs = 0
    for by in units.values():
        for a, b in combinations(by.values(), 2):
            pairs += 1
            agree += str(a) == str(b) if not isinstance(a, float) else a == b
    return round(agree / pairs, 4) if pairs else None


def bootstrap_alpha(
    data: np.ndarray, level: Level, *, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED,
    confidence: float = INTERVAL_LEVEL,
) -> tuple[float | None, float | None]:
    """Percentile interval of alpha over resampled units (columns), with a fixed seed.

    Resamples in which alpha is undefined (all values equal) are left out; with fewer than
    half of them usable, or fewer than two units, no interval is given.
    """
    n_units = data.shape[1]
    if n_units < 2 or resamples <= 0:
        return None, None
    rng = np.random.default_rng(seed)
    estimates = []
    for _ in range(resamples):
        value = _alpha(data[:, rng.integers(0, n_units, n_units)], level)
        if value is not None:
            estimates.append(value)
    if len(estimates) < resamples / 2:
        return None, None
    tail = (1 - confidence) / 2
    low, high = np.quantile(estimates, [tail, 1 - tail])
    return _clean(low), _clean(high)


def reliability(ratings: Ratings, level: Level = "nominal", *, bootstrap: int = 0,
                seed: int = BOOTSTRAP_SEED) -> Reliability:
    """All figures for one set of units; `bootstrap` > 0 adds alpha's interval from that many resamples."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    units = _pairable(ratings)
    data = _matrix(units, level)
    n_ratings = int((~np.isnan(data)).sum())
    low = high = None
    if bootstrap:
        low, high = bootstrap_alpha(data, level, resamples=bootstrap, seed=seed)
    return Reliability(
        krippendorff_alpha=_alpha(data, level), fleiss_kappa=_fleiss(data),
        percent_agreement=_percent_agreement(units), n_units=len(units), n_ratings=n_ratings,
        alpha_low=low, alpha_high=high,
    )


def by_criterion(
    rows: Iterable[tuple[Hashable, str, Hashable, Any]], level: Level = "nominal", *, bootstrap: int = 0
) -> tuple[dict[str, Reliability], Reliability]:
    """(unit, criterion, rater, answer) rows → figures per criterion and pooled over all criteria.

    Pooled, a unit is (unit, criterion): each criterion of each interaction is one thing rated.
    """
    per: dict[str, dict[Hashable, dict[Hashable, Any]]] = defaultdict(lambda: defaultdict(dict))
    pooled: dict[Hashable, dict[Hashable, Any]] = defaultdict(dict)
    for unit, criterion, rater, answer in rows:
        per[criterion][unit][rater] = answer
        pooled[(unit, criterion)][rater] = answer
    criteria = {c: reliability(per[c], level, bootstrap=bootstrap) for c in sorted(per)}
    return criteria, reliability(pooled, level, bootstrap=bootstrap)


def spread(values: Iterable[float | None]) -> tuple[float | None, float | None]:
    """(max − min, sample standard deviation) of total scores; None where undefined."""
    array = np.array([v for v in values if v is not None], dtype=float)
    if array.size == 0:
        return None, None
    deviation = float(np.std(array, ddof=1)) if array.size > 1 else None
    return _clean(float(array.max() - array.min())), None if deviation is None else _clean(deviation)


def wilson(successes: int, total: int, confidence: float = INTERVAL_LEVEL) -> tuple[float | None, float | None]:
    """Wilson score interval of a rate (statsmodels); (None, None) with no observations."""
    if total <= 0:
        return None, None
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(successes, total, alpha=1 - confidence, method="wilson")
    return _clean(float(low)), _clean(float(high))
