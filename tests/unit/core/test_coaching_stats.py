"""The coaching statistics on constructed data, checked against scipy/statsmodels called directly."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy.stats import fisher_exact
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from qa_service.core.coaching_stats import (
    AnswerObservation,
    GapCell,
    Verdict,
    diff_in_diff,
    low_average,
    pooled_effect,
    team_gap_tests,
    wilson,
)


def test_wilson_interval_is_statsmodels_wilson() -> None:
    rate = wilson(7, 20)
    low, high = proportion_confint(7, 20, method="wilson")
    assert rate.value == pytest.approx(0.35)
    assert (rate.low, rate.high) == pytest.approx((low, high))
    assert rate.low < 0.35 < rate.high


def test_team_gap_flags_the_clear_case_only_and_matches_fisher_with_holm() -> None:
    cells = [
        GapCell("bad", 14, 20, 10, 100),  # 70 % against 10 %
        GapCell("same", 2, 20, 10, 100),  # 10 % against 10 %
        GapCell("slightly", 4, 20, 10, 100),  # 20 % against 10 %: not enough evidence
        GapCell("three calls", 3, 3, 10, 100),  # everything failed, but only 3 answers
    ]
    results = {r.key: r for r in team_gap_tests(cells)}
    assert results["bad"].significant
    assert not results["same"].significant and not results["slightly"].significant
    small = results["three calls"]
    assert not small.tested and not small.significant and small.p_value is None

    raw = [fisher_exact([[c.failures, c.applicable - c.failures],
                         [c.team_failures, c.team_applicable - c.team_failures]], alternative="greater").pvalue
           for c in cells[:3]]
    reject, corrected, _, _ = multipletests(raw, alpha=0.05, method="holm")
    for cell, p, r in zip(cells[:3], corrected, reject, strict=True):
        assert results[cell.key].p_value == pytest.approx(p)
        assert results[cell.key].significant == r


def test_low_average_rule_needs_enough_scores() -> None:
    assert low_average([60.0] * 20).flagged
    assert not low_average([80.0] * 20).flagged
    check = low_average([50.0] * 3)
    assert check.count == 3 and not check.flagged  # three calls do not label a person
    assert low_average([100.0] * 5 + [60.0] * 30).average == pytest.approx((500 + 15 * 60) / 20)


def _rows(rates: dict[tuple[bool, bool], float], per_cell: int, seed: int) -> list[AnswerObservation]:
    rng = random.Random(seed)
    rows = []
    for (treated, post), rate in rates.items():
        for i in range(per_cell):
            # Two answers per interaction, as coached criteria come in groups.
            rows.append(AnswerObservation(rng.random() < rate, treated, post, (treated, post, i // 2)))
    return rows


def test_a_clear_improvement_is_detected_and_matches_statsmodels_ols() -> None:
    rows = _rows({(True, False): 0.6, (True, True): 0.1, (False, False): 0.3, (False, True): 0.3}, 120, seed=1)
    effect = diff_in_diff(rows)
    assert effect.verdict == Verdict.IMPROVED
    assert effect.estimate is not None and effect.high is not None and effect.high < 0

    frame = {"failed": [float(r.failed) for r in rows], "treated": [float(r.treated) for r in rows],
             "post": [float(r.post) for r in rows]}
    groups = np.unique([repr(r.cluster) for r in rows], return_inverse=True)[1]
    model = smf.ols("failed ~ treated * post", data=pd.DataFrame(frame))
    fit = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
    assert effect.estimate == pytest.approx(fit.params["treated:post"])
    low, high = fit.conf_int().loc["treated:post"]
    assert (effect.low, effect.high) == pytest.approx((low, high))


def test_noise_is_not_an_effect() -> None:
    same = {(True, False): 0.3, (True, True): 0.3, (False, False): 0.3, (False, True): 0.3}
    verdicts = [diff_in_diff(_rows(same, 80, seed)).verdict for seed in range(20)]
    # At a 95 % interval about one in twenty noise runs may cross; most must say "no change".
    assert verdicts.count(Verdict.NO_CHANGE) >= 17
    assert Verdict.TOO_LITTLE_DATA not in verdicts


def test_a_clear_worsening_is_detected() -> None:
    rows = _rows({(True, False): 0.1, (True, True): 0.6, (False, False): 0.2, (False, True): 0.2}, 120, seed=3)
    assert diff_in_diff(rows).verdict == Verdict.WORSE


def test_too_small_samples_say_so() -> None:
    rows = _rows({(True, False): 0.6, (True, True): 0.0, (False, False): 0.3, (False, True): 0.3}, 120, seed=2)
    few_after = [r for r in rows if not (r.treated and r.post)] + [
        r for r in rows if r.treated and r.post][:5]
    effect = diff_in_diff(few_after)
    assert effect.verdict == Verdict.TOO_LITTLE_DATA
    assert effect.estimate is None and effect.treated_after.applicable == 5


def test_pooled_effect_of_a_module() -> None:
    improved = [diff_in_diff(_rows({(True, False): 0.6, (True, True): 0.1, (False, False): 0.3,
                                    (False, True): 0.3}, 120, seed)) for seed in (4, 5, 6)]
    pooled = pooled_effect(improved)
    assert pooled.count == 3
    assert pooled.estimate is not None and pooled.high is not None and pooled.high < 0
    estimates = [e.estimate for e in improved if e.estimate is not None]
    assert min(estimates) <= pooled.estimate <= max(estimates)
    assert pooled_effect([]).count == 0
