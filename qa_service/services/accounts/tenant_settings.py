"""The admin's tenant settings page: time zone, public numbers, dispute window, sampling rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from qa_service.core.errors import UserFacingError
from qa_service.core.json_input import check_tree
from qa_service.core.tenant_settings import TenantSettings
from qa_service.db.models import SamplingRule, Tenant
from qa_service.services.access import Viewer
from qa_service.services.audit import record
from qa_service.services.form_versions import (
    require_version,
    state_token,
)
from qa_service.services.review.sampling import (
    active_rule,
    save_rule,
)

CHANNELS = ("call", "chat", "email")
# Days each kind of data is kept (`services.retention`); edited on the settings page.
RETENTION_FIELDS = ("retention_raw_audio_days", "retention_redacted_audio_days", "retention_transcript_days",
                    "retention_evaluation_days")


class SettingsError(UserFacingError):
    pass


@dataclass(frozen=True)
class SamplingForm:
    per_agent: int
    random_share: float  # 0–1
    channels: tuple[str, ...]
    due_days: int


def current_settings(session: Session, tenant_id: int) -> tuple[TenantSettings, SamplingRule]:
    tenant = session.get_one(Tenant, tenant_id)
    stored = dict(tenant.settings or {})
    stored.setdefault("timezone", tenant.timezone)
    return TenantSettings.from_mapping(stored), active_rule(session, tenant_id)


def _editable_state(settings: TenantSettings, rule: SamplingRule) -> dict[str, Any]:
    """What the settings page edits, field by field: its version and the audit entry's before/after."""
    return {
        "timezone": settings.timezone, "public_phones": list(settings.public_phones),
        "dispute_window_days": settings.dispute_window_days,
        "sampling_per_agent": rule.per_agent_per_week, "sampling_random_percent": round(100 * rule.random_share),
        "sampling_channels": list(rule.channels), "sampling_due_days": rule.due_days,
        **{name: getattr(settings, name) for name in RETENTION_FIELDS},
    }


def settings_version(session: Session, tenant_id: int) -> str:
    """The version the settings form is drawn from (the tenant's settings have no version column)."""
    settings, rule = current_settings(session, tenant_id)
    return state_token(_editable_state(settings, rule))


def save_settings(
    session: Session, viewer: Viewer, *, timezone: str, public_phones: list[str], dispute_window_days: int,
    sampling: SamplingForm, form_version: str | None = None, retention: dict[str, int] | None = None,
) -> TenantSettings:
    """Validate and store the tenant's settings and sampling rule (raises a user-facing error)."""
    if not viewer.role.value == "admin":
        raise SettingsError("настройки меняет только администратор", "only an administrator changes settings")
    tenant = session.get_one(Tenant, viewer.tenant_id)
    require_version(settings_version(session, viewer.tenant_id), form_version, "настройки", "the settings")
    settings, old_rule = current_settings(session, viewer.tenant_id)
    before = _editable_state(settings, old_rule)
    settings = settings.with_changes(
        timezone=timezone.strip(), public_phones=tuple(p.strip() for p in public_phones if p.strip()),
        dispute_window_days=dispute_window_days,
        **{name: value for name, value in (retention or {}).items() if name in RETENTION_FIELDS},
    )
    if not 0 <= sampling.per_agent <= 100:
        raise SettingsError("выборка: от 0 до 100 взаимодействий на оператора в неделю",
                            "sampling: 0–100 interactions per agent per week")
    if not 0 <= sampling.random_share <= 1:
        raise SettingsError("выборка: доля случайных от 0 до 100 %", "sampling: random share 0–100 %")
    if not 1 <= sampling.due_days <= 30:
        raise SettingsError("выборка: срок проверки от 1 до 30 дней", "sampling: review due in 1–30 days")
    channels = [c for c in sampling.channels if c in CHANNELS]
    if not channels:
        raise SettingsError("выборка: выберите хотя бы один канал", "sampling: choose at least one channel")
    check_tree(settings.to_mapping())  # NUL in a public number would fail the JSON column's insert
    tenant.settings = settings.to_mapping()
    tenant.timezone = settings.timezone  # the column older readers use
    rule = active_rule(session, viewer.tenant_id)
    changed_rule = (rule.id is None or rule.per_agent_per_week != sampling.per_agent
                    or rule.random_share != sampling.random_share or list(rule.channels) != channels
                    or rule.due_days != sampling.due_days)
    if changed_rule:
        save_rule(session, viewer.tenant_id, per_agent=sampling.per_agent, random_share=sampling.random_share,
                  channels=channels, due_days=sampling.due_days)
    after = _editable_state(settings, active_rule(session, viewer.tenant_id))
    changes = {key: {"from": before[key], "to": after[key]} for key in after if before[key] != after[key]}
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="settings.update", entity="tenant",
           entity_id=viewer.tenant_id, details={"changes": changes})
    return settings
