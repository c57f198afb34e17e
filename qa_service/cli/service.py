"""`qa-service serve` and `qa-service worker`: the production processes."""

from __future__ import annotations

import argparse

from qa_service import workers
from qa_service.config import Settings
from qa_service.jobs import QUEUES
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


def _worker(args: argparse.Namespace) -> int:
    queues = [q.strip() for q in args.queues.split(",") if q.strip()]
    workers.serve(args.settings, queues, burst=args.burst)
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
