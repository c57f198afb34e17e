"""Every bad file input (`tests/data/bad/`) through the real paths, and nothing stops.

Paths: the CLI (`rubric check`, `transcribe`), the drop-folder connector (manifests, Asterisk
CDR files, recordings) and the IMAP connector against a real Dovecot, with the real
PostgreSQL, Redis and RQ worker processes.  Each case must end as a one-line error, a
quarantined item (audit action `ingest.quarantine`, with where it was and why) or a failed
call with its reason; a `tolerated-` case must be stored intact.  Around them: the good items
after the bad ones are stored and processed by the same worker process, a second ingestion
run finds nothing left to redo (the cursor moved past every bad item), nothing of a bad item
is stored, and no raw audio is left in the spool.  Each test prints how many cases ran and passed.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from dovecot_server import PASSWORD, USER, append, running_dovecot
from rq.job import Job
from sqlalchemy import select

from qa_service.cli import main as cli_main
from qa_service.config import Settings
from qa_service.connectors.mime_thread import external_id_of, parse_message
from qa_service.db.models import AuditLog, Interaction, ProcessingState, Tenant
from qa_service.db.session import session_factory, transaction
from qa_service.jobs import ASR_QUEUE, TEXT_QUEUE, queue_depths, redis_connection
from qa_service.services.connectors.configuration import save_connector
from qa_service.services.connectors.runs import QUARANTINE_ACTION, run_connector

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

CORPUS = Path(__file__).resolve().parents[1] / "data" / "bad"
GOOD_CALL = Path(__file__).resolve().parents[1] / "data" / "audio" / "mono_8k.wav"
MAX_SECONDS = 60  # the workers' duration limit here; the corpus has a recording 30 s longer
AGENT_MAILBOX = "support@severny-veter.test"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bad_corpus", CORPUS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Any]]:
    cases = _generator().generate(tmp_path_factory.mktemp("bad-corpus"), MAX_SECONDS)
    by_kind: dict[str, list[Any]] = {}
    for case in cases:
        by_kind.setdefault(case.kind, []).append(case)
    return by_kind


def _show(request: pytest.FixtureRequest, line: str) -> None:
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        print(f"\n{line}")  # shown even when pytest captures output


@pytest.fixture(scope="module")
def totals(request: pytest.FixtureRequest) -> Iterator[dict[str, int]]:
    """Cases run and passed on every path of this file, printed once at the end."""
    counts = {"ran": 0, "passed": 0}
    yield counts
    _show(request, f"bad file inputs, all paths: {counts['ran']} cases ran, {counts['passed']} passed")


class Tally:
    """Cases run and passed on one path; the failures say which case and why."""

    def __init__(self, request: pytest.FixtureRequest, path: str) -> None:
        self.path, self.request = path, request
        self.totals: dict[str, int] = request.getfixturevalue("totals")
        self.ran = 0
        self.failures: list[str] = []

    def check(self, case: Any, problem: str | None) -> None:
        self.ran += 1
        if problem:
            self.failures.append(f"{case.kind}/{case.name}: {problem}")

    def report(self) -> None:
        passed = self.ran - len(self.failures)
        self.totals["ran"] += self.ran
        self.totals["passed"] += passed
        _show(self.request, f"bad file inputs via {self.path}: {self.ran} cases ran, {passed} passed")
        assert not self.failures, "\n".join(self.failures)


def _cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli_main(args)
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


def _one_line_problem(lines: list[str]) -> str | None:
    if not lines:
        return "no message"
    if any("Traceback" in line for line in lines):
        return "a traceback"
    if not all(" | " in line for line in lines):
        return f"not 'Russian | English': {lines[0][:200]!r}"
    return None


# --- the CLI ---------------------------------------------------------------------------------


def test_bad_rubric_files_through_the_cli(corpus: dict[str, list[Any]], request: pytest.FixtureRequest) -> None:
    tally = Tally(request, "qa-service rubric check")
    for case in corpus["yaml"]:
        code, out, err = _cli(["rubric", "check", str(case.path)])
        lines = (out + err).strip().splitlines()
        problem = _one_line_problem([line for line in lines[:-1]])  # the last line counts the problems
        if code != 1:
            problem = f"exit {code}"
        elif not lines or not re.search(r"ошибок \d+", lines[-1]):
            problem = f"no summary line: {lines[-1:]!r}"
        tally.check(case, problem)
    tally.report()


def test_bad_recordings_through_the_cli(
    corpus: dict[str, list[Any]], request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`transcribe` decodes in a child process: the 8-channel WAV that crashed FFmpeg is one error line."""
    monkeypatch.setenv("QA_ASR_MAX_SECONDS", str(MAX_SECONDS))
    tally = Tally(request, "qa-service transcribe")
    for case in corpus["audio"]:
        code, out, err = _cli(["transcribe", str(case.path), "--json"])
        lines = err.strip().splitlines()
        problem = _one_line_problem(lines)
        if code != 1:
            problem = f"exit {code}"
        elif out.strip():
            problem = f"something on stdout: {out[:200]!r}"
        elif len(lines) != 1:
            problem = f"{len(lines)} lines on stderr"
        tally.check(case, problem)
    tally.report()


