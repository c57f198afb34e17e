"""The simulated platform's HTTP API, on the standard library's threading HTTP server.

Endpoints (JSON; `Authorization: Bearer <token>` when the server has a token):
  GET  /api/v1/{calls,chats,emails,agent-statuses,staffing,transactions}?since=ISO&limit=N&offset=K
       → {"items": [...], "total": n, "next": "<relative url>" | null}; `since` is inclusive
         on `updated_at`, items ordered by (updated_at, id)
  GET  /api/v1/{calls,chats,emails}/<id>          one record
  GET  /api/v1/calls/<id>/recording               8 kHz stereo WAV (synthesised once, cached)
  GET  /api/v1/agents                             the agents
  GET  /_truth/calls/<id>                         what was said and when (for ASR checks)
  GET|POST /_faults  {"status_500": n, "hang": n, "malformed_json": n, "truncate_recording": n,
                      "hang_seconds": s} — the next n API requests misbehave that way
  GET  /healthz
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from qa_service.simulator.audio import cached_call
from qa_service.simulator.data import PlatformData
from qa_service.simulator.scripts import AGENTS

COLLECTIONS = ("calls", "chats", "emails", "agent-statuses", "staffing", "transactions")


@dataclass
class Faults:
    """Counters of misbehaviour still to come; each faulty response uses one up."""

    status_500: int = 0
    hang: int = 0
    malformed_json: int = 0
    truncate_recording: int = 0
    hang_seconds: float = 30.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def take(self, name: str) -> bool:
        """Use up one fault of this kind if any is pending."""
        with self._lock:
            left = int(getattr(self, name))
            if left > 0:
                setattr(self, name, left - 1)
                return True
            return False

    def update(self, values: dict[str, Any]) -> None:
        with self._lock:
            for key in ("status_500", "hang", "malformed_json", "truncate_recording"):
                if key in values:
                    setattr(self, key, max(0, int(values[key])))
            if "hang_seconds" in values:
                self.hang_seconds = float(values["hang_seconds"])

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return {k: getattr(self, k) for k in ("status_500", "hang", "malformed_json", "truncate_recording",
                                                  "hang_seconds")}


class PlatformServer(ThreadingHTTPServer):
    """The simulator: data, token, audio cache and faults shared by the request handlers."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, data: PlatformData, host: str, port: int, cache_dir: Path, token: str | None = None) -> None:
        super().__init__((host, port), _Handler)
        self.data = data
        self.token = token
        self.cache_dir = cache_dir
        self.faults = Faults()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def prepare_recordings(self) -> int:
        """Render every call's recording into the cache now, so no client waits on speech synthesis."""
        calls = [r for r in self.data.calls if r["id"] in self.data.call_lines]
        for record in calls:
            cached_call(self.data.call_lines[record["id"]], record["operator"]["name"], self.cache_dir)
        return len(calls)

    def start_in_thread(self) -> threading.Thread:
        """Serve in a daemon thread (tests); `shutdown()` stops it."""
        thread = threading.Thread(target=self.serve_forever, name="platform-simulator", daemon=True)
        thread.start()
        return thread


