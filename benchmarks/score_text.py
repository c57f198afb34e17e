"""Scoring throughput: generated chats and 3–6-minute call transcripts, 1 and 2 processes.

Run: `.venv/bin/python benchmarks/score_text.py [--calls 2000] [--chats 1000]`.
Prints interactions per second per process count and the mean time per interaction.
Target (issue 3): ≥ 100 interactions/s with 2 processes on the 2-core machine, for calls.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from qa_service.core.interaction import Interaction, parse_interaction
from qa_service.core.rubric import load_rubric
from qa_service.core.scoring import score_interaction

AGENT = [
    "Доброй ночи, авиакомпания «Северный Ветер», меня зовут {name}.", "Назовите, пожалуйста, код бронирования.",
    "На какую дату вы хотели бы перенести вылет?", "Одну минуту, оставайтесь, пожалуйста, на линии.",
    "Спасибо за ожидание. Места есть на утренний рейс.", "Сбор за обмен составит три тысячи рублей.",
    "Итак, подтверждаю: рейс СВ двести четыре, двадцатое ноября.", "Я отправлю вам ссылку на оплату в СМС.",
    "Понимаю вас, давайте посмотрим, что можно сделать.", "Норма багажа по вашему тарифу двадцать три килограмма.",
    "Регистрация закрывается за сорок минут до вылета.", "Да, конечно, сейчас проверю по системе.",
]
CUSTOMER = [
    "Здравствуйте, мне нужно поменять дату вылета.", "Код бронирования ХЛ7К2М, фамилия Соколова.",
    "На двадцатое, если можно, утром.", "А сколько это будет стоить?", "Хорошо, меня устраивает.",
    "Подождите, а багаж в тариф входит?", "Да, всё верно.", "Понятно, спасибо.", "А если я опоздаю на регистрацию?",
]
CLOSING = ["Могу ли я ещё чем-то помочь?", "Благодарю за звонок в авиакомпанию «Северный Ветер», хорошего полёта!"]


def make_call(rng: random.Random, index: int) -> dict[str, Any]:
    duration = rng.uniform(180, 360)
    turns, t, speaker = [], 0.5, "agent"
    turns.append({"speaker": "agent", "start": t, "end": t + 4.5, "text": AGENT[0].format(name="Ольга")})
    t += 5.0
    while t < duration - 12:
        speaker = "customer" if speaker == "agent" else "agent"
        words = rng.randint(6, 22)
        length = words * 0.38
        pool = CUSTOMER if speaker == "customer" else AGENT[1:]
        text = " ".join(rng.choice(pool) for _ in range(max(1, words // 7)))
        turns.append({"speaker": speaker, "start": round(t, 2), "end": round(t + length, 2), "text": text})
        t += length + rng.uniform(0.2, 1.5)
    for line in CLOSING:
        turns.append({"speaker": "agent", "start": round(t, 2), "end": round(t + 3, 2), "text": line})
        t += 3.5
    return {
        "external_id": f"bench-call-{index}", "channel": "call", "agent_id": "a1",
        "started_at": "2026-11-20T10:00:00+03:00", "recording": {"channels": {"0": "agent", "1": "customer"}},
        "turns": turns, "metrics": {"silences": [[60.0, 85.0]], "overtalk": [[100.0, 101.5]]},
    }


def make_chat(rng: random.Random, index: int) -> dict[str, Any]:
    origin = datetime.fromisoformat("2026-11-21T10:00:00+03:00")
    turns, t = [], 0.0
    for n in range(rng.randint(6, 16)):
        speaker = "customer" if n % 2 == 0 else "agent"
        text = rng.choice(CUSTOMER) if speaker == "customer" else rng.choice(AGENT[1:])
        if n == 1:
            text = "Здравствуйте! Меня зовут Дмитрий. " + text
        turns.append({"speaker": speaker, "at": (origin + timedelta(seconds=t)).isoformat(), "text": text})
        t += rng.uniform(10, 150)
    turns.append({"speaker": "agent", "at": (origin + timedelta(seconds=t)).isoformat(),
                  "text": " ".join(CLOSING)})
    return {"external_id": f"bench-chat-{index}", "channel": "chat", "agent_id": "a1",
            "started_at": origin.isoformat(), "turns": turns}


_RUBRICS: dict[str, Any] = {}


def _score_batch(batch: list[Interaction]) -> list[float]:
    times = []
    for item in batch:
        rubric = _RUBRICS.get(item.channel)
        if rubric is None:
            rubric = _RUBRICS[item.channel] = load_rubric(f"airline-{item.channel}")
        started = time.perf_counter()
        score_interaction(item, rubric)
        times.append(time.perf_counter() - started)
    return times


def _warm(_: int) -> int:
    # Load spaCy, pymorphy3, rubrics and classifiers once per worker, before timing.
    _score_batch([parse_interaction(make_call(random.Random(0), 0)), parse_interaction(make_chat(random.Random(0), 0))])
    return 0


def run(items: list[Interaction], processes: int) -> tuple[float, float]:
    """Interactions/s (wall clock) and mean seconds per interaction (inside the scorer)."""
    chunks = [items[i::processes * 8] for i in range(processes * 8)]
    if processes == 1:
        _warm(0)
        started = time.perf_counter()
        times = _score_batch(items)
        wall = time.perf_counter() - started
        return len(items) / wall, statistics.fmean(times)
    with ProcessPoolExecutor(processes) as pool:
        list(pool.map(_warm, range(processes)))
        started = time.perf_counter()
        results = list(pool.map(_score_batch, chunks))
        wall = time.perf_counter() - started
    times = [t for chunk in results for t in chunk]
    return len(items) / wall, statistics.fmean(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--chats", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(42)
    calls = [parse_interaction(make_call(rng, i)) for i in range(args.calls)]
    chats = [parse_interaction(make_chat(rng, i)) for i in range(args.chats)]
    turns = statistics.fmean(len(c.turns) for c in calls)
    minutes = statistics.fmean((c.turns[-1].end or 0) for c in calls) / 60
    print(f"calls: {len(calls)} (mean {turns:.0f} turns, {minutes:.1f} min); chats: {len(chats)}")
    for label, items in (("calls", calls), ("chats", chats)):
        for processes in (1, 2):
            rate, mean = run(items, processes)
            print(f"{label:<6} processes={processes}: {rate:7.1f} interactions/s, "
                  f"mean {mean * 1000:6.2f} ms/interaction")


if __name__ == "__main__":
    main()
