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
    configure_demo_connector,
    interaction_outcome,
    link_demo_agent,
    prepare_demo_accounts,
    seed_demo_calibration,
    seed_demo_coaching,
    seed_demo_teams,
    seed_demo_work,
)
from qa_service.services.connectors.runs import run_connector
from qa_service.services.ingestion.intake import StoredInteraction

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


def _on_stored(settings: Settings, progress: Progress, task: TaskID) -> Callable[[StoredInteraction], None]:
    """One line per item once its batch committed; in-process, storing already transcribed, redacted and scored it."""
    began = time.monotonic()

    def on_stored(stored: StoredInteraction) -> None:
        label, outcome = interaction_outcome(settings, stored.interaction_id)
        # Items are stored (and processed) in batches, so the time since the start says more than per item.
        progress.console.print(f"  {label}: {outcome} ({time.monotonic() - began:.0f} с от начала / since start)")
        progress.update(task, description=f"{label}: готово / done")
        progress.advance(task)

    return on_stored


def _synthesise_calls(data: PlatformData, cache_dir: Path, progress: Progress) -> None:
    """Every phrase of the calls spoken once (Festival, cached), before the connector asks for audio."""
    from qa_service.simulator.audio import prepare_phrases

    lines = [line for call_lines in data.call_lines.values() for line in call_lines]
    task = progress.add_task("синтез речи / speech synthesis", total=len({(ln.text, ln.speaker) for ln in lines}))
    prepare_phrases(lines, cache_dir, lambda: progress.advance(task))
    progress.update(task, completed=progress.tasks[task].total or 0)


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
    )
    began = time.monotonic()
    accounts = prepare_demo_accounts(settings)
    _print_sign_ins(accounts.emails, accounts.password, args.host, args.port)

    from qa_service.simulator.data import generate
    from qa_service.simulator.server import PlatformServer

    token = secrets.token_urlsafe(16)
    data = generate(seed=7, calls=args.calls, chats=args.chats, emails=args.emails)
    audio_cache = Path(settings.instance_dir) / "simulator-audio"
    simulator = PlatformServer(data, "127.0.0.1", 0, audio_cache, token=token)
    simulator.start_in_thread()
    console.print(f"симулятор платформы / platform simulator: {simulator.url}")
    connector_id = configure_demo_connector(settings, accounts.tenant_id, simulator.url, token)

    from qa_service.jobs import using_settings

    total = len(data.calls) + len(data.chats) + len(data.emails)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    # Without a terminal (a log file, CI) the per-item lines alone say how far it is.
    with Progress(*columns, console=console, disable=not console.is_terminal) as progress:
        _synthesise_calls(data, audio_cache, progress)
        task = progress.add_task("загрузка / fetch", total=total)
        with using_settings(settings):
            report = run_connector(settings, connector_id, on_stored=_on_stored(settings, progress, task))
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
    parser.add_argument("--calls", type=int, default=6, help="звонков в симуляторе / simulated calls")
    parser.add_argument("--chats", type=int, default=6)
    parser.add_argument("--emails", type=int, default=4)
    parser.add_argument("--no-serve", action="store_true", help="только загрузить и оценить / process, then exit")
    parser.set_defaults(handler=_demo)
