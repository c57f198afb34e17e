"""The platform simulator's data: deterministic, recent, and full of things scoring must find."""

from __future__ import annotations

import io
import re
import wave
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from qa_service.simulator import audio
from qa_service.simulator.data import generate
from qa_service.simulator.mail import thread_messages
from qa_service.simulator.scripts import TOPICS, Line

NOW = datetime(2026, 11, 24, 18, 30, 15, tzinfo=timezone(timedelta(hours=3)))


def test_same_seed_same_data_and_another_seed_differs() -> None:
    first, second = generate(seed=7, now=NOW), generate(seed=7, now=NOW)
    assert first.calls == second.calls and first.chats == second.chats and first.emails == second.emails
    assert first.statuses == second.statuses and first.staffing == second.staffing
    assert generate(seed=8, now=NOW).calls != first.calls


def test_times_are_recent_and_in_moscow_time() -> None:
    data = generate(seed=7, now=NOW)
    for records in (data.calls, data.chats, data.emails, data.statuses, data.staffing):
        stamps = [datetime.fromisoformat(r["updated_at"]) for r in records]
        assert all(s.utcoffset() == timedelta(hours=3) for s in stamps)
        assert all(NOW - timedelta(days=4) < s <= NOW for s in stamps)
        assert stamps == sorted(stamps)
    # Moving "now" moves everything, content unchanged.
    later = generate(seed=7, now=NOW + timedelta(days=1))
    assert [c["id"] for c in later.calls] == [c["id"] for c in data.calls]
    assert later.calls[0]["started_at"] != data.calls[0]["started_at"]


def _call_text(data_lines: dict[str, list[Line]]) -> str:
    return "\n".join(line.text for lines in data_lines.values() for line in lines)


def test_calls_cover_every_topic_and_every_fault() -> None:
    data = generate(seed=7, calls=24, now=NOW)
    assert {c["wrapup"] for c in data.calls if c["wrapup"]} == set(TOPICS)
    assert any(c["result"] == "lost" and c["recording"] is None for c in data.calls)
    assert any(c["direction"] == "out" for c in data.calls)
    text = _call_text(data.call_lines)
    assert "Авиакомпания Северный Ветер, меня зовут" in text
    assert "Это не ко мне" in text
    assert "номер карты" in text
    assert "Да. Слушаю." in text  # an opening without greeting or company name
    assert "невозвратный" in text and "Вернуть деньги не получится." in text
    pauses = [line.pause for lines in data.call_lines.values() for line in lines]
    assert max(pauses) > 60 and any(20 < p < 30 for p in pauses)


def test_chats_and_emails_break_the_slas_sometimes() -> None:
    data = generate(seed=7, now=NOW)
    first_replies = []
    for chat in data.chats:
        customer = datetime.fromisoformat(chat["messages"][0]["sent_at"])
        agent = next(datetime.fromisoformat(m["sent_at"]) for m in chat["messages"] if m["author"] == "operator")
        first_replies.append((agent - customer).total_seconds())
    assert max(first_replies) >= 180 and min(first_replies) <= 60
    reply_hours = []
    for thread in data.emails:
        replies = [m for m in thread["messages"] if m["from"] == "operator"]
        if replies:
            delay = datetime.fromisoformat(replies[0]["sent_at"]) - datetime.fromisoformat(thread["received_at"])
            reply_hours.append((delay.total_seconds() / 3600, "Контактный центр" in replies[0]["body"]))
    assert (30.0, False) in reply_hours  # late and unsigned
    assert any(hours < 24 and signed for hours, signed in reply_hours)
    assert any(not any(m["from"] == "operator" for m in t["messages"]) for t in data.emails)


def test_staffing_and_statuses() -> None:
    data = generate(seed=7, now=NOW)
    assert len(data.staffing) == 48 and min(s["planned"] for s in data.staffing) == 3
    assert {s["state"] for s in data.statuses} == {"Available", "Busy", "Pause", "Lunch", "Offline"}


def test_no_full_card_number_anywhere() -> None:
    data = generate(seed=7, calls=48, now=NOW)
    everything = _call_text(data.call_lines) + str(data.chats) + str(data.emails)
    assert not re.search(r"(?:\d[ -]?){13,19}", everything)


def test_mime_threads_use_the_russian_encodings() -> None:
    data = generate(seed=7, emails=6, now=NOW)
    raw = b"\n".join(r for t in data.emails for _, r in thread_messages(t)).lower()
    assert b'charset="koi8-r"' in raw and b'charset="windows-1251"' in raw and b"text/html" in raw
    assert b"content-transfer-encoding: quoted-printable" in raw and b"content-transfer-encoding: base64" in raw


def test_rendered_call_is_8khz_stereo_with_speakers_on_their_channels(tmp_path: Path) -> None:
    lines = [Line("agent", "Здравствуйте!", 0.2), Line("customer", "Добрый день.", 1.0)]
    wav, truth = audio.render_call(lines, "Анна")
    with wave.open(io.BytesIO(wav)) as stream:
        assert (stream.getnchannels(), stream.getframerate()) == (2, 8000)
        samples = np.frombuffer(stream.readframes(stream.getnframes()), dtype="<i2").reshape(-1, 2)
    agent, customer = truth
    assert customer["start"] - agent["end"] == pytest.approx(1.0, abs=0.01)
    a = samples[int(agent["start"] * 8000) : int(agent["end"] * 8000)]
    c = samples[int(customer["start"] * 8000) : int(customer["end"] * 8000)]
    assert np.abs(a[:, 0]).max() > 1000 and np.abs(a[:, 1]).max() == 0
    assert np.abs(c[:, 1]).max() > 1000 and np.abs(c[:, 0]).max() == 0
    gap = samples[int(agent["end"] * 8000) + 1 : int(customer["start"] * 8000) - 1]
    assert np.abs(gap).max() < 50  # silence (sox dither leaves ±1 at the edge of speech)


def test_recordings_are_generated_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [Line("agent", "Спасибо за ожидание.", 0.1)]
    first = audio.cached_call(lines, "Анна", tmp_path)

    def must_not_render(*_: object) -> None:
        raise AssertionError("the cached recording should have been reused")

    monkeypatch.setattr(audio, "render_call", must_not_render)
    assert audio.cached_call(lines, "Анна", tmp_path) == first
    assert len(list(tmp_path.glob("*.wav"))) == 1


def test_latin_letters_and_digits_are_spelled_for_the_russian_voice() -> None:
    assert audio.speakable("Код K4X, квитанция EMD.") == "Код кей четыре экс, квитанция и эм ди."


def test_phrases_are_synthesised_once_and_the_two_speakers_differ(tmp_path: Path) -> None:
    agent = audio.phrase_samples("Добрый день.", "agent", tmp_path)
    customer = audio.phrase_samples("Добрый день.", "customer", tmp_path)
    assert len(list((tmp_path / "phrases").glob("*.wav"))) == 2
    assert not np.array_equal(agent, customer)  # the customer is pitched apart from the agent
    assert np.array_equal(audio.phrase_samples("Добрый день.", "agent", tmp_path), agent)
