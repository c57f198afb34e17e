"""The ASR path redacts a call with the tenant's policy: its public numbers are kept, as in text.

`redact_channel` is the step `transcribe_audio` runs on each channel's Whisper words; the
words here are built in Whisper's shape (leading space, timed), so no model is needed.
"""

from __future__ import annotations

import re

from qa_service.asr.pipeline import RedactionPolicy, redact_channel
from qa_service.core.interaction import Turn, Word
from qa_service.core.tenant_settings import TenantSettings

TENANT_PHONE = "8 800 555-35-35"  # the tenant's own hotline, configured in its settings
PERSONAL_PHONE = "+7 916 482-17-93"


def _turn(speaker: str, text: str, start: float) -> Turn:
    pieces = re.findall(r"\s*\S+", " " + text)
    words = [Word(start + i * 0.5, start + i * 0.5 + 0.4, piece) for i, piece in enumerate(pieces)]
    return Turn(speaker, "".join(w.word for w in words).strip(), words[0].start, words[-1].end, words=words)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _agent_channel() -> list[Turn]:
    return [
        _turn("agent", f"Если что, звоните на нашу горячую линию {TENANT_PHONE}, это бесплатно.", 1.0),
        _turn("agent", f"И запишу ваш номер для связи: {PERSONAL_PHONE}, верно?", 20.0),
    ]


def test_tenant_public_number_spoken_in_a_call_is_kept_and_a_personal_phone_removed() -> None:
    policy = RedactionPolicy(TenantSettings(public_phones=(TENANT_PHONE,)).kept_phones)
    turns, intervals, card = redact_channel(_agent_channel(), policy)
    hotline, personal = turns
    assert TENANT_PHONE in hotline.text
    assert _digits(TENANT_PHONE) in _digits("".join(w.word for w in hotline.words))
    assert _digits(PERSONAL_PHONE) not in _digits(personal.text) and "[телефон]" in personal.text
    assert not any(d in "".join(w.word for w in personal.words) for d in ("916", "482", "93"))
    # Only the personal number is silenced in the audio: every interval lies in the second turn.
    assert intervals and all(start >= 19.5 for start, _ in intervals)
    assert card is False


def test_without_the_tenant_policy_its_number_would_be_removed() -> None:
    # The default policy knows only the airline's hotline: the tenant's number is taken for a person's.
    turns, intervals, _ = redact_channel(_agent_channel())
    assert TENANT_PHONE not in turns[0].text and "[телефон]" in turns[0].text
    assert any(start < 19.5 for start, _ in intervals)


def test_tenant_that_keeps_names_keeps_them_in_calls_too() -> None:
    customer = [_turn("customer", "Здравствуйте, это Пётр Смирнов, хочу узнать про мой рейс.", 3.0)]
    redacted, _, _ = redact_channel(customer)
    kept, _, _ = redact_channel(customer, RedactionPolicy(redact_names=False))
    assert "Смирнов" not in redacted[0].text
    assert "Пётр Смирнов" in kept[0].text
