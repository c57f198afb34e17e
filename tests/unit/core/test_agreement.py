"""Agreement statistics against published worked examples and the reference libraries."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

from qa_service.core.agreement import by_criterion, reliability, spread, wilson

NAN = math.nan
# Krippendorff's own example (the `krippendorff` package docs; Krippendorff 2011, "Computing
# Krippendorff's Alpha-Reliability", the 3 coders × 15 units table with missing values).
KRIPPENDORFF_EXAMPLE = [
    [NAN, NAN, NAN, NAN, NAN, 3, 4, 1, 2, 1, 1, 3, 3, NAN, 3],
    [1, NAN, 2, 1, 3, 3, 4, 3, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
    [NAN, NAN, 2, 1, 3, 4, 4, NAN, 2, 1, 1, 3, 3, NAN, 4],
]
# Fleiss (1971) as on Wikipedia "Fleiss' kappa": 10 subjects, 14 raters, 5 categories; κ = 0.210, P̄ = 0.378.
FLEISS_EXAMPLE = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]


def _units(matrix: list[list[float]]) -> dict[int, dict[str, float]]:
    """Coders × units matrix → unit → coder → value (NaN = missing)."""
    units: dict[int, dict[str, float]] = {}
    for coder, row in enumerate(matrix):
        for unit, value in enumerate(row):
            if not math.isnan(value):
                units.setdefault(unit, {})[f"c{coder}"] = value
    return units


def test_krippendorff_published_example_nominal_and_interval() -> None:
    units = _units(KRIPPENDORFF_EXAMPLE)
    nominal = reliability({u: {r: str(int(v)) for r, v in by.items()} for u, by in units.items()})
    interval = reliability(_units(KRIPPENDORFF_EXAMPLE), "interval")
    assert nominal.krippendorff_alpha == pytest.approx(0.691, abs=5e-4)  # published: 0.691
    assert interval.krippendorff_alpha == pytest.approx(0.811, abs=5e-4)  # published: 0.811
    reference = krippendorff.alpha(reliability_data=KRIPPENDORFF_EXAMPLE, level_of_measurement="interval")
    assert interval.krippendorff_alpha == pytest.approx(reference, abs=1e-4)
    # Units 1, 2 and 14 have fewer than two ratings; the 26 pairable values are the published n.. = 26.
    assert nominal.n_units == 12 and nominal.n_ratings == 26
    assert nominal.fleiss_kappa is None  # units rated by 2 or 3 coders: unbalanced


def test_fleiss_published_example() -> None:
    ratings: dict[int, dict[str, str]] = {}
    for subject, counts in enumerate(FLEISS_EXAMPLE):
        values = [str(category) for category, n in enumerate(counts) for _ in range(n)]
        ratings[subject] = {f"r{i}": v for i, v in enumerate(values)}
    result = reliability(ratings)
    assert result.fleiss_kappa == pytest.approx(0.210, abs=5e-4)  # published: 0.210
    assert result.percent_agreement == pytest.approx(0.378, abs=5e-4)  # published: P̄ = 0.378
    assert result.fleiss_kappa == pytest.approx(fleiss_kappa(np.array(FLEISS_EXAMPLE)), abs=1e-4)
    assert result.n_units == 10 and result.n_ratings == 140


def test_one_rater_says_nothing() -> None:
    result = reliability({1: {"a": "yes"}, 2: {"a": "no"}, 3: {"a": "na"}})
    assert (result.krippendorff_alpha, result.fleiss_kappa, result.percent_agreement) == (None, None, None)
    assert result.n_units == 0 and result.n_ratings == 0


def test_all_agree_is_full_agreement_but_alpha_undefined() -> None:
    result = reliability({u: {"a": "yes", "b": "yes", "c": "yes"} for u in range(4)}, bootstrap=50)
    assert result.percent_agreement == 1.0
    assert result.krippendorff_alpha is None  # no variation: alpha is 0/0, not a made-up 1
    assert result.fleiss_kappa is None
    assert result.n_units == 4 and result.n_ratings == 12
    assert (result.alpha_low, result.alpha_high) == (None, None)


def test_missing_answers_match_the_library_and_unbalance_kappa() -> None:
    ratings = {1: {"a": "yes", "b": "yes", "c": "no"}, 2: {"a": "no", "b": "no"}, 3: {"a": "yes", "c": "yes"},
               4: {"b": "no", "c": None}, 5: {"a": "no", "b": "yes", "c": "no"}}
    result = reliability(ratings)
    coded = [[1, 0, 1, NAN, 0], [1, 0, NAN, NAN, 1], [0, NAN, 1, NAN, 0]]  # no=0, yes=1; unit 4 has one rating
    assert result.krippendorff_alpha == pytest.approx(
        krippendorff.alpha(reliability_data=coded, level_of_measurement="nominal"), abs=1e-4)
    assert result.fleiss_kappa is None
    assert result.n_units == 4 and result.n_ratings == 10
    assert result.percent_agreement == pytest.approx(4 / 8)  # pairs: 1/3, 1/1, 1/1, 1/3


def test_not_applicable_is_a_category_of_its_own() -> None:
    ratings = {1: {"a": "yes", "b": "na"}, 2: {"a": "na", "b": "na"}, 3: {"a": "no", "b": "no"},
               4: {"a": "yes", "b": "yes"}}
    result = reliability(ratings)
    assert result.percent_agreement == 0.75  # yes vs na is a disagreement
    coded = [[2, 0, 1, 2], [0, 0, 1, 2]]  # na=0, no=1, yes=2
    assert result.krippendorff_alpha == pytest.approx(
        krippendorff.alpha(reliability_data=coded, level_of_measurement="nominal"), abs=1e-4)
    table, _ = aggregate_raters(np.array(coded).T)
    assert result.fleiss_kappa == pytest.approx(fleiss_kappa(table), abs=1e-4)


def test_bootstrap_interval_is_reproducible_and_brackets_the_estimate() -> None:
    units = _units(KRIPPENDORFF_EXAMPLE)
    first = reliability(units, "interval", bootstrap=400)
    second = reliability(units, "interval", bootstrap=400)
    assert (first.alpha_low, first.alpha_high) == (second.alpha_low, second.alpha_high)  # fixed seed
    assert first.alpha_low is not None and first.alpha_high is not None
    assert first.alpha_low <= first.krippendorff_alpha <= first.alpha_high
    assert first.alpha_high - first.alpha_low > 0.05


def test_by_criterion_pools_criteria_as_units() -> None:
    rows = [("i1", "greeting", "a", "yes"), ("i1", "greeting", "b", "yes"), ("i2", "greeting", "a", "no"),
            ("i2", "greeting", "b", "yes"), ("i1", "farewell", "a", "yes"), ("i1", "farewell", "b", "no")]
    criteria, overall = by_criterion(rows)
    assert set(criteria) == {"farewell", "greeting"}
    assert criteria["greeting"].percent_agreement == 0.5 and criteria["greeting"].n_units == 2
    assert overall.n_units == 3 and overall.n_ratings == 6
    assert overall.percent_agreement == pytest.approx(1 / 3, abs=1e-4)
    assert overall.fleiss_kappa is not None  # every pooled unit has two raters


def test_spread_and_wilson() -> None:
    assert spread([90, 80, 100]) == (20.0, 10.0)
    assert spread([75]) == (0.0, None)
    assert spread([None]) == (None, None)
    low, high = wilson(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-3) and high == pytest.approx(0.9433, abs=1e-3)
    assert wilson(0, 0) == (None, None)
