"""The calibration services on the real PostgreSQL: picking rules, the blind rule, results,
consensus, sign-off and grader alignment — with the figures checked against the reference code."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from factories import World, build_world
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.core.agreement import reliability
from qa_service.db.models import CriterionAnswer, Evaluation, EvaluationKind, EvaluationStatus, Tenant, User
from qa_service.db.session import transaction
from qa_service.services.access import Viewer, viewer_for
from qa_service.services.calibration.alignment import grader_alignment
from qa_service.services.calibration.picking import pick_interactions
from qa_service.services.calibration.results import (
    consensus_answers,
    record_consensus,
    session_results,
    sign_off,
)
from qa_service.services.calibration.sessions import (
    CalibrationError,
    CalibrationForbidden,
    CalibrationNotFound,
    create_session,
    get_session,
    item_criteria,
    pending_count,
    reveal,
    save_answers,
    session_items,
    submit,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def world(pg_settings: Settings) -> Iterator[World]:
    world = build_world(pg_settings, with_audio=False, with_dispute=True)
    yield world
    with transaction(pg_settings.sqlalchemy_url) as session:
        session.execute(delete(Tenant))


def _viewer(session: Session, world: World, role: str) -> Viewer:
    return viewer_for(session, session.get_one(User, world.users[role]))


def _new(session: Session, world: World, ids: list[int] | None = None) -> int:
    return create_session(session, _viewer(session, world, "admin"), title="Сессия", due_at=None,
                          interaction_ids=ids or [world.call_id, world.chat_id],
                          participant_ids=[world.users["qa"], world.users["customer"], world.users["admin"]]).id


def _score(session: Session, world: World, role: str, session_id: int,
           answer: Callable[[Any, Any], str], do_submit: bool = True) -> None:
    viewer = _viewer(session, world, role)
    calibration = get_session(session, viewer, session_id)
    for item, interaction in session_items(session, calibration):
        save_answers(session, viewer, session_id, item.id,
                     {c.id: (answer(interaction, c), "") for c in item_criteria(session, item, interaction)})
    if do_submit:
        submit(session, viewer, session_id)


def test_picking_rules_stay_in_scope(pg_settings: Settings, world: World) -> None:
    with transaction(pg_settings.sqlalchemy_url) as session:
        qa, customer = _viewer(session, world, "qa"), _viewer(session, world, "customer")
        random_ids = pick_interactions(session, qa, "random", per_channel=1)
        assert len(random_ids) == 3  # one call, one chat, one e-mail
        assert world.other_tenant_call_id not in pick_interactions(session, qa, "random", per_channel=5)
        assert pick_interactions(session, qa, "disputed") == [world.email_id]
        since = datetime.now(UTC) + timedelta(days=1)
        with pytest.raises(CalibrationError, match="не нашлось"):
            pick_interactions(session, qa, "random", per_channel=2, date_from=since)
        with pytest.raises(CalibrationError, match="не нашлось"):
            pick_interactions(session, qa, "disagreed")  # nobody overrode the machine yet
        review = session.get_one(Evaluation, world.evaluations["email_review"])
        review.answers[0].answer = "no"  # the reviewer disagrees with the machine's «yes»
        session.flush()
        assert pick_interactions(session, qa, "disagreed") == [world.email_id]
        # The customer's lead draws at random from the airline's own interactions (never another tenant's);
        # the rules that read our evaluations stay within the customer's scope (calibration items only).
        drawn = set(pick_interactions(session, customer, "random", per_channel=5))
        assert drawn == {world.call_id, world.chat_id, world.email_id, world.other_agent_call_id}
        with pytest.raises(CalibrationError, match="не нашлось"):
            pick_interactions(session, customer, "disputed")
        with pytest.raises(CalibrationError, match="взаимодействия"):  # typed ids: the customer's scope applies
            create_session(session, customer, title="X", due_at=None, interaction_ids=[world.email_id],
                           participant_ids=[world.users["qa"], world.users["customer"]])
        calibration = create_session(session, customer, title="Выборка заказчика", due_at=None,
                                     interaction_ids=sorted(drawn), drawn_by_rule=True,
                                     participant_ids=[world.users["qa"], world.users["customer"]])
        assert len(session_items(session, calibration)) == 4
        assert pick_interactions(session, qa, "manual", ids_text="12, 15;31") == [12, 15, 31]
        with pytest.raises(CalibrationError):
            pick_interactions(session, qa, "manual", ids_text="12, abc")


def test_creating_checks_people_items_and_benchmark(pg_settings: Settings, world: World) -> None:
    with transaction(pg_settings.sqlalchemy_url) as session:
        admin, agent = _viewer(session, world, "admin"), _viewer(session, world, "agent")
        base = {"title": "X", "due_at": None, "interaction_ids": [world.call_id]}
        with pytest.raises(CalibrationForbidden):
            create_session(session, agent, participant_ids=[world.users["qa"], world.users["customer"]], **base)
        with pytest.raises(CalibrationError, match="двух участников"):
            create_session(session, admin, participant_ids=[world.users["qa"]], **base)
        with pytest.raises(CalibrationError, match="двух участников"):  # an agent cannot be invited
            create_session(session, admin, participant_ids=[world.users["qa"], world.users["agent"]], **base)
        with pytest.raises(CalibrationError, match="взаимодействия"):  # another tenant's interaction
            create_session(session, admin, title="X", due_at=None, interaction_ids=[world.other_tenant_call_id],
                           participant_ids=[world.users["qa"], world.users["customer"]])
        with pytest.raises(CalibrationError, match="эталонный"):
            create_session(session, admin, participant_ids=[world.users["qa"], world.users["customer"]],
                           benchmark_id=world.users["trainer"], **base)
        calibration = create_session(session, admin, participant_ids=[world.users["qa"], world.users["customer"]],
                                     **base)
        assert calibration.benchmark_user_id == world.users["customer"] and calibration.facilitator_id == admin.user_id
        assert pending_count(session, _viewer(session, world, "qa")) == 1


def test_blind_until_submit_or_reveal(pg_settings: Settings, world: World) -> None:
    with transaction(pg_settings.sqlalchemy_url) as session:
        session_id = _new(session, world)
        qa, customer = _viewer(session, world, "qa"), _viewer(session, world, "customer")
        _score(session, world, "qa", session_id, lambda _i, _c: "yes", do_submit=False)
        for viewer in (qa, customer):
            with pytest.raises(CalibrationForbidden):
                session_results(session, viewer, session_id)
        with pytest.raises(CalibrationForbidden):
            reveal(session, qa, session_id)  # only the facilitator reveals
        submit(session, qa, session_id)
        assert session_results(session, qa, session_id).items  # submitted: results open
        with pytest.raises(CalibrationError, match="уже отправлены"):
            save_answers(session, qa, session_id, session_items(session, get_session(session, qa, session_id))[0][0].id,
                         {"greeting": ("no", "")})
        with pytest.raises(CalibrationForbidden):
            session_results(session, customer, session_id)
        reveal(session, _viewer(session, world, "admin"), session_id)
        assert session_results(session, customer, session_id).items  # revealed: open to everyone
        with pytest.raises(CalibrationNotFound):
            get_session(session, _viewer(session, world, "supervisor"), session_id)
        with pytest.raises(CalibrationNotFound):
            get_session(session, viewer_for(session, session.get_one(User, world.users["other_admin"])), session_id)


def test_results_figures_consensus_and_sign_off(pg_settings: Settings, world: World) -> None:
    with transaction(pg_settings.sqlalchemy_url) as session:
        session_id = _new(session, world)
        _score(session, world, "qa", session_id, lambda _i, _c: "yes")
        _score(session, world, "admin", session_id, lambda _i, c: "no" if c.id == "greeting" else "yes")
        _score(session, world, "customer", session_id, lambda _i, c: "na" if c.subjective else "yes")
        results = session_results(session, _viewer(session, world, "qa"), session_id)
        greeting = next(c for c in results.criteria if c.criterion.id == "greeting")
        # Same figures as the reference code on the same answers.
        units = {r.item.id: row.answers for r in results.items for row in r.rows if row.criterion.id == "greeting"}
        assert greeting.figures.to_json() == reliability(units).to_json()
        assert greeting.figures.percent_agreement == pytest.approx(1 / 3, abs=1e-4)
        assert greeting.ambiguous and greeting.figures.fleiss_kappa is not None  # three raters on each unit
        assert (greeting.agree_with_benchmark, greeting.compared_with_benchmark) == (2, 4)  # call and chat
        accuracy = next(c for c in results.criteria if c.criterion.id == "accuracy")  # manual: judgement
        assert accuracy.target == 0.80 and accuracy.benchmark_rate == 0.0
        call = next(i for i in results.items if i.interaction.id == world.call_id)
        qa_id, admin_id, customer_id = world.users["qa"], world.users["admin"], world.users["customer"]
        assert call.scores[qa_id] == 100.0 and call.scores[admin_id] is not None and call.scores[admin_id] < 100
        assert call.spread == pytest.approx(call.scores[qa_id] - call.scores[admin_id], abs=0.01)
        assert call.deviations[customer_id] == 0.0
        assert results.person_agreement[qa_id][1] > 0 and customer_id not in results.person_agreement
        row = next(r for r in call.rows if r.criterion.id == "greeting")
        assert row.machine_answer == "yes" and row.distribution == {"yes": 2, "no": 1}
        assert results.scores.n_units == 2 and results.scores.krippendorff_alpha is not None

        admin, customer, qa = (_viewer(session, world, r) for r in ("admin", "customer", "qa"))
        with pytest.raises(CalibrationForbidden):
            record_consensus(session, qa, session_id, call.item.id, {"greeting": ("no", "")})
        with pytest.raises(CalibrationError):
            record_consensus(session, admin, session_id, call.item.id, {"greeting": ("maybe", "")})
        assert record_consensus(session, admin, session_id, call.item.id,
                                {"greeting": ("no", "не названа компания"), "unknown": ("yes", "")}) == 1
        record_consensus(session, admin, session_id, call.item.id, {"greeting": ("yes", "пересмотрели")})
        gold = consensus_answers(session, world.tenant_id)
        assert [(i, c, a) for i, c, a, _ in gold] == [(world.call_id, "greeting", "yes")]
        with pytest.raises(CalibrationForbidden):
            sign_off(session, qa, session_id)
        signed = sign_off(session, customer, session_id)
        assert signed.signed_off_by_id == customer_id and signed.closed_at is not None
        with pytest.raises(CalibrationError, match="уже подписан"):
            sign_off(session, customer, session_id)


def test_grader_alignment_strictness_and_visibility(pg_settings: Settings, world: World) -> None:
    with transaction(pg_settings.sqlalchemy_url) as session:
        for _ in range(3):
            session_id = _new(session, world)
            _score(session, world, "customer", session_id, lambda _i, _c: "yes")
            _score(session, world, "qa", session_id, lambda _i, c: "no" if c.weight >= 10 else "yes")
            _score(session, world, "admin", session_id, lambda _i, _c: "yes")
        rows = {a.user_id: a for a in grader_alignment(session, _viewer(session, world, "qa"))}
        strict, aligned = rows[world.users["qa"]], rows[world.users["admin"]]
        assert aligned.rate == 1.0 and not aligned.flagged and aligned.strictness == 0.0
        assert strict.rate is not None and strict.rate < 0.6 and strict.flagged
        assert strict.high is not None and strict.high < 0.9 and strict.compared == aligned.compared
        assert strict.strictness is not None and strict.strictness < 0  # stricter than the benchmark
        assert len(strict.points) == 3 and strict.trend == 0.0
        # A session the viewer still scores is left out of what they see.
        pending = _new(session, world)
        _score(session, world, "customer", pending, lambda _i, _c: "yes")
        again = {a.user_id: a for a in grader_alignment(session, _viewer(session, world, "qa"))}
        assert again[world.users["admin"]].compared == aligned.compared


def test_consensus_answers_are_per_tenant(pg_settings: Settings, world: World) -> None:
    with transaction(pg_settings.sqlalchemy_url) as session:
        assert consensus_answers(session, world.tenant_id) == []
        assert consensus_answers(session, world.other_tenant_id) == []
        machine = session.scalars(select(CriterionAnswer).join(Evaluation).where(
            Evaluation.kind == EvaluationKind.AUTO, Evaluation.status == EvaluationStatus.SUBMITTED)).first()
        assert machine is not None  # the world has machine answers to compare the gold labels with


def test_grader_alignment_splits_objective_and_judgement_targets(pg_settings: Settings, world: World) -> None:
    """A reviewer who disagrees on judgement criteria only is flagged by the 80 % target for those;
    their objective answers stay on target (90 %)."""
    with transaction(pg_settings.sqlalchemy_url) as session:
        for _ in range(3):
            session_id = _new(session, world)
            _score(session, world, "customer", session_id, lambda _i, _c: "yes")
            _score(session, world, "qa", session_id, lambda _i, c: "no" if c.subjective else "yes")
            _score(session, world, "admin", session_id, lambda _i, _c: "yes")
        rows = {a.user_id: a for a in grader_alignment(session, _viewer(session, world, "admin"))}
        qa, admin = rows[world.users["qa"]], rows[world.users["admin"]]
        assert (qa.objective.target, qa.judgement.target) == (0.90, 0.80)
        assert qa.judgement.compared > 0 and qa.objective.compared > 0
        assert qa.objective.compared + qa.judgement.compared == qa.compared
        assert qa.objective.rate == 1.0 and not qa.objective.flagged
        assert qa.judgement.rate == 0.0 and qa.judgement.flagged and qa.flagged
        assert not admin.flagged and admin.judgement.rate == 1.0