# --- real workers ----------------------------------------------------------------------------


def _worker(settings: Settings, queues: str) -> subprocess.CompletedProcess[str]:
    """One burst worker process for every job queued: it must take them all and exit cleanly."""
    env = dict(
        os.environ,
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url or "",
        QA_ENV="test",
        QA_INSTANCE_DIR=str(settings.instance_dir),
        QA_JOB_RETRY_INTERVALS="0,0,0",
        QA_ASR_MAX_SECONDS=str(MAX_SECONDS),
    )
    args = [sys.executable, "-m", "qa_service", "worker", "--queues", queues, "--burst"]
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=600, check=False)


def _tenant_connector(settings: Settings, kind: str, config: dict[str, Any], secrets: dict[str, Any]) -> int:
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug=f"bad-{uuid.uuid4().hex[:8]}", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        return save_connector(session, tenant.id, sandbox=None, name=kind, kind=kind, config=config, secrets=secrets).id


def _quarantined(settings: Settings, connector_id: int) -> list[dict[str, Any]]:
    with session_factory(settings.sqlalchemy_url)() as session:
        rows = session.scalars(
            select(AuditLog).where(AuditLog.action == QUARANTINE_ACTION, AuditLog.entity_id == str(connector_id))
        )
        return [dict(row.details) for row in rows]


def _interactions(settings: Settings, connector_id: int) -> dict[str, Interaction]:
    with session_factory(settings.sqlalchemy_url)() as session:
        from qa_service.db.models import ConnectorConfig

        tenant_id = session.get_one(ConnectorConfig, connector_id).tenant_id
        rows = list(session.scalars(select(Interaction).where(Interaction.tenant_id == tenant_id)))
        for row in rows:  # loaded now: read after the session closes
            _ = row.turns, row.recording
        ids = [row.external_id for row in rows]
        assert len(ids) == len(set(ids)), "an item was stored twice"
        return {row.external_id: row for row in rows}


def _spooled_files(settings: Settings) -> list[Path]:
    return [p for p in settings.spool.rglob("*") if p.is_file()] if settings.spool.is_dir() else []


def _quarantine_at(entries: list[dict[str, Any]], where: str) -> dict[str, Any] | None:
    """The quarantine record of `file:line`, or of any line of `file:` when `where` ends with a colon."""
    return next((e for e in entries if e.get("where") == where
                 or (where.endswith(":") and str(e.get("where", "")).startswith(where))), None)


def _reason_problem(entry: dict[str, Any] | None) -> str | None:
    if entry is None:
        return "not quarantined"
    reason = str(entry.get("reason", ""))
    if " | " not in reason or "\n" in reason or "Traceback" in reason:
        return f"quarantine reason is not one bilingual line: {reason[:200]!r}"
    return None


def _ids_in(case: Any, pattern: str) -> set[str]:
    return set(re.findall(pattern, case.path.read_bytes().decode("utf-8", errors="replace")))


def _good_chat(external_id: str) -> bytes:
    return (
        f'{{"external_id": "{external_id}", "channel": "chat", "agent_id": "A1", '
        '"started_at": "2026-11-24T12:00:00+03:00", '
        '"turns": [{"speaker": "agent", "text": "Здравствуйте, авиакомпания Северный ветер"}]}\n'
    ).encode()


