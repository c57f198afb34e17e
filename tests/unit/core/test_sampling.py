"""Risk-weighted, channel-stratified sampling with an honest random share."""

from __future__ import annotations

from collections import Counter

import pytest

from qa_service.core.sampling import Candidate, allocate, risk_weight, select_sample


def _pool(agent: int, n: int, channel: str = "call", start: int = 0, **risk: object) -> list[Candidate]:
    return [Candidate(interaction_id=start + i, agent_id=agent, channel=channel, score=90.0, **risk)  # type: ignore[arg-type]
            for i in range(n)]


def test_same_seed_same_sample_other_seed_other_sample() -> None:
    pool = _pool(1, 200)
    first = select_sample(pool, per_agent=10, random_share=0.3, seed=7)
    assert first == select_sample(list(reversed(pool)), per_agent=10, random_share=0.3, seed=7)
    assert {p.interaction_id for p in first} != {p.interaction_id for p in select_sample(pool, per_agent=10,
                                                                                          random_share=0.3, seed=8)}


def test_quota_per_agent_and_random_share() -> None:
    pool = _pool(1, 50) + _pool(2, 50, start=1000) + _pool(3, 2, start=2000)
    picks = select_sample(pool, per_agent=10, random_share=0.3, seed=1)
    per_agent = Counter(p.agent_id for p in picks)
    assert per_agent == {1: 10, 2: 10, 3: 2}  # an agent with fewer interactions gives all they have
    reasons = Counter(p.reason for p in picks if p.agent_id == 1)
    assert reasons == {"random": 3, "risk": 7}
    assert len({p.interaction_id for p in picks}) == len(picks)


def test_stratified_by_channel_in_proportion() -> None:
    pool = _pool(1, 60, "call") + _pool(1, 30, "chat", start=100) + _pool(1, 10, "email", start=200)
    picks = select_sample(pool, per_agent=10, random_share=0.0, seed=3)
    assert Counter(p.channel for p in picks) == {"call": 6, "chat": 3, "email": 1}


def test_channels_outside_the_rule_are_not_sampled() -> None:
    pool = _pool(1, 10, "call") + _pool(1, 10, "email", start=100)
    picks = select_sample(pool, per_agent=5, random_share=0.0, channels=["email"], seed=0)
    assert {p.channel for p in picks} == {"email"}


def test_risky_interactions_are_picked_far_more_often() -> None:
    risky_ids = set(range(0, 10))
    pool = [
        Candidate(i, 1, "call", score=40.0, failed_critical=True) if i in risky_ids else Candidate(i, 1, "call", 92.0)
        for i in range(100)
    ]
    hits = Counter()
    for seed in range(200):
        for pick in select_sample(pool, per_agent=5, random_share=0.0, seed=seed):
            hits["risky" if pick.interaction_id in risky_ids else "clean"] += 1
    # 10 % of the pool but the weight (6 × 2.5) makes them the clear majority of risk picks.
    assert hits["risky"] > 3 * hits["clean"]


def test_random_share_keeps_clean_interactions_in_the_sample() -> None:
    pool = [Candidate(i, 1, "call", score=40.0, failed_critical=True) if i < 20 else Candidate(i, 1, "call", 95.0)
            for i in range(100)]
    clean = sum(
        1 for seed in range(100) for p in select_sample(pool, per_agent=10, random_share=0.5, seed=seed)
        if p.reason == "random" and p.interaction_id >= 20
    )
    assert clean > 250  # about 5 random picks × 100 runs × 80 % clean


def test_risk_weight_signals() -> None:
    clean = Candidate(1, 1, "call", score=95.0, min_confidence=0.9)
    assert risk_weight(clean) == 1.0
    assert risk_weight(Candidate(1, 1, "call", score=95.0, min_confidence=0.3)) > 1.0
    assert risk_weight(Candidate(1, 1, "call", score=95.0, longest_hold=120.0)) > 1.0
    assert risk_weight(clean, outlier=True) > 1.0


def test_outliers_are_weighted() -> None:
    pool = [Candidate(i, 1, "call", score=90.0) for i in range(30)] + [Candidate(99, 1, "call", score=20.0)]
    picks = [select_sample(pool, per_agent=1, random_share=0.0, seed=s)[0] for s in range(100)]
    assert next(p for p in picks if p.interaction_id == 99).weight > 1.0


def test_allocate_largest_remainder() -> None:
    assert allocate(5, {"call": 10, "chat": 10, "email": 10}) == {"call": 2, "chat": 2, "email": 1}
    assert allocate(5, {"call": 1, "chat": 1, "email": 1}) == {"call": 1, "chat": 1, "email": 1}
    assert allocate(10, {"call": 3, "chat": 0}) == {"call": 3, "chat": 0}
    assert allocate(0, {"call": 3}) == {"call": 0}


def test_bad_rule_is_refused() -> None:
    with pytest.raises(ValueError):
        select_sample([], per_agent=1, random_share=1.5)
