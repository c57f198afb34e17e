"""What the tenant's rubrics say about each criterion: its title, its training module, whether it is critical."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.core.rubric import default_rubric_id
from qa_service.db.models import Rubric, RubricVersion

CHANNELS = ("call", "chat", "email")


@dataclass(frozen=True)
class CriterionInfo:
    title: str
    module: str | None
    critical: bool


@lru_cache(maxsize=64)
def _criteria_of_yaml(content: str) -> tuple[tuple[str, CriterionInfo], ...]:
    # Titles and modules only: plain YAML, without the loader's (slow) lemmatisation of phrases.
    data = yaml.safe_load(content) or {}
    found = []
    for section in data.get("sections") or ():
        for criterion in section.get("criteria") or ():
            if isinstance(criterion, dict) and criterion.get("id"):
                found.append((str(criterion["id"]), CriterionInfo(
                    title=str(criterion.get("title") or criterion["id"]),
                    module=criterion.get("training_module"),
                    critical=bool(criterion.get("critical")),
                )))
    return tuple(found)


def criterion_catalog(session: Session, tenant_id: int) -> dict[tuple[str, str], CriterionInfo]:
    """(channel, criterion id) → title, module, critical: from the tenant's published rubric, else the shipped one."""
    from qa_service.services.ingestion.scoring import shipped_rubric_text

    catalog: dict[tuple[str, str], CriterionInfo] = {}
    for channel in CHANNELS:
        content = session.scalar(
            select(RubricVersion.content)
            .join(Rubric, Rubric.id == RubricVersion.rubric_id)
            .where(Rubric.tenant_id == tenant_id, Rubric.channel == channel, RubricVersion.published_at.is_not(None))
            .order_by(RubricVersion.published_at.desc(), RubricVersion.id.desc())
            .limit(1)
        )
        criteria: tuple[tuple[str, CriterionInfo], ...] = ()
        try:
            criteria = _criteria_of_yaml(content) if content else ()
        except yaml.YAMLError:
            criteria = ()
        if not criteria:
            criteria = _criteria_of_yaml(shipped_rubric_text(default_rubric_id(channel)))
        for criterion_id, info in criteria:
            catalog[(channel, criterion_id)] = info
    return catalog


def criterion_info(catalog: dict[tuple[str, str], CriterionInfo], criterion_id: str,
                   channel: str | None = None) -> CriterionInfo:
    """The criterion's entry for a channel, or from the first channel that has it."""
    for key in ((channel, criterion_id), *((c, criterion_id) for c in CHANNELS)):
        if key[0] is not None and key in catalog:
            return catalog[(str(key[0]), criterion_id)]
    return CriterionInfo(criterion_id, None, False)


def module_criteria(catalog: dict[tuple[str, str], CriterionInfo], module: str) -> set[str]:
    return {criterion_id for (_, criterion_id), info in catalog.items() if info.module == module}
