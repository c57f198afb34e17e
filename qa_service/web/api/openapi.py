"""The OpenAPI document, with the interaction contract schema embedded from the package."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml
from flask import Blueprint
from flask.typing import ResponseReturnValue

from qa_service.core.interaction import interaction_schema

bp = Blueprint("api_openapi", __name__, url_prefix="/api/v1")


@cache
def openapi_document() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(
        resources.files("qa_service.web.api").joinpath("openapi.yaml").read_text("utf-8")
    )
    contract = {k: v for k, v in interaction_schema().items() if k not in ("$schema", "$id")}
    document["components"]["schemas"]["_interaction_contract"] = contract
    return document


@bp.get("/openapi.json")
def openapi_json() -> ResponseReturnValue:
    return openapi_document()
