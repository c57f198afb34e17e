"""Rubrics from the admin pages: the versions, a new version uploaded and checked line by line,
its impact on the last days' interactions, and its activation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.core.errors import UserFacingError
from qa_service.core.redaction.refusal import (
    card_lines,
)
from qa_service.core.rubric import (
    check_rubric_text,
)
from qa_service.core.rubric.problems import RubricProblem
from qa_service.core.scoring import preview_impact
from qa_service.core.scoring.impact import ImpactReport
from qa_service.db.models import Rubric, RubricVersion
from qa_service.services.access import Viewer
from qa_service.services.audit import record
from qa_service.services.form_versions import (
    require_version,
)
from qa_service.services.ingestion.scoring import (
    content_version,
    current_rubric_version,
    rubric_from_version,
)
from qa_service.services.interactions.history import (
    iter_stored_interactions,
)

MAX_BYTES = 512 * 1024


class RubricAdminError(UserFacingError):
    pass


@dataclass(frozen=True)
class RubricListing:
    rubric: Rubric
    versions: list[RubricVersion]
    active_id: int | None


def _require_admin(viewer: Viewer) -> None:
    if viewer.role.value != "admin":
        raise RubricAdminError("рубриками управляет администратор", "only an administrator manages rubrics")


def list_rubrics(session: Session, tenant_id: int) -> list[RubricListing]:
    """Each rubric of the tenant with its versions, newest first, and which one is active."""
    listings = []
    for rubric in session.scalars(select(Rubric).where(Rubric.tenant_id == tenant_id).order_by(Rubric.slug)):
        versions = list(session.scalars(
            select(RubricVersion).where(RubricVersion.rubric_id == rubric.id).order_by(RubricVersion.id.desc())
        ))
        published = [v for v in versions if v.published_at is not None]
        active = max(published, key=lambda v: (v.published_at, v.id)) if published else None
        listings.append(RubricListing(rubric, versions, active.id if active else None))
    return listings


def check_content(content: str) -> list[RubricProblem]:
    """Problems of a rubric text, each with its line (empty when it is valid)."""
    problems = check_rubric_text(content)
    found = [RubricProblem("rubric.yaml", p.line, p.field, p.message_ru, p.message_en) for p in problems]
    # A rubric is the tenant's standard, shown to everyone and quoted in reasons: no card in it.
    found += [RubricProblem("rubric.yaml", line, "карта", "номер банковской карты в рубрике: уберите его",
                            "a payment card number in the rubric: remove it") for line in card_lines(content)]
    return found


def upload_version(session: Session, viewer: Viewer, content: str) -> tuple[RubricVersion | None, list[RubricProblem]]:
    """Store a valid rubric text as an unpublished version; or return its problems and store nothing."""
    _require_admin(viewer)
    if not content.strip():
        raise RubricAdminError("файл рубрики пуст", "the rubric file is empty")
    if len(content.encode("utf-8")) > MAX_BYTES:
        raise RubricAdminError("файл рубрики больше 512 КБ", "the rubric file is over 512 KB")
    problems = check_content(content)
    if problems:
        return None, problems
    import yaml  # only the id and channel are needed here; the loader has checked the rest

    data = yaml.safe_load(content)
    slug, channel = str(data["id"]), str(data["channel"])
    rubric = session.scalar(select(Rubric).where(Rubric.tenant_id == viewer.tenant_id, Rubric.slug == slug))
    if rubric is None:
        rubric = Rubric(tenant_id=viewer.tenant_id, slug=slug, channel=channel, title=str(data.get("title") or slug))
        session.add(rubric)
        session.flush()
    digest = content_version(content)
    version = session.scalar(
        select(RubricVersion).where(RubricVersion.rubric_id == rubric.id, RubricVersion.content_hash == digest)
    )
    if version is None:
        version = RubricVersion(rubric_id=rubric.id, content=content, content_hash=digest)
        session.add(version)
        session.flush()
        record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="rubric.upload",
               entity="rubric_version", entity_id=version.id, details={"rubric": slug})
    return version, []


def version_of_tenant(session: Session, tenant_id: int, version_id: int) -> tuple[Rubric, RubricVersion]:
    row = session.execute(
        select(Rubric, RubricVersion)
        .join(RubricVersion, RubricVersion.rubric_id == Rubric.id)
        .where(Rubric.tenant_id == tenant_id, RubricVersion.id == version_id)
    ).first()
    if row is None:
        raise RubricAdminError("версия рубрики не найдена", "rubric version not found")
    return row[0], row[1]


def impact_of(settings: Settings, session: Session, viewer: Viewer, version_id: int, days: int) -> ImpactReport:
    """How the version would change the scores of the tenant's last `days` days, per criterion."""
    _require_admin(viewer)
    if not 1 <= days <= 90:
        raise RubricAdminError("период предпросмотра: от 1 до 90 дней", "preview period: 1 to 90 days")
    rubric, version = version_of_tenant(session, viewer.tenant_id, version_id)
    current = current_rubric_version(session, viewer.tenant_id, rubric.channel)
    since = datetime.now(UTC) - timedelta(days=days)
    history = iter_stored_interactions(since, rubric.channel, settings=settings, tenant_id=viewer.tenant_id)
    return preview_impact(history, rubric_from_version(current), rubric_from_version(version))


def active_version_id(session: Session, rubric_id: int) -> int | None:
    """The rubric's current version (the latest published): what the activate form is drawn against."""
    return session.scalar(
        select(RubricVersion.id).where(RubricVersion.rubric_id == rubric_id, RubricVersion.published_at.is_not(None))
        .order_by(RubricVersion.published_at.desc(), RubricVersion.id.desc()).limit(1)
    )


def activation_version(session: Session, tenant_id: int, version_id: int) -> str:
    """The activate form's version: which version was active when the page was drawn."""
    rubric, _version = version_of_tenant(session, tenant_id, version_id)
    return str(active_version_id(session, rubric.id) or 0)


def activate(session: Session, viewer: Viewer, version_id: int, *, form_version: str | None = None) -> RubricVersion:
    """Publish the version: new interactions are scored with it from now on."""
    _require_admin(viewer)
    rubric, version = version_of_tenant(session, viewer.tenant_id, version_id)
    previous = active_version_id(session, rubric.id)
    if previous == version.id:
        raise UserFacingError("эта версия уже активна: ничего не изменено",
                              "this version is already the active one: nothing was changed")
    require_version(str(previous or 0), form_version, "активная версия рубрики", "the rubric's active version")
    version.published_at = datetime.now(UTC)
    version.published_by_id = viewer.user_id
    before = session.get(RubricVersion, previous) if previous else None
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="rubric.activate",
           entity="rubric_version", entity_id=version.id,
           details={"rubric": rubric.slug,
                    "version": {"from": before.content_hash[:12] if before else None, "to": version.content_hash[:12]}})
    return version
