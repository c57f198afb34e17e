import pytest

from qa_service.core.tenant_settings import InvalidTenantSettings, TenantSettings


def test_defaults_follow_the_tender_and_round_trip() -> None:
    settings = TenantSettings.from_mapping({})
    assert settings.min_agents_on_line == 4
    assert settings.zone.key == "Europe/Moscow"
    stored = settings.with_changes(public_phones=("8 800 555-35-35",)).to_mapping()
    assert stored["public_phones"] == ["8 800 555-35-35"]
    assert TenantSettings.from_mapping(stored).public_phones == ("8 800 555-35-35",)


def test_unknown_keys_from_a_newer_version_are_ignored() -> None:
    assert TenantSettings.from_mapping({"future_setting": 1}).dispute_window_days == 7


@pytest.mark.parametrize(
    ("change", "word"),
    [
        ({"timezone": "Mars/Olympus"}, "часовой пояс"),
        ({"dispute_window_days": 3_000_000}, "срок оспаривания"),
        ({"min_agents_on_line": -1}, "минимум операторов"),
        ({"report_time": "25:00"}, "время отчётов"),
        ({"trust_threshold": float("nan")}, "порог доверия"),
        ({"report_recipients": ("not-an-address",)}, "получатель"),
        ({"session_hours": True}, "длительность сессии"),
    ],
)
def test_values_that_would_break_the_service_later_are_refused(change: dict[str, object], word: str) -> None:
    with pytest.raises(InvalidTenantSettings) as raised:
        TenantSettings().with_changes(**change)
    assert word in raised.value.one_line()
