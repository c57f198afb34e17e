"""What the AutoQA trust pages show: per automatic criterion its agreement with people, state and
answering rule; per criterion the weekly trend, the confusion matrix and the disagreements.

Criteria come from the tenant's published rubric (titles, not ids); the figures from
`services.trust.loop` (stored state for the list, the live window for a criterion's page).
Customers see the agreement but no interaction (no agent data); supervisors see only their
teams' interactions among the disagreements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.core.errors import UserFacingError
from qa_service.core.rubric import InvalidRubric, load_rubric
from qa_service.core.rubric.model import Criterion, Rule
from qa_service.core.rubric.model import Rubric as RubricModel
from qa_service.core.trust import Agreement, agreement, confusion, same, weekly
from qa_service.db.models import CriterionTrust, Interaction, Role, Rubric, RubricVersion, Tenant
from qa_service.db.session import transaction
from qa_service.services.access import STAFF, Viewer, scope_interactions
from qa_service.services.accounts.tenants import tenant_by_slug
from qa_service.services.audit import record
from qa_service.services.ingestion.scoring import rubric_from_version
from qa_service.services.trust.loop import human_answers, recompute, rule_for, tenant_settings, trust_row

TRUST_VIEWERS = (*STAFF, Role.CUSTOMER)
TREND_WEEKS = 12
MAX_DISAGREEMENTS = 100
_TIMING = {"hold", "overtalk", "first_reply", "reply_time", "email_reply"}
_DETECTORS = {"card_data", "email_address"}


class TrustNotFound(LookupError):
    """No such automatic criterion in the viewer's tenant."""


class TrustForbidden(UserFacingError):
    """The viewer may not do this, or the value is out of range."""


@dataclass(frozen=True)
class CriterionInfo:
    id: str
    title: str
    section: str
    weight: float
    critical: bool
    method: str  # phrases | regex | timing | detector | classifier | manual
    model: str | None = None  # the classifier's name


@dataclass(frozen=True)
class TrustRow:
    rubric: Rubric
    rubric_title: str
    criterion: CriterionInfo
    trust: CriterionTrust | None
    threshold: float
    min_answers: int

    @property
    def state(self) -> str:
        """withheld (needs a human) | published | collecting (too few human answers for a verdict)."""
        if self.trust is not None and self.trust.suppressed:
            return "withheld"
        if self.trust is None or self.trust.n < self.min_answers:
            return "collecting"
        return "published"


@dataclass(frozen=True)
class Disagreement:
    interaction_id: int
    external_id: str
    channel: str
    started_at: datetime  # in the tenant's time zone
    machine: str
    human: str
    source: str


@dataclass(frozen=True)
class TrustDetail:
    row: TrustRow
    window: Agreement
    window_size: int
    confusion: dict[str, dict[str, int]]
    weeks: list[tuple[date, Agreement]]
    disagreements: list[Disagreement] | None  # None: this viewer sees no interactions
    changed_at: datetime | None  # when the state last flipped, in the tenant's time zone
    recover_at: float  # the agreement at which a withheld criterion is published again


def _method(rule: Rule) -> str:
    if rule.kind in ("phrases", "forbidden"):
        groups = [*rule.all_of, rule.none_of, *rule.groups.values()]
        return "phrases" if any(g.phrases for g in groups) else "regex"
    if rule.kind in _TIMING:
        return "timing"
    if rule.kind in _DETECTORS:
        return "detector"
    return rule.kind  # classifier | manual


def _info(criterion: Criterion) -> CriterionInfo:
    model = criterion.rule.params.get("model") if criterion.rule.kind == "classifier" else None
    return CriterionInfo(
        criterion.id, criterion.title, criterion.section, criterion.weight, criterion.critical,
        _method(criterion.rule), str(model) if model else None,
    )


def _parsed(session: Session, rubric: Rubric) -> RubricModel | None:
    """The rubric as published (latest version); the shipped standard if that content does not parse."""
    version = session.scalar(
        select(RubricVersion)
        .where(RubricVersion.rubric_id == rubric.id, RubricVersion.published_at.is_not(None))
        .order_by(RubricVersion.published_at.desc(), RubricVersion.id.desc())
        .limit(1)
    )
    for attempt in (lambda: rubric_from_version(version) if version else None, lambda: load_rubric(rubric.slug)):
        try:
            parsed = attempt()
        except InvalidRubric:
            continue
        if parsed is not None:
            return parsed
    return None


def _zone(session: Session, tenant_id: int) -> ZoneInfo:
    try:
        return ZoneInfo(session.get_one(Tenant, tenant_id).timezone or "Europe/Moscow")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Moscow")


def trust_overview(session: Session, viewer: Viewer) -> list[TrustRow]:
    """Every automatic criterion of the viewer's tenant with its stored agreement and state."""
    if viewer.role not in TRUST_VIEWERS:
        return []
    return tenant_trust(session, viewer.tenant_id)


def tenant_trust(session: Session, tenant_id: int) -> list[TrustRow]:
    """Every automatic criterion of the tenant's rubrics with its stored agreement and state."""
    settings = tenant_settings(session, tenant_id)
    stored = {
        (t.rubric_id, t.criterion_id): t
        for t in session.scalars(select(CriterionTrust).where(CriterionTrust.tenant_id == tenant_id))
    }
    rows = []
    rubrics = session.scalars(select(Rubric).where(Rubric.tenant_id == tenant_id).order_by(Rubric.slug))
    for rubric in rubrics:
        parsed = _parsed(session, rubric)
        for criterion in parsed.criteria if parsed else ():
            if criterion.is_manual:
                continue
            trust = stored.get((rubric.id, criterion.id))
            rule = rule_for(settings, trust)
            rows.append(TrustRow(rubric, parsed.title if parsed else rubric.title, _info(criterion), trust,
                                 rule.threshold, rule.min_answers))
    return rows


