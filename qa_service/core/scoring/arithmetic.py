"""Score arithmetic per the standard: 100 × earned / applicable; a failed critical item zeroes it."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from qa_service.core.rubric.model import Rubric
from qa_service.core.scoring.evidence import Answer, ScoreSummary


def points_for(answer: Answer, weight: float) -> float | None:
    """Points earned by one answer; None when it leaves both sums (na or awaiting a human)."""
    if answer == "yes":
        return weight
    if answer == "no":
        return 0.0
    if isinstance(answer, int | float) and not isinstance(answer, bool):
        if not math.isfinite(answer):  # min(1.0, nan) is 1.0: NaN would earn full points
            return None
        return max(0.0, min(1.0, float(answer))) * weight
    return None


def summarize(items: Iterable[tuple[Answer, float, bool]]) -> ScoreSummary:
    """Score from (answer, weight, critical) triples."""
    earned = applicable = 0.0
    failed = False
    for answer, weight, critical in items:
        if critical and answer == "no":
            failed = True
        points = points_for(answer, weight)
        if points is None:
            continue
        earned += points
        applicable += weight
    if failed:
        return ScoreSummary(0.0, True)
    if applicable <= 0:
        return ScoreSummary(None, False)
    return ScoreSummary(round(100.0 * earned / applicable, 2), False)


def recompute(rubric: Rubric, answers: Mapping[str, Answer]) -> ScoreSummary:
    """Score of `answers` (criterion id → answer, e.g. after human overrides) under `rubric`."""
    return summarize((answers.get(c.id), c.weight, c.critical) for c in rubric.criteria)
