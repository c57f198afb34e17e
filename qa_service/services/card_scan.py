"""The card scan: every stored cell, blob, spooled file and log line, checked for a card number.

The proof behind "no full card number anywhere": the schema is reflected (so a table or column
added later is scanned without anyone listing it), every row is read, and every text in it —
JSON keys and values at any depth, integers as their digits — is checked with the stored-text
rule (`core.redaction.card_words.stored_card_runs`: a Luhn-valid 13–19-digit run, separated by
spaces, dashes, dots, underscores or nothing; URL-encoded; with markup read as text, so
«<b>4111</b> 1111…» is one number; in Russian or English words).  Files are read as bytes; an
XLSX/DOCX (a zip) is read member by member and a PDF by its text, since compression hides digits
from a byte scan.  Redis is read too: every key's name (a rate limiter's key is made of what a
client sent) and its values.  Findings show the last four digits only.
A security code has no checksum: three or four digits right after a CVV cue («CVV 123», «три
цифры на обороте: семь четыре два») are a finding too, and nothing of a code is shown.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import logging
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, select

from qa_service.config import Settings
from qa_service.core.redaction.card_runs import card_runs_anywhere
from qa_service.core.redaction.card_words import stored_card_runs
from qa_service.core.redaction.spoken_cards import cvv_after_cues
from qa_service.db.blobs import BlobStore, LocalBlobStore
from qa_service.db.session import engine_for

log = logging.getLogger(__name__)

_CHUNK = 1 << 20
_OVERLAP = 64  # a card (19 digits, 18 separators of up to 3 characters) never spans more
CVV_MASK = "CVV ***"  # a security code after its cue: nothing of it is shown


@dataclass(frozen=True)
class CardFinding:
    """One card-like number: where (table.column or file), which row or line, and its last four digits."""

    where: str
    at: str
    masked: str

    def line(self) -> str:
        return f"{self.where} [{self.at}]: {self.masked}"


@dataclass
class CardScanReport:
    """What was scanned and what was found."""

    tables: list[str] = field(default_factory=list)
    columns: int = 0
    rows: int = 0
    cells: int = 0
    files: list[str] = field(default_factory=list)
    redis_keys: int = 0
    recordings: int = 0
    findings: list[CardFinding] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.findings

    def as_json(self) -> dict[str, Any]:
        return {
            "clean": self.clean, "tables": len(self.tables), "columns": self.columns, "rows": self.rows,
            "cells": self.cells, "files": len(self.files),
            "redis_keys": self.redis_keys, "recordings": self.recordings,
            "findings": [{"where": f.where, "at": f.at, "masked": f.masked} for f in self.findings],
        }


def _texts(value: Any) -> Iterator[str]:
    """Every text a stored value holds: strings, JSON keys and strings at any depth, integers' digits.

    Floats and decimals are measurements (a float's repr is not a number anyone typed); a
    card number cannot be kept exactly in either.
    """
    if value is None or isinstance(value, bool | float | Decimal):
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, int):
        yield str(value)
    elif isinstance(value, bytes | bytearray | memoryview):
        yield bytes(value).decode("latin-1")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(key)
            yield from _texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)
    else:
        yield str(value)


def scan_database(url: str, report: CardScanReport) -> None:
    """Every column of every table of the database at `url` (its schema reflected, not the models')."""
    engine = engine_for(url)
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            report.tables.append(table.name)
            report.columns += len(table.columns)
            keys = [c.name for c in table.primary_key.columns] or [table.columns[0].name]
            result = connection.execution_options(yield_per=1000).execute(select(table))
            for row in result.mappings():
                report.rows += 1
                row_id = ",".join(f"{k}={row[k]}" for k in keys)
                for column, value in row.items():
                    report.cells += 1
                    for text in _texts(value):
                        for run in stored_card_runs(text):
                            report.findings.append(CardFinding(f"{table.name}.{column}", row_id, run.masked))
                        if cvv_after_cues(text):
                            report.findings.append(CardFinding(f"{table.name}.{column}", row_id, CVV_MASK))


def _file_texts(path: Path) -> Iterator[tuple[str, str, bool]]:
    """(where in the file, text, read fully) pieces of a file: chunks of its bytes, its members or PDF text.

    "Read fully" (URL-decoding, markup as text, numbers in words) is for text: a text file's bytes,
    a zip's members (a DOCX's `word/document.xml` splits digits across `<w:t>` runs), a PDF's
    pages.  A binary file's bytes are read for digits only.
    """
    with path.open("rb") as stream:
        head = stream.read(4096)
    textual = b"\x00" not in head and not head.startswith((b"PK\x03\x04", b"%PDF-", b"RIFF", b"fLaC", b"OggS"))
    with path.open("rb") as stream:
        offset, carry = 0, b""
        while chunk := stream.read(_CHUNK):
            data = carry + chunk
            yield f"byte {offset - len(carry)}", data.decode("utf-8" if textual else "latin-1", "replace"), textual
            offset += len(chunk)
            carry = chunk[-_OVERLAP:]
    if head.startswith(b"PK\x03\x04"):
        yield from _zip_texts(path)
    elif head.startswith(b"%PDF-"):
        yield from _pdf_texts(path)


def _zip_texts(path: Path) -> Iterator[tuple[str, str, bool]]:
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.infolist():
                if member.file_size <= 64 * _CHUNK:
                    yield f"member {member.filename}", archive.read(member).decode("utf-8", "replace"), True
    except (zipfile.BadZipFile, OSError) as error:
        log.warning("card scan: %s is not a readable zip (%s)", path, error)


def _pdf_texts(path: Path) -> Iterator[tuple[str, str, bool]]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(path.read_bytes()))
        for number, page in enumerate(reader.pages, start=1):
            yield f"page {number}", page.extract_text() or "", True
    except (PyPdfError, ValueError, KeyError) as error:
        log.warning("card scan: %s is not a readable PDF (%s)", path, error)


def _each_file(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            yield path


def scan_files(paths: Iterable[Path], report: CardScanReport) -> None:
    """Every file under `paths` (folders walked), read as bytes and, for zips and PDFs, as text too."""
    for path in _each_file(paths):
        _scan_file(path, str(path), path.name, report)


def _scan_file(path: Path, where: str, name: str, report: CardScanReport) -> None:
    report.files.append(where)
    seen: set[str] = set()  # each number once per file: chunks overlap, members repeat the bytes
    for at, text, textual in itertools.chain([("file name", name, True)], _file_texts(path)):
        for run in stored_card_runs(text) if textual else card_runs_anywhere(text):
            if run.digits not in seen:
                seen.add(run.digits)
                report.findings.append(CardFinding(where, at, run.masked))
        # A binary file's bytes were read as latin-1 (digits survive any encoding); cues are Russian words
        # in UTF-8, so those bytes are read again as UTF-8. Text was read as UTF-8 already.
        readable = text if textual else text.encode("latin-1", "replace").decode("utf-8", "ignore")
        for start, end in cvv_after_cues(readable):
            key = f"cvv:{readable[start:end]}"
            if key not in seen:
                seen.add(key)
                report.findings.append(CardFinding(where, at, CVV_MASK))


def scan_blob_store(store: BlobStore, report: CardScanReport) -> None:
    """Every blob of a store that is not a local folder (an S3 bucket): each one copied to a private
    temporary file, read as `scan_files` reads a file, and removed at once (zips and PDFs need seeking)."""
    keys = getattr(store, "keys", None)
    if keys is None:
        return
    label = getattr(getattr(store, "location", None), "bucket", "blobs")
    with tempfile.TemporaryDirectory(prefix="card-scan-") as folder:  # created 0700
        copy = Path(folder) / "blob"
        for key in keys():
            with store.open(key) as blob, copy.open("wb") as out:
                shutil.copyfileobj(blob.stream, out)
            try:
                _scan_file(copy, f"s3://{label}/{key}", key.rsplit("/", 1)[-1], report)
            finally:
                copy.unlink(missing_ok=True)


def stored_file_roots(settings: Settings) -> list[Path]:
    """The folders the service keeps files in: the blob store and the spool."""
    roots = [settings.spool]
    store = BlobStore.from_url(settings.blob_url)
    if isinstance(store, LocalBlobStore):
        roots.insert(0, store.root)
    return roots


def _redis_text(value: bytes) -> str:
    """A Redis value as text; RQ keeps a job's data zlib-compressed, so that is opened too."""
    if value[:1] == b"x":
        with contextlib.suppress(zlib.error):
            value = zlib.decompress(value)
    return value.decode("utf-8", "replace")


def scan_redis(entries: Iterable[tuple[bytes, Iterable[bytes]]], report: CardScanReport) -> None:
    """Every Redis key given as (name, values): the name (a rate limiter's key is made of what a
    client sent) and its values.  The reading of Redis is the caller's (`cli.security.redis_entries`)."""
    for key, values in entries:
        report.redis_keys += 1
        name = key.decode("utf-8", "replace")
        seen: set[str] = set()
        for text in itertools.chain([name], (_redis_text(v) for v in values)):
            for run in stored_card_runs(text):
                if run.digits not in seen:
                    seen.add(run.digits)
                    # The key's name is not shown: it may be the very number found.
                    at = f"key #{report.redis_keys}" + ("" if text == name else ", value")
                    report.findings.append(CardFinding("redis", at, run.masked))


def scan_for_cards(
    settings: Settings, logs: Iterable[Path] = (), *,
    redis_entries: Iterable[tuple[bytes, Iterable[bytes]]] = (), audio: bool = False,
) -> CardScanReport:
    """The whole scan: the database, Redis (its `redis_entries`), the blob store, the spool and the logs.

    `audio`: the stored recordings are listened to as well (transcribed again, every decoded word
    kept, see `card_scan_audio`): slow, the speech model runs over each call.
    """
    report = CardScanReport()
    scan_database(settings.sqlalchemy_url, report)
    scan_redis(redis_entries, report)
    scan_files([*stored_file_roots(settings), *logs], report)
    store = BlobStore.from_url(settings.blob_url)
    if not isinstance(store, LocalBlobStore):
        scan_blob_store(store, report)
    if audio:
        from qa_service.services.card_scan_audio import scan_recordings

        scan_recordings(settings, report)
    return report
