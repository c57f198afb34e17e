"""The reviewer UI: sign-in, interaction list, interaction page, review queue, disputes."""

from __future__ import annotations

from flask import Flask


def register_ui(app: Flask) -> None:
    """Register the UI's blueprints (one per noun) on `app`."""
