"""`qa-service demo`: the embedded default — no external server needed.

Starts the platform simulator on a loopback port, fetches its calls, chats and e-mails
through the HTTP connector, transcribes, redacts and scores them in-process (SQLite under
`instance/demo`), leaves work waiting for every role (the week's review sample, released
evaluations, a dispute, a calibration session), then serves the UI on
http://127.0.0.1:5000.  Run it again and it fetches only what is new.
"""

from __future__ import annotations

import argparse
import os
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from qa_service.config import Settings
from qa_service.demo.cases import seed_demo_case
from qa_service.demo.reports import demo_card_chat, seed_demo_reports
from qa_service.demo.tenant import (
    DEMO_TENANT,
    configure_demo_connector,
    interaction_outcome,
    link_demo_agent,
    prepare_demo_accounts,
    seed_demo_calibration,
    seed_demo_coaching,
    seed_demo_teams,
    seed_demo_work,
)
from qa_service.services.after_commit import JobRequest, install_sender
from qa_service.services.connectors.runs import run_connector
from qa_service.services.ingestion.intake import StoredInteraction
from qa_service.simulator.shipped import DEMO_CALLS, DEMO_SEED

if TYPE_CHECKING:
    from qa_service.simulator.data import PlatformData

console = Console(stderr=True, highlight=False, soft_wrap=True)

FIRST_STEPS = (
    ("qa@demo.local", "«Очередь проверки»: откройте первый звонок, прослушайте, подтвердите ответы и опубликуйте",
     "the review queue: open the first call, listen, confirm the answers and release"),
    ("agent@demo.local", "«Мои оценки»: прочитайте опубликованную оценку, подтвердите или оспорьте критерий",
     "my evaluations: read a released evaluation, acknowledge it or dispute a criterion"),
    ("supervisor@demo.local", "«Споры»: решите спор оператора своей команды",
     "disputes: decide your team agent's dispute"),
    ("customer@demo.local", "«Отчёты»: вчерашний день (нехватка операторов, критическое нарушение); "
     "«Калибровка»: оцените вслепую", "reports: yesterday (an understaffed hour, a critical failure); "
     "calibration: score blind"),
    ("trainer@demo.local", "«Обучение»: потребности с доказательствами, назначьте обучение, эффект прошлого",
     "coaching: needs with evidence, assign coaching, the effect of the last one"),
    ("admin@demo.local", "пользователи, журнал действий, настройки", "users, the audit log, settings"),
)


def _print_sign_ins(emails: tuple[str, ...], password: str, host: str, port: int) -> None:
    console.print(f"[bold]вход / sign in[/bold] http://{host}:{port}/ — пароль / password: [bold]{password}[/bold]")
    steps = {email: (ru, en) for email, ru, en in FIRST_STEPS}
    for email in emails:
        ru, en = steps.get(email, ("", ""))
        console.print(f"  {email:24} {ru} / {en}")
    console.print("интерфейс откроется, когда обработка закончится / the UI opens once processing is done\n")


class _ItemTimer:
    """A progress line per interaction as soon as its own processing ends, with its own time.

    In-process, an item's jobs (transcription, redaction, scoring) run in the commit of the batch that
    stored it; timing each outermost job tells what that item cost, not what the batch did.
    """

    ITEM_JOBS = ("transcribe_interaction", "score_interaction")

    def __init__(self, settings: Settings, progress: Progress, task: TaskID) -> None:
        self.settings, self.progress, self.task = settings, progress, task
        self.began = time.monotonic()
        self.depth = 0
        self.reported: set[int] = set()

    def sender(self, send: Callable[[Settings, JobRequest], None]) -> Callable[[Settings, JobRequest], None]:
        def timed(settings: Settings, request: JobRequest) -> None:
            started = time.monotonic()
            self.depth += 1
            try:
                send(settings, request)
            finally:
                self.depth -= 1
            if self.depth == 0 and request.name in self.ITEM_JOBS and request.args:
                self.report(int(request.args[0]), time.monotonic() - started)

        return timed

    def report(self, interaction_id: int, seconds: float | None) -> None:
        if interaction_id in self.reported:
            return
        self.reported.add(interaction_id)
        label, outcome = interaction_outcome(self.settings, interaction_id)
        took = f"{seconds:.1f} с / s" if seconds is not None else "без обработки / nothing to process"
        self.progress.console.print(f"  {label}: {outcome} ({took}; {time.monotonic() - self.began:.0f} с от начала)")
        self.progress.update(self.task, description=f"{label}: готово / done")
        self.progress.advance(self.task)

    def on_stored(self, stored: StoredInteraction) -> None:
        """Items whose batch committed without a job of their own (a lost call) are reported here."""
        self.report(stored.interaction_id, None)


def _missing_tools_notice() -> list[str]:
    """One Russian-first line per optional tool this machine lacks, naming the Debian package."""
    import ctypes.util

    lines = []
    if ctypes.util.find_library("pango-1.0") is None or ctypes.util.find_library("pangoft2-1.0") is None:
        lines.append("PDF-выгрузки недоступны: нет Pango (пакеты Debian libpango-1.0-0 libpangoft2-1.0-0) / "
                     "PDF exports unavailable: Pango is missing (Debian packages libpango-1.0-0 libpangoft2-1.0-0)")
    return lines


