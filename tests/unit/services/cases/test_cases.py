"""Cases: linking on keyed digests across channels, repeats and FCR, said vs done, no identifier in clear."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from cases_data import BOOKING, PHONE, TICKET, build_cases_world, chat
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.connectors.base import TransactionRecord
from qa_service.db.models import CaseContact, CaseKey, Tenant, TransactionEvent
from qa_service.db.session import session_factory, transaction
from qa_service.services.cases.events import store_transaction_events
from qa_service.services.cases.outcomes import cases_section
from qa_service.services.cases.timeline import timeline_of_interaction
from qa_service.services.ingestion.intake import store_interaction
from qa_service.services.reports.quality import quality_report
from qa_service.services.reports.scope import ReportScope


@pytest.fixture
def tenant_id(settings: Settings) -> int:
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="sv", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        return tenant.id


def test_contacts_link_across_channels_repeats_and_fcr(settings: Settings, tenant_id: int) -> None:
    ids = build_cases_world(settings, tenant_id)
    with session_factory(settings.sqlalchemy_url)() as session:
        rows = {c.interaction_id: c for c in session.scalars(select(CaseContact))}
        assert rows[ids["refund"]].case_id == rows[ids["repeat"]].case_id != rows[ids["sale"]].case_id
        assert rows[ids["refund"]].reason == "refund" and rows[ids["refund"]].wrapup_mismatch
        assert rows[ids["sale"]].reason == "sale" and not rows[ids["sale"]].wrapup_mismatch
        assert rows[ids["repeat"]].outcome == "callback"
        assert session.query(TransactionEvent).count() == 2
        start, end = datetime(2026, 11, 19, 21, tzinfo=UTC), datetime(2026, 11, 20, 21, tzinfo=UTC)
        section = cases_section(session, tenant_id, start, end, datetime(2026, 12, 1, tzinfo=UTC))
    assert section.contact_reasons == {"refund": 1, "sale": 1}
    assert section.fcr["n"] == 2 and section.fcr["rate"] == 0.5
    assert 0 < section.fcr["low"] < 0.5 < section.fcr["high"] < 1
    assert section.wrapup_mismatches == 1
    kinds = {(d.interaction_id, d.kind) for d in section.discrepancies}
    # The agent says the link was sent; the platform has no payment_link_sent event: a flag too.
    assert kinds == {(ids["refund"], "refund_missing"), (ids["sale"], "amount_mismatch"),
                     (ids["sale"], "no_payment_link")}
    mismatch = next(d for d in section.discrepancies if d.kind == "amount_mismatch")
    assert "8 900" in mismatch.said and "9 800.00" in mismatch.done


def test_a_late_refund_clears_the_flag_and_the_case_json(settings: Settings, tenant_id: int) -> None:
    ids = build_cases_world(settings, tenant_id)
    with transaction(settings.sqlalchemy_url) as session:
        store_transaction_events(session, settings, tenant_id, "gateway", [
            TransactionRecord("gw:9", "payment_refunded", datetime(2026, 11, 21, 15, tzinfo=UTC), 12400.0,
                              booking_code=BOOKING.lower())])  # typed in lower case at the gateway
    with session_factory(settings.sqlalchemy_url)() as session:
        case = timeline_of_interaction(session, tenant_id, ids["repeat"], datetime(2026, 12, 1, tzinfo=UTC))
    data = case.to_json()
    assert [c["interaction_id"] for c in data["contacts"]] == [ids["refund"], ids["repeat"]]
    assert data["events"] == [{"kind": "payment_refunded", "at": "2026-11-21T15:00:00+00:00", "amount": 12400.0}]
    assert not any(d.kind == "refund_missing" for d in case.discrepancies)
    assert case.display == "K****Q"


def test_no_identifier_is_stored_in_clear(settings: Settings, tenant_id: int) -> None:
    build_cases_world(settings, tenant_id)
    with transaction(settings.sqlalchemy_url) as session:
        document = chat("c4", "2026-11-22T10:00:00+03:00", f"Билет {TICKET}, пишите на ivan.petrov@mail.ru",
                        "Хорошо.", meta={"booking_code": BOOKING, "customer_phone": PHONE})
        store_interaction(session, settings, tenant_id, {k: v for k, v in document.items() if v is not None})
    clear = [BOOKING, "ZZ9A1B", "2101234567", "9165551234", "916 555-12-34", "ivan.petrov@mail.ru"]
    with session_factory(settings.sqlalchemy_url)() as session:
        connection = session.connection()
        from sqlalchemy import inspect, text

        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                dump = " ".join(str(v) for v in row)
                for value in clear:
                    assert value not in dump, f"{value} in {table}"
        assert session.query(CaseKey).count() >= 5


def test_the_daily_quality_json_gains_the_cases_keys(settings: Settings, tenant_id: int) -> None:
    build_cases_world(settings, tenant_id)
    with session_factory(settings.sqlalchemy_url)() as session:
        data = quality_report(session, ReportScope(tenant_id), date(2026, 11, 20), date(2026, 11, 20)).to_json()
    assert {"contact_reasons", "fcr", "repeat_contacts", "discrepancies"} <= set(data)
    assert set(data["fcr"]) == {"rate", "n", "low", "high"}
    assert all(set(d) == {"interaction_id", "kind", "said", "done"} for d in data["discrepancies"])


def test_the_identifier_scan_finds_nothing_after_ingestion_and_finds_a_planted_code(
        sqlite_settings: Settings) -> None:
    from qa_service.services.cases.identifier_scan import scan_for_identifiers

    settings = sqlite_settings  # a database of its own: the scan reads every table of it
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="sv", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        tenant_id = tenant.id
    build_cases_world(settings, tenant_id)
    report = scan_for_identifiers(settings.sqlalchemy_url)
    assert report.clean, [f.line() for f in report.findings]
    assert "case_keys" in report.tables and report.rows > 10
    with transaction(settings.sqlalchemy_url) as session:  # what a careless column would keep
        session.get_one(Tenant, tenant_id).name = f"бронь {BOOKING}"
    found = scan_for_identifiers(settings.sqlalchemy_url).findings
    assert [(f.where, f.kind, f.masked) for f in found] == [("tenants.name", "booking", "K****Q")]


def test_the_case_page_shows_no_score_of_a_contact_the_viewer_scores_blind(settings: Settings, tenant_id: int) -> None:
    from qa_service.db.models import (
        CalibrationItem,
        CalibrationParticipant,
        CalibrationSession,
        Interaction,
        Role,
        User,
    )
    from qa_service.services.access import Viewer
    from qa_service.services.cases.pages import visible_case

    ids = build_cases_world(settings, tenant_id)
    with transaction(settings.sqlalchemy_url) as session:
        for interaction_id in (ids["refund"], ids["repeat"]):
            session.get_one(Interaction, interaction_id).score = 75.0
        reviewer = User(tenant_id=tenant_id, email="customer@sv.test", name="Заказчик", role=Role.CUSTOMER,
                        password_hash="x")
        session.add(reviewer)
        session.flush()
        calibration = CalibrationSession(tenant_id=tenant_id, title="Неделя")
        session.add(calibration)
        session.flush()
        session.add_all([CalibrationItem(session_id=calibration.id, interaction_id=ids["refund"]),
                         CalibrationParticipant(session_id=calibration.id, user_id=reviewer.id)])
        session.flush()
        viewer = Viewer(user_id=reviewer.id, tenant_id=tenant_id, role=Role.CUSTOMER)
        case_id = session.scalar(select(CaseContact.case_id).where(CaseContact.interaction_id == ids["refund"]))
        assert case_id is not None
        page = visible_case(session, viewer, case_id)
        assert page is not None
        scores = {c.interaction_id: c.score for c in page.timeline.contacts}
        assert scores[ids["refund"]] is None and scores[ids["repeat"]] == 75.0