def trust_detail(
    session: Session, viewer: Viewer, rubric_id: int, criterion_id: str, *, now: datetime | None = None
) -> TrustDetail:
    """One criterion's page: live window figures, confusion, weekly trend and (for staff) disagreements."""
    row = next(
        (r for r in trust_overview(session, viewer) if r.rubric.id == rubric_id and r.criterion.id == criterion_id),
        None,
    )
    if row is None:
        raise TrustNotFound(criterion_id)
    now = now or datetime.now(UTC)
    settings = tenant_settings(session, viewer.tenant_id)
    window = human_answers(session, viewer.tenant_id, rubric_id, [criterion_id], limit=settings.trust_window)[
        criterion_id]
    pairs = [(a.machine, a.human) for a in window]
    zone = _zone(session, viewer.tenant_id)
    since = now - timedelta(weeks=TREND_WEEKS)
    recent = human_answers(session, viewer.tenant_id, rubric_id, [criterion_id], since=since)[criterion_id]
    trend = weekly((a.answered_at.astimezone(zone).date(), same(a.machine, a.human)) for a in recent)
    disagreements: list[Disagreement] | None = None
    if viewer.role in STAFF:
        differing = [a for a in window if not same(a.machine, a.human)][:MAX_DISAGREEMENTS]
        visible = {
            i.id: i
            for i in session.scalars(
                scope_interactions(
                    select(Interaction).where(Interaction.id.in_([a.interaction_id for a in differing])), viewer
                )
            )
        }
        disagreements = [
            Disagreement(
                a.interaction_id, visible[a.interaction_id].external_id, visible[a.interaction_id].channel.value,
                visible[a.interaction_id].started_at.astimezone(zone), a.machine, a.human, a.source,
            )
            for a in differing
            if a.interaction_id in visible
        ]
    changed = row.trust.changed_at.astimezone(zone) if row.trust and row.trust.changed_at else None
    recover_at = rule_for(settings, row.trust).recover_at
    return TrustDetail(
        row, agreement(pairs), settings.trust_window, confusion(pairs), trend, disagreements, changed, recover_at
    )


def recompute_tenant(session: Session, viewer: Viewer) -> int:
    """Recompute every automatic criterion of the tenant now (the page's button); returns how many."""
    if not viewer.can_review:
        raise TrustForbidden("пересчитать доверие могут контролёры и администратор", "only QA and admins recompute")
    return len(recompute_all(session, viewer.tenant_id, user_id=viewer.user_id))


def recompute_all(session: Session, tenant_id: int, user_id: int | None = None) -> list[TrustRow]:
    """Recompute every automatic criterion of the tenant (the page's button, the command line); the new rows."""
    by_rubric: dict[int, list[str]] = {}
    for row in tenant_trust(session, tenant_id):
        by_rubric.setdefault(row.rubric.id, []).append(row.criterion.id)
    for rubric_id, criteria in by_rubric.items():
        recompute(session, tenant_id, rubric_id, criteria, user_id=user_id)
    return tenant_trust(session, tenant_id)


def set_threshold(session: Session, viewer: Viewer, rubric_id: int, criterion_id: str, value: float | None) -> None:
    """An admin's per-criterion threshold (None: the tenant's); the state is recomputed under it at once."""
    if viewer.role != Role.ADMIN:
        raise TrustForbidden("порог критерия меняет администратор", "only an admin sets a criterion's threshold")
    if not any(r.rubric.id == rubric_id and r.criterion.id == criterion_id for r in trust_overview(session, viewer)):
        raise TrustNotFound(criterion_id)
    if value is not None and not 0.5 <= value <= 1.0:
        raise TrustForbidden(
            f"порог доверия: от 50 до 100 %, а не {100 * value:g} %",
            f"trust threshold: 50–100 %, not {100 * value:g} %",
        )
    row = trust_row(session, viewer.tenant_id, rubric_id, criterion_id)
    row.threshold_override = value
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="autoqa.threshold",
           entity="criterion_trust", entity_id=f"{rubric_id}:{criterion_id}", details={"threshold": value})
    recompute(session, viewer.tenant_id, rubric_id, [criterion_id], user_id=viewer.user_id)


def trust_summary(row: TrustRow) -> dict[str, Any]:
    trust = row.trust
    return {
        "rubric": row.rubric.slug, "criterion": row.criterion.id, "title": row.criterion.title,
        "method": row.criterion.method, "state": row.state, "threshold": row.threshold,
        "agreement": trust.agreement if trust else None, "agreed": trust.agreed if trust else 0,
        "n": trust.n if trust else 0, "lower": trust.lower if trust else None, "upper": trust.upper if trust else None,
    }


def recompute_tenant_summary(settings: Settings, slug: str) -> list[dict[str, Any]]:
    """`qa-service trust`: recompute every criterion of the tenant `slug` and summarise each as plain data."""
    with transaction(settings.sqlalchemy_url) as session:
        tenant = tenant_by_slug(session, slug)
        return [trust_summary(row) for row in recompute_all(session, tenant.id)]
