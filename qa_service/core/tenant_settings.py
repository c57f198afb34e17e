"""A tenant's own settings: what the airline and the contractor agreed on, stored per tenant.

Kept as one JSON document on the tenant row so that a new setting needs no migration;
this dataclass is the only reader and writer, and it refuses values that would break the
service later (a dispute window of three million days, a minimum of -1 agents).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from qa_service.core.errors import UserFacingError
from qa_service.core.redaction.contacts import AIRLINE_PUBLIC_PHONES

_TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# The longest sign-in a tenant may choose; the web app's cookie lifetime is this backstop.
SESSION_HOURS_MAX = 24


class InvalidTenantSettings(UserFacingError):
    """A tenant setting is out of its range or of the wrong type."""


@dataclass(frozen=True)
class TenantSettings:
    """Defaults follow the airline's standard and the tender (§3.1.5.4: at least 4 agents on the line)."""

    timezone: str = "Europe/Moscow"
    # The airline's own numbers (hotline, sales desk): public, never redacted as a person's phone.
    public_phones: tuple[str, ...] = ()
    min_agents_on_line: int = 4
    dispute_window_days: int = 7
    session_hours: int = 10
    # Local time at which yesterday's daily reports are generated and mailed.
    report_time: str = "07:00"
    report_recipients: tuple[str, ...] = ()
    # The AutoQA trust loop: below this agreement with people a criterion's machine answer is not final.
    trust_threshold: float = 0.90
    # How many of the latest human answers the agreement is measured over, and how many it needs first.
    trust_window: int = 200
    trust_min_answers: int = 20
    redact_names: bool = True
    # A contact followed by another on the same case within this many days is a repeat (FCR).
    repeat_window_days: int = 7
    # Retention (days): raw audio may hold a card number read aloud, so it goes first; transcripts and
    # redacted audio serve disputes and calibration for a year; evaluations' per-criterion detail two
    # (the scores stay on the evaluation, and stored daily reports keep their figures).
    retention_raw_audio_days: int = 7
    retention_redacted_audio_days: int = 365
    retention_transcript_days: int = 365
    retention_evaluation_days: int = 730

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> TenantSettings:
        """Settings from a stored document; unknown keys are ignored (a newer version wrote them)."""
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in (data or {}).items():
            if key in known:
                values[key] = tuple(value) if isinstance(value, list) else value
        settings = cls(**values)
        settings.validate()
        return settings

    def to_mapping(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    def with_changes(self, **changes: Any) -> TenantSettings:
        """A validated copy with some values changed."""
        updated = replace(self, **changes)
        updated.validate()
        return updated

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def kept_phones(self) -> tuple[str, ...]:
        """Numbers redaction keeps in this tenant's calls, chats and e-mails: the airline's hotline and its own."""
        return (*AIRLINE_PUBLIC_PHONES, *self.public_phones)

    def validate(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidTenantSettings(
                f"часовой пояс: неизвестен {self.timezone[:64]!r} (например, Europe/Moscow)",
                f"time zone: unknown {self.timezone[:64]!r} (e.g. Europe/Moscow)",
            ) from None
        _int_range("min_agents_on_line", "минимум операторов на линии", self.min_agents_on_line, 0, 1000)
        _int_range("dispute_window_days", "срок оспаривания, дней", self.dispute_window_days, 1, 90)
        _int_range("session_hours", "длительность сессии, часов", self.session_hours, 1, SESSION_HOURS_MAX)
        _int_range("repeat_window_days", "окно повторного обращения, дней", self.repeat_window_days, 1, 90)
        _int_range("retention_raw_audio_days", "хранение исходного аудио, дней", self.retention_raw_audio_days,
                   1, 3650)
        _int_range("retention_redacted_audio_days", "хранение очищенного аудио, дней",
                   self.retention_redacted_audio_days, 1, 3650)
        _int_range("retention_transcript_days", "хранение расшифровок, дней", self.retention_transcript_days,
                   1, 3650)
        _int_range("retention_evaluation_days", "хранение оценок, дней", self.retention_evaluation_days, 1, 3650)
        if not isinstance(self.report_time, str) or not _TIME_OF_DAY.match(self.report_time):
            raise InvalidTenantSettings(
                f"время отчётов: ЧЧ:ММ, а не {self.report_time!r}", f"report time: HH:MM, not {self.report_time!r}"
            )
        if isinstance(self.trust_threshold, bool) or not isinstance(self.trust_threshold, int | float) or not (
            0.5 <= self.trust_threshold <= 1.0
        ):
            raise InvalidTenantSettings(
                f"порог доверия к автооценке: от 0.5 до 1, а не {self.trust_threshold!r}",
                f"AutoQA trust threshold: 0.5 to 1, not {self.trust_threshold!r}",
            )
        _int_range("trust_window", "окно доверия к автооценке, ответов", self.trust_window, 20, 10000)
        _int_range("trust_min_answers", "минимум ответов людей для доверия", self.trust_min_answers, 20,
                   self.trust_window)
        _no_card_numbers(self.report_recipients, self.public_phones)
        for address in self.report_recipients:
            if not isinstance(address, str) or "@" not in address or len(address) > 254:
                raise InvalidTenantSettings(
                    f"получатель отчётов: не адрес e-mail {address!r}", f"report recipient: not an e-mail {address!r}"
                )
        for phone in self.public_phones:
            if not isinstance(phone, str) or not re.fullmatch(r"[+\d][\d\s()-]{4,30}", phone):
                raise InvalidTenantSettings(
                    f"публичный номер: не телефон {phone!r}", f"public number: not a phone {phone!r}"
                )


def _no_card_numbers(addresses: tuple[str, ...], phones: tuple[str, ...]) -> None:
    """A card number typed as a recipient or a public phone is refused before the value is quoted back."""
    from qa_service.core.redaction.refusal import refuse_card_number

    for address in addresses:
        if isinstance(address, str):
            refuse_card_number(address, "получатель отчётов", "report recipient")
    for phone in phones:
        if isinstance(phone, str):
            refuse_card_number(phone, "публичный номер", "public number")


def _int_range(name: str, title: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not (low <= value <= high):
        raise InvalidTenantSettings(
            f"{title}: целое от {low} до {high}, а не {value!r}", f"{name}: a whole number {low}–{high}, not {value!r}"
        )
