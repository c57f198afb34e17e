"""Constraints that keep ingestion and scoring idempotent hold in the database itself."""

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from qa_service.config import Settings
from qa_service.db.models import (
    Channel,
    Evaluation,
    EvaluationKind,
    Interaction,
    Rubric,
    RubricVersion,
    Tenant,
)
from qa_service.db.session import session_factory


def _interaction(tenant_id: int, external_id: str = "c-1", source: str = "pbx") -> Interaction:
    return Interaction(
        tenant_id=tenant_id,
        source=source,
        external_id=external_id,
        channel=Channel.CALL,
        started_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
    )


@pytest.fixture
def tenants(settings: Settings) -> tuple[int, int]:
    with session_factory(settings.sqlalchemy_url).begin() as session:
        a, b = Tenant(slug="sv", name="Северный Ветер"), Tenant(slug="other", name="Other")
        session.add_all([a, b])
        session.flush()
        return a.id, b.id


def test_external_id_is_unique_per_tenant_and_source(settings: Settings, tenants: tuple[int, int]) -> None:
    make = session_factory(settings.sqlalchemy_url)
    with make.begin() as session:
        session.add_all([_interaction(tenants[0]), _interaction(tenants[1]), _interaction(tenants[0], source="crm")])
    with pytest.raises(IntegrityError), make.begin() as session:
        session.add(_interaction(tenants[0]))


def test_one_machine_evaluation_per_rubric_version(settings: Settings, tenants: tuple[int, int]) -> None:
    make = session_factory(settings.sqlalchemy_url)
    with make.begin() as session:
        item = _interaction(tenants[0])
        rubric = Rubric(tenant_id=tenants[0], slug="airline-call", channel="call", title="Звонки")
        session.add_all([item, rubric])
        session.flush()
        version = RubricVersion(rubric_id=rubric.id, content_hash="sha256:ab", content="id: x")
        session.add(version)
        session.flush()
        ids = (tenants[0], item.id, version.id)
    with make.begin() as session:
        for kind in (EvaluationKind.AUTO, EvaluationKind.REVIEW, EvaluationKind.REVIEW):
            session.add(Evaluation(tenant_id=ids[0], interaction_id=ids[1], rubric_version_id=ids[2], kind=kind))
    with pytest.raises(IntegrityError), make.begin() as session:
        session.add(
            Evaluation(tenant_id=ids[0], interaction_id=ids[1], rubric_version_id=ids[2], kind=EvaluationKind.AUTO)
        )
