"""The demo's set-up: idempotent accounts, and a calibration session so the airline's reviewer sees items."""

import json
from pathlib import Path

from sqlalchemy import func, select

from qa_service.config import Settings
from qa_service.db.models import CalibrationItem, CalibrationParticipant, User
from qa_service.db.session import session_factory, transaction
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
        assert session.scalar(select(func.count()).select_from(User)) == len(accounts.emails)
