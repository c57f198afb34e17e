"""Redaction benchmark: recall per kind, span precision and throughput on the labelled set.

Run: `.venv/bin/python benchmarks/redaction.py [--data PATH] [--show-errors]`.

A predicted span is correct when it overlaps a gold span of the same kind; a predicted span
that overlaps no gold span at all is a false positive; a gold span is recalled when some
predicted span of its kind overlaps it.  Precision = correct / (correct + false positives).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter
from pathlib import Path

from qa_service.core.redaction import KINDS, Span, redact

DATA = Path(__file__).with_name("data") / "redaction_eval.jsonl"
TARGETS = {"card": 0.99, "cvv": 0.99}
OTHER_TARGET = 0.97
PRECISION_TARGET = 0.98


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--show-errors", action="store_true", help="print missed and false spans (test data only)")
    parser.add_argument("--stress", type=int, default=3000, help="number-heavy negative lines to try (0: skip)")
    args = parser.parse_args()
    items = [json.loads(line) for line in args.data.read_text("utf-8").splitlines() if line.strip()]

    gold_total: Counter[str] = Counter()
    recalled: Counter[str] = Counter()
    correct = false_positive = wrong_kind = 0
    for item in items:
        gold = [Span(s["start"], s["end"], s["kind"]) for s in item["spans"]]
        predicted = redact(item["text"]).spans
        for g in gold:
            gold_total[g.kind] += 1
            if any(p.kind == g.kind and _overlap(p, g) for p in predicted):
                recalled[g.kind] += 1
            elif args.show_errors:
                print(f"MISS {g.kind}: {item['text'][g.start:g.end]!r} in {item['text']!r}")
        for p in predicted:
            if any(g.kind == p.kind and _overlap(p, g) for g in gold):
                correct += 1
            elif any(_overlap(p, g) for g in gold):
                wrong_kind += 1
                if args.show_errors:
                    print(f"KIND {p.kind}: {item['text'][p.start:p.end]!r} in {item['text']!r}")
            else:
                false_positive += 1
                if args.show_errors:
                    print(f"FALSE {p.kind}: {item['text'][p.start:p.end]!r} in {item['text']!r}")

    texts = [item["text"] for item in items]
    rounds = max(1, 3000 // len(texts))
    began = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            redact(text)
    elapsed = time.perf_counter() - began

    print(f"utterances: {len(items)}, gold spans: {sum(gold_total.values())}")
    print(f"{'kind':<12} {'gold':>5} {'found':>6} {'recall':>8} {'target':>7}")
    ok = True
    for kind in KINDS:
        total = gold_total[kind]
        recall = recalled[kind] / total if total else float("nan")
        target = TARGETS.get(kind, OTHER_TARGET)
        ok &= not total or recall >= target
        print(f"{kind:<12} {total:>5} {recalled[kind]:>6} {recall:>8.1%} {target:>7.0%}")
    predicted_total = correct + false_positive
    precision = correct / predicted_total if predicted_total else 1.0
    ok &= precision >= PRECISION_TARGET
    print(f"precision: {precision:.1%} ({correct} correct, {false_positive} false positives; "
          f"{wrong_kind} spans of another kind over a gold span, not counted) target {PRECISION_TARGET:.0%}")
    print(f"throughput: {rounds * len(texts) / elapsed:,.0f} utterances/s "
          f"({elapsed / (rounds * len(texts)) * 1e6:.0f} µs each, {rounds} rounds)")
    worst_cases()
    if args.stress:
        stress_negatives(args.stress)
    print("targets met" if ok else "TARGETS NOT MET")
    return 0 if ok else 1


def _digits(rng: random.Random, low: int, high: int) -> str:
    return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(rng.randint(low, high) - 1))


def _grouped(rng: random.Random, digits: str) -> str:
    if rng.random() < 0.5:
        return digits
    out, at = [], 0
    while at < len(digits):
        size = rng.randint(2, 5)
        out.append(digits[at : at + size])
        at += size
    return rng.choice([" ", "-"]).join(out)


STRESS_FAMILIES = {
    "order/request numbers, 6-12 digits": lambda r: f"Номер заказа {_grouped(r, _digits(r, 6, 12))}",
    "order/request numbers, 13-19 digits": lambda r: f"номер обращения {_grouped(r, _digits(r, 13, 19))}",
    "ticket numbers near «билет»": lambda r: f"билет {r.choice(['555', '421', '262'])}{_digits(r, 10, 10)}",
    "prices, dates, times, flights": lambda r: (
        f"рейс SU {r.randint(1000, 1999)} {r.randint(1, 28):02d}.{r.randint(1, 12):02d} в {r.randint(0, 23)}:"
        f"{r.randint(0, 59):02d}, {r.randint(1, 99)} {r.randint(0, 999):03d} рублей, багаж {r.randint(5, 32)} кг"
    ),
    "phone-like order numbers (11 digits, 8/7 9xx)": lambda r: f"заказ №8{_digits(r, 10, 10)}",
    "price lists «12 500, 13 400 и 15 600 рублей»": lambda r: "тарифы: " + ", ".join(
        f"{r.randint(1, 99)} {r.randint(0, 999):03d}" for _ in range(r.randint(3, 5))
    ) + " рублей",
    "price lists with a cue «цены: 12 500, 13 400…»": lambda r: "цены: " + ", ".join(
        f"{r.randint(1, 99)} {r.randint(0, 999):03d}" for _ in range(r.randint(3, 5))
    ),
    "timestamps «2026-11-24 15:59:56,123»": lambda r: (
        f"в {2026}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d} {r.randint(0, 23):02d}:{r.randint(0, 59):02d}:"
        f"{r.randint(0, 59):02d},{r.randint(0, 999):03d} ошибка"
    ),
}


WORST_CASES = {
    "40 KB of «a.a.a.…» (e-mail look-alike)": "a." * 20000,
    "40 KB of «1 1 1 …» (every digit a group)": "1 " * 20000,
    "60 KB of «12-12-…»": "12-" * 20000,
    "50 KB of «сорок два …»": "сорок два " * 5000,
    "24 KB of «cvv 123 …»": "cvv 123 " * 3000,
}


def worst_cases() -> None:
    """Long adversarial inputs: the redactor must stay roughly linear (a long e-mail or log line)."""
    print("worst-case inputs:")
    for name, text in WORST_CASES.items():
        began = time.perf_counter()
        redact(text)
        print(f"  {name:<44} {(time.perf_counter() - began) * 1000:8.0f} ms")


def stress_negatives(count: int) -> None:
    """Seeded number-heavy lines holding nothing to redact: what share gets a span anyway."""
    rng = random.Random(7)
    print(f"stress negatives ({count} lines per family, seeded): lines with any span")
    for name, make in STRESS_FAMILIES.items():
        hits = sum(bool(redact(make(rng)).spans) for _ in range(count))
        print(f"  {name:<48} {hits / count:>6.2%}")


if __name__ == "__main__":
    raise SystemExit(main())
