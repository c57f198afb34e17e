"""Review fixes found in use: comments after release, drafts never the score that counts, critical
manual criteria before release, who changed an answer, and the failed-criterion filter."""

from __future__ import annotations

import pytest
from factories import World, build_world

from qa_service.config import Settings
from qa_service.db.models import CriterionAnswer, Evaluation, EvaluationKind, EvaluationStatus, Interaction, User
from qa_service.db.session import transaction
from qa_service.services.access import viewer_for
from qa_service.services.interactions.listing import ListFilters, list_interactions
from qa_service.services.review.disputes import resolve_dispute
from qa_service.services.review.evaluations import (
    Decision,
    ReviewError,
    add_comment,
    changed_by,
    comments_of,
    current_evaluation,
    draft_review,
    release_evaluation,
    submit_review,
)


def _viewer(session, user_id: int):  # type: ignore[no-untyped-def]
    return viewer_for(session, session.get_one(User, user_id))


@pytest.fixture
def world(settings: Settings) -> World:
    return build_world(settings, with_audio=False)


def test_a_comment_on_a_released_review_reaches_the_agent(settings: Settings, world: World) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        qa, agent = _viewer(session, world.users["qa"]), _viewer(session, world.users["agent"])
        released = submit_review(session, qa, world.call_id, {}, release=True)
        add_comment(session, qa, world.call_id, "Хорошая работа с возражением", 12.0)
        call = session.get_one(Interaction, world.call_id)
        seen = current_evaluation(session, agent, call)
        assert seen is not None and seen.id == released.id
        assert [c.text for c in comments_of(session, seen)] == ["Хорошая работа с возражением"]
        drafts = session.query(Evaluation).filter_by(interaction_id=world.call_id, status=EvaluationStatus.DRAFT)
        assert drafts.count() == 0


def test_a_draft_is_never_the_score_others_see(settings: Settings, world: World) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        qa, supervisor = _viewer(session, world.users["qa"]), _viewer(session, world.users["supervisor"])
        call = session.get_one(Interaction, world.call_id)
        score_before = call.score
        draft = draft_review(session, qa, world.call_id)
        for answer in draft.answers:
            answer.answer = "no"
        draft.score = 0.0
        session.flush()
        shown = current_evaluation(session, supervisor, call)
        assert shown is not None and shown.kind == EvaluationKind.AUTO and shown.score == score_before
        assert call.score == score_before  # the list's column moves only on submit
        assert current_evaluation(session, qa, call).id == draft.id  # type: ignore[union-attr]


def test_critical_manual_criteria_must_be_answered_before_release(settings: Settings, world: World) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        qa = _viewer(session, world.users["qa"])
        auto = session.get_one(Evaluation, world.evaluations["call"])
        auto.answers.append(CriterionAnswer(position=9, criterion_id="data_protection", answer=None,
                                            max_points=0, critical=True, machine_answer=None))
        session.flush()
        with pytest.raises(ReviewError, match="критические критерии ручной проверки"):
            submit_review(session, qa, world.call_id, {}, release=True)
        submitted = submit_review(session, qa, world.call_id, {})  # submitting without release is fine
        with pytest.raises(ReviewError, match=r"data_protection|Защита"):
            release_evaluation(session, qa, submitted.id)
        final = submit_review(session, qa, world.call_id, {"data_protection": Decision("yes")}, release=True)
        assert final.status == EvaluationStatus.RELEASED


def test_changed_by_names_the_supervisor_who_accepted_the_dispute(settings: Settings) -> None:
    world = build_world(settings, with_audio=False, with_dispute=True)
    with transaction(settings.sqlalchemy_url) as session:
        supervisor = _viewer(session, world.users["supervisor"])
        resolve_dispute(session, supervisor, world.dispute_id, accept=True, resolution="Телефон в подписи есть",
                        new_answer="yes")
        review = session.get_one(Evaluation, world.evaluations["email_review"])
        assert changed_by(session, review) == {"signature": session.get_one(User, world.users["supervisor"]).name}


def test_failed_criterion_filter_follows_the_human_answer(settings: Settings, world: World) -> None:
    def failed(criterion: str) -> list[str]:
        with transaction(settings.sqlalchemy_url) as session:
            viewer = _viewer(session, world.users["qa"])
            page = list_interactions(session, viewer, ListFilters(criterion_failed=criterion))
            return [row.interaction.external_id for row in page.rows]

    assert failed("signature") == ["MAIL-0001"]
    with transaction(settings.sqlalchemy_url) as session:
        qa = _viewer(session, world.users["qa"])
        draft_review(session, qa, world.email_id)  # an open draft changes nothing yet
    assert failed("signature") == ["MAIL-0001"]
    with transaction(settings.sqlalchemy_url) as session:
        qa = _viewer(session, world.users["qa"])
        submit_review(session, qa, world.email_id, {"signature": Decision("yes", "телефон в подписи есть")})
    assert failed("signature") == []
