"""REST API v1: the push webhook, read access to results, the OpenAPI document."""

from __future__ import annotations

from flask import Flask


def register_api(app: Flask) -> None:
    """Register the API's blueprints on `app`."""
