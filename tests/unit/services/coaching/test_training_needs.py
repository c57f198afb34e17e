"""Training needs on constructed scores: the standard's rules, the team comparison, resolution."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from coaching_data import add_agent, add_calls
from factories import World, build_world
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import CoachingStatus, CoachingTask, NeedRule, TrainingNeed
from qa_service.db.session import transaction
from qa_service.services.coaching.current_answers import current_answers
from qa_service.services.coaching.training_needs import compute_training_needs

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def world(settings: Settings) -> World:
    world = build_world(settings, with_audio=False, started=NOW - timedelta(days=60))
    for key, name in (("olga", "Ольга Белова"), ("ivan", "Иван Серов"), ("nina", "Нина Котова")):
        add_agent(settings, world, key, name, "alpha")
    return world


def _run(settings: Settings, world: World, now: datetime = NOW) -> list[TrainingNeed]:
    with transaction(settings.sqlalchemy_url) as session:
        compute_training_needs(session, world.tenant_id, now)
    with transaction(settings.sqlalchemy_url) as session:
        needs = list(session.scalars(select(TrainingNeed).order_by(TrainingNeed.id)))
        session.expunge_all()
        return needs


def _open(needs: list[TrainingNeed], agent_id: int, rule: NeedRule) -> list[TrainingNeed]:
    return [n for n in needs if n.agent_id == agent_id and n.rule == rule and n.resolved_at is None]


def test_an_agent_failing_a_criterion_far_more_than_the_team_is_flagged_with_evidence(
        settings: Settings, world: World) -> None:
    failing = add_calls(settings, world, "olga", 20, {"fare_rules": 14}, end=NOW)
    for key in ("ivan", "nina", "anna"):
        add_calls(settings, world, key, 20, {"fare_rules": 2}, end=NOW)
    needs = _run(settings, world)
    [need] = _open(needs, world.agents["olga"], NeedRule.TEAM_GAP)
    assert (need.criterion_ids, need.module) == ("fare_rules", "T-FARES")
    assert (need.failures, need.applicable) == (14, 20)
    assert need.team_failures == 6 and need.team_applicable >= 60
    assert need.rate_low is not None and need.rate_high is not None and need.rate_low < 0.7 < need.rate_high
    assert need.p_value is not None and need.p_value < 0.05
    assert set(need.evidence_interaction_ids) <= set(failing[:14]) and need.evidence_interaction_ids
    assert need.since is not None
    assert not _open(needs, world.agents["ivan"], NeedRule.TEAM_GAP)  # like the team: nothing to flag


def test_three_calls_do_not_label_anyone(settings: Settings, world: World) -> None:
    add_calls(settings, world, "olga", 3, {"fare_rules": 3, "greeting": 3, "farewell": 3}, end=NOW)
    for key in ("ivan", "nina"):
        add_calls(settings, world, key, 20, {}, end=NOW)
    needs = _run(settings, world)
    assert not [n for n in needs if n.agent_id == world.agents["olga"] and n.rule != NeedRule.CRITICAL]


def test_low_average_over_the_last_twenty(settings: Settings, world: World) -> None:
    add_calls(settings, world, "olga", 20, {"fare_rules": 20, "greeting": 20}, end=NOW)  # 35/60 ≈ 58
    needs = _run(settings, world)
    [need] = _open(needs, world.agents["olga"], NeedRule.LOW_AVERAGE)
    assert need.score_before is not None and need.score_before < 75
    assert need.module in ("T-FARES", "T-OPEN")
    assert len(need.evidence_interaction_ids) == 10


def test_a_critical_failure_is_an_immediate_need_until_coached(settings: Settings, world: World) -> None:
    [call] = add_calls(settings, world, "ivan", 1, {"no_card_by_voice": 1}, end=NOW - timedelta(days=2), days=1)
    add_calls(settings, world, "nina", 20, {}, end=NOW)
    needs = _run(settings, world)
    [need] = _open(needs, world.agents["ivan"], NeedRule.CRITICAL)
    assert (need.criterion_ids, need.module, need.evidence_interaction_ids) == ("no_card_by_voice", "T-PAY", [call])
    assert (need.failures, need.applicable, need.team_failures, need.team_applicable) == (1, 1, 0, 20)
    with transaction(settings.sqlalchemy_url) as session:
        session.add(CoachingTask(tenant_id=world.tenant_id, agent_id=world.agents["ivan"], module="T-PAY",
                                 status=CoachingStatus.DONE, completed_at=NOW - timedelta(days=1)))
    needs = _run(settings, world)
    assert not _open(needs, world.agents["ivan"], NeedRule.CRITICAL)
    assert next(n for n in needs if n.id == need.id).resolved_at is not None


def test_a_need_resolves_itself_when_the_rate_recovers(settings: Settings, world: World) -> None:
    add_calls(settings, world, "olga", 20, {"fare_rules": 14}, end=NOW - timedelta(days=20), days=10)
    for key in ("ivan", "nina", "anna"):
        add_calls(settings, world, key, 20, {"fare_rules": 2}, end=NOW - timedelta(days=20), days=10)
    first = _run(settings, world, NOW - timedelta(days=20))
    [need] = _open(first, world.agents["olga"], NeedRule.TEAM_GAP)
    again = _run(settings, world, NOW - timedelta(days=20))
    assert [n.id for n in _open(again, world.agents["olga"], NeedRule.TEAM_GAP)] == [need.id]  # refreshed, not doubled
    # Six weeks later the old failures are out of the window and she answers like everyone else.
    later = NOW + timedelta(days=25)
    add_calls(settings, world, "olga", 20, {"fare_rules": 1}, end=later, days=10, tag="after")
    needs = _run(settings, world, later)
    assert not _open(needs, world.agents["olga"], NeedRule.TEAM_GAP)
    assert next(n for n in needs if n.id == need.id).resolved_at == later


def test_the_current_answer_is_the_review_where_there_is_one(settings: Settings, world: World) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        rows = {r.interaction_id: r for r in current_answers(session, world.tenant_id, NOW - timedelta(days=90))}
    assert dict((c, a) for c, a, _ in rows[world.call_id].answers)["fare_rules"] == "no"  # machine, no review
    with transaction(settings.sqlalchemy_url) as session:
        from qa_service.db.models import CriterionAnswer, Evaluation, EvaluationKind, EvaluationStatus

        auto = session.get_one(Evaluation, world.evaluations["call"])
        review = Evaluation(tenant_id=world.tenant_id, interaction_id=world.call_id,
                            rubric_version_id=auto.rubric_version_id, kind=EvaluationKind.REVIEW,
                            status=EvaluationStatus.SUBMITTED)
        review.answers.extend(CriterionAnswer(position=a.position, criterion_id=a.criterion_id,
                                              answer="yes" if a.criterion_id == "fare_rules" else a.answer,
                                              max_points=a.max_points, critical=a.critical)
                              for a in auto.answers)
        session.add(review)
    with transaction(settings.sqlalchemy_url) as session:
        rows = {r.interaction_id: r for r in current_answers(session, world.tenant_id, NOW - timedelta(days=90))}
    assert dict((c, a) for c, a, _ in rows[world.call_id].answers)["fare_rules"] == "yes"


def test_a_machine_answer_the_trust_loop_withholds_does_not_count(settings: Settings, world: World) -> None:
    from qa_service.db.models import CriterionTrust, Evaluation, RubricVersion

    with transaction(settings.sqlalchemy_url) as session:
        scored = session.get_one(Evaluation, world.evaluations["call"])
        version = session.get_one(RubricVersion, scored.rubric_version_id)
        session.add(CriterionTrust(tenant_id=world.tenant_id, rubric_id=version.rubric_id, criterion_id="fare_rules",
                                   suppressed=True))
    with transaction(settings.sqlalchemy_url) as session:
        rows = {r.interaction_id: r for r in current_answers(session, world.tenant_id, NOW - timedelta(days=90))}
    answers = dict((c, a) for c, a, _ in rows[world.call_id].answers)
    assert answers["fare_rules"] is None  # people have overturned the machine here: its "no" blames no one
    assert answers["greeting"] is not None


@pytest.mark.postgres
def test_needs_and_effect_on_postgres(pg_settings: Settings) -> None:
    """The same rules on the real PostgreSQL (JSONB evidence, aware timestamps), then cleaned up."""
    from sqlalchemy import delete

    from qa_service.core.coaching_stats import Verdict
    from qa_service.db.models import Role, Tenant
    from qa_service.services.access import Viewer
    from qa_service.services.coaching.effects import measured_coaching

    world = build_world(pg_settings, with_audio=False, started=NOW - timedelta(days=60))
    try:
        for key, name in (("olga", "Ольга Белова"), ("ivan", "Иван Серов"), ("nina", "Нина Котова")):
            add_agent(pg_settings, world, key, name, "alpha")
        held = NOW - timedelta(days=10)
        add_calls(pg_settings, world, "olga", 20, {"fare_rules": 14}, end=held, days=9, tag="before")
        add_calls(pg_settings, world, "olga", 20, {"fare_rules": 1}, end=NOW, days=9, tag="after")
        for key in ("ivan", "nina", "anna"):
            add_calls(pg_settings, world, key, 20, {"fare_rules": 4}, end=held, days=9, tag="before")
            add_calls(pg_settings, world, key, 20, {"fare_rules": 4}, end=NOW, days=9, tag="after")
        with transaction(pg_settings.sqlalchemy_url) as session:
            compute_training_needs(session, world.tenant_id, held)
            need = session.scalar(select(TrainingNeed).where(TrainingNeed.agent_id == world.agents["olga"]))
            assert need is not None and need.rule == NeedRule.TEAM_GAP and len(need.evidence_interaction_ids) == 10
            session.add(CoachingTask(tenant_id=world.tenant_id, agent_id=world.agents["olga"], module="T-FARES",
                                     status=CoachingStatus.DONE, completed_at=held, created_at=held))
        with transaction(pg_settings.sqlalchemy_url) as session:
            [measured] = measured_coaching(session, Viewer(0, world.tenant_id, Role.TRAINER), NOW)
            assert measured.effect.verdict == Verdict.IMPROVED
            compute_training_needs(session, world.tenant_id, NOW)
            assert session.get_one(TrainingNeed, need.id).resolved_at is not None  # coached and recovered
    finally:
        with transaction(pg_settings.sqlalchemy_url) as session:
            session.execute(delete(Tenant))
