"""Evaluation versions and stale forms: a released review changes only as a new version with a
reason, a form drawn from an older version changes nothing, and a decided dispute stays decided."""

from __future__ import annotations

from typing import Any

import pytest
from factories import World, build_world
from sqlalchemy import func, select

from qa_service.config import Settings
from qa_service.db.models import (
    AuditLog,
    Dispute,
    DisputeStatus,
    Evaluation,
    EvaluationKind,
    EvaluationStatus,
    EvaluationVersion,
    Interaction,
    User,
)
from qa_service.db.session import transaction
from qa_service.services.access import viewer_for
from qa_service.services.evaluation_versions import history
from qa_service.services.form_versions import StaleForm
from qa_service.services.input_limits import FieldTooLong
from qa_service.services.review.disputes import DisputeError, reopen_dispute, resolve_dispute
from qa_service.services.review.evaluations import (
    Decision,
    ReviewError,
    add_comment,
    agent_evaluations,
    amend_released,
    release_evaluation,
    submit_review,
)


def _viewer(session: Any, world: World, role: str) -> Any:
    return viewer_for(session, session.get_one(User, world.users[role]))


def _state(session: Any, interaction_id: int) -> tuple[Any, ...]:
    """Everything a resubmission could change: each evaluation's status, version, score and answers."""
    rows = session.scalars(select(Evaluation).where(Evaluation.interaction_id == interaction_id)
                           .order_by(Evaluation.id)).all()
    versions = session.scalar(select(func.count()).select_from(EvaluationVersion)) or 0
    return tuple((e.id, e.status, e.version, e.score, tuple((a.criterion_id, a.answer) for a in e.answers))
                 for e in rows), versions


@pytest.fixture
def world(settings: Settings) -> World:
    return build_world(settings, with_audio=False, with_dispute=True)


def test_back_and_resubmit_after_release_is_refused_and_changes_nothing(settings: Settings, world: World) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        qa = _viewer(session, world, "qa")
        auto = session.get_one(Evaluation, world.evaluations["call"])
        form = {"form_evaluation_id": auto.id, "form_version": str(auto.version)}
        released = submit_review(session, qa, world.call_id, {}, release=True, **form)
        assert released.status == EvaluationStatus.RELEASED
        before = _state(session, world.call_id)
        # The same page's form again (Back, then «Отправить и опубликовать»), with other answers.
        with pytest.raises(StaleForm, match="изменилась после того, как вы открыли страницу"):
            submit_review(session, qa, world.call_id, {"greeting": Decision("no", "не поздоровался")},
                          release=True, **form)
        # A post naming the released review at its current version is refused too: release is final.
        with pytest.raises(ReviewError, match="Изменить опубликованную оценку"):
            submit_review(session, qa, world.call_id, {"greeting": Decision("no", "x")}, release=True,
                          form_evaluation_id=released.id, form_version=str(released.version))
        assert _state(session, world.call_id) == before


def test_a_change_to_a_released_review_is_a_new_version_with_its_reason(settings: Settings, world: World) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        qa, agent = _viewer(session, world, "qa"), _viewer(session, world, "agent")
        released = submit_review(session, qa, world.call_id, {}, release=True)
        released.acknowledged_at = released.released_at
        version = str(released.version)
        with pytest.raises(ReviewError, match="укажите причину"):
            amend_released(session, qa, released.id, {"greeting": Decision("no")}, "", form_version=version)
        with pytest.raises(FieldTooLong, match="длиннее 1000 символов"):
            amend_released(session, qa, released.id, {"greeting": Decision("no")}, "я" * 1001,
                           form_version=version)
        score_before = released.score
        amended = amend_released(session, qa, released.id, {"greeting": Decision("no")},
                                 "Приветствие без названия компании", form_version=version)
        assert amended.id == released.id and amended.score != score_before
        assert amended.acknowledged_at is None  # the agent is told: unread again
        rows = history(session, amended)
        assert [r.version.number for r in rows] == [2, 1]
        assert rows[0].version.cause == "amended" and rows[0].version.reason == "Приветствие без названия компании"
        assert rows[0].version.changes == [{"criterion": "greeting", "before": "yes", "after": "no"}]
        assert (rows[0].version.score_before, rows[0].version.score_after) == (score_before, amended.score)
        assert session.get_one(Interaction, world.call_id).score == amended.score  # reports read this version
        # The form of the first version is stale now.
        with pytest.raises(StaleForm):
            amend_released(session, qa, released.id, {"greeting": Decision("yes")}, "назад", form_version=version)
        mine = [e for e, i in agent_evaluations(session, agent) if i.id == world.call_id]
        assert len(mine) == 1
        entry = session.scalars(select(AuditLog).where(AuditLog.action == "evaluation.amend")).one()
        assert entry.details["score"] == {"from": score_before, "to": amended.score}
        assert entry.details["changed"] == {"greeting": {"from": "yes", "to": "no"}}


