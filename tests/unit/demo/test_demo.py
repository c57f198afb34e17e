"""The demo's set-up: idempotent accounts, and a calibration session so the airline's reviewer sees items."""

import json
from pathlib import Path

from sqlalchemy import func, select

from qa_service.config import Settings
from qa_service.db.models import CalibrationAnswer, CalibrationItem, CalibrationParticipant, CalibrationSession, User
from qa_service.db.session import session_factory, transaction
from qa_service.demo.tenant import prepare_demo_accounts, seed_demo_calibration
from qa_service.services.calibration.sessions import missing_answers, participants
from qa_service.services.ingestion.intake import store_interaction

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "interactions"


def test_demo_accounts_and_calibration_are_created_once(settings: Settings) -> None:
    accounts = prepare_demo_accounts(settings)
    assert prepare_demo_accounts(settings).tenant_id == accounts.tenant_id
    assert seed_demo_calibration(settings, accounts.tenant_id) is None  # nothing scored yet
    for name in ("chat-refund.json", "email-baggage.json"):
        with transaction(settings.sqlalchemy_url) as session:
            store_interaction(session, settings, accounts.tenant_id, json.loads((SAMPLES / name).read_text()))
    first = seed_demo_calibration(settings, accounts.tenant_id)
    assert first is not None and seed_demo_calibration(settings, accounts.tenant_id) == first
    with session_factory(settings.sqlalchemy_url)() as session:
        assert session.scalar(select(func.count()).select_from(CalibrationItem)) == 2
        roles = set(session.scalars(
            select(User.role).join(CalibrationParticipant, CalibrationParticipant.user_id == User.id)
        ))
        assert {r.value for r in roles} == {"qa", "customer"}
        # The QA specialist has submitted every criterion; the customer (the benchmark) still scores blind.
        calibration = session.scalars(select(CalibrationSession)).one()
        people = {u.role.value: p for p, u in participants(session, calibration)}
        assert people["qa"].completed_at is not None and people["customer"].completed_at is None
        assert calibration.benchmark_user_id == people["customer"].user_id
        assert missing_answers(session, calibration, people["qa"]) == []
        answers = session.scalars(select(CalibrationAnswer)).all()
        assert answers and all(a.submitted and a.answer in ("yes", "no", "na") for a in answers)
        assert session.scalar(select(func.count()).select_from(User)) == len(accounts.emails)


def test_demo_leaves_work_for_every_role(settings: Settings) -> None:
    """Sample drawn for QA, Анна's reviews released, a dispute for her supervisor — and all of it only once."""
    from datetime import UTC, datetime, timedelta

    from qa_service.db.models import Agent, Dispute, Evaluation, EvaluationStatus, ReviewAssignment, Team
    from qa_service.demo.tenant import link_demo_agent, seed_demo_teams, seed_demo_work

    accounts = prepare_demo_accounts(settings)
    now = datetime.now(UTC)
    for n, (name, agent) in enumerate([(n, a) for n in ("chat-refund.json", "email-baggage.json")
                                       for a in ("A-101", "A-105")]):
        item = json.loads((SAMPLES / name).read_text())
        item |= {"external_id": f"{item['external_id']}-{agent}", "agent_id": agent,
                 "started_at": (now - timedelta(hours=n + 1)).isoformat(),
                 "ended_at": (now - timedelta(hours=n + 1) + timedelta(minutes=10)).isoformat()}
        for i, message in enumerate(item.get("messages") or []):
            message["at"] = (now - timedelta(hours=n + 1) + timedelta(minutes=i)).isoformat()
        with transaction(settings.sqlalchemy_url) as session:
            store_interaction(session, settings, accounts.tenant_id, item)
    assert link_demo_agent(settings, accounts.tenant_id)
    assert seed_demo_teams(settings, accounts.tenant_id) == 2
    work = seed_demo_work(settings, accounts.tenant_id, now=now)
    again = seed_demo_work(settings, accounts.tenant_id, now=now)
    assert work.queued_for_review > 0 and work.released == 2 and work.open_disputes == 1
    assert (again.released, again.open_disputes) == (2, 1)
    with session_factory(settings.sqlalchemy_url)() as session:
        supervisor = session.scalar(select(User).where(User.email == "supervisor@demo.local"))
        anna = session.scalar(select(Agent).where(Agent.external_id == "A-101"))
        assert anna is not None and supervisor is not None
        assert session.get_one(Team, anna.team_id).supervisor_id == supervisor.id
        released = session.scalar(select(func.count()).select_from(Evaluation)
                                   .where(Evaluation.status == EvaluationStatus.RELEASED))
        assert released == 2
        assert session.scalar(select(func.count()).select_from(Dispute)) == 1
        assert session.scalar(select(func.count()).select_from(ReviewAssignment)
                              .where(ReviewAssignment.completed_at.is_(None))) == work.queued_for_review
