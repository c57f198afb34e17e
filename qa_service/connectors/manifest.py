"""JSON-lines files in a drop folder: manifests of interactions, status events, staffing plans.

Platforms other than Asterisk drop one interaction JSON (the contract) per line, with
`recording.uri` relative to the folder.  Only complete lines count: a file still being
written ends without a newline, and its last line waits for the next run.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class BrokenRecord:
    """A line that is not a JSON object: kept in its place so the cursor can count it and move past it."""

    ru: str
    en: str


def _broken_json(number: int, error: Exception) -> BrokenRecord:
    detail = " ".join(str(error).split())[:200]
    return BrokenRecord(f"строка {number}: не JSON ({detail})", f"line {number}: not JSON ({detail})")


def complete_bytes(path: Path) -> bytes:
    """The file up to its last newline (a half-written last line is left for later)."""
    data = path.read_bytes()
    cut = data.rfind(b"\n")
    return data[: cut + 1] if cut >= 0 else b""


def complete_text(path: Path) -> str:
    """The file's text up to its last newline (a half-written last line is left for later)."""
    return complete_bytes(path).decode("utf-8-sig", errors="replace")


def text_lines(data: bytes) -> list[str | BrokenRecord]:
    """Each complete line decoded on its own: a line that is not UTF-8 is broken, not silently mangled.

    Only "\n" ends a line: str.splitlines() would also split inside a record at U+2028 or \\x1c.
    """
    data = data.removeprefix(b"\xef\xbb\xbf")
    lines: list[str | BrokenRecord] = []
    for number, raw in enumerate(data.split(b"\n")[:-1], start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError as error:
            lines.append(BrokenRecord(
                f"строка {number}: не в кодировке UTF-8 (байт {error.start})",
                f"line {number}: not UTF-8 (byte {error.start})",
            ))
    return lines


def jsonl_records(lines: list[str | BrokenRecord]) -> list[dict[str, Any] | BrokenRecord | None]:
    """One entry per line, in order: the JSON object, a `BrokenRecord`, or None for a blank line."""
    records: list[dict[str, Any] | BrokenRecord | None] = []
    for number, line in enumerate(lines, start=1):
        if isinstance(line, BrokenRecord):
            records.append(line)
            continue
        if not line.strip():
            records.append(None)
            continue
        try:
            value = json.loads(line)
        except (ValueError, RecursionError) as error:  # RecursionError: "[[[[…" thousands deep
            records.append(_broken_json(number, error))
            continue
        if isinstance(value, dict):
            records.append(value)
        else:
            records.append(BrokenRecord(
                f"строка {number}: ожидается JSON-объект, а не {type(value).__name__}",
                f"line {number}: a JSON object is expected, not {type(value).__name__}",
            ))
    return records


def csv_records(text: str) -> list[dict[str, Any] | BrokenRecord | None]:
    """CSV with a header row: one entry per record, the header itself counted as None."""
    reader = csv.reader(io.StringIO(text))
    entries: list[dict[str, Any] | BrokenRecord | None] = []
    header: list[str] | None = None
    for record in reader:
        if header is None:
            header = [h.strip().lower() for h in record]
            entries.append(None)
            continue
        entries.append(dict(zip(header, (v.strip() for v in record), strict=False)) if record else None)
    return entries


def records_of(path: Path) -> list[dict[str, Any] | BrokenRecord | None]:
    """The records of a `.jsonl` or `.csv` file in the drop folder."""
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return jsonl_records(text_lines(complete_bytes(path)))
    return csv_records(complete_text(path))


def manifest_document(record: dict[str, Any], source: str) -> dict[str, Any]:
    """A manifest line as an interaction document: the platform's own fields, our source name."""
    document = dict(record)
    document["source"] = source
    document.setdefault("turns", [])
    return document