def test_a_re_review_never_reverses_an_accepted_dispute(settings: Settings, world: World) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        qa, supervisor = _viewer(session, world, "qa"), _viewer(session, world, "supervisor")
        agent = _viewer(session, world, "agent")
        review = session.get_one(Evaluation, world.evaluations["email_review"])
        dispute = session.get_one(Dispute, world.dispute_id)
        with pytest.raises(StaleForm):
            resolve_dispute(session, supervisor, dispute.id, accept=True, resolution="есть", new_answer="yes",
                            form_version=str(dispute.version + 1))
        assert dispute.status == DisputeStatus.OPEN
        resolve_dispute(session, supervisor, dispute.id, accept=True, resolution="Телефон в подписи есть",
                        new_answer="yes", form_version=str(dispute.version))
        accepted_score = review.score
        assert review.answers[3].override_reason == "Телефон в подписи есть"
        assert history(session, review)[0].version.cause == "dispute_accepted"
        # The old review form (Back after the dispute) and a plain resubmission: refused.
        with pytest.raises(ReviewError, match="Изменить опубликованную оценку"):
            submit_review(session, qa, world.email_id, {"signature": Decision("no", "нет телефона")}, release=True)
        # Changing the decided criterion through «Изменить опубликованную оценку»: refused, nothing changed.
        with pytest.raises(ReviewError, match="спор уже решён"):
            amend_released(session, qa, review.id, {"signature": Decision("no", "нет")}, "перепроверка",
                           form_version=str(review.version))
        assert review.answers[3].answer == "yes" and review.score == accepted_score
        assert dispute.status == DisputeStatus.ACCEPTED
        mine = [e for e, i in agent_evaluations(session, agent) if i.id == world.email_id]
        assert [e.id for e in mine] == [review.id]
        # Reopening is its own action: the answer returns to the disputed one, with an audit entry.
        with pytest.raises(DisputeError, match="укажите"):
            reopen_dispute(session, supervisor, dispute.id, reason=" ", form_version=str(dispute.version))
        with pytest.raises(StaleForm):
            reopen_dispute(session, supervisor, dispute.id, reason="ошибка", form_version="1")
        reopen_dispute(session, supervisor, dispute.id, reason="Подпись без телефона",
                       form_version=str(dispute.version))
        assert dispute.status == DisputeStatus.OPEN and review.answers[3].answer == "no"
        assert history(session, review)[0].version.cause == "dispute_reopened"
        entry = session.scalars(select(AuditLog).where(AuditLog.action == "dispute.reopen")).one()
        assert entry.details["status"] == {"from": "accepted", "to": "open"}


def test_a_stale_release_form_changes_nothing(settings: Settings, world: World) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        qa = _viewer(session, world, "qa")
        submitted = submit_review(session, qa, world.call_id, {})
        old = str(submitted.version)
        add_comment(session, qa, world.call_id, "x", None)  # a comment is no change to the answers
        submit_review(session, qa, world.call_id, {"greeting": Decision("no", "нет")},
                      form_evaluation_id=submitted.id, form_version=old)
        newest = session.scalars(select(Evaluation).where(Evaluation.interaction_id == world.call_id,
                                                          Evaluation.kind == EvaluationKind.REVIEW)
                                 .order_by(Evaluation.id.desc())).first()
        assert newest is not None and newest.id != submitted.id
        # The first tab's «Опубликовать» names the older review: it is no longer the current one.
        with pytest.raises(StaleForm):
            release_evaluation(session, qa, submitted.id, form_version=old)
        with pytest.raises(StaleForm):
            release_evaluation(session, qa, newest.id, form_version=str(newest.version + 1))
        assert submitted.status == newest.status == EvaluationStatus.SUBMITTED
        release_evaluation(session, qa, newest.id, form_version=str(newest.version))
        assert newest.status == EvaluationStatus.RELEASED


def test_long_free_text_is_refused_naming_the_limit(settings: Settings, world: World) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        qa = _viewer(session, world, "qa")
        with pytest.raises(FieldTooLong, match="«комментарий» длиннее 4000 символов"):
            add_comment(session, qa, world.call_id, "а" * 112_400, None)
