"""`qa-service demo`: the embedded default — no external server needed.

Starts the platform simulator on a loopback port, fetches its calls, chats and e-mails
through the HTTP connector, transcribes, redacts and scores them in-process (SQLite under
`instance/demo`), then serves the UI on http://127.0.0.1:5000.  Run it again and it
fetches only what is new.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

from qa_service.config import Settings
from qa_service.services.connector_runs import run_connector
from qa_service.services.demo import (
    configure_demo_connector,
    demo_progress,
    link_demo_agent,
    prepare_demo_accounts,
    seed_demo_calibration,
    seed_demo_coaching,
)
from qa_service.services.ingest import StoredInteraction


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _progress(settings: Settings) -> Callable[[StoredInteraction], None]:
    """Print each stored item once its batch committed — and, in-process, was transcribed and scored."""
    done: list[int] = []

    def on_stored(stored: StoredInteraction) -> None:
        progress = demo_progress(settings, stored.interaction_id)
        if not stored.needs_scoring:
            outcome = "без разговора (потерянный вызов) / no conversation (lost call)"
        elif progress.score is not None:
            outcome = f"балл {progress.score:.0f}"
        else:
            outcome = f"состояние {progress.state}"
        flags = " · критическая ошибка" if progress.failed_critical else ""
        flags += " · на проверку" if progress.needs_review else ""
        done.append(stored.interaction_id)
        _say(f"  [{len(done)}] {progress.label}: {outcome}{flags}")

    return on_stored


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
    accounts = prepare_demo_accounts(settings)
    _say(f"демо: база {settings.database_url}")

    from qa_service.simulator.data import generate
    from qa_service.simulator.server import PlatformServer

    token = secrets.token_urlsafe(16)
    data = generate(seed=7, calls=args.calls, chats=args.chats, emails=args.emails)
    simulator = PlatformServer(data, "127.0.0.1", 0, Path(settings.instance_dir) / "simulator-audio", token=token)
    simulator.start_in_thread()
    _say(f"симулятор платформы / platform simulator: {simulator.url}")
    connector_id = configure_demo_connector(settings, accounts.tenant_id, simulator.url, token)

    from qa_service.jobs import using_settings

    on_stored = _progress(settings)
    _say("загрузка, распознавание, оценка / fetch, transcribe, score:")
    with using_settings(settings):
        report = run_connector(settings, connector_id, on_stored=on_stored)
    link_demo_agent(settings, accounts.tenant_id)
    seed_demo_calibration(settings, accounts.tenant_id)
    seed_demo_coaching(settings, accounts.tenant_id)
    from datetime import UTC, datetime

    from qa_service.services.reports_demo import demo_card_chat, seed_demo_reports

    # Today's chat with a critical failure, scored like any other (storing it requests the scoring).
    on_stored(demo_card_chat(settings, accounts.tenant_id, datetime.now(UTC)))
    seed_demo_reports(settings, accounts.tenant_id, datetime.now(UTC))  # yesterday's reports, one short hour
    _say(
        f"новых взаимодействий {report.stored}, уже были {report.repeated}, статусов {report.status_events}, "
        f"слотов плана {report.staffing_slots}"
    )
    if args.no_serve:
        simulator.shutdown()
        simulator.server_close()
        return 0

    from qa_service.web import create_app

    app = create_app(settings)
    _say(f"вход / sign in: {', '.join(accounts.emails)} — пароль / password: {accounts.password}")
    _say(f"откройте / open http://{args.host}:{args.port}/")
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
