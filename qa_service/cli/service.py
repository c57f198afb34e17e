"""`qa-service serve` and `qa-service worker`: the production processes."""

from __future__ import annotations

import argparse

from qa_service.config import ConfigError, Settings
from qa_service.jobs import QUEUES, run_worker
from qa_service.logging_setup import configure_logging


def _serve(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    settings.require_secret()
    from qa_service.web import create_app

    configure_logging()
    app = create_app(settings)
    # The Flask server is for a single machine; production runs gunicorn (see README).
    app.run(host=args.host, port=args.port, debug=False, use_reloader=False)
    return 0


def _preload_for(queues: list[str]) -> None:
    """Load heavy models once, before the work loop (only for queues that need them)."""
    if "asr" in queues:
        from qa_service.asr.transcriber import preload

        preload()
    if "text" in queues:
        from qa_service.services.ingestion.scoring import warm_up

        warm_up()


def _worker(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    settings.require_secret()
    queues = [q.strip() for q in args.queues.split(",") if q.strip()]
    unknown = [q for q in queues if q not in QUEUES]
    if unknown:
        raise ConfigError(f"неизвестные очереди: {unknown}", f"unknown queues: {unknown}")
    if settings.redis_url is None:
        raise ConfigError(
            "для воркера нужен REDIS_URL (без него задачи выполняются в процессе)",
            "a worker needs REDIS_URL (without it jobs run in-process)",
        )
    configure_logging()
    run_worker(settings, queues, burst=args.burst, preload=lambda: _preload_for(queues))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="веб-приложение / the web app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.set_defaults(handler=_serve)

    parser = subparsers.add_parser("worker", help="RQ-воркер / an RQ worker")
    parser.add_argument("--queues", default=",".join(QUEUES), help="asr,text")
    parser.add_argument("--burst", action="store_true", help="выйти, когда очереди пусты / exit when queues are empty")
    parser.set_defaults(handler=_worker)