def _speakable_calls(data: PlatformData) -> None:
    """Keep the calls that have a shipped recording or can be spoken here; say which were left out and why."""
    from qa_service.simulator.audio import content_key, synthesis_missing
    from qa_service.simulator.shipped import shipped_path

    missing = synthesis_missing()
    if missing is None:
        return
    unspoken = [c for c in data.calls if data.call_lines.get(c["id"])
                and not shipped_path(content_key(data.call_lines[c["id"]], c["operator"]["name"])).is_file()]
    if unspoken:
        console.print(f"звонков без готовой записи пропущено: {len(unspoken)} — {missing.ru} / "
                      f"calls without a shipped recording left out: {len(unspoken)} — {missing.en}")
        left_out = {c["id"] for c in unspoken}
        data.calls[:] = [c for c in data.calls if c["id"] not in left_out]


def _synthesise_calls(data: PlatformData, cache_dir: Path, progress: Progress) -> None:
    """Every phrase of the calls without a shipped recording spoken once (Festival, cached), before the
    connector asks for audio."""
    from qa_service.simulator.audio import content_key, prepare_phrases
    from qa_service.simulator.shipped import shipped_path

    lines = [line for call in data.calls if (call_lines := data.call_lines.get(call["id"]))
             and not shipped_path(content_key(call_lines, call["operator"]["name"])).is_file()
             for line in call_lines]
    if not lines:
        return
    total = len({(ln.text, ln.speaker) for ln in lines})
    task = progress.add_task("синтез речи / speech synthesis", total=total)
    done = 0

    def one_done() -> None:
        nonlocal done
        done += 1
        progress.advance(task)
        if not console.is_terminal:  # a log shows where the time goes, a line per phrase
            console.print(f"  синтез речи / speech synthesis {done}/{total}")

    prepare_phrases(lines, cache_dir, one_done)
    progress.update(task, completed=total)


def _demo(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    env.setdefault("QA_ENV", "demo")
    base = Settings.from_env(env)
    # The demo keeps its own SQLite file and blobs and never uses Redis, whatever the shell says.
    settings = Settings(
        environment=base.environment,
        instance_dir=base.instance_dir / "demo",
        secret_key=base.secret_key,
        asr_model=base.asr_model,
        # The demo tenant's connector reads the simulator started below on loopback.
        connector_allow=((DEMO_TENANT[0], "127.0.0.1/32"),),
    )
    began = time.monotonic()
    accounts = prepare_demo_accounts(settings)
    _print_sign_ins(accounts.emails, accounts.password, args.host, args.port)

    from qa_service.simulator.data import generate
    from qa_service.simulator.server import PlatformServer

    token = secrets.token_urlsafe(16)
    for line in _missing_tools_notice():
        console.print(line)
    data = generate(seed=DEMO_SEED, calls=args.calls, chats=args.chats, emails=args.emails)
    _speakable_calls(data)
    audio_cache = Path(settings.instance_dir) / "simulator-audio"
    simulator = PlatformServer(data, "127.0.0.1", 0, audio_cache, token=token)
    simulator.start_in_thread()
    console.print(f"симулятор платформы / platform simulator: {simulator.url}")
    connector_id = configure_demo_connector(settings, accounts.tenant_id, simulator.url, token)

    from qa_service.jobs import _send_requested as send_requested
    from qa_service.jobs import using_settings

    total = len(data.calls) + len(data.chats) + len(data.emails)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    # Without a terminal (a log file, CI) the per-item lines alone say how far it is.
    with Progress(*columns, console=console, disable=not console.is_terminal) as progress:
        _synthesise_calls(data, audio_cache, progress)
        task = progress.add_task("загрузка / fetch", total=total)
        timer = _ItemTimer(settings, progress, task)
        install_sender(timer.sender(send_requested))
        try:
            with using_settings(settings):
                report = run_connector(settings, connector_id, on_stored=timer.on_stored)
        finally:
            install_sender(send_requested)
        progress.update(task, completed=total, description="готово / done")
    link_demo_agent(settings, accounts.tenant_id)
    seed_demo_teams(settings, accounts.tenant_id)
    work = seed_demo_work(settings, accounts.tenant_id)
    seed_demo_calibration(settings, accounts.tenant_id)
    seed_demo_coaching(settings, accounts.tenant_id)
    # Today's chat with a critical failure, scored like any other (storing it requests the scoring),
    # and yesterday's reports with one understaffed hour.
    demo_card_chat(settings, accounts.tenant_id, datetime.now(UTC))
    seed_demo_case(settings, accounts.tenant_id, datetime.now(UTC))  # repeats, a missing refund, a wrong amount
    seed_demo_reports(settings, accounts.tenant_id, datetime.now(UTC))
    console.print(
        f"новых взаимодействий {report.stored}, уже были {report.repeated}, статусов {report.status_events}, "
        f"слотов плана {report.staffing_slots}"
    )
    console.print(
        f"ждут проверки {work.queued_for_review}, опубликовано оценок {work.released}, "
        f"открытых споров {work.open_disputes} ({time.monotonic() - began:.0f} с)"
    )
    if args.no_serve:
        simulator.shutdown()
        simulator.server_close()
        return 0

    from qa_service.web import create_app

    app = create_app(settings)
    console.print(f"[bold]откройте / open http://{args.host}:{args.port}/[/bold] — пароль: {accounts.password}")
    try:
        app.run(host=args.host, port=args.port, debug=False, use_reloader=False)
    finally:
        simulator.shutdown()
        simulator.server_close()
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="демонстрация без внешних серверов / the self-contained demo")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--calls", type=int, default=DEMO_CALLS, help="звонков в симуляторе / simulated calls")
    parser.add_argument("--chats", type=int, default=6)
    parser.add_argument("--emails", type=int, default=4)
    parser.add_argument("--no-serve", action="store_true", help="только загрузить и оценить / process, then exit")
    parser.set_defaults(handler=_demo)
