"""CSRF protection for every form and the rate limiter (sign-in), shared by the UI and the API.

`csrf` protects every POST of the app; the token-authenticated API blueprint opts out with
`csrf.exempt(bp)`.  `limiter` keeps its counters in memory when `REDIS_URL` is unset (one
process: the demo, tests) and in Redis otherwise, so every gunicorn worker shares them.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, Response, abort, current_app, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from limits import parse

from qa_service.config import Settings

csrf = CSRFProtect()
limiter = Limiter(get_remote_address, default_limits=[])

LOGIN_LIMIT = "10 per minute"  # per client address
# Failed sign-ins per account, whatever the address: slows a guesser spread over many addresses.
ACCOUNT_LOGIN_LIMIT = "5 per minute;20 per hour"
# Each password change and each API token check costs an argon2 hash (~0.1 s of a CPU core).
PASSWORD_CHANGE_LIMIT = "5 per minute"  # noqa: S105 (a rate, not a password)
# Failed API token checks per client address; successful ones (the airline's own pushes) are not capped.
TOKEN_FAILURE_LIMIT = parse("60 per minute")


def account_key() -> str:
    """The account a sign-in attempt names (normalised as `authenticate` does), as a keyed hash.

    The limiter's key is a Redis key name, stored as long as the limit's window: what a client typed
    as an e-mail (a card number, whatever) must not be kept in it, so only an HMAC of it is.
    """
    email = request.form.get("email", "").strip().lower()[:254]
    digest = hmac.new(str(current_app.secret_key).encode(), email.encode(), hashlib.sha256).hexdigest()[:32]
    return "account:" + digest


def failed_attempt(response: Response) -> bool:
    """Only refused sign-ins count against an account, so its owner is never locked out by success."""
    return response.status_code == 401


def signed_in_user_key() -> str:
    user_id = session.get("user_id")
    return f"user:{user_id}" if user_id is not None else "address:" + get_remote_address()


def refuse_token_guessing() -> None:
    """429 when this client address has failed too many API token checks; call before verifying.

    Called where a token is verified (not as a route decorator) so that session-authenticated reads
    of the same routes are not counted.
    """
    if not limiter.limiter.test(TOKEN_FAILURE_LIMIT, "api-token-failure", get_remote_address()):
        abort(429)


def count_failed_token_check() -> None:
    limiter.limiter.hit(TOKEN_FAILURE_LIMIT, "api-token-failure", get_remote_address())


def init_security(app: Flask) -> None:
    """Attach CSRF and the limiter to `app`, choosing the limiter's storage from the settings."""
    settings: Settings = app.config["QA_SETTINGS"]
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # the token lives as long as the session
    app.config["RATELIMIT_STORAGE_URI"] = settings.redis_url or "memory://"
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    csrf.init_app(app)
    limiter.init_app(app)
