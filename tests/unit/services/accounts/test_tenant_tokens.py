"""API tokens: a verified token is remembered briefly, a wrong or replaced one always pays argon2."""

from __future__ import annotations

import pytest

from qa_service.config import Settings
from qa_service.db.models import Tenant
from qa_service.db.session import transaction
from qa_service.services.accounts import tokens as tenant_tokens
from qa_service.services.accounts.tokens import issue_token, tenant_for_token


@pytest.fixture()
def argon2_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts argon2 verifications; each still runs the real `verify_password` (a spy, not a mock)."""
    calls: list[str] = []
    real = tenant_tokens.verify_password

    def counting(password_hash: str, password: str) -> bool:
        calls.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(tenant_tokens, "verify_password", counting)
    return calls


def test_a_verified_token_is_not_hashed_again_until_it_is_replaced(settings: Settings,
                                                                   argon2_checks: list[str]) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="sv-tokens", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        token = issue_token(session, tenant)
    with transaction(settings.sqlalchemy_url) as session:
        found = tenant_for_token(session, token)
        assert found is not None and found.slug == "sv-tokens"
        assert len(argon2_checks) == 1
        for _ in range(5):  # a platform pushing interaction after interaction
            assert tenant_for_token(session, token) is not None
        assert len(argon2_checks) == 1
        # A wrong secret for the same slug, and an unknown slug: each one full argon2 check.
        assert tenant_for_token(session, token[:-1] + ("x" if token[-1] != "x" else "y")) is None
        assert tenant_for_token(session, "no-such-airline." + token.partition(".")[2]) is None
        assert len(argon2_checks) == 3
        new_token = issue_token(session, session.get_one(Tenant, found.id))
        session.flush()
        assert tenant_for_token(session, token) is None  # the replaced token stops working at once
        assert tenant_for_token(session, new_token) is not None
        assert len(argon2_checks) == 5
