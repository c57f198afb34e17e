"""JSON-lines files in a drop folder: manifests of interactions, status events, staffing plans.

Platforms other than Asterisk drop one interaction JSON (the contract) per line, with
`recording.uri` relative to the folder.  Only complete lines count: a file still being
written ends without a newline, and its last line waits for the next run.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any


def complete_text(path: Path) -> str:
    """The file's text up to its last newline (a half-written last line is left for later)."""
    data = path.read_bytes()
    cut = data.rfind(b"\n")
    return data[: cut + 1].decode("utf-8-sig", errors="replace") if cut >= 0 else ""


def jsonl_records(text: str) -> list[dict[str, Any] | None]:
    """One entry per line, in order: the JSON object, or None for a blank or broken line."""
    records: list[dict[str, Any] | None] = []
    for line in text.splitlines():
        try:
            value = json.loads(line) if line.strip() else None
        except ValueError:
            value = None
        records.append(value if isinstance(value, dict) else None)
    return records


def csv_records(text: str) -> list[dict[str, Any] | None]:
    """CSV with a header row: one entry per record, the header itself counted as None."""
    reader = csv.reader(io.StringIO(text))
    entries: list[dict[str, Any] | None] = []
    header: list[str] | None = None
    for record in reader:
        if header is None:
            header = [h.strip().lower() for h in record]
            entries.append(None)
            continue
        entries.append(dict(zip(header, (v.strip() for v in record), strict=False)) if record else None)
    return entries


def records_of(path: Path) -> list[dict[str, Any] | None]:
    """The records of a `.jsonl` or `.csv` file in the drop folder."""
    text = complete_text(path)
    return jsonl_records(text) if path.suffix.lower() in (".jsonl", ".ndjson") else csv_records(text)


def manifest_document(record: dict[str, Any], source: str) -> dict[str, Any]:
    """A manifest line as an interaction document: the platform's own fields, our source name."""
    document = dict(record)
    document["source"] = source
    document.setdefault("turns", [])
    return document
