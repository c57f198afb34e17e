"""The platform operator's connector allowance as the tests set it (see qa_service/connectors/sandbox.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qa_service.config import Settings


def connectors_allowed(root: Path) -> dict[str, Any]:
    """Settings fields letting every tenant's connectors read folders under `root` and reach loopback
    (the simulated platform, Dovecot): what an operator would set with QA_CONNECTOR_ROOTS/ALLOW."""
    return {"connector_roots": (("*", root),), "connector_allow": (("*", "127.0.0.0/8"),)}


def connectors_allowed_env(settings: Settings) -> dict[str, str]:
    """The settings' connector allowance for a worker process, in its environment."""
    return {"QA_CONNECTOR_ROOTS": ",".join(f"{slug}:{path}" for slug, path in settings.connector_roots),
            "QA_CONNECTOR_ALLOW": ",".join(f"{slug}:{value}" for slug, value in settings.connector_allow)}
