"""Quality arithmetic: t-intervals, moments from the database, Pareto order, no ranking on small samples."""

from __future__ import annotations

from datetime import date

import pytest

from qa_service.core.reports.quality import ScoredItem, build_quality, pareto, summarize, summarize_moments


def test_t_interval_by_hand() -> None:
    # Scores 70, 80, 90: mean 80, s = 10, sem = 10/√3; t(0.975, 2) = 4.3027 → 80 ± 24.84.
    summary = summarize([70.0, 80.0, 90.0])
    assert (summary.n, summary.mean) == (3, 80.0)
    assert summary.low == pytest.approx(55.16, abs=0.01) and summary.high == pytest.approx(100.0)
    assert summarize([50.0, 60.0, 70.0]).high == pytest.approx(84.84, abs=0.01)
    assert summarize([75.0]).low is None and summarize([]).mean is None


def test_moments_give_the_same_summary() -> None:
    scores = [55.0, 60.0, 72.5, 90.0, 41.0]
    assert summarize_moments(len(scores), sum(scores), sum(s * s for s in scores)) == summarize(scores)


def test_pareto_order_and_cumulative_share() -> None:
    answers = [("a", "no"), ("a", "no"), ("a", "yes"), ("b", "no"), ("b", "na"), ("c", "yes"), ("d", "no")]
    rows = pareto(answers, {"a": "Альфа", "b": "Бета", "d": "Вега"})
    assert [(r.criterion, r.failed, r.applicable) for r in rows] == [("Альфа", 2, 3), ("Бета", 1, 1), ("Вега", 1, 1)]
    assert [r.cumulative_share for r in rows] == [0.5, 0.75, 1.0]


def test_agents_below_the_minimum_sample_are_not_ranked() -> None:
    items = [ScoredItem(i, "call", "Анна" if i < 5 else "Пётр", None, 90.0 if i < 5 else 99.0, False, True, False)
             for i in range(7)]
    report = build_quality(first=date(2026, 11, 20), last=date(2026, 11, 20), timezone="Europe/Moscow", items=items,
                           critical_failures=[], answers=[], titles={}, trend=[])
    assert [a for a, _ in report.ranked_agents] == ["Анна"]  # five evaluations
    assert [a for a, _ in report.unranked_agents] == ["Пётр"]  # two, even with the higher mean
    assert report.shares["auto_scored"].fraction == 1.0
