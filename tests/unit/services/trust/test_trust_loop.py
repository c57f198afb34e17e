"""The AutoQA trust loop end to end through the real services: reviewers overturn the machine on a
criterion until it is withheld (new evaluations leave it to a person, the sampling queues them),
then agree with it until it is published again — past the threshold plus hysteresis, not before.

Runs on SQLite and on a fresh database of the real PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from factories import CALL_TURNS, build_world
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.core.tenant_settings import TenantSettings
from qa_service.db.models import (
    AuditLog,
    Channel,
    CriterionTrust,
    Evaluation,
    Interaction,
    ReviewAssignment,
    Rubric,
    RubricVersion,
    Tenant,
    Turn,
    User,
)
from qa_service.db.session import transaction
from qa_service.services.access import viewer_for
from qa_service.services.ingestion.scoring import content_version, score_stored_interaction, shipped_rubric_text
from qa_service.services.review.evaluations import Decision, score_answers, submit_review
from qa_service.services.review.sampling import UNTRUSTED, review_queue, run_sampling, save_rule
from qa_service.services.trust import loop as trust
from qa_service.services.trust.loop import (
    HumanAnswer,
    consensus_source,
    human_answers,
    recompute,
    review_answers,
)

WEEK = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
WEEK -= timedelta(days=WEEK.weekday())
STARTED = WEEK + timedelta(hours=9)


class Loop:
    """The world with the shipped call rubric published, and helpers to score and review new calls."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.world = build_world(settings, with_audio=False, started=STARTED)
        self.count = 0
        with transaction(settings.sqlalchemy_url) as session:
            tenant = session.get_one(Tenant, self.world.tenant_id)
            # A window of 40 keeps the test short; the default is 200.
            tenant.settings = TenantSettings().with_changes(trust_window=40, trust_min_answers=20).to_mapping()
            rubric = session.scalars(
                select(Rubric).where(Rubric.tenant_id == tenant.id, Rubric.slug == "airline-call")).one()
            content = shipped_rubric_text("airline-call")
            session.add(RubricVersion(rubric_id=rubric.id, content=content, content_hash=content_version(content),
                                      published_at=datetime.now(UTC) + timedelta(seconds=1)))
            self.rubric_id = rubric.id

    def scored_call(self) -> Evaluation:
        self.count += 1
        with transaction(self.settings.sqlalchemy_url) as session:
            call = Interaction(
                tenant_id=self.world.tenant_id, source="test", external_id=f"LOOP-{self.count:03d}",
                channel=Channel.CALL, agent_id=self.world.agents["anna"], queue="exchange", topic="exchange",
                started_at=STARTED + timedelta(minutes=self.count),
                ended_at=STARTED + timedelta(minutes=self.count, seconds=40),
            )
            session.add(call)
            session.flush()
            for position, (speaker, text) in enumerate(CALL_TURNS):
                session.add(Turn(interaction_id=call.id, position=position, speaker=speaker, text=text,
                                 start=position * 4.0 + 0.3, end=position * 4.0 + 3.5))
            call_id = call.id
        scored = score_stored_interaction(self.settings, call_id)
        with transaction(self.settings.sqlalchemy_url) as session:
            evaluation = session.get_one(Evaluation, scored.evaluation_id)
            _ = list(evaluation.answers)
            session.expunge_all()
            return evaluation

    def review(self, interaction_id: int, answer: str | None, reason: str = "") -> None:
        with transaction(self.settings.sqlalchemy_url) as session:
            qa = viewer_for(session, session.get_one(User, self.world.users["qa"]))
            submit_review(session, qa, interaction_id, {"greeting": Decision(answer, reason)})

    def trust(self) -> CriterionTrust:
        with transaction(self.settings.sqlalchemy_url) as session:
            row = session.scalars(select(CriterionTrust).where(
                CriterionTrust.rubric_id == self.rubric_id, CriterionTrust.criterion_id == "greeting")).one()
            session.expunge(row)
            return row


def _greeting(evaluation: Evaluation):  # type: ignore[no-untyped-def]
    return next(a for a in evaluation.answers if a.criterion_id == "greeting")


def _run_loop(settings: Settings) -> None:
    loop = Loop(settings)
    first = loop.scored_call()
    assert _greeting(first).answer == "yes" and _greeting(first).machine_answer == "yes"

    # 1. Reviewers overturn the machine's greeting: no verdict before 20 answers, then withheld.
    loop.review(first.interaction_id, "no", "приветствие без названия компании")
    for _ in range(18):
        loop.review(loop.scored_call().interaction_id, "no", "приветствие без названия компании")
    assert (loop.trust().n, loop.trust().suppressed) == (19, False)
    loop.review(loop.scored_call().interaction_id, "no", "приветствие без названия компании")
    withheld = loop.trust()
    assert (withheld.n, withheld.agreed, withheld.suppressed) == (20, 0, True)
    assert withheld.changed_at is not None and withheld.upper is not None and withheld.upper < 0.2

    # 2. A new machine evaluation leaves the greeting to a person and is scored without it.
    routed = loop.scored_call()
    greeting = _greeting(routed)
    assert (greeting.answer, greeting.points, greeting.machine_answer) == (None, None, "yes")
    assert routed.needs_review and "needs_human:greeting" in routed.review_reasons
    assert (routed.score, routed.failed_critical) == score_answers(routed.answers)
    with transaction(settings.sqlalchemy_url) as session:
        admin = viewer_for(session, session.get_one(User, loop.world.users["admin"]))
        save_rule(session, loop.world.tenant_id, per_agent=0, random_share=0.3, channels=["call"], due_days=2)
        result = run_sampling(session, admin, WEEK, seed=1)
        assignments = list(session.scalars(select(ReviewAssignment)))
        assert result.assigned == 1 and [(a.interaction_id, a.reason) for a in assignments] == [
            (routed.interaction_id, UNTRUSTED)]
        qa = viewer_for(session, session.get_one(User, loop.world.users["qa"]))
        assert [item.interaction.id for item in review_queue(session, qa)] == [routed.interaction_id]
        assert session.get_one(Interaction, routed.interaction_id).needs_review
        actions = set(session.scalars(select(AuditLog.action)))
        assert "autoqa.withhold" in actions

    # 3. People answer the withheld greeting and agree with the machine: back only at 93 % (threshold + 3).
    loop.review(routed.interaction_id, "yes")
    for answered in range(2, 39):
        call = loop.scored_call()
        assert _greeting(call).answer is None  # still withheld while recovering
        loop.review(call.interaction_id, "yes")
        state = loop.trust()
        if answered in (36, 37):  # 90 % and 92.5 % of the last 40: above the threshold, below recovery
            assert state.suppressed, (answered, state.agreement)
    recovered = loop.trust()
    assert (recovered.n, recovered.agreed, recovered.suppressed) == (40, 38, False)
    assert recovered.agreement == pytest.approx(0.95)

    # 4. Published again: new evaluations carry the machine's answer as final.
    after = loop.scored_call()
    assert _greeting(after).answer == "yes" and not any(
        str(r).startswith("needs_human") for r in after.review_reasons)
    with transaction(settings.sqlalchemy_url) as session:
        assert "autoqa.publish" in set(session.scalars(select(AuditLog.action)))


