"""Trust arithmetic: agreement with its Wilson interval (checked against statsmodels), the confusion
matrix, weekly trend, and the publish/withhold rule with its minimum and hysteresis."""

from __future__ import annotations

from datetime import date

import pytest
from statsmodels.stats.proportion import proportion_confint

from qa_service.core.trust import Agreement, TrustRule, agreement, confusion, next_suppressed, same, weekly


def test_agreement_and_wilson_interval_match_statsmodels() -> None:
    pairs = [("yes", "yes")] * 170 + [("yes", "no")] * 20 + [("na", "na")] * 7 + [("no", "na")] * 3
    result = agreement(pairs)
    lower, upper = proportion_confint(177, 200, alpha=0.05, method="wilson")
    assert (result.agreed, result.n) == (177, 200)
    assert result.rate == pytest.approx(0.885)
    assert (result.lower, result.upper) == (pytest.approx(lower), pytest.approx(upper))
    # Wilson, not the normal approximation: at 20 of 20 the upper bound is 1 and the lower one is not.
    perfect = agreement([("no", "no")] * 20)
    assert perfect.upper == pytest.approx(1.0) and perfect.lower == pytest.approx(0.8389, abs=1e-4)


def test_no_answers_no_figures() -> None:
    assert agreement([]) == Agreement(0, 0, None, None, None)


def test_scaled_answers_compare_as_numbers() -> None:
    assert same("1", "1.0") and same("0.50", "0.5") and not same("0.5", "yes") and same("YES", "yes")


def test_confusion_matrix_machine_by_human() -> None:
    matrix = confusion([("yes", "yes"), ("yes", "no"), ("yes", "no"), ("na", "yes"), ("no", "no")])
    assert list(matrix) == ["yes", "no", "na"]
    assert matrix["yes"] == {"yes": 1, "no": 2, "na": 0}
    assert matrix["na"]["yes"] == 1 and matrix["no"]["no"] == 1
    assert sum(sum(row.values()) for row in matrix.values()) == 5
    with_scale = confusion([("0.5", "yes")])
    assert with_scale["other"]["yes"] == 1 and "other" in with_scale["yes"]


def test_weekly_trend_groups_by_monday() -> None:
    points = [(date(2026, 3, 2), True), (date(2026, 3, 8), False), (date(2026, 3, 9), True)]
    weeks = weekly(points)
    assert [w for w, _ in weeks] == [date(2026, 3, 2), date(2026, 3, 9)]
    assert (weeks[0][1].agreed, weeks[0][1].n) == (1, 2) and weeks[1][1].rate == 1.0


def _at(agreed: int, n: int) -> Agreement:
    return agreement([("yes", "yes")] * agreed + [("yes", "no")] * (n - agreed))


def test_rule_needs_a_minimum_and_has_hysteresis() -> None:
    rule = TrustRule(threshold=0.90, min_answers=20, hysteresis=0.03)
    assert next_suppressed(False, _at(0, 19), rule) is False  # 19 answers: no verdict yet
    assert next_suppressed(False, _at(17, 20), rule) is True  # 85 % < 90 %
    assert next_suppressed(False, _at(18, 20), rule) is False  # exactly 90 %: published
    assert next_suppressed(True, _at(36, 40), rule) is True  # 90 %: not yet back (needs 93 %)
    assert next_suppressed(True, _at(37, 40), rule) is True  # 92.5 %
    assert next_suppressed(True, _at(38, 40), rule) is False  # 95 %: published again
    assert TrustRule(threshold=1.0).recover_at == 1.0


def test_window_settings_are_validated() -> None:
    from qa_service.core.tenant_settings import InvalidTenantSettings, TenantSettings

    assert (TenantSettings().trust_window, TenantSettings().trust_min_answers) == (200, 20)
    with pytest.raises(InvalidTenantSettings):
        TenantSettings().with_changes(trust_window=10)
    with pytest.raises(InvalidTenantSettings):
        TenantSettings().with_changes(trust_window=40, trust_min_answers=41)  # more than the window can hold
    with pytest.raises(InvalidTenantSettings):
        TenantSettings().with_changes(trust_min_answers=5)  # the floor: at least 20 before a verdict
    assert TenantSettings.from_mapping({"trust_window": 40, "trust_min_answers": 40}).trust_window == 40
