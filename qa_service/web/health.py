"""`/healthz`: is the database reachable, is the queue reachable — JSON, 503 when one is down."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from qa_service.config import Settings
from qa_service.jobs import check_queue
from qa_service.services.health import check_database

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    settings: Settings = current_app.config["QA_SETTINGS"]
    database = check_database(settings)
    queue = check_queue(settings)
    healthy = database["ok"] and queue["ok"]
    body: dict[str, Any] = {"status": "ok" if healthy else "unavailable", "database": database, "queue": queue}
    return jsonify(body), 200 if healthy else 503
