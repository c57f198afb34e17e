"""The review service: the standard's arithmetic, overrides with reasons, drafts, release, acknowledgement."""

from __future__ import annotations

import pytest
from factories import World, build_world

from qa_service.config import Settings
from qa_service.db.models import CriterionAnswer, EvaluationStatus, Role, User
from qa_service.db.session import transaction
from qa_service.services.access import viewer_for
from qa_service.services.review.evaluations import (
    Decision,
    ReviewError,
    acknowledge,
    add_comment,
    agent_evaluations,
    current_evaluation,
    draft_review,
    points_for,
    release_evaluation,
    score_answers,
    submit_review,
)


def _a(answer: str | None, max_points: float, critical: bool = False) -> CriterionAnswer:
    return CriterionAnswer(criterion_id="c", position=0, answer=answer, max_points=max_points, critical=critical)


def test_points_per_answer() -> None:
    assert points_for("yes", 10) == 10 and points_for("no", 10) == 0 and points_for("na", 10) is None
    assert points_for(None, 10) is None and points_for("0.7", 10) == 7 and points_for("1.5", 10) == 10


def test_score_follows_the_standard() -> None:
    assert score_answers([_a("yes", 10), _a("no", 10), _a("na", 20)]) == (50.0, False)
    assert score_answers([_a("yes", 10), _a(None, 10)]) == (100.0, False)  # unanswered manual: not counted
    assert score_answers([_a("yes", 10), _a("no", 0, critical=True)]) == (0.0, True)
    assert score_answers([_a("na", 10), _a(None, 5)]) == (None, False)


@pytest.fixture
def world(settings: Settings) -> World:
    return build_world(settings, with_audio=False)


def _viewer(session, user_id: int):  # type: ignore[no-untyped-def]
    return viewer_for(session, session.get_one(User, user_id))


def test_draft_is_reused_and_the_machine_answer_kept(settings: Settings, world: World) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        qa = _viewer(session, world.users["qa"])
        first = draft_review(session, qa, world.call_id)
        assert draft_review(session, qa, world.call_id).id == first.id
        assert [a.machine_answer for a in first.answers][:3] == ["yes", "yes", "yes"]
        add_comment(session, qa, world.call_id, "пауза длинная", 16.0)
        evaluation = submit_review(session, qa, world.call_id, {"fare_rules": Decision("yes", "штраф назван")})
        assert evaluation.id == first.id and evaluation.status == EvaluationStatus.SUBMITTED
        assert evaluation.score == 100.0


def test_only_reviewers_review(settings: Settings, world: World) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        for role in ("trainer", "supervisor", "agent", "customer"):
            with pytest.raises(ReviewError):
                submit_review(session, _viewer(session, world.users[role]), world.call_id, {})


def test_other_tenant_cannot_review(settings: Settings, world: World) -> None:
    with transaction(settings.sqlalchemy_url) as session, pytest.raises(ReviewError):
        submit_review(session, _viewer(session, world.users["other_admin"]), world.call_id, {})


def test_bad_answer_is_refused(settings: Settings, world: World) -> None:
    with transaction(settings.sqlalchemy_url) as session, pytest.raises(ReviewError):
        submit_review(session, _viewer(session, world.users["qa"]), world.call_id, {"greeting": Decision("maybe")})


def test_empty_comment_is_refused(settings: Settings, world: World) -> None:
    with transaction(settings.sqlalchemy_url) as session, pytest.raises(ReviewError):
        add_comment(session, _viewer(session, world.users["qa"]), world.call_id, "  ", 1.0)


def test_who_sees_which_evaluation(settings: Settings, world: World) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        from qa_service.db.models import Interaction

        call = session.get_one(Interaction, world.call_id)
        qa, agent, customer = (_viewer(session, world.users[r]) for r in ("qa", "agent", "customer"))
        assert current_evaluation(session, qa, call).kind.value == "auto"  # type: ignore[union-attr]
        assert current_evaluation(session, agent, call) is None
        assert current_evaluation(session, customer, call) is None
        review = submit_review(session, qa, world.call_id, {}, release=True)
        assert current_evaluation(session, agent, call).id == review.id  # type: ignore[union-attr]
        assert [e.id for e, _ in agent_evaluations(session, agent)] == [review.id]
        with pytest.raises(ReviewError):
            acknowledge(session, qa, review.id)
        acknowledge(session, agent, review.id)
        assert review.acknowledged_at is not None
        with pytest.raises(ReviewError):
            release_evaluation(session, qa, review.id)  # already released
        assert agent.role == Role.AGENT


def test_link_user_to_agent_by_platform_id(settings: Settings, world: World) -> None:
    from qa_service.db.models import Agent
    from qa_service.services.accounts.tenants import AccountError
    from qa_service.services.accounts.users import link_user_to_agent

    with transaction(settings.sqlalchemy_url) as session:
        linked = link_user_to_agent(session, world.tenant_id, "QA@severny.test", "agent-petr")
        assert linked is not None and linked.user_id == world.users["qa"]
        assert link_user_to_agent(session, world.tenant_id, "qa@severny.test", "A-999") is None  # not ingested yet
        with pytest.raises(AccountError):
            link_user_to_agent(session, world.tenant_id, "nobody@severny.test", "agent-petr")
        # The other tenant's agent with the same platform id is untouched.
        assert session.get_one(Agent, world.agents["south"]).user_id is None
