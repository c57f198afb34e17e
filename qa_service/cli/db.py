"""`qa-service migrate`, `create-tenant`, `create-user`, `link-agent`: set up a database."""

from __future__ import annotations

import argparse
import getpass
import os

from qa_service.config import Settings
from qa_service.db.migrate import upgrade
from qa_service.services.accounts.tenants import set_up_tenant, set_up_user
from qa_service.services.accounts.users import link_agent_cli


def _migrate(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    upgrade(settings.sqlalchemy_url)
    print("база данных обновлена / database is up to date")
    return 0


def _create_tenant(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    slug, tenant_id = set_up_tenant(settings, args.slug, args.name)
    print(f"tenant {slug} id={tenant_id}")
    return 0


def _create_user(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    # Never on the command line: it would stay in shell history and `ps`.
    password = os.environ.get("QA_USER_PASSWORD") or getpass.getpass("Пароль / password: ")
    email, role, user_id = set_up_user(
        settings, args.tenant, email=args.email, name=args.name, role=args.role, password=password
    )
    print(f"user {email} role={role} id={user_id}")
    return 0


def _link_agent(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if link_agent_cli(settings, args.tenant, args.email, args.agent_id):
        print(f"user {args.email} -> agent {args.agent_id}")
        return 0
    print(f"оператора {args.agent_id} ещё нет: повторите после загрузки его взаимодействий / "
          f"agent {args.agent_id} not ingested yet: run again once their interactions are in")
    return 1


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("migrate", help="создать/обновить схему БД / create or upgrade the schema")
    parser.set_defaults(handler=_migrate)

    parser = subparsers.add_parser("create-tenant", help="добавить авиакомпанию / add a tenant")
    parser.add_argument("slug")
    parser.add_argument("name")
    parser.set_defaults(handler=_create_tenant)

    parser = subparsers.add_parser(
        "create-user", help="добавить пользователя (пароль из QA_USER_PASSWORD) / add a user"
    )
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--role", required=True, choices=["admin", "qa", "trainer", "supervisor", "agent", "customer"])
    parser.set_defaults(handler=_create_user)

    parser = subparsers.add_parser(
        "link-agent", help="связать вход с id оператора на платформе / tie a sign-in to the platform's agent id"
    )
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--agent-id", required=True, help="the agent's id at the contact-center platform")
    parser.set_defaults(handler=_link_agent)
