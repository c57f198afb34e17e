"""The API contract's edges: limits that cannot drift from the columns, errors with `error_en`,
a chunked body held to the 5 MB limit on a real server, and an error page that survives a broken session."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from factories import PASSWORD, sign_in
from flask import Flask
from werkzeug.serving import make_server

from qa_service.config import Settings
from qa_service.core.interaction import interaction_schema
from qa_service.db.models import Agent, Interaction, Role, Tenant, User
from qa_service.db.session import transaction
from qa_service.services.accounts.tenants import hash_password
from qa_service.services.accounts.tokens import issue_token
from qa_service.services.input_limits import column_length
from qa_service.web import create_app
from qa_service.web.api.openapi import openapi_document

# Interaction JSON field -> the column that stores it.
STORED_IN = {
    "external_id": Interaction.external_id, "source": Interaction.source, "agent_id": Agent.external_id,
    "queue": Interaction.queue, "currency": Interaction.currency, "topic": Interaction.topic,
}


@pytest.mark.parametrize("field", STORED_IN)
def test_the_schema_limits_are_the_columns(field: str) -> None:
    """A migration that changes a column without the schema (or back) fails here, not as a 500."""
    assert interaction_schema()["properties"][field]["maxLength"] == column_length(STORED_IN[field])


def test_agent_name_and_sale_amount_fit_their_columns() -> None:
    props = interaction_schema()["properties"]
    assert props["meta"]["properties"]["agent_name"]["maxLength"] == column_length(Agent.name)
    numeric = Interaction.__table__.c.sale_amount.type
    assert props["sale_amount"]["maximum"] == 10 ** (numeric.precision - numeric.scale) - 10 ** -numeric.scale


def test_the_document_lists_every_state_and_documents_401() -> None:
    document = openapi_document()
    from qa_service.db.models import ProcessingState

    states = document["components"]["schemas"]["InteractionSummary"]["properties"]["state"]["enum"]
    assert set(states) == {s.value for s in ProcessingState}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert "401" in operation["responses"], f"{method} {path}"


@pytest.fixture
def served(settings: Settings) -> Iterator[tuple[str, int, str, Flask]]:
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="contract", name="Контракт")
        session.add(tenant)
        session.flush()
        token = issue_token(session, tenant)
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", server.server_port, token, app
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _request(host: str, port: int, method: str, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    connection = http.client.HTTPConnection(host, port, timeout=60)
    try:
        connection.request(method, path, **kwargs)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def test_errors_carry_error_en(served: tuple[str, int, str, Flask]) -> None:
    host, port, token, _app = served
    auth = {"Authorization": f"Bearer {token}"}
    cases = [
        ("GET", "/api/v1/interactions", {}, 401),
        ("GET", "/api/v1/interactions/12345", auth, 404),
        ("GET", "/api/v1/interactions/99999999999", auth, 404),
        ("DELETE", "/api/v1/interactions", auth, 405),
        ("GET", "/api/v1/interactions?cursor=bm90LW91cnM", auth, 400),
        ("GET", "/api/v1/nothing-here", auth, 404),
    ]
    for method, path, headers, status in cases:
        got, body = _request(host, port, method, path, headers=headers)
        assert got == status, (method, path, got, body)
        assert body["error"] and body["error_en"] and body["status"] == status, body
        assert body["error"] != body["error_en"], body  # Russian, then English


def test_a_chunked_body_over_5_mb_is_refused(served: tuple[str, int, str, Flask]) -> None:
    host, port, token, _app = served
    before = _count(served[3])
    chunk = b'{"meta": {"x": "' + b"a" * (10 * 1024 * 1024) + b'"}}'
    pieces = iter([chunk[i: i + 65536] for i in range(0, len(chunk), 65536)])
    status, body = _request(
        host, port, "POST", "/api/v1/interactions", body=pieces,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                 "Transfer-Encoding": "chunked"},
        encode_chunked=True,
    )
    assert status == 413, (status, body)
    assert "5" in body["error"] and body["error_en"]
    assert _count(served[3]) == before


def _count(app: Flask) -> int:
    settings: Settings = app.config["QA_SETTINGS"]
    with transaction(settings.sqlalchemy_url) as session:
        return session.query(Interaction).count()


def test_the_error_page_renders_when_the_session_is_broken(settings: Settings) -> None:
    """A failed flush leaves the request's session needing a rollback; the 500 page itself reads the user."""
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="broken", name="Сломанная")
        session.add(tenant)
        session.flush()
        session.add(User(tenant_id=tenant.id, email="qa@broken.example", name="QA", role=Role.QA,
                         password_hash=hash_password(PASSWORD)))
    app = create_app(settings)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/_break-the-session")
    def break_the_session() -> str:
        from qa_service.web.ui.database import db

        session = db()
        session.add(Tenant(slug="dup", name="a"))
        session.add(Tenant(slug="dup", name="b"))
        session.flush()  # unique violation: the session is now in "needs rollback"
        return "unreachable"

    client = app.test_client()
    sign_in(client, "qa@broken.example")  # so the page's navigation reads the user through that session
    response = client.get("/_break-the-session")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Что-то пошло не так" in page and "Traceback" not in page
    assert "QA" in page  # the full page, with the signed-in user read after the rollback


@pytest.mark.parametrize("answer", ["nan", "NaN", "inf", "-inf", "1e999"])
def test_a_review_answer_of_nan_is_refused_not_scored(settings: Settings, answer: str) -> None:
    """`min(1.0, nan)` is 1.0: a "nan" answer once earned a criterion's full points."""
    from factories import build_world, csrf_from

    from qa_service.db.models import CriterionAnswer, Evaluation

    world = build_world(settings, with_audio=False)
    with transaction(settings.sqlalchemy_url) as session:
        criterion = session.query(CriterionAnswer).join(Evaluation).filter(
            Evaluation.interaction_id == world.chat_id).first().criterion_id
        reviews_before = _submitted_reviews(session, world.chat_id)
    client = create_app(settings).test_client()
    sign_in(client, world.emails["qa"])
    token = csrf_from(client.get(f"/interactions/{world.chat_id}").get_data(as_text=True))
    response = client.post(f"/interactions/{world.chat_id}/review",
                           data={f"answer-{criterion}": answer, f"reason-{criterion}": "проверка", "csrf_token": token})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "недопустимый ответ" in page and criterion in page
    with transaction(settings.sqlalchemy_url) as session:
        assert _submitted_reviews(session, world.chat_id) == reviews_before  # nothing submitted, nothing scored


def _submitted_reviews(session: Any, interaction_id: int) -> list[tuple[int, Any]]:
    from qa_service.db.models import Evaluation, EvaluationKind, EvaluationStatus

    rows = session.query(Evaluation).filter(Evaluation.interaction_id == interaction_id,
                                            Evaluation.kind == EvaluationKind.REVIEW,
                                            Evaluation.status != EvaluationStatus.DRAFT)
    return sorted((e.id, e.score) for e in rows)
