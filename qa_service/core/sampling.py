"""Which interactions go to human review: per agent, stratified by channel, weighted toward risk.

Each agent gets `per_agent` picks.  The quota is spread over the channels in proportion to
the agent's volume on each (largest remainder), and within a channel a share of the picks
(`random_share`) is drawn uniformly — so the sample stays an honest estimate — and the rest
by weighted sampling without replacement (Efraimidis–Spirakis keys), the weight growing with
the risk signals.  The same candidates and seed always give the same sample.
"""

from __future__ import annotations

import math
import random
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

LOW_SCORE = 70.0
LOW_CONFIDENCE = 0.6
LONG_HOLD_SECONDS = 60.0


@dataclass(frozen=True)
class Candidate:
    interaction_id: int
    agent_id: int
    channel: str
    score: float | None = None
    failed_critical: bool = False
    min_confidence: float | None = None
    longest_hold: float = 0.0
    needs_review: bool = False


@dataclass(frozen=True)
class Pick:
    interaction_id: int
    agent_id: int
    channel: str
    reason: str  # "risk" or "random"
    weight: float


def risk_weight(candidate: Candidate, outlier: bool = False) -> float:
    """1 for a clean interaction; each risk signal multiplies the chance of being picked."""
    weight = 1.0
    if candidate.failed_critical:
        weight *= 6.0
    if candidate.needs_review:
        weight *= 2.0
    if candidate.min_confidence is not None and candidate.min_confidence < LOW_CONFIDENCE:
        weight *= 3.0
    if candidate.score is not None and candidate.score < LOW_SCORE:
        weight *= 2.5
    if candidate.longest_hold > LONG_HOLD_SECONDS:
        weight *= 2.0
    if outlier:
        weight *= 2.0
    return weight


def _outliers(candidates: Sequence[Candidate]) -> set[int]:
    """Interactions whose score lies more than two standard deviations from the agent's mean."""
    scores = [c.score for c in candidates if c.score is not None]
    if len(scores) < 3:
        return set()
    mean, spread = statistics.fmean(scores), statistics.pstdev(scores)
    if spread == 0:
        return set()
    return {c.interaction_id for c in candidates if c.score is not None and abs(c.score - mean) > 2 * spread}


def allocate(quota: int, volumes: dict[str, int]) -> dict[str, int]:
    """Split `quota` over strata in proportion to their volumes (largest remainder, capped by volume)."""
    total = sum(volumes.values())
    if total == 0 or quota <= 0:
        return dict.fromkeys(volumes, 0)
    quota = min(quota, total)
    exact = {k: quota * v / total for k, v in volumes.items()}
    shares = {k: min(math.floor(x), volumes[k]) for k, x in exact.items()}
    order = sorted(volumes, key=lambda k: (-(exact[k] - math.floor(exact[k])), k))
    while sum(shares.values()) < quota:
        for key in order:
            if sum(shares.values()) >= quota:
                break
            if shares[key] < volumes[key]:
                shares[key] += 1
    return shares


def _weighted_without_replacement(
    rng: random.Random, items: Sequence[Candidate], weights: dict[int, float], k: int
) -> list[Candidate]:
    keyed = sorted(items, key=lambda c: (-(rng.random() ** (1.0 / weights[c.interaction_id])), c.interaction_id))
    return keyed[:k]


def select_sample(
    candidates: Iterable[Candidate],
    *,
    per_agent: int,
    random_share: float,
    channels: Sequence[str] | None = None,
    seed: int = 0,
) -> list[Pick]:
    """The review sample: `per_agent` picks per agent, deterministic for a given `seed`."""
    if per_agent < 0 or not 0.0 <= random_share <= 1.0:
        raise ValueError("per_agent must be >= 0 and random_share within [0, 1]")
    rng = random.Random(seed)
    by_agent: dict[int, list[Candidate]] = defaultdict(list)
    for candidate in sorted(candidates, key=lambda c: c.interaction_id):
        if channels is None or candidate.channel in channels:
            by_agent[candidate.agent_id].append(candidate)
    picks: list[Pick] = []
    for agent_id in sorted(by_agent):
        pool = by_agent[agent_id]
        outliers = _outliers(pool)
        weights = {c.interaction_id: risk_weight(c, c.interaction_id in outliers) for c in pool}
        by_channel: dict[str, list[Candidate]] = defaultdict(list)
        for candidate in pool:
            by_channel[candidate.channel].append(candidate)
        quotas = allocate(per_agent, {ch: len(items) for ch, items in by_channel.items()})
        for channel in sorted(by_channel):
            items, quota = by_channel[channel], quotas[channel]
            n_random = round(quota * random_share)
            chosen_random = rng.sample(items, n_random) if n_random else []
            taken = {c.interaction_id for c in chosen_random}
            rest = [c for c in items if c.interaction_id not in taken]
            chosen_risk = _weighted_without_replacement(rng, rest, weights, quota - n_random)
            picks += [
                Pick(c.interaction_id, agent_id, channel, "random", weights[c.interaction_id]) for c in chosen_random
            ]
            picks += [Pick(c.interaction_id, agent_id, channel, "risk", weights[c.interaction_id]) for c in chosen_risk]
    return picks
