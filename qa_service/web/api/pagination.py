"""Keyset pagination: an opaque cursor of (started_at, id) so page 10 000 costs what page 1 costs."""

from __future__ import annotations

import base64
import json
from datetime import datetime

from flask import abort


def encode_cursor(started_at: datetime, row_id: int) -> str:
    raw = json.dumps([started_at.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        started, row_id = json.loads(base64.urlsafe_b64decode(padded))
        return datetime.fromisoformat(started), int(row_id)
    except (ValueError, TypeError):
        abort(400, description="cursor")
