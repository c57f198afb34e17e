"""Name redaction precision on ASR-style text of call scripts (issue 26).

Each script (the call-benchmark format: `lines` of agent/customer text, `customer_name`,
`agent_name`) is turned into a call the way a recogniser writes it — `plain`: lower case,
no punctuation; `slips`: the same with one letter changed in a quarter of the words that
are not names (unstressed vowels, voicing: what Whisper confuses), seeded by the call id —
and redacted with `redact_interaction`, as ingestion does.  A «[имя]» counts as right
when every word it replaced is a word of the customer's name; the agent's own name must be
kept.  Prints precision (right «[имя]» / all) and recall (customer-name words removed /
said) per style.

    python benchmarks/names_asr.py SCRIPTS_DIR [SCRIPTS_DIR …]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import zlib
from datetime import UTC, datetime
from pathlib import Path

from qa_service.core.interaction import Interaction, Turn
from qa_service.core.redaction import redact_interaction
from qa_service.core.redaction.numbers import LEXICON

_SLIPS = {"о": "а", "а": "о", "е": "и", "и": "е", "б": "п", "в": "ф", "д": "т", "з": "с", "т": "д", "с": "з"}
_WORD = re.compile(r"[а-яё]+(?:-[а-яё]+)?")


def _plain(text: str) -> str:
    text = re.sub(r"[«»\"“”!?;:…()]", " ", text.replace("—", " "))
    text = re.sub(r"(?<!\d)[.,](?!\d)", " ", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def _slipped(text: str, names: set[str], rng: random.Random) -> str:
    out = []
    for word in text.split():
        if len(word) >= 4 and word not in names and word not in LEXICON and rng.random() < 0.25:
            at = rng.randrange(len(word))
            if word[at] in _SLIPS:
                word = word[:at] + _SLIPS[word[at]] + word[at + 1:]
        out.append(word)
    return " ".join(out)


def _stems(name: str) -> set[str]:
    return {w[:4] for w in _WORD.findall(name.lower()) if len(w) >= 3}


def measure(paths: list[Path], style: str) -> dict[str, float | int]:
    spans = right = said = removed = agent_lost = 0
    for path in paths:
        call = json.loads(path.read_text("utf-8"))
        customer = _stems(call.get("customer_name", ""))
        agent = _stems(call.get("agent_name", ""))
        rng = random.Random(zlib.crc32(call["id"].encode()))
        name_words = {w for n in (call.get("customer_name", ""), call.get("agent_name", ""))
                      for w in _WORD.findall(n.lower())}
        turns = []
        for k, line in enumerate(call["lines"]):
            text = _plain(line["text"])
            if style == "slips":
                text = _slipped(text, name_words, rng)
            turns.append(Turn(line["speaker"], text, float(k * 5), float(k * 5 + 4)))
        item = Interaction(call["id"], "call", "bench", datetime(2026, 12, 1, tzinfo=UTC), turns=turns)
        result = redact_interaction(item)
        for index, turn in enumerate(item.turns):
            for span in result.turn_spans[index]:
                if span.kind != "name":
                    continue
                spans += 1
                words = _WORD.findall(turn.text[span.start:span.end])
                right += all(w[:4] in customer for w in words)
            for word in _WORD.findall(turn.text):
                if word[:4] in customer and len(word) >= 3:
                    said += 1
                    removed += word not in result.interaction.turns[index].text
                if word[:4] in agent and turn.speaker == "agent":
                    agent_lost += word not in result.interaction.turns[index].text
    return {"name_spans": spans, "right": right, "precision": round(100 * right / spans, 1) if spans else 100.0,
            "customer_name_words": said, "removed": removed,
            "recall": round(100 * removed / said, 1) if said else 100.0, "agent_name_words_lost": agent_lost}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    args = parser.parse_args()
    paths = sorted(p for folder in args.folders for p in folder.glob("*.json"))
    for style in ("plain", "slips"):
        print(style, json.dumps(measure(paths, style), ensure_ascii=False))


if __name__ == "__main__":
    main()