def _good_cdr(uniqueid: str) -> bytes:
    return (
        '"","79160000000","5000","from-trunk","79160000000","SIP/trunk-1","","Queue","sales,t",'
        f'"2026-11-24 12:00:00","","2026-11-24 12:01:00","60","0","NO ANSWER","DOCUMENTATION","{uniqueid}",""\n'
    ).encode()


def _drop_folder(root: Path, corpus: dict[str, list[Any]]) -> dict[str, Any]:
    """Lay the cases out as a platform would; returns, per file, which case it holds."""
    layout: dict[str, Any] = {}
    for index, case in enumerate(corpus["manifest"]):
        name = f"manifest-{index:03d}.jsonl"
        (root / name).write_bytes(case.path.read_bytes() + b"\n" + _good_chat(f"good-m{index}"))
        layout[name] = case
    for index, case in enumerate(corpus["csv"]):
        name = f"cdr-{index:03d}.csv"
        (root / name).write_bytes(case.path.read_bytes() + b"\n" + _good_cdr(f"good-c{index}"))
        layout[name] = case
    recordings = root / "recordings"
    recordings.mkdir()
    lines = []
    for index, case in enumerate(corpus["audio"]):
        shutil.copy(case.path, recordings / case.name)
        lines.append(_call_line(f"audio-{index}", f"recordings/{case.name}"))
        layout[f"manifest-zz-calls.jsonl:{index + 1}"] = case
    shutil.copy(GOOD_CALL, recordings / "good-call.wav")
    lines.append(_call_line("audio-good", "recordings/good-call.wav"))
    (root / "manifest-zz-calls.jsonl").write_text("".join(lines), "utf-8")
    return layout


def _call_line(external_id: str, uri: str) -> str:
    return (
        f'{{"external_id": "{external_id}", "channel": "call", "agent_id": "A1", '
        f'"started_at": "2026-11-24T12:00:00+03:00", "recording": {{"uri": "{uri}", "channels": {{"0": "agent"}}}}}}\n'
    )


