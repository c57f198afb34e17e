"""Scoring throughput: generated chats and 3–6-minute call transcripts, 1 and 2 processes.

Run: `.venv/bin/python benchmarks/score_text.py [--calls 2000] [--chats 1000]`.

The lines come from the AutoQA evaluation set and the training data (about 1 300 distinct
sentences, written and ASR style) with fresh names, places and spoken numbers each time, so
the lemma cache is not kept warm by a dozen sentences.  Embeddings (navec) are on.
Prints interactions per second per process count and the mean time per interaction.
Target (issue 3): ≥ 100 interactions/s with 2 processes on the 2-core machine, for calls.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from qa_service.core.interaction import Interaction, parse_interaction
from qa_service.core.rubric import load_rubric
from qa_service.core.scoring import score_interaction

DATA = Path(__file__).parent / "data"
# Varied vocabulary: every line of the independently written evaluation set (written and ASR
# style) and of the classifiers' training data, with names, places, codes and spoken numbers
# drawn fresh for each use, so the lemma cache meets new word forms as it would in production.
FIRST = ["Ольга", "Денис", "Марина", "Игорь", "Светлана", "Тимур", "Алина", "Григорий", "Ксения", "Роберт",
         "Зарина", "Эльвира", "Станислав", "Анастасия", "Леонид", "Вероника", "Аркадий", "Милана"]
SURNAMES = ["Соколов", "Кузьмина", "Мельников", "Жукова", "Орлов", "Титов", "Ершова", "Лебедев", "Громова",
            "Гарипов", "Шевчук", "Ахмедова", "Дьяченко", "Фёдорова", "Крылов", "Юсупова", "Бондаренко"]
CITIES = ["Сочи", "Казань", "Пермь", "Омск", "Мурманск", "Иркутск", "Минск", "Калининград", "Уфу", "Самару",
          "Тюмень", "Сургут", "Анапу", "Махачкалу", "Владикавказ", "Норильск", "Якутск", "Магадан", "Ереван"]
UNITS = ["ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"]
TENS = ["двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят", "семьдесят", "восемьдесят", "девяносто"]


def _pool() -> tuple[list[str], list[str], list[str], list[str]]:
    """(agent lines, customer lines, openings, closings) from the evaluation and training data."""
    agent: list[str] = []
    customer: list[str] = []
    openings: list[str] = []
    closings: list[str] = []
    for part in ("dev", "heldout"):
        for line in (DATA / "autoqa_eval" / f"{part}.jsonl").read_text("utf-8").splitlines():
            turns = json.loads(line)["interaction"]["turns"]
            agent_turns = [t["text"] for t in turns if t["speaker"] == "agent"]
            openings.append(agent_turns[0])
            closings.append(agent_turns[-1])
            agent.extend(agent_turns[1:-1])
            customer.extend(t["text"] for t in turns if t["speaker"] == "customer")
    training = Path(__file__).parents[1] / "models" / "training-data"
    for name, into in (("clarifying_question.jsonl", agent), ("topics.jsonl", customer)):
        into.extend(json.loads(line)["text"] for line in (training / name).read_text("utf-8").splitlines() if line)
    return agent, customer, openings, closings


AGENT, CUSTOMER, OPENINGS, CLOSINGS = _pool()


def _vary(rng: random.Random, text: str) -> str:
    """The line with a fresh name, place and spoken number where it has one of the kind."""
    words = text.split()
    for i, word in enumerate(words):
        bare = word.strip(",.!?«»").lower()
        if bare.capitalize() in FIRST or bare in {f.lower() for f in FIRST}:
            words[i] = rng.choice(FIRST)
        elif bare.capitalize() in SURNAMES:
            words[i] = rng.choice(SURNAMES)
        elif bare.capitalize() in CITIES:
            words[i] = rng.choice(CITIES)
        elif bare in UNITS:
            words[i] = rng.choice(UNITS)
        elif bare in TENS:
            words[i] = rng.choice(TENS)
    return " ".join(words)


def make_call(rng: random.Random, index: int) -> dict[str, Any]:
    duration = rng.uniform(180, 360)
    turns, t, speaker = [], 0.5, "agent"
    turns.append({"speaker": "agent", "start": t, "end": t + 4.5, "text": _vary(rng, rng.choice(OPENINGS))})
    t += 5.0
    while t < duration - 12:
        speaker = "customer" if speaker == "agent" else "agent"
        text = _vary(rng, rng.choice(CUSTOMER if speaker == "customer" else AGENT))
        length = max(1.5, len(text.split()) * 0.38)
        turns.append({"speaker": speaker, "start": round(t, 2), "end": round(t + length, 2), "text": text})
        t += length + rng.uniform(0.2, 1.5)
    turns.append({"speaker": "agent", "start": round(t, 2), "end": round(t + 3, 2), "text": rng.choice(CLOSINGS)})
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
        text = _vary(rng, rng.choice(CUSTOMER if speaker == "customer" else AGENT))
        if n == 1:
            text = _vary(rng, rng.choice(OPENINGS)) + " " + text
        turns.append({"speaker": speaker, "at": (origin + timedelta(seconds=t)).isoformat(), "text": text})
        t += rng.uniform(10, 150)
    turns.append({"speaker": "agent", "at": (origin + timedelta(seconds=t)).isoformat(), "text": rng.choice(CLOSINGS)})
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
    from qa_service.core.embeddings import navec

    forms = {w for c in calls for t in c.turns for w in t.text.lower().split()}
    print(f"calls: {len(calls)} (mean {turns:.0f} turns, {minutes:.1f} min, {len(forms)} distinct word forms); "
          f"chats: {len(chats)}; embeddings {'on' if navec() is not None else 'OFF'}")
    for label, items in (("calls", calls), ("chats", chats)):
        for processes in (1, 2):
            rate, mean = run(items, processes)
            print(f"{label:<6} processes={processes}: {rate:7.1f} interactions/s, "
                  f"mean {mean * 1000:6.2f} ms/interaction")


if __name__ == "__main__":
    main()
