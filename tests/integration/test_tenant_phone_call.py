"""A call is redacted with its tenant's policy: the airline's own public number, said in the call,
is kept; a personal phone is removed (issue 11: redaction must not eat what `signature` and
the customer need, in calls as in text).

Real parts throughout: a real speaker's Russian digits, the real Whisper model, the real
redactor, SQLite storage and the blob store, through `transcribe_stored_interaction`.
"""

from __future__ import annotations

import io
import os
import re
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qa_service.config import Settings
from qa_service.db.models import Interaction, Tenant
from qa_service.db.session import session_factory, transaction
from qa_service.services.ingestion.intake import store_interaction
from qa_service.services.ingestion.transcription import transcribe_stored_interaction

pytestmark = pytest.mark.slow
RATE = 8000
DIGITS_DIR = Path("/usr/share/asterisk/sounds/ru/digits")
TENANT_PHONE = "88005553535"  # configured as the tenant's public number (not the default hotline)
PERSONAL_PHONE = "89164821793"


def _dictate(groups: list[str]) -> np.ndarray:
    """Digits read out one by one, a short pause between digits and a longer one between groups."""
    parts = []
    for group in groups:
        for digit in group:
            with wave.open(str(DIGITS_DIR / f"{digit}.wav")) as handle:
                assert handle.getframerate() == RATE
                parts += [np.frombuffer(handle.readframes(handle.getnframes()), dtype=np.int16),
                          np.zeros(int(0.15 * RATE), np.int16)]
        parts.append(np.zeros(int(0.4 * RATE), np.int16))
    return np.concatenate(parts)


def _stereo_call() -> bytes:
    # The agent reads the hotline out; later the customer dictates their own mobile number.
    agent = _dictate(["8", "800", "555", "35", "35"])
    customer = _dictate(["8", "916", "482", "17", "93"])
    customer_at = len(agent) + 2 * RATE
    length = customer_at + len(customer) + RATE
    channels = {"agent": np.zeros(length, np.int16), "customer": np.zeros(length, np.int16)}
    channels["agent"][RATE // 2 : RATE // 2 + len(agent)] = agent
    channels["customer"][customer_at : customer_at + len(customer)] = customer
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as handle:
        handle.setnchannels(2)
        handle.setsampwidth(2)
        handle.setframerate(RATE)
        handle.writeframes(np.column_stack([channels["agent"], channels["customer"]]).tobytes())
    return buffer.getvalue()


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_tenant_public_number_is_kept_and_personal_phone_removed(
    settings: Settings, sent_jobs: list[Any]
) -> None:
    if not DIGITS_DIR.is_dir():
        message = f"{DIGITS_DIR} is missing: apt-get install asterisk-core-sounds-ru-wav (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="sv", name="Северный Ветер", settings={"public_phones": ["8 800 555-35-35"]})
        session.add(tenant)
        session.flush()
        stored = store_interaction(
            session, settings, tenant.id,
            {"external_id": "phone-call", "source": "pbx", "channel": "call", "agent_id": "op-1",
             "started_at": "2026-11-20T10:00:00+03:00",
             "recording": {"uri": "in-phone-call.wav", "channels": {"0": "agent", "1": "customer"}}},
            recording=_stereo_call(), recording_filename="in-phone-call.wav",
        )
    assert transcribe_stored_interaction(settings, stored.interaction_id).transcribed

    with session_factory(settings.sqlalchemy_url)() as session:
        row = session.get_one(Interaction, stored.interaction_id)
        turns = {speaker: " ".join(t.text for t in row.turns if t.speaker == speaker) for speaker in
                 ("agent", "customer")}
        # The words' text only: their times (0.482 s…) are digits too.
        words = " ".join(str(w["word"]) for t in row.turns for w in (t.words or []))
    assert TENANT_PHONE in _digits(turns["agent"]), turns
    assert "[телефон]" in turns["customer"], turns
    assert "916" not in turns["customer"] and "482" not in _digits(turns["customer"]), turns
    assert "482" not in _digits(words)
