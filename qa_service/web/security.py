"""CSRF protection for every form and the rate limiter (sign-in), shared by the UI and the API.

`csrf` protects every POST of the app; the token-authenticated API blueprint opts out with
`csrf.exempt(bp)`.  `limiter` keeps its counters in memory when `REDIS_URL` is unset (one
process: the demo, tests) and in Redis otherwise, so every gunicorn worker shares them.
"""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from qa_service.config import Settings

csrf = CSRFProtect()
limiter = Limiter(get_remote_address, default_limits=[])

LOGIN_LIMIT = "10 per minute"


def init_security(app: Flask) -> None:
    """Attach CSRF and the limiter to `app`, choosing the limiter's storage from the settings."""
    settings: Settings = app.config["QA_SETTINGS"]
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # the token lives as long as the session
    app.config["RATELIMIT_STORAGE_URI"] = settings.redis_url or "memory://"
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    csrf.init_app(app)
    limiter.init_app(app)
