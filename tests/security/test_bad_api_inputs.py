"""The class-1 bad-input corpus (tests/data/bad/api, tests/data/bad/cli) through the push API and the CLI.

Every case must get a 4xx (API) or exit 1 (CLI) with ONE line naming the field, Russian first
and English beside it, and leave nothing stored (rows counted before and after on the real
PostgreSQL).  The push bodies go through the API *and* `qa-service score` (the CLI's reader),
proving the one interaction schema serves both.  The test prints how many cases ran.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from factories import PASSWORD, sign_in
from flask import Flask
from sqlalchemy import func, select

from qa_service.cli import main as cli_main
from qa_service.config import Settings
from qa_service.db.models import Agent, Interaction, Recording, Role, SamplingRule, Team, Tenant, Turn, User
from qa_service.db.session import transaction
from qa_service.services.accounts.tenants import hash_password
from qa_service.services.accounts.tokens import issue_token
from qa_service.web import create_app

BAD = Path(__file__).parent.parent / "data" / "bad"
BASE: dict[str, Any] = {
    "external_id": "bad-input-1",
    "source": "site-chat",
    "channel": "chat",
    "agent_id": "op-1",
    "started_at": "2026-11-20T10:00:00+03:00",
    "ended_at": "2026-11-20T10:05:00+03:00",
    "turns": [{"speaker": "customer", "text": "Здравствуйте, хочу вернуть билет", "at": "2026-11-20T10:00:05+03:00"}],
}
MARK = "@@RAW@@"


def _load(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (BAD / name).read_text("utf-8").splitlines() if line.strip()]


PUSH_CASES = _load("api/push_bodies.jsonl")
QUERY_CASES = _load("api/queries.jsonl")
CLI_CASES = _load("cli/cases.jsonl")
FORM_CASES = _load("forms/cases.jsonl")
RAN: dict[str, int] = {"api push": 0, "api query": 0, "cli score": 0, "cli": 0, "ui forms": 0}


def _set(document: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    target: Any = document
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
    last = parts[-1]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value


def _nested(spec: Any) -> Any:
    """`{"nest": n}` is n nested lists, `{"nest_obj": n}` n nested objects: too deep to write out."""
    if isinstance(spec, dict) and "nest" in spec:
        value: Any = 1
        for _ in range(spec["nest"]):
            value = [value]
        return value
    if isinstance(spec, dict) and "nest_obj" in spec:
        value = 1
        for _ in range(spec["nest_obj"]):
            value = {"a": value}
        return value
    return spec


def body_of(case: dict[str, Any]) -> bytes:
    """The exact bytes a case sends: the base document with its changes, or raw text."""
    raw = case.get("raw") or {}
    if "whole" in raw:
        return str(raw["whole"]).encode("utf-8")
    if "whole_bytes_hex" in raw:
        return bytes.fromhex(raw["whole_bytes_hex"])
    document = json.loads(json.dumps(BASE))
    for dotted in case.get("delete", []):
        parts = dotted.split(".")
        target: Any = document
        for part in parts[:-1]:
            target = target[int(part)] if isinstance(target, list) else target[part]
        del target[parts[-1]]
    for dotted, value in (case.get("set") or {}).items():
        _set(document, dotted, _nested(value))
    literal = None
    for dotted, value in (case.get("raw_set") or {}).items():
        _set(document, dotted, MARK)
        literal = ("[" * value["nest_raw"] + "]" * value["nest_raw"]) if isinstance(value, dict) else value
    text = json.dumps(document, ensure_ascii=False)
    if literal is not None:
        text = text.replace(f'"{MARK}"', literal)
    if "prefix" in raw:
        text = raw["prefix"] + text[1:]
    return text.encode("utf-8", "surrogatepass")


def assert_one_line_naming(message: str, field: str | None) -> None:
    assert "\n" not in message.strip() and "Traceback" not in message, message
    assert len(message) < 600, message
    if field:
        assert field in message, f"{field!r} not named in {message!r}"


@pytest.fixture(scope="module")
def world(postgres_url: str, redis_base_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    settings = Settings(environment="test", database_url=postgres_url, redis_url=redis_base_url,
                        instance_dir=tmp_path_factory.mktemp("instance"), secret_key="test-secret")
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="bad-input", name="Плохие данные")
        session.add(tenant)
        session.flush()
        token = issue_token(session, tenant)
        session.add(User(tenant_id=tenant.id, email="admin@bad.example", name="Админ", role=Role.ADMIN,
                         password_hash=hash_password(PASSWORD)))
        agent = Agent(tenant_id=tenant.id, external_id="op-bad", name="Оператор")
        session.add(agent)
        session.flush()
        agent_id = agent.id
    return {"settings": settings, "token": token, "app": create_app(settings), "agent": agent_id,
            "tenant_id": tenant.id}


@pytest.fixture(scope="module")
def admin(world: dict[str, Any]) -> tuple[Any, str]:
    """One signed-in admin for every form case (signing in per case would trip the login rate limit)."""
    client = world["app"].test_client()
    return client, sign_in(client, "admin@bad.example")


def counts(settings: Settings) -> dict[str, Any]:
    with transaction(settings.sqlalchemy_url) as session:
        rows: dict[str, Any] = {model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
                                for model in (Interaction, Turn, Agent, Recording, User, Team, SamplingRule)}
        rows["tenant settings"] = [t.settings for t in session.scalars(select(Tenant).order_by(Tenant.id))]
        return rows


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.parametrize("case", PUSH_CASES, ids=[c["id"] for c in PUSH_CASES])
def test_push_api_refuses_with_one_line(world: dict[str, Any], case: dict[str, Any]) -> None:
    app: Flask = world["app"]
    before = counts(world["settings"])
    response = app.test_client().post(
        "/api/v1/interactions", data=body_of(case), content_type="application/json",
        headers={"Authorization": f"Bearer {world['token']}"},
    )
    body = response.get_json(silent=True)
    assert response.status_code == case.get("status", 400), (response.status_code, response.get_data()[:300])
    assert body is not None and set(body) >= {"error", "error_en", "status"}, response.get_data()[:300]
    assert any("а" <= ch <= "я" for ch in body["error"].lower()), body  # Russian first
    assert_one_line_naming(body["error"], case["field"])
    assert_one_line_naming(body["error_en"], case["field"])
    assert counts(world["settings"]) == before, "something was half-stored"
    RAN["api push"] += 1


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.parametrize("case", QUERY_CASES, ids=[c["id"] for c in QUERY_CASES])
def test_api_reads_refuse_with_one_line(world: dict[str, Any], case: dict[str, Any]) -> None:
    app: Flask = world["app"]
    response = app.test_client().get(case["get"], headers={"Authorization": f"Bearer {world['token']}"})
    assert response.status_code == case["status"], (response.status_code, response.get_data()[:300])
    body = response.get_json(silent=True)
    assert body is not None and body["error"] and body["error_en"], response.get_data()[:300]
    assert_one_line_naming(body["error"], case.get("field"))
    assert_one_line_naming(body["error_en"], case.get("field"))
    RAN["api query"] += 1


def run_cli(argv: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    fake_stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdin", fake_stdin)
        code = cli_main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("case", PUSH_CASES, ids=[c["id"] for c in PUSH_CASES])
def test_cli_score_refuses_the_same_bodies(tmp_path: Path, case: dict[str, Any]) -> None:
    path = tmp_path / "interaction.json"
    path.write_bytes(body_of(case))
    code, out, err = run_cli(["score", str(path), "--json"])
    assert code == 1, (code, out[:300], err[:300])
    assert out == ""
    field = case["field"]
    assert_one_line_naming(err, field)
    RAN["cli score"] += 1


@pytest.mark.parametrize("case", CLI_CASES, ids=[c["id"] for c in CLI_CASES])
def test_cli_refuses_with_one_line(tmp_path: Path, case: dict[str, Any]) -> None:
    argv = []
    for arg in case["argv"]:
        if arg == "{file}":
            path = tmp_path / case.get("filename", "input")
            if "file_hex" in case:
                path.write_bytes(bytes.fromhex(case["file_hex"]))
            else:
                path.write_text(case["file_text"], "utf-8")
            arg = str(path)
        argv.append(arg)
    code, out, err = run_cli(argv, case.get("stdin", "").encode("utf-8", "surrogatepass"))
    assert code == case.get("exit", 1), (code, out[:300], err[:300])
    if argv[:2] == ["rubric", "check"]:
        # Its contract: one line per problem (file:line: field: reason), then the count.
        *problems, summary = err.strip().splitlines()
        assert problems and "problem" in summary, err
        err = problems[0]
    assert_one_line_naming(err, case.get("field"))
    RAN["cli"] += 1


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.parametrize("case", FORM_CASES, ids=[c["id"] for c in FORM_CASES])
def test_ui_forms_refuse_with_one_line(world: dict[str, Any], admin: tuple[Any, str], case: dict[str, Any]) -> None:
    client, token = admin
    url = case["url"].replace("{agent}", str(world["agent"]))
    before = counts(world["settings"])
    if case["method"] == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={**case["form"], "csrf_token": token})
    assert response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:300])
    if case["expect"] == "status":
        assert response.status_code == case["status"], response.status_code
    else:
        # The forms answer a refusal the app's way: back to the page, the reason flashed on it.
        assert response.status_code == 303, response.status_code
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        flashed = re.findall(r'<p class="flash flash-error"[^>]*>(.*?)</p>', page, flags=re.S)
        assert len(flashed) == 1, flashed
        assert_one_line_naming(html.unescape(flashed[0]), case["field"])
    assert counts(world["settings"]) == before, "something was half-stored"
    RAN["ui forms"] += 1


def test_report_bad_input_cases() -> None:
    """Printed with `-s` after the corpus: how many cases ran through each boundary."""
    for where, n in RAN.items():
        print(f"bad inputs: {where}: {n} cases")
    corpus = len(PUSH_CASES) + len(QUERY_CASES) + len(CLI_CASES) + len(FORM_CASES)
    print(f"bad inputs: {sum(RAN.values())} cases run in all, {corpus} in the corpus")
    assert corpus >= 120
