"""AutoQA against the independently written evaluation set (benchmarks/data/autoqa_eval/).

Run: `.venv/bin/python benchmarks/autoqa.py [--part dev|heldout|both] [--errors] [--json]`.

Each interaction goes the way ingestion sends it: redaction of every turn (with the tenant's
public phones kept and names redacted, as a tenant's defaults say), the card flag, then the
shipped rubric of its channel.  Printed per part: per-criterion agreement (matched/total),
the yes/no/na confusion per criterion, false critical failures, the per-interaction score
error, and name redaction recall / kept places.

The held-out part is frozen: measure it once per change; `--errors` lists individual misses
for the dev part only, so the held-out part cannot be tuned on by reading its errors.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from qa_service.core.interaction import Interaction, parse_interaction
from qa_service.core.redaction import redact_interaction
from qa_service.core.rubric import default_rubric_id, load_rubric
from qa_service.core.scoring import score_interaction
from qa_service.core.scoring.arithmetic import summarize
from qa_service.core.tenant_settings import TenantSettings

DATA = Path(__file__).parent / "data" / "autoqa_eval"
# The evaluation tenant's own hotline, as its settings would list it.
TENANT = TenantSettings(public_phones=("8 800 555-35-35",))
ANSWERS = ("yes", "no", "na", "null")


def load_part(part: str) -> list[dict[str, Any]]:
    with (DATA / f"{part}.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def prepare(raw: dict[str, Any]) -> tuple[Interaction, Interaction]:
    """(original, redacted-as-stored) interaction; the card flag set the way ingestion sets it."""
    original = parse_interaction(raw)
    redacted = redact_interaction(parse_interaction(raw), keep_phones=TENANT.public_phones,
                                  redact_names=TENANT.redact_names)
    item = redacted.interaction
    if redacted.card_seen:
        item.meta["card_data_detected"] = True
    return original, item


def _count_words(texts: list[str], word: str) -> int:
    pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
    return sum(len(pattern.findall(t)) for t in texts)


def name_figures(row: dict[str, Any], original: Interaction, stored: Interaction) -> tuple[int, int, int, int]:
    """(name words said, name words left, kept strings expected, kept strings lost)."""
    before = [t.text for t in original.turns]
    after = [t.text for t in stored.turns]
    keep_words = {w.lower() for k in row["keep"] for w in re.findall(r"\w+", k)}
    name_words = {w for n in row["names"] for w in re.findall(r"\w+", n) if w.lower() not in keep_words}
    said = sum(_count_words(before, w) for w in name_words)
    left = sum(_count_words(after, w) for w in name_words)
    lost = sum(1 for k in row["keep"] if sum(t.count(k) for t in after) < sum(t.count(k) for t in before))
    return said, left, len(row["keep"]), lost


def evaluate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    per_criterion: dict[str, Counter[str]] = defaultdict(Counter)
    confusion: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    errors: list[dict[str, Any]] = []
    false_critical: list[str] = []
    missed_critical: list[str] = []
    score_errors: list[float] = []
    names = [0, 0, 0, 0]
    for row in rows:
        original, item = prepare(row["interaction"])
        rubric = load_rubric(default_rubric_id(item.channel))
        evaluation = score_interaction(item, rubric)
        got = {a.id: a for a in evaluation.criteria}
        for cid, want in row["expected"].items():
            answer = got[cid]
            shown = "null" if answer.answer is None else str(answer.answer)
            per_criterion[cid]["total"] += 1
            per_criterion[cid]["matched"] += shown == want
            confusion[cid][(want, shown)] += 1
            if shown != want:
                errors.append({"id": row["id"], "criterion": cid, "expected": want, "got": shown,
                               "reason": answer.reason, "why": row["why"].get(cid, "")})
            if answer.critical and shown == "no" and want != "no":
                false_critical.append(f"{row['id']}:{cid}")
            if answer.critical and want == "no" and shown != "no":
                missed_critical.append(f"{row['id']}:{cid}")
        wanted = [(row["expected"].get(a.id, a.answer), a.max_points, a.critical) for a in evaluation.criteria]
        want_score = summarize(wanted).score
        if want_score is not None and evaluation.score is not None:
            score_errors.append(abs(want_score - evaluation.score))
        for i, value in enumerate(name_figures(row, original, item)):
            names[i] += value
    matched = sum(c["matched"] for c in per_criterion.values())
    total = sum(c["total"] for c in per_criterion.values())
    return {
        "interactions": len(rows), "matched": matched, "total": total,
        "agreement": matched / total if total else None,
        "per_criterion": {k: dict(v) for k, v in sorted(per_criterion.items())},
        "confusion": {k: {f"{w}->{g}": n for (w, g), n in sorted(v.items())} for k, v in sorted(confusion.items())},
        "false_critical": false_critical, "missed_critical": missed_critical,
        "score_error_mean": statistics.fmean(score_errors) if score_errors else None,
        "score_error_max": max(score_errors) if score_errors else None,
        "score_exact": sum(e < 0.01 for e in score_errors), "scored": len(score_errors),
        "names_said": names[0], "names_left": names[1],
        "name_recall": 1 - names[1] / names[0] if names[0] else None,
        "kept_expected": names[2], "kept_lost": names[3],
        "errors": errors,
    }


def _print(part: str, result: dict[str, Any], show_errors: bool) -> None:
    print(f"\n== {part}: {result['interactions']} interactions; criterion answers matched "
          f"{result['matched']}/{result['total']} = {100 * (result['agreement'] or 0):.1f} %")
    print(f"{'criterion':<22}{'matched':>10}   confusion expected→got (yes/no/na/null)")
    for cid, counts in result["per_criterion"].items():
        cells = ", ".join(f"{k}:{n}" for k, n in result["confusion"][cid].items())
        print(f"{cid:<22}{counts['matched']:>4}/{counts['total']:<5}   {cells}")
    print(f"false critical failures: {len(result['false_critical'])} {result['false_critical']}")
    print(f"missed critical failures: {len(result['missed_critical'])} {result['missed_critical']}")
    print(f"score error: mean {result['score_error_mean']:.2f}, max {result['score_error_max']:.2f}, "
          f"exact {result['score_exact']}/{result['scored']}")
    recall = result["name_recall"]
    print(f"names: {result['names_said'] - result['names_left']}/{result['names_said']} name words redacted "
          f"(recall {100 * (recall or 0):.1f} %); kept strings lost {result['kept_lost']}/{result['kept_expected']}")
    if show_errors:
        for e in result["errors"]:
            print(f"  {e['id']:<5} {e['criterion']:<18} want {e['expected']:<4} got {e['got']:<4} {e['reason']}"
                  + (f"  [set: {e['why']}]" if e["why"] else ""))


def tune_semantic() -> int:
    """Sweep the semantic fallback's threshold on the dev part only; print agreement per threshold."""
    from qa_service.core.scoring import semantic

    rows = load_part("dev")
    for threshold in (0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.01):
        semantic.THRESHOLD = threshold
        result = evaluate(rows)
        print(f"threshold {threshold:.2f}: {result['matched']}/{result['total']} "
              f"({100 * result['agreement']:.1f} %), false critical {len(result['false_critical'])}, "
              f"score error {result['score_error_mean']:.2f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("dev", "heldout", "both"), default="both")
    parser.add_argument("--errors", action="store_true", help="list the dev part's individual misses")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--tune-semantic", action="store_true",
                        help="agreement on the dev part for semantic-fallback thresholds (never the held-out part)")
    args = parser.parse_args(argv)
    if args.tune_semantic:
        return tune_semantic()
    parts = ["dev", "heldout"] if args.part == "both" else [args.part]
    results = {part: evaluate(load_part(part)) for part in parts}
    if args.json:
        for part, result in results.items():
            if part == "heldout":
                result.pop("errors")
        json.dump(results, sys.stdout, ensure_ascii=False, indent=1)
        return 0
    for part, result in results.items():
        _print(part, result, args.errors and part == "dev")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
