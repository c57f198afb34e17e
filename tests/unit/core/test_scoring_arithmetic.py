"""Score arithmetic: 100 × earned / applicable, na leaves both sums, critical failure zeroes."""

from hypothesis import given
from hypothesis import strategies as st

from qa_service.core.rubric import load_rubric
from qa_service.core.scoring import recompute
from qa_service.core.scoring.arithmetic import summarize

answers = st.sampled_from(["yes", "no", "na", None])
weights = st.floats(min_value=0, max_value=50, allow_nan=False)
items = st.lists(st.tuples(answers, weights, st.booleans()), max_size=20)


@given(items)
def test_score_is_never_outside_0_100(triples):
    summary = summarize(triples)
    assert summary.score is None or 0.0 <= summary.score <= 100.0
    failed = any(critical and answer == "no" for answer, _, critical in triples)
    assert summary.failed_critical == failed
    if failed:
        assert summary.score == 0.0


@given(st.lists(st.tuples(st.sampled_from(["yes", "no"]), st.floats(min_value=1, max_value=50)), min_size=1,
                max_size=10),
       st.lists(st.tuples(st.sampled_from(["na", None]), st.floats(min_value=0, max_value=50)), max_size=10))
def test_na_and_unanswered_never_change_the_ratio_of_the_rest(scored, skipped):
    base = summarize((a, w, False) for a, w in scored)
    mixed = summarize([(a, w, False) for a, w in scored] + [(a, w, False) for a, w in skipped])
    assert mixed == base
    earned = sum(w for a, w in scored if a == "yes")
    total = sum(w for _, w in scored)
    assert base.score == round(100 * earned / total, 2)


def test_score_is_null_when_nothing_applies():
    assert summarize([("na", 10, False), (None, 10, False)]).score is None


def test_recompute_after_a_human_override():
    rubric = load_rubric("airline-chat")
    machine = {c.id: "yes" for c in rubric.criteria} | {"accuracy": None, "fare_rules": "na"}
    assert recompute(rubric, machine).score == 100.0
    overridden = machine | {"greeting": "no", "accuracy": "yes"}
    # applicable: 100 - fare_rules 15 = 85; lost: greeting 10
    assert recompute(rubric, overridden).score == round(100 * 75 / 85, 2)
    assert recompute(rubric, overridden | {"no_card_by_voice": "no"}).failed_critical
