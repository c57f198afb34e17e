"""The demo's set-up: idempotent accounts, and a calibration session so the airline's reviewer sees items."""

import json
from pathlib import Path

from sqlalchemy import func, select

from qa_service.config import Settings
from qa_service.db.models import CalibrationAnswer, CalibrationItem, CalibrationParticipant, CalibrationSession, User
from qa_service.db.session import session_factory, transaction
from qa_service.services.calibration import missing_answers, participants
from qa_service.services.demo import prepare_demo_accounts, seed_demo_calibration
from qa_service.services.ingest import store_interaction

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
