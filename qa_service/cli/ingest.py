"""`qa-service ingest`, `connector`, `issue-token`, `scheduler`: getting data in, round the clock."""

from __future__ import annotations

import argparse
import json
import os
import sys

from qa_service.config import Settings
from qa_service.core.errors import UserFacingError
from qa_service.jobs import ingest_connector, using_settings


def _ingest(args: argparse.Namespace) -> int:
    """One ingestion run of every enabled connector (or one), then the pipeline for what is new."""
    from qa_service.services.connectors.configuration import enabled_connectors

    settings = Settings.from_env()
    targets = enabled_connectors(settings, args.connector)
    if not targets:
        raise UserFacingError("нет включённых коннекторов", "no enabled connectors")
    for connector_id, name in targets:
        print(f"коннектор / connector {name}…", file=sys.stderr)
        with using_settings(settings):
            ingest_connector(connector_id)
    print("готово / done", file=sys.stderr)
    return 0


def _connector_save(args: argparse.Namespace) -> int:
    from qa_service.services.connectors.configuration import save_tenant_connector

    settings = Settings.from_env()
    try:
        config = json.loads(args.config)
    except json.JSONDecodeError as error:
        raise UserFacingError(f"--config: не JSON ({error.msg})", f"--config: not JSON ({error.msg})") from None
    # Secrets come from the environment, never the command line (shell history, `ps`).
    secrets = json.loads(os.environ.get("QA_CONNECTOR_SECRETS", "{}") or "{}")
    name, connector_id = save_tenant_connector(
        settings,
        args.tenant,
        name=args.name,
        kind=args.kind,
        config=config,
        secrets=secrets,
        poll_interval_seconds=args.interval,
    )
    print(f"connector {name} id={connector_id}")
    return 0


def _connector_list(args: argparse.Namespace) -> int:
    from qa_service.services.connectors.configuration import tenant_connectors

    settings = Settings.from_env()
    for view in tenant_connectors(settings, args.tenant):
        secrets = ",".join(view.secrets_set) or "-"
        print(
            f"{view.name}\t{view.kind}\tevery {view.poll_interval_seconds}s\tsecrets set: {secrets}"
            f"\t{'on' if view.enabled else 'off'}\t{view.last_error or ''}"
        )
    return 0


def _issue_token(args: argparse.Namespace) -> int:
    from qa_service.services.accounts.tokens import issue_token_for

    print(issue_token_for(Settings.from_env(), args.tenant))
    return 0


def _scheduler(args: argparse.Namespace) -> int:
    """Every periodic job (see qa_service/schedules.py), enqueued by RQ's cron scheduler."""
    from qa_service import schedules

    schedules.run(args.settings, every={"poll-connectors": args.every})
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("ingest", help="один проход загрузки / one ingestion run")
    parser.add_argument("--connector", help="имя коннектора / connector name (default: all enabled)")
    parser.set_defaults(handler=_ingest)

    connector = subparsers.add_parser("connector", help="настройка коннекторов / connector settings")
    sub = connector.add_subparsers(dest="connector_command", required=True)
    save = sub.add_parser("save", help="создать или изменить (секреты из QA_CONNECTOR_SECRETS) / create or update")
    save.add_argument("--tenant", required=True)
    save.add_argument("--name", required=True)
    save.add_argument("--kind", required=True, choices=["dropfolder", "http", "imap"])
    save.add_argument("--config", required=True, help='JSON, e.g. {"path": "/srv/drop"}')
    save.add_argument("--interval", type=int, default=300, help="секунды между опросами / seconds between polls")
    save.set_defaults(handler=_connector_save)
    show = sub.add_parser("list", help="список без секретов / list without secrets")
    show.add_argument("--tenant", required=True)
    show.set_defaults(handler=_connector_list)

    parser = subparsers.add_parser("issue-token", help="токен API авиакомпании / a tenant's API token")
    parser.add_argument("--tenant", required=True)
    parser.set_defaults(handler=_issue_token)

    parser = subparsers.add_parser("scheduler", help="все периодические задачи / every periodic job")
    parser.add_argument("--every", type=int, default=60,
                        help="как часто проверять коннекторы, секунды / how often to poll connectors, seconds")
    parser.set_defaults(handler=_scheduler)
