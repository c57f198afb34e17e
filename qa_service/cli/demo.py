"""`qa-service demo`: the embedded default — no external server needed.

Migrates a SQLite database under `instance/demo`, creates the demo airline and its users,
processes the bundled sample interactions, and serves the UI on http://127.0.0.1:5000.
"""

from __future__ import annotations

import argparse
import os

from qa_service.config import Settings
from qa_service.services.demo import prepare_demo_accounts


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
    print(f"демо: база {settings.database_url}")
    print(f"вход / sign in: {', '.join(accounts.emails)} — пароль / password: {accounts.password}")

    from qa_service.web import create_app

    app = create_app(settings)
    print(f"откройте / open http://{args.host}:{args.port}/")
    app.run(host=args.host, port=args.port, debug=False, use_reloader=False)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="демонстрация без внешних серверов / the self-contained demo")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.set_defaults(handler=_demo)