def test_trust_loop_on_sqlite(settings: Settings) -> None:
    _run_loop(settings)


@pytest.mark.postgres
def test_trust_loop_on_postgres(own_pg_settings: Settings) -> None:
    _run_loop(own_pg_settings)


def test_withheld_answer_left_empty_needs_no_reason_and_is_no_human_answer(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop = Loop(settings)
    calls = [loop.scored_call() for _ in range(20)]
    for call in calls:
        loop.review(call.interaction_id, "no", "нет названия компании")
    assert loop.trust().suppressed
    routed = loop.scored_call()
    loop.review(routed.interaction_id, None)  # the reviewer has not decided: no override, no reason asked
    with transaction(settings.sqlalchemy_url) as session:
        answers = human_answers(session, loop.world.tenant_id, loop.rubric_id, ["greeting"])["greeting"]
        assert routed.interaction_id not in {a.interaction_id for a in answers} and len(answers) == 20
        # Tiny pages: the newest review has no greeting, so the window is filled from the next pages.
        monkeypatch.setattr(trust, "PAGE_EXTRA", 0)
        monkeypatch.setattr(trust, "PAGE_ALL", 3)
        newest = human_answers(session, loop.world.tenant_id, loop.rubric_id, ["greeting", "farewell"], limit=5)
        assert [a.interaction_id for a in newest["greeting"]] == [a.interaction_id for a in answers[:5]]
        assert newest["farewell"][0].interaction_id == routed.interaction_id and len(newest["farewell"]) == 5
        everything = human_answers(session, loop.world.tenant_id, loop.rubric_id, ["greeting"],
                                   since=datetime.now(UTC) - timedelta(days=1))
        assert [a.interaction_id for a in everything["greeting"]] == [a.interaction_id for a in answers]


def test_consensus_source_pairs_gold_labels_with_the_machine(settings: Settings) -> None:
    loop = Loop(settings)
    calls = [loop.scored_call() for _ in range(3)]
    decided = datetime.now(UTC)
    rows = [(calls[0].interaction_id, "greeting", "no", decided), (calls[1].interaction_id, "greeting", "yes", decided),
            (calls[2].interaction_id, "farewell", "no", decided)]
    loop.review(calls[0].interaction_id, "yes")  # a reviewer agreed with the machine; the consensus did not
    with transaction(settings.sqlalchemy_url) as session:
        source = consensus_source(lambda _session, tenant_id: rows if tenant_id == loop.world.tenant_id else [])
        found = human_answers(session, loop.world.tenant_id, loop.rubric_id, ["greeting"],
                              sources=(source, review_answers))["greeting"]
        assert sorted((a.interaction_id, a.machine, a.human, a.source) for a in found) == sorted([
            (calls[0].interaction_id, "yes", "no", "calibration"),
            (calls[1].interaction_id, "yes", "yes", "calibration"),
        ])
        assert all(isinstance(a, HumanAnswer) for a in found)
        other = human_answers(session, loop.world.other_tenant_id, loop.rubric_id, ["greeting"], sources=(source,))
        assert other == {"greeting": []}
        rows_before = recompute(session, loop.world.tenant_id, loop.rubric_id, ["greeting"])
        assert rows_before[0].n == 1  # the default sources: reviews only until calibration is plugged in


def test_accepted_dispute_is_a_changed_human_answer(settings: Settings) -> None:
    from qa_service.services.review.disputes import resolve_dispute

    world = build_world(settings, with_audio=False, with_dispute=True)
    with transaction(settings.sqlalchemy_url) as session:
        lead = viewer_for(session, session.get_one(User, world.users["qa"]))
        resolve_dispute(session, lead, world.dispute_id, accept=True, resolution="телефон есть", new_answer="yes")
        rubric_id = session.scalars(select(Rubric.id).where(
            Rubric.tenant_id == world.tenant_id, Rubric.slug == "airline-email")).one()
        rows = {r.criterion_id: r for r in session.scalars(
            select(CriterionTrust).where(CriterionTrust.rubric_id == rubric_id))}
        assert (rows["signature"].n, rows["signature"].agreed) == (1, 0)  # machine «no», people now «yes»
        assert (rows["reply_sla"].n, rows["reply_sla"].agreed) == (1, 1)