class _Handler(BaseHTTPRequestHandler):
    server: PlatformServer
    protocol_version = "HTTP/1.1"
    # Buffered: headers and body leave in one write, so keep-alive clients do not sit out
    # the 40 ms delayed-ACK pause a separate small header packet would cause.
    wbufsize = 1 << 16

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the CLI prints its own line per start, tests do not want noise

    # --- plumbing ------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str = "application/json; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, value: Any) -> None:
        body = json.dumps(value, ensure_ascii=False).encode("utf-8")
        if status == 200 and self.path.startswith("/api/") and self.server.faults.take("malformed_json"):
            body = body[: max(1, len(body) // 2)]
        self._send(status, body)

    def _authorized(self) -> bool:
        token = self.server.token
        return not token or self.headers.get("Authorization", "") == f"Bearer {token}"

    # --- routes ----------------------------------------------------------------------------

    def do_POST(self) -> None:
        if urlsplit(self.path).path != "/_faults":
            self._json(404, {"error": "not found"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            values = json.loads(self.rfile.read(length) or b"{}")
            self.server.faults.update(values)
        except (ValueError, TypeError):
            self._json(400, {"error": "expected a JSON object of fault counters"})
            return
        self._json(200, self.server.faults.as_dict())

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/")
        if path == "/healthz":
            self._json(200, {"ok": True, "anchor": self.server.data.anchor.isoformat()})
            return
        if path == "/_faults":
            self._json(200, self.server.faults.as_dict())
            return
        if not (path.startswith("/api/") or path.startswith("/_truth/")):
            self._json(404, {"error": "not found"})
            return
        if not self._authorized():
            self._json(401, {"error": "unauthorized"})
            return
        faults = self.server.faults
        if faults.take("hang"):
            time.sleep(faults.hang_seconds)
        if faults.take("status_500"):
            self._json(500, {"error": "internal error (injected)"})
            return
        segments = path.split("/")[1:]
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if segments[0] == "_truth" and len(segments) == 3 and segments[1] == "calls":
            self._truth(segments[2])
        elif segments[:2] == ["api", "v1"] and len(segments) == 3 and segments[2] == "agents":
            self._json(200, {"items": [{"id": a.id, "name": a.name} for a in AGENTS]})
        elif segments[:2] == ["api", "v1"] and len(segments) == 3 and segments[2] in COLLECTIONS:
            self._page(segments[2], query)
        elif segments[:2] == ["api", "v1"] and len(segments) == 4 and segments[2] in COLLECTIONS:
            self._one(segments[2], segments[3])
        elif segments[:3] == ["api", "v1", "calls"] and len(segments) == 5 and segments[4] == "recording":
            self._recording(segments[3])
        else:
            self._json(404, {"error": "not found"})

    def _page(self, kind: str, query: dict[str, str]) -> None:
        try:
            limit = min(500, max(1, int(query.get("limit", 50))))
            offset = max(0, int(query.get("offset", 0)))
            # A '+' in an unencoded offset arrives as a space.
            since = datetime.fromisoformat(query["since"].replace(" ", "+")) if query.get("since") else None
        except ValueError:
            self._json(400, {"error": "bad since / limit / offset"})
            return
        records = self.server.data.collection(kind)
        if since is not None:
            records = [r for r in records if datetime.fromisoformat(r["updated_at"]) >= since]
        page = records[offset : offset + limit]
        more = offset + limit < len(records)
        since_part = f"since={quote(query['since'].replace(' ', '+'), safe='')}&" if query.get("since") else ""
        following = f"/api/v1/{kind}?{since_part}limit={limit}&offset={offset + limit}" if more else None
        self._json(200, {"items": page, "total": len(records), "next": following})

    def _one(self, kind: str, item_id: str) -> None:
        for record in self.server.data.collection(kind):
            if record["id"] == item_id:
                self._json(200, record)
                return
        self._json(404, {"error": f"{kind} {item_id} not found"})

    def _audio(self, call_id: str) -> tuple[bytes, list[dict[str, Any]]] | None:
        lines = self.server.data.call_lines.get(call_id)
        if lines is None:
            return None
        record = next(r for r in self.server.data.calls if r["id"] == call_id)
        return cached_call(lines, record["operator"]["name"], self.server.cache_dir)

    def _recording(self, call_id: str) -> None:
        rendered = self._audio(call_id)
        if rendered is None:
            self._json(404, {"error": f"call {call_id} has no recording"})
            return
        audio = rendered[0]
        if self.server.faults.take("truncate_recording"):
            audio = audio[: len(audio) // 2]  # the platform's copy is cut; its WAV header still says the full size
        self._send(200, audio, "audio/wav")

    def _truth(self, call_id: str) -> None:
        rendered = self._audio(call_id)
        if rendered is None:
            self._json(404, {"error": f"call {call_id} has no recording"})
            return
        self._json(200, {"id": call_id, "turns": rendered[1]})
