"""Drop folder connector: a directory (local or an SFTP mount) of recordings, CDR CSVs and JSON-lines.

What the folder holds, found by glob patterns (all configurable, relative to `path`):
Asterisk CDR CSVs with MixMonitor recordings, interaction manifests (JSON lines), agent
status events, staffing plans and booking/payment events (CSV with a header, or JSON lines).

The cursor is `{"<file>": records consumed}`: files only grow (Asterisk appends to
Master.csv), so a file's unread tail is what is new; a file that shrank was replaced and is
read again from the top (re-fetching is harmless, the store has a unique key).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from qa_service.connectors.asterisk_cdr import RecordingName, cdr_to_document, parse_cdr_rows, parse_recording_name
from qa_service.connectors.audio_check import AUDIO_EXTENSIONS, check_recording
from qa_service.connectors.base import (
    FetchedInteraction,
    FetchResult,
    ItemRef,
    PoisonItem,
    StaffingSlot,
    StatusEvent,
    TransactionRecord,
    TransientFetchError,
    config_error,
    dump_cursor,
    load_cursor,
    parse_tz,
    require,
)
from qa_service.connectors.manifest import BrokenRecord, complete_bytes, manifest_document, records_of, text_lines
from qa_service.connectors.sandbox import Sandbox
from qa_service.connectors.statuses import staffing_slot, status_event
from qa_service.connectors.transactions import transaction_record
from qa_service.core.errors import InvalidInteraction
from qa_service.core.interaction import validate_interaction

log = logging.getLogger(__name__)

DEFAULT_PATTERNS = {
    "cdr": ["**/cdr*.csv", "**/Master.csv"],
    "manifest": ["**/interactions*.jsonl", "**/manifest*.jsonl"],
    "status": ["**/status*.csv", "**/status*.jsonl"],
    "staffing": ["**/staffing*.csv", "**/staffing*.jsonl"],
    # Booking and payment events (АСБ, the payment gateway): `core.cases.matching.EVENT_KINDS`.
    "transaction": ["**/transactions*.csv", "**/transactions*.jsonl"],
}
BATCHED = ("status", "staffing", "transaction")
DEFAULT_CHANNELS = {"0": "agent", "1": "customer"}


class DropFolderConnector:
    """Reads a drop folder; see the module docstring for the layout and the cursor."""

    SECRET_KEYS: tuple[str, ...] = ()

    def __init__(self, name: str, config: dict[str, Any], secrets: dict[str, Any] | None = None,
                 sandbox: Sandbox | None = None) -> None:
        self.name = name
        if sandbox is not None:  # the tenant's folder, checked against the operator's allowance
            self.root = sandbox.folder(str(require(config, "path")))
        else:
            self.root = Path(str(require(config, "path"))).expanduser()
            if not self.root.is_dir():
                raise config_error("path", f"папка {self.root} не найдена", f"folder {self.root} does not exist")
        self._real_root = Path(os.path.realpath(self.root))
        self.tz = parse_tz(config.get("timezone"))
        self.patterns = {kind: _patterns(config.get(f"{kind}_files"), dflt) for kind, dflt in DEFAULT_PATTERNS.items()}
        for kind, patterns in self.patterns.items():
            if any(".." in Path(p).parts or Path(p).is_absolute() for p in patterns):
                raise config_error(f"{kind}_files", "шаблон должен оставаться внутри папки (без «..»)",
                                   "the pattern must stay inside the folder (no '..')")
        channels = config.get("channels", DEFAULT_CHANNELS)
        self.channels: dict[str, str] | None = {str(k): str(v) for k, v in channels.items()} if channels else None
        self.outbound_contexts = tuple(config.get("outbound_contexts") or ("from-internal",))
        self.agent_map: dict[str, str] = dict(config.get("agent_map") or {})
        self.status_map: dict[str, str] = dict(config.get("status_map") or {})
        self.recording_wait = float(config.get("recording_wait_seconds", 900))
        self.batch_size = max(1, int(config.get("batch_size", 500)))
        self._where: dict[tuple[str, str], tuple[str, str, int]] = {}
        # Parsed files and the recording index, reused while a file is unchanged: fetching
        # one call must not re-read a day's CDR file and re-scan the recordings each time.
        self._parsed: dict[Path, tuple[tuple[int, int], list[Any]]] = {}
        self._recording_index: dict[str, tuple[str, RecordingName]] | None = None
        self._invalid: dict[str, BrokenRecord] = {}  # refs of lines that can never be stored: why

    # --- listing -------------------------------------------------------------------------

    def _files(self) -> Iterator[tuple[str, Path]]:
        """(kind, path) of every data file, each once, in path order (the cursor's order)."""
        seen: dict[Path, str] = {}
        for kind, patterns in self.patterns.items():
            for pattern in patterns:
                for path in self.root.glob(pattern):
                    if path.is_file() and self._inside(path):
                        seen.setdefault(path, kind)
        for path in sorted(seen, key=lambda p: p.relative_to(self.root).as_posix()):
            yield seen[path], path

    def _inside(self, path: Path) -> bool:
        """A file that is really in the folder: a symlink out of it (another airline's folder) is not."""
        return not path.is_symlink() and Path(os.path.realpath(path)).is_relative_to(self._real_root)

    def _recordings(self, refresh: bool = False) -> dict[str, tuple[str, RecordingName]]:
        """uniqueid → (relative path, parsed name) of every MixMonitor recording in the folder."""
        if self._recording_index is not None and not refresh:
            return self._recording_index
        found: dict[str, tuple[str, RecordingName]] = {}
        for path in sorted(self.root.rglob("*")):
            if path.suffix.lower() in AUDIO_EXTENSIONS and path.is_file() and self._inside(path):
                parsed = parse_recording_name(path.name)
                if parsed is not None:
                    found.setdefault(parsed.uniqueid, (path.relative_to(self.root).as_posix(), parsed))
        self._recording_index = found
        return found

    def list_new(self, cursor: str | None, limit: int = 500) -> list[ItemRef]:
        """Unread records of every file, in file order then record order, at most `limit` refs."""
        progress: dict[str, int] = {k: int(v) for k, v in load_cursor(cursor).items() if isinstance(v, int)}
        recordings: dict[str, tuple[str, RecordingName]] | None = None
        refs: list[ItemRef] = []
        for kind, path in self._files():
            if len(refs) >= limit:
                break
            rel = path.relative_to(self.root).as_posix()
            records = self._records(kind, path)
            done = progress.get(rel, 0)
            if done > len(records):
                log.info("drop folder file %s shrank; reading it again", rel)
                done = 0
            if kind in BATCHED:
                while done < len(records) and len(refs) < limit:
                    end = min(len(records), done + self.batch_size)
                    progress[rel] = end
                    refs.append(ItemRef(kind, f"{rel}#{done}-{end}", dump_cursor(progress)))
                    done = end
                continue
            if kind == "cdr" and recordings is None:
                recordings = self._recordings(refresh=True)
            for index in range(done, len(records)):
                if len(refs) >= limit:
                    break
                record = records[index]
                if kind == "cdr" and isinstance(record, dict) and self._awaiting_recording(record, recordings or {}):
                    break  # its recording is still being copied: this file resumes here next run
                progress[rel] = index + 1
                broken = self._broken(kind, record, index)
                if broken is not None:
                    # Listed, so the run quarantines it with its reason and the cursor moves past it.
                    key = f"{rel}:{index + 1}"
                    self._invalid[key] = broken
                    refs.append(ItemRef("invalid", key, dump_cursor(progress)))
                    continue
                item = self._item_of(kind, record)
                if item is None:
                    continue
                item_kind, key = item
                self._where[(item_kind, key)] = (kind, rel, index)
                refs.append(ItemRef(item_kind, key, dump_cursor(progress)))
        return refs

    def _records(self, kind: str, path: Path) -> list[Any]:
        stat = path.stat()
        signature = (stat.st_size, stat.st_mtime_ns)
        cached = self._parsed.get(path)
        if cached is not None and cached[0] == signature:
            return cached[1]
        if kind == "cdr":
            records: list[Any] = parse_cdr_rows(text_lines(complete_bytes(path)))
        else:
            records = list(records_of(path))
        self._parsed[path] = (signature, records)
        return records

    @staticmethod
    def _broken(kind: str, record: Any, index: int) -> BrokenRecord | None:
        """Why a manifest line can never become an interaction, or None when it may."""
        if kind not in ("manifest", "cdr") or record is None:
            return None
        if isinstance(record, BrokenRecord):
            return record
        if kind == "cdr":
            if record.get("uniqueid") and record.get("start"):
                return None
            return BrokenRecord(
                f"строка {index + 1}: нет uniqueid или start", f"line {index + 1}: no uniqueid or start"
            )
        channel, key = record.get("channel"), record.get("external_id")
        if channel not in ("call", "chat", "email"):
            return BrokenRecord(
                f"строка {index + 1}: channel должен быть call, chat или email",
                f"line {index + 1}: channel must be call, chat or email",
            )
        if not isinstance(key, str) or not key.strip():
            return BrokenRecord(
                f"строка {index + 1}: нет external_id (непустой строки)",
                f"line {index + 1}: no external_id (a non-empty string)",
            )
        return None

    def _item_of(self, kind: str, record: dict[str, Any] | BrokenRecord | None) -> tuple[str, str] | None:
        if record is None or isinstance(record, BrokenRecord):
            return None
        if kind == "cdr":
            return ("call", record["uniqueid"]) if record.get("uniqueid") and record.get("start") else None
        channel, key = record.get("channel"), record.get("external_id")
        if channel not in ("call", "chat", "email") or not key:
            return None
        return str(channel), str(key)

    def _awaiting_recording(self, row: dict[str, str], recordings: dict[str, tuple[str, RecordingName]]) -> bool:
        if row.get("disposition", "").upper() != "ANSWERED" or row.get("uniqueid") in recordings:
            return False
        try:
            ended = datetime.strptime(row["end"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=self.tz)
        except ValueError:
            return False
        return time.time() - ended.timestamp() < self.recording_wait

    # --- fetching ------------------------------------------------------------------------

    def fetch(self, ref: ItemRef) -> FetchResult:
        """The interaction, status events or staffing slots a ref points to."""
        if ref.kind in BATCHED:
            return self._fetch_batch(ref)
        if ref.kind == "invalid":
            broken = self._invalid.get(ref.key) or BrokenRecord("строка не читается", "the line cannot be read")
            raise PoisonItem(f"{ref.key}: {broken.ru}", f"{ref.key}: {broken.en}")
        kind, rel, index = self._where.get((ref.kind, ref.key)) or self._locate(ref)
        records = self._records(kind, self.root / rel)
        record = records[index] if index < len(records) else None
        if not isinstance(record, dict):
            raise TransientFetchError(f"{ref.kind} {ref.key} is no longer in {rel}")
        where = f"{rel}:{index + 1}"
        try:
            if kind == "cdr":
                return self._fetch_cdr(record)
            return self._fetch_manifest(record, where)
        except (ValueError, LookupError, TypeError) as error:
            # A value the mapping cannot read (a date of 30 February): this line's fault, said with its place.
            detail = " ".join(f"{type(error).__name__}: {error}".split())[:300]
            raise PoisonItem(f"{where}: {detail}", f"{where}: {detail}") from None

    def describe(self, ref: ItemRef) -> str:
        """Where an item is in the folder (`file:line`), for the quarantine record."""
        if ref.kind == "invalid":
            return ref.key
        found = self._where.get((ref.kind, ref.key))
        return f"{found[1]}:{found[2] + 1}" if found else ref.key

    def _locate(self, ref: ItemRef) -> tuple[str, str, int]:
        for kind, path in self._files():
            if kind not in ("cdr", "manifest"):
                continue
            for index, record in enumerate(self._records(kind, path)):
                if self._item_of(kind, record) == (ref.kind, ref.key):
                    return kind, path.relative_to(self.root).as_posix(), index
        raise TransientFetchError(f"{ref.kind} {ref.key} not found in drop folder {self.root}")

    def _fetch_cdr(self, row: dict[str, str]) -> FetchedInteraction:
        found = self._recordings().get(row["uniqueid"]) or self._recordings(refresh=True).get(row["uniqueid"])
        rel, parsed = found if found else (None, None)
        document = cdr_to_document(
            row,
            source=self.name,
            tz=self.tz,
            recording_path=rel,
            recording_name=parsed,
            channels=self.channels,
            outbound_contexts=self.outbound_contexts,
            agent_map=self.agent_map,
        )
        if rel is None:
            return FetchedInteraction(document)
        if not self._inside(self.root / rel):
            raise PoisonItem(f"запись {rel} вне папки", f"recording {rel} is outside the folder")
        data = (self.root / rel).read_bytes()
        self._check_recording(data, rel, self.root / rel)
        return FetchedInteraction(document, data, Path(rel).name)

    def _fetch_manifest(self, record: dict[str, Any], where: str) -> FetchedInteraction:
        document = manifest_document(record, self.name)
        try:
            validate_interaction(document)
        except InvalidInteraction as error:
            raise PoisonItem(f"{where}: {error.ru}", f"{where}: {error.en}") from None
        uri = (document.get("recording") or {}).get("uri")
        if not uri:
            return FetchedInteraction(document)
        try:
            path = (self.root / str(uri)).resolve()
        except (OSError, ValueError) as error:  # a NUL byte, a name too long
            raise PoisonItem(
                f"{where}: recording.uri не путь ({error})", f"{where}: recording.uri is not a path ({error})"
            ) from None
        if not path.is_relative_to(self._real_root) or not self._inside(self.root / str(uri)):
            raise PoisonItem(
                f"{where}: путь записи вне папки: {uri}", f"{where}: recording path outside the folder: {uri}"
            )
        if not path.is_file():
            if self._settled(self.root / where.rsplit(":", 1)[0]):
                raise PoisonItem(f"{where}: записи {uri} нет в папке", f"{where}: recording {uri} is not in the folder")
            raise TransientFetchError(f"recording {uri} of {document.get('external_id')} is not there yet")
        data = path.read_bytes()
        self._check_recording(data, str(uri), path)
        return FetchedInteraction(document, data, path.name)

    def _settled(self, path: Path) -> bool:
        """Whether `path` has not changed for `recording_wait_seconds`: a copy in progress would have."""
        try:
            return time.time() - path.stat().st_mtime >= self.recording_wait
        except OSError:
            return False

    def _check_recording(self, data: bytes, name: str, path: Path) -> None:
        """A cut or empty recording waits while it may still be being copied; once settled it is quarantined."""
        try:
            check_recording(data, name)
        except TransientFetchError as error:
            if not self._settled(path):
                raise
            raise PoisonItem(
                f"запись {name} неполная или пустая: {error}", f"recording {name} is incomplete or empty: {error}"
            ) from None

    def _fetch_batch(self, ref: ItemRef) -> list[StatusEvent] | list[StaffingSlot] | list[TransactionRecord]:
        rel, _, span = ref.key.rpartition("#")
        start, _, end = span.partition("-")
        path = self.root / rel
        if not path.is_file():
            raise TransientFetchError(f"{rel} is no longer in the drop folder")
        records = records_of(path)[int(start) : int(end)]
        if ref.kind == "transaction":  # keyed by the platform's id when it gives one: a re-export is no duplicate
            found = (transaction_record(r, f"{self.name}:{r.get('id') or f'{rel}#{int(start) + i}'}", self.tz)
                     for i, r in enumerate(records) if isinstance(r, dict))
            return [t for t in found if t is not None]
        if ref.kind == "status":
            events = (
                status_event(r, f"{rel}#{int(start) + i}", self.tz, self.status_map)
                for i, r in enumerate(records)
                if isinstance(r, dict)
            )
            return [e for e in events if e is not None]
        slots = (staffing_slot(r, self.tz) for r in records if isinstance(r, dict))
        return [s for s in slots if s is not None]


def _patterns(value: Any, default: list[str]) -> list[str]:
    if value is None:
        return default
    return [value] if isinstance(value, str) else [str(v) for v in value]