def test_bad_drop_folder_inputs_with_real_workers(
    pg_settings: Settings,
    redis_url: str,
    corpus: dict[str, list[Any]],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    settings = pg_settings.with_overrides(redis_url=redis_url, retry_intervals=(0, 0, 0))
    folder = tmp_path / "drop"
    folder.mkdir()
    layout = _drop_folder(folder, corpus)
    connector_id = _tenant_connector(
        settings, "dropfolder", {"path": str(folder), "recording_wait_seconds": 0, "timezone": "+03:00"}, {}
    )

    first = run_connector(settings, connector_id)
    second = run_connector(settings, connector_id)  # the cursor is past every bad item: nothing is redone
    assert (second.stored, second.quarantined) == (0, []), second
    quarantined = _quarantined(settings, connector_id)
    assert len(quarantined) == len(first.quarantined)

    # One worker for both queues: every speech job, then the scoring the good items ask for.
    worker = _worker(settings, f"{ASR_QUEUE},{TEXT_QUEUE}")
    assert worker.returncode == 0, (worker.stdout + worker.stderr)[-3000:]
    assert queue_depths(settings) == {ASR_QUEUE: 0, TEXT_QUEUE: 0}
    stored = _interactions(settings, connector_id)

    # The speech jobs, bad and good alike, ran in the one worker process, which lived to the end.
    connection = redis_connection(settings.redis_url or "")
    calls = [row for key, row in stored.items() if key.startswith("audio-")]
    workers = {Job.fetch(f"transcribe-{row.id}", connection=connection).worker_name for row in calls}
    assert len(workers) == 1, workers
    good_call = stored["audio-good"]
    assert good_call.state == ProcessingState.SCORED and good_call.turns, worker.stderr[-3000:]
    assert good_call.recording is not None and good_call.recording.redacted

    tally = Tally(request, "the drop folder and real RQ workers")
    for where, case in layout.items():
        if case.kind == "audio":
            tally.check(case, _audio_outcome(where, stored, quarantined))
            continue
        if case.tolerated:
            expected = _ids_in(case, r"tol-[a-z0-9]+(?:-[a-z0-9]+)*")
            missing = [i for i in expected if i not in stored or stored[i].state == ProcessingState.FAILED]
            tally.check(case, f"not stored intact: {missing}" if missing or not expected else None)
            continue
        tally.check(case, _reason_problem(_quarantine_at(quarantined, f"{where}:")))
    tally.report()

    goods = {f"good-m{i}" for i in range(len(corpus["manifest"]))} | {f"good-c{i}" for i in range(len(corpus["csv"]))}
    assert goods <= set(stored), f"good items after a bad one were not stored: {sorted(goods - set(stored))}"
    scored = [k for k in goods if k.startswith("good-m") and stored[k].state != ProcessingState.SCORED]
    assert not scored, f"good chats not scored: {scored}"
    assert not [k for k in stored if k.startswith("bad-")], "part of a bad item was stored"
    assert _spooled_files(settings) == [], "raw audio left in the spool"


def _audio_outcome(where: str, stored: dict[str, Interaction], quarantined: list[dict[str, Any]]) -> str | None:
    """A bad recording is quarantined at ingestion, or its call fails with the reason and no audio kept."""
    entry = _quarantine_at(quarantined, where)
    row = stored.get(f"audio-{int(where.rsplit(':', 1)[1]) - 1}")
    if entry is not None:
        return "both quarantined and stored" if row is not None else _reason_problem(entry)
    if row is None:
        return "neither quarantined nor stored"
    if row.state != ProcessingState.FAILED:
        return f"state {row.state.value}, not failed"
    reason = row.state_reason or ""
    if not reason.startswith("transcribe_interaction: ") or " | " not in reason or "Traceback" in reason:
        return f"failure reason is not one bilingual line: {reason[:200]!r}"
    if row.turns or (row.recording is not None and row.recording.blob_key):
        return "half-stored: turns or a recording blob of a failed call"
    return None


# --- IMAP ------------------------------------------------------------------------------------


@pytest.mark.imap
def test_bad_mail_through_imap_with_real_workers(
    pg_settings: Settings,
    redis_url: str,
    corpus: dict[str, list[Any]],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    settings = pg_settings.with_overrides(redis_url=redis_url, retry_intervals=(0, 0, 0))
    good = (
        "From: Пассажир <good@example.ru>\r\nTo: support@severny-veter.test\r\nSubject: good\r\n"
        "Message-ID: <good-mail@bad.test>\r\nDate: Tue, 24 Nov 2026 12:00:00 +0300\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nЗдравствуйте, вопрос по багажу.\r\n"
    ).encode()
    (tmp_path / "dovecot").mkdir()
    with running_dovecot(tmp_path / "dovecot") as dovecot:
        append(dovecot.port, [("customer", case.path.read_bytes()) for case in corpus["mime"]] + [("customer", good)])
        config = {"host": "127.0.0.1", "port": dovecot.port, "ssl": False, "username": USER, "mailboxes": ["INBOX"],
                  "agent_addresses": [AGENT_MAILBOX], "timeout": 60}
        connector_id = _tenant_connector(settings, "imap", config, {"password": PASSWORD})
        first = run_connector(settings, connector_id)
        second = run_connector(settings, connector_id)
    assert (second.stored, second.quarantined) == (0, []), second
    quarantined = _quarantined(settings, connector_id)
    assert len(quarantined) == len(first.quarantined)
    text = _worker(settings, TEXT_QUEUE)
    assert text.returncode == 0, (text.stdout + text.stderr)[-3000:]
    stored = _interactions(settings, connector_id)
    assert stored["good-mail@bad.test"].state == ProcessingState.SCORED

    tally = Tally(request, "IMAP (Dovecot) and a real RQ worker")
    for uid, case in enumerate(corpus["mime"], start=1):  # a fresh mailbox numbers appended letters 1, 2, …
        message_id = f"<case-{case.name.removesuffix('.eml')}@bad.test>"
        if case.tolerated:
            key = external_id_of(parse_message(case.path.read_bytes()).thread_key)
            row = stored.get(key)
            problem = None
            if row is None:
                problem = "not stored"
            elif len(row.turns) != 1 or row.state not in (ProcessingState.SCORED, ProcessingState.SKIPPED):
                problem = f"stored as {row.state.value} with {len(row.turns)} turns"
            tally.check(case, problem)
            continue
        # The Message-ID looks like an e-mail address, so the record has it redacted: found by UID.
        entry = _quarantine_at(quarantined, f"INBOX UID {uid}")
        problem = _reason_problem(entry)
        if external_id_of(message_id) in stored:
            problem = "quarantined and stored"
        tally.check(case, problem)
    tally.report()
