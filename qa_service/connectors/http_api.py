"""HTTP API connector: paginated JSON of calls, chats, e-mails, agent statuses, staffing and transaction events.

Configuration (plain dict; `token` is a secret):
  base_url (required), timeout (s, 10), page_size (100), timezone ("+03:00"),
  endpoints {kind: path} (defaults: the simulator's /api/v1/…; null disables a kind),
  item_paths {kind: "/api/v1/calls/{id}"}, since_param ("since"), limit_param ("limit"),
  items_key ("items"), next_key ("next": a URL, absolute or relative), auth_header
  ("Authorization"), auth_scheme ("Bearer"), field_mapping {kind: overrides}, status_map,
  batch_size (status/staffing records per ref, 500), verify_tls (true).

The cursor is `{kind: [time, id]}` of the last stored record of each kind; the platform is
asked for records with its cursor field ≥ that time and the ones already stored are
dropped here, so records sharing a timestamp are neither lost nor doubled.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx

from qa_service.connectors.audio_check import check_recording
from qa_service.connectors.base import (
    KINDS,
    ConnectorConfigError,
    FetchedInteraction,
    FetchResult,
    ItemRef,
    StaffingSlot,
    StatusEvent,
    TransactionRecord,
    TransientFetchError,
    dump_cursor,
    iso,
    load_cursor,
    parse_tz,
    require,
)
from qa_service.connectors.field_mapping import get_path, map_fields, map_record, merge_mapping
from qa_service.connectors.sandbox import CONNECT_TIMEOUT_SECONDS, Sandbox
from qa_service.connectors.statuses import parse_moment, staffing_slot, status_event
from qa_service.connectors.transactions import transaction_record
from qa_service.core.errors import InvalidInteraction
from qa_service.core.interaction import validate_interaction

DEFAULT_ENDPOINTS = {"call": "/api/v1/calls", "chat": "/api/v1/chats", "email": "/api/v1/emails",
                     "status": "/api/v1/agent-statuses", "staffing": "/api/v1/staffing"}

BATCHED = ("status", "staffing", "transaction")  # small records, fetched from the listing in batches
_Entry = tuple[datetime, str, dict[str, Any]]  # (cursor time, platform id, record)


class HttpApiConnector:
    """Reads the platform's HTTP API; see the module docstring for settings and cursor."""

    SECRET_KEYS: tuple[str, ...] = ("token",)

    def __init__(self, name: str, config: dict[str, Any], secrets: dict[str, Any] | None = None,
                 sandbox: Sandbox | None = None) -> None:
        self.name = name
        self.base_url = str(require(config, "base_url")).rstrip("/")
        if not self.base_url.startswith(("http://", "https://")):
            raise ConnectorConfigError(
                f"настройка коннектора «base_url»: нужен адрес http(s)://, а не {self.base_url!r}",
                f"connector setting 'base_url': expected an http(s):// URL, not {self.base_url!r}",
            )
        self.sandbox = sandbox
        if sandbox is not None:
            base = httpx.URL(self.base_url)
            sandbox.check_host(base.host, base.port or (443 if base.scheme == "https" else 80))
        self.tz = parse_tz(config.get("timezone"))
        endpoints = {**DEFAULT_ENDPOINTS, **(config.get("endpoints") or {})}
        self.endpoints = {k: v for k, v in endpoints.items() if k in KINDS and v}
        self.item_paths = {k: f"{v}/{{id}}" for k, v in self.endpoints.items()} | dict(config.get("item_paths") or {})
        self.mappings = {k: merge_mapping(k, (config.get("field_mapping") or {}).get(k)) for k in self.endpoints}
        self.page_size = max(1, int(config.get("page_size", 100)))
        self.batch_size = max(1, int(config.get("batch_size", 500)))
        self.since_param = str(config.get("since_param", "since"))
        self.limit_param = str(config.get("limit_param", "limit"))
        self.items_key = str(config.get("items_key", "items"))
        self.next_key = str(config.get("next_key", "next"))
        self.status_map: dict[str, str] = dict(config.get("status_map") or {})
        headers = {"Accept": "application/json"}
        token = (secrets or {}).get("token")
        if token:
            scheme = config.get("auth_scheme", "Bearer")
            headers[str(config.get("auth_header", "Authorization"))] = f"{scheme} {token}" if scheme else str(token)
        self._client_options: dict[str, Any] = {
            "base_url": self.base_url,
            "headers": headers,
            # A short connect timeout: a silent address must not hold the worker (or the test button).
            "timeout": httpx.Timeout(timeout := float(config.get("timeout", 10)),
                                     connect=min(timeout, CONNECT_TIMEOUT_SECONDS)),
            # Built once: a fresh default context per call costs more than the request itself.
            "verify": ssl.create_default_context() if config.get("verify_tls", True) else False,
            "follow_redirects": True,
            # Every request — `next` links, recordings, each redirect hop — is checked before it leaves.
            "event_hooks": {"request": [self._check_request]} if sandbox is not None else {},
        }
        self._client: httpx.Client | None = None
        self._batches: dict[str, list[dict[str, Any]]] = {}

    def session(self) -> contextlib.AbstractContextManager[httpx.Client]:
        """Keep one HTTP client (and its connections) open across many `list_new`/`fetch` calls."""
        return self._session()

    @contextlib.contextmanager
    def _session(self) -> Iterator[httpx.Client]:
        """One HTTP client per list_new / fetch call: nothing stays open between polls."""
        if self._client is not None:
            yield self._client
            return
        with httpx.Client(**self._client_options) as client:
            self._client = client
            try:
                yield client
            finally:
                self._client = None

    def _check_request(self, request: httpx.Request) -> None:
        assert self.sandbox is not None
        self.sandbox.check_host(request.url.host, request.url.port or (443 if request.url.scheme == "https" else 80))

    def _absolute(self, url: str) -> str:
        return url if url.startswith(("http://", "https://")) else f"{self.base_url}/{url.lstrip('/')}"

    # --- HTTP ------------------------------------------------------------------------------

    def _get(self, url: str, params: dict[str, Any] | None = None) -> httpx.Response:
        assert self._client is not None, "HTTP calls happen inside _session()"
        try:
            # An empty params dict would wipe the query of a `next` link: pass None then.
            response = self._client.get(url, params=params or None)
        except httpx.TimeoutException as error:
            raise TransientFetchError(f"{self.name}: timeout on {url}: {error}") from error
        except httpx.HTTPError as error:  # connection refused, reset, cut body…
            raise TransientFetchError(f"{self.name}: {type(error).__name__} on {url}: {error}") from error
        if response.status_code in (401, 403):
            raise ConnectorConfigError(
                f"платформа отклонила токен коннектора «{self.name}» (HTTP {response.status_code})",
                f"the platform rejected the token of connector '{self.name}' (HTTP {response.status_code})",
            )
        if response.status_code >= 400:  # 5xx, 429, and 404 of an item the list just named
            raise TransientFetchError(f"{self.name}: HTTP {response.status_code} on {url}")
        return response

    def _get_json(self, url: str, params: dict[str, Any] | None = None) -> Any:
        response = self._get(url, params)
        try:
            return response.json()
        except ValueError as error:
            raise TransientFetchError(f"{self.name}: malformed JSON from {url}: {error}") from error

    # --- listing ---------------------------------------------------------------------------

    def _entries(self, kind: str, after: tuple[datetime, str] | None, limit: int) -> list[_Entry]:
        """Records of one kind after the cursor, in (time, id) order, at least `limit` if there are."""
        mapping = self.mappings[kind]
        params: dict[str, Any] = {self.limit_param: self.page_size}
        if after is not None:
            params[self.since_param] = iso(after[0])
        url: str | None = self.endpoints[kind]
        entries: list[_Entry] = []
        while url is not None:
            body = self._get_json(url, params)
            items = get_path(body, self.items_key) if isinstance(body, dict) else body
            if not isinstance(items, list):
                raise TransientFetchError(f"{self.name}: no '{self.items_key}' list in the page of {url}")
            for record in items:
                entry = self._entry(record, mapping)
                if entry is not None and (after is None or (entry[0], entry[1]) > after):
                    entries.append(entry)
            following = get_path(body, self.next_key) if isinstance(body, dict) else None
            url, params = (str(following), {}) if following and items else (None, {})
            if len(entries) >= limit:
                break
        entries.sort(key=lambda e: (e[0], e[1]))
        return entries

    def _entry(self, record: Any, mapping: dict[str, Any]) -> _Entry | None:
        if not isinstance(record, dict):
            return None
        key, moment = get_path(record, mapping.get("id", "id")), get_path(record, mapping.get("cursor", "updated_at"))
        if key in (None, "") or moment in (None, ""):
            return None
        try:
            return parse_moment(moment, self.tz), str(key), record
        except ValueError:
            return None

    def list_new(self, cursor: str | None, limit: int = 500) -> list[ItemRef]:
        """New records of every kind merged in time order; status/staffing grouped into batches."""
        with self._session():
            return self._list_new(cursor, limit)

    def _list_new(self, cursor: str | None, limit: int) -> list[ItemRef]:
        state = load_cursor(cursor)
        merged: list[tuple[datetime, str, str, dict[str, Any]]] = []
        for kind in self.endpoints:
            after = _position(state.get(kind), self.tz)
            merged += [(t, kind, key, rec) for t, key, rec in self._entries(kind, after, limit)]
        merged.sort(key=lambda e: (e[0], e[1], e[2]))
        progress = dict(state)
        refs: list[ItemRef] = []
        batch: list[tuple[datetime, str, str, dict[str, Any]]] = []
        for moment, kind, key, record in merged:
            if len(refs) >= limit:
                break
            if batch and (batch[0][1] != kind or len(batch) >= self.batch_size):
                refs.append(self._batch_ref(batch, progress))
                batch = []
                if len(refs) >= limit:
                    break
            if kind in BATCHED:
                batch.append((moment, kind, key, record))
                continue
            progress[kind] = [iso(moment), key]
            refs.append(ItemRef(kind, key, dump_cursor(progress)))
        if batch and len(refs) < limit:
            refs.append(self._batch_ref(batch, progress))
        return refs

    def _batch_ref(self, batch: list[tuple[datetime, str, str, dict[str, Any]]], progress: dict[str, Any]) -> ItemRef:
        kind = batch[0][1]
        first, last = batch[0], batch[-1]
        key = f"{iso(first[0])}|{first[2]}..{iso(last[0])}|{last[2]}"
        self._batches[key] = [record for *_, record in batch]
        progress[kind] = [iso(last[0]), last[2]]
        return ItemRef(kind, key, dump_cursor(progress))

    # --- fetching --------------------------------------------------------------------------

    def fetch(self, ref: ItemRef) -> FetchResult:
        """One call/chat/e-mail (with its recording) or one batch of status/staffing records."""
        with self._session():
            return self._fetch(ref)

    def _fetch(self, ref: ItemRef) -> FetchResult:
        if ref.kind in BATCHED:
            return self._fetch_batch(ref)
        if ref.kind not in self.endpoints:
            raise ConnectorConfigError(
                f"у коннектора «{self.name}» нет адреса для {ref.kind}",
                f"connector '{self.name}' has no {ref.kind} endpoint",
            )
        record = self._get_json(self.item_paths[ref.kind].format(id=ref.key))
        if not isinstance(record, dict):
            raise TransientFetchError(f"{self.name}: {ref.kind} {ref.key} is not a JSON object")
        mapping = self.mappings[ref.kind]
        document = map_record(ref.kind, record, mapping, self.tz, self.name)
        recording_url = get_path(record, mapping["recording"]) if mapping.get("recording") else None
        if ref.kind == "call" and recording_url:
            document["recording"] = {"uri": self._absolute(str(recording_url))}
            if mapping.get("channels"):
                document["recording"]["channels"] = mapping["channels"]
        try:
            validate_interaction(document)
        except InvalidInteraction as error:
            raise ConnectorConfigError(
                f"коннектор «{self.name}», {ref.kind} {ref.key}: по настройке полей получился неверный документ: "
                f"{error.ru}",
                f"connector '{self.name}', {ref.kind} {ref.key}: the field mapping gives an invalid document: "
                f"{error.en}",
            ) from error
        if ref.kind != "call" or not recording_url:
            return FetchedInteraction(document)
        response = self._get(str(recording_url))
        filename = str(recording_url).rstrip("/").rsplit("/", 1)[-1]
        if "." not in filename:
            filename = f"{ref.key}.wav" if "wav" in response.headers.get("content-type", "wav") else f"{ref.key}.bin"
        check_recording(response.content, filename)
        return FetchedInteraction(document, response.content, filename)

    def _fetch_batch(self, ref: ItemRef) -> list[StatusEvent] | list[StaffingSlot] | list[TransactionRecord]:
        records = self._batches.pop(ref.key, None)
        if records is None:
            records = self._refetch_batch(ref)
        fields = self.mappings[ref.kind].get("fields", {})
        rows = [map_fields(r, fields, self.tz) for r in records]
        if ref.kind == "transaction":
            keys = [str(get_path(r, self.mappings["transaction"].get("id", "id"))) for r in records]
            found = (transaction_record(row, f"{self.name}:{k}", self.tz) for row, k in zip(rows, keys, strict=True))
            return [t for t in found if t is not None]
        if ref.kind == "status":
            keys = [str(get_path(r, self.mappings["status"].get("id", "id"))) for r in records]
            events = (
                status_event(row, f"{self.name}:{k}", self.tz, self.status_map)
                for row, k in zip(rows, keys, strict=True)
            )
            return [e for e in events if e is not None]
        slots = (staffing_slot(row, self.tz) for row in rows)
        return [s for s in slots if s is not None]

    def _refetch_batch(self, ref: ItemRef) -> list[dict[str, Any]]:
        """A batch listed by another process: ask again from its first record's time."""
        first_text, _, last_text = ref.key.partition("..")
        first, last = _position(first_text.split("|", 1), self.tz), _position(last_text.split("|", 1), self.tz)
        if first is None or last is None:
            raise TransientFetchError(f"{self.name}: unreadable batch key {ref.key!r}")
        before_first = (first[0], "")  # ids compare after "", so the first record itself is included
        entries = self._entries(ref.kind, before_first, self.batch_size)
        return [rec for t, key, rec in entries if first <= (t, key) <= last]


def _position(value: Any, tz: Any) -> tuple[datetime, str] | None:
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    try:
        return parse_moment(value[0], tz), str(value[1])
    except ValueError:
        return None
