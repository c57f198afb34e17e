"""Criterion titles as the rubric words them, so people read «Приветствие…», not `greeting`."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.db.models import Evaluation, RubricVersion


@lru_cache(maxsize=128)
def _titles_of_content(content_hash: str, content: str) -> dict[str, str]:
    # Only titles are needed: a plain YAML read, not the full (lemmatising) rubric load.
    del content_hash  # part of the cache key: a version's content never changes
    data: Any = yaml.safe_load(content) or {}
    titles: dict[str, str] = {}
    for section in data.get("sections") or []:
        for criterion in section.get("criteria") or []:
            if isinstance(criterion, dict) and criterion.get("id"):
                titles[str(criterion["id"])] = str(criterion.get("title") or criterion["id"])
    return titles


def titles_for_versions(session: Session, version_ids: Iterable[int]) -> dict[str, str]:
    """Criterion id → title over the given rubric versions (later versions win)."""
    titles: dict[str, str] = {}
    ids = sorted(set(version_ids))
    if not ids:
        return titles
    for version in session.scalars(select(RubricVersion).where(RubricVersion.id.in_(ids)).order_by(RubricVersion.id)):
        titles.update(_titles_of_content(version.content_hash, version.content))
    return titles


def titles_for_evaluation(session: Session, evaluation: Evaluation | None) -> dict[str, str]:
    return {} if evaluation is None else titles_for_versions(session, [evaluation.rubric_version_id])


def titles_for_tenant(session: Session, tenant_id: int) -> dict[str, str]:
    """Titles of every rubric version the tenant's evaluations used (for filters and reports)."""
    version_ids = session.scalars(
        select(Evaluation.rubric_version_id).where(Evaluation.tenant_id == tenant_id).distinct()
    )
    return titles_for_versions(session, version_ids)
