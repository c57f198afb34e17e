"""Which rubric version a calibration session scores against: the facilitator's choice per
channel, by default the channel's current (latest published) version."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.core.errors import UserFacingError
from qa_service.db.models import Rubric, RubricVersion
from qa_service.services.access import Viewer

CHANNELS = ("call", "chat", "email")


@dataclass(frozen=True)
class VersionChoice:
    id: int
    rubric_title: str
    content_hash: str
    published_at: datetime | None


def published_versions(session: Session, viewer: Viewer) -> dict[str, list[VersionChoice]]:
    """The tenant's published rubric versions per channel, newest first (the first is the current one)."""
    rows = session.execute(
        select(RubricVersion, Rubric)
        .join(Rubric, Rubric.id == RubricVersion.rubric_id)
        .where(Rubric.tenant_id == viewer.tenant_id, RubricVersion.published_at.is_not(None))
        .order_by(Rubric.channel, RubricVersion.published_at.desc(), RubricVersion.id.desc())
    ).all()
    result: dict[str, list[VersionChoice]] = {channel: [] for channel in CHANNELS}
    for version, rubric in rows:
        result.setdefault(rubric.channel, []).append(
            VersionChoice(version.id, rubric.title, version.content_hash, version.published_at))
    return result


def chosen_versions(session: Session, viewer: Viewer, chosen: Mapping[str, int]) -> dict[str, RubricVersion]:
    """The versions the facilitator picked, checked: published, of this tenant, of that channel."""
    result = {}
    for channel, version_id in chosen.items():
        row = session.execute(
            select(RubricVersion, Rubric).join(Rubric, Rubric.id == RubricVersion.rubric_id)
            .where(RubricVersion.id == version_id, Rubric.tenant_id == viewer.tenant_id,
                   RubricVersion.published_at.is_not(None))
        ).first()
        if row is None or row[1].channel != channel:
            raise UserFacingError(f"версия правил оценки для канала {channel} не найдена",
                                  f"rubric version for channel {channel} not found")
        result[channel] = row[0]
    return result
