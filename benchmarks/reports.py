"""Reports benchmark: both daily reports and their PDFs for a day of 10,000 interactions inside 1 M.

Run: `.venv/bin/python benchmarks/reports.py [--interactions 1000000] [--reuse]`.

Needs the real PostgreSQL (`QA_BENCH_POSTGRES`, default postgresql://postgres@127.0.0.1:5432/postgres).
Creates the database `qa_bench_reports`, migrates it, and seeds with INSERT … SELECT
generate_series (no ORM objects): one tenant, 100 agents in 5 teams; N interactions over
the 100 days up to the measured day, of which 10,000 fall on that day (70 % calls, 20 %
chats, 10 % e-mails; lost calls, outbound calls, sales, holds); every interaction scored, the
day's 10,000 with a machine evaluation of 8 answers (80,000 answers), chat and e-mail turns;
10,000 status events of 100 agents that day, and a 24-hour staffing plan.  Then it times
`operations_report`, `quality_report` (each: the first run, and the median of 5) and both PDFs.
Targets: each report ≤ 2 s, each PDF ≤ 5 s.  Figures go to benchmarks/RESULTS-reports.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy.engine import make_url

from qa_service.config import Settings
from qa_service.core.reports.periods import period_bounds
from qa_service.db.migrate import upgrade
from qa_service.db.session import session_factory
from qa_service.services.reports.daily import describe
from qa_service.services.reports.exports import export
from qa_service.services.reports.operations import operations_report
from qa_service.services.reports.quality import quality_report
from qa_service.services.reports.scope import ReportScope

ROOT = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get("QA_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = "qa_bench_reports"
DAY = date(2026, 11, 20)
PER_DAY = 10_000
TARGETS = {"report": 2.0, "pdf": 5.0}

SEED_SQL = """
INSERT INTO tenants (slug, name, timezone, settings, created_at)
  VALUES ('bench', 'Бенчмарк', 'Europe/Moscow', '{"min_agents_on_line": 4}', now());
INSERT INTO teams (tenant_id, name, created_at) SELECT 1, 'Команда ' || g, now() FROM generate_series(1, 5) g;
INSERT INTO agents (tenant_id, external_id, name, team_id, active, created_at)
  SELECT 1, 'A-' || g, 'Оператор ' || g, 1 + g %% 5, true, now() FROM generate_series(1, 100) g;
INSERT INTO rubrics (tenant_id, slug, channel, title, created_at) VALUES (1, 'airline-call', 'call', 'call', now());
INSERT INTO rubric_versions (rubric_id, content_hash, content, published_at, created_at)
  VALUES (1, 'sha256:bench', 'id: airline-call', now(), now());
-- The measured day: g = 0..9999 spread evenly over the local day.
INSERT INTO interactions (tenant_id, source, external_id, channel, direction, agent_id, started_at, ended_at,
                          outcome, wait_seconds, sale_amount, currency, card_data_detected, meta, metrics, state,
                          score, failed_critical, needs_review, reviewed, created_at)
  SELECT 1, 'bench', 'D-' || g,
         CASE WHEN g %% 10 < 7 THEN 'call' WHEN g %% 10 < 9 THEN 'chat' ELSE 'email' END,
         CASE WHEN g %% 10 < 7 AND g %% 6 = 0 THEN 'outbound' ELSE 'inbound' END,
         CASE WHEN g %% 10 < 7 AND g %% 17 = 0 AND g %% 6 <> 0 THEN NULL ELSE 1 + g %% 100 END,
         %(start)s::timestamptz + make_interval(secs => g * 8.64),
         %(start)s::timestamptz + make_interval(secs => g * 8.64 + 180),
         CASE WHEN g %% 10 >= 7 THEN NULL WHEN g %% 17 = 0 AND g %% 6 <> 0 THEN 'abandoned' ELSE 'answered' END,
         (g * 7) %% 40, CASE WHEN g %% 23 = 0 THEN 5000 ELSE NULL END, 'RUB', false, '{}'::jsonb,
         CASE WHEN g %% 5 = 0 THEN '{"holds": [[10, 30]]}'::jsonb ELSE NULL END, 'scored',
         40 + (g * 37) %% 61, g %% 50 = 0, false, g %% 13 = 0, now()
  FROM generate_series(0, %(per_day)s - 1) g;
-- The days before: the rest of the million.
INSERT INTO interactions (tenant_id, source, external_id, channel, direction, agent_id, started_at, ended_at, outcome,
                          wait_seconds, currency, card_data_detected, meta, state, score, failed_critical,
                          needs_review, reviewed, created_at)
  SELECT 1, 'bench', 'H-' || g, (ARRAY['call','call','chat','email'])[1 + g %% 4], 'inbound', 1 + g %% 100,
         %(start)s::timestamptz - make_interval(secs => g * 8.64),
         %(start)s::timestamptz - make_interval(secs => g * 8.64 - 120), 'answered', g %% 30, 'RUB', false,
         '{}'::jsonb, 'scored', 40 + (g * 37) %% 61, g %% 50 = 0, false, false, now()
  FROM generate_series(1, %(history)s) g;
INSERT INTO evaluations (tenant_id, interaction_id, rubric_version_id, kind, status, score, failed_critical,
                         needs_review, review_reasons, created_at)
  SELECT 1, id, 1, 'auto', 'submitted', score, failed_critical, false, '[]'::jsonb, now()
  FROM interactions WHERE external_id LIKE 'D-%%';
INSERT INTO criterion_answers (evaluation_id, position, criterion_id, answer, points, max_points, critical, evidence)
  SELECT e.id, p, (ARRAY['greeting','agent_name','identify_booking','fare_rules','hold_etiquette','farewell',
                         'accuracy','no_card_by_voice'])[p + 1],
         CASE WHEN p = 7 THEN CASE WHEN e.failed_critical THEN 'no' ELSE 'yes' END
              WHEN (e.id + p) %% 5 = 0 THEN 'no' WHEN (e.id + p) %% 11 = 0 THEN 'na' ELSE 'yes' END,
         NULL, 10, p = 7,
         CASE WHEN p = 7 AND e.failed_critical THEN '[{"turn": 3, "quote": "назовите номер карты"}]'::jsonb
              ELSE '[]'::jsonb END
  FROM evaluations e CROSS JOIN generate_series(0, 7) p;
INSERT INTO turns (interaction_id, position, speaker, text, at)
  SELECT i.id, p, CASE WHEN p = 0 THEN 'customer' ELSE 'agent' END, 'Здравствуйте',
         i.started_at + make_interval(secs => p * (i.id %% 120))
  FROM interactions i CROSS JOIN generate_series(0, 1) p
  WHERE i.external_id LIKE 'D-%%' AND i.channel IN ('chat', 'email');
INSERT INTO agent_status_events (tenant_id, source, source_key, agent_id, status, at)
  SELECT 1, 'bench', a || '-' || k, a,
         (ARRAY['ready','on_call','not_ready','on_call','break','ready','on_call','not_ready','logged_out',
                'ready'])[1 + (k + a) %% 10],
         %(start)s::timestamptz + make_interval(secs => k * 864 + a * 7)
  FROM generate_series(1, 100) a CROSS JOIN generate_series(0, 99) k;
INSERT INTO staffing_plans (tenant_id, hour_start, queue, planned_agents)
  SELECT 1, %(start)s::timestamptz + make_interval(hours => h), '', 60 FROM generate_series(0, 23) h;
VACUUM ANALYZE;
"""


def _timed(function, repeat: int = 5) -> tuple[float, float, float, object]:  # type: ignore[no-untyped-def]
    """(first run wall s, median wall s, median CPU s of this process, result).

    The CPU time is what the step costs without the other sessions' load (the database's own
    work happens in the server process and is not in it).
    """
    first_start = time.perf_counter()
    result = function()
    first = time.perf_counter() - first_start
    runs, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        function()
        runs.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    return first, statistics.median(runs), statistics.median(cpu), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    args = parser.parse_args()
    url = make_url(ADMIN_URL).set(database=DB_NAME).render_as_string(hide_password=False)
    settings = Settings(environment="test", database_url=url, secret_key="bench")
    load_before = os.getloadavg()
    seed_seconds = None
    if not args.reuse:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{DB_NAME}"')
        upgrade(settings.sqlalchemy_url)
        start, _ = period_bounds(DAY, DAY, ZoneInfo("Europe/Moscow"))
        started = time.perf_counter()
        with psycopg.connect(url, autocommit=True) as connection:
            for statement in SEED_SQL.split(";\n"):
                if "%(" in statement:
                    connection.execute(statement, {"start": start, "per_day": PER_DAY,
                                                   "history": args.interactions - PER_DAY})
                elif statement.strip():
                    connection.execute(statement.replace("%%", "%"))
        seed_seconds = time.perf_counter() - started
        print(f"seeded {args.interactions} interactions in {seed_seconds:.0f} s", file=sys.stderr)
    now = datetime(2026, 11, 22, tzinfo=UTC)
    scope = ReportScope(1)
    figures: dict[str, tuple[float, float, float]] = {}
    with session_factory(settings.sqlalchemy_url)() as session:
        counts = session.connection().exec_driver_sql(
            "SELECT (SELECT count(*) FROM interactions), (SELECT count(*) FROM agent_status_events), "
            "(SELECT count(*) FROM criterion_answers)").one()
        first, median, cpu, operations = _timed(lambda: operations_report(session, scope, DAY, DAY, now))
        figures["operations report"] = (first, median, cpu)
        first, median, cpu, quality = _timed(lambda: quality_report(session, scope, DAY, DAY))
        figures["quality report"] = (first, median, cpu)
        subtitle = describe(session, scope, DAY, DAY)
    for name, kind, report in (("operations PDF", "daily-operations", operations),
                               ("quality PDF", "daily-quality", quality)):
        first, median, cpu, pdf = _timed(lambda k=kind, r=report: export(k, r, "pdf", subtitle=subtitle), repeat=2)
        figures[name] = (first, median, cpu)
        print(f"{name}: {len(pdf)} bytes", file=sys.stderr)  # type: ignore[arg-type]
    load_after = os.getloadavg()
    day_totals = operations.to_json()["totals"]  # type: ignore[attr-defined]
    lines = [
        "# Reports benchmark",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on this machine ({os.cpu_count()} CPU cores, shared with other "
        f"sessions): load average {load_before[0]:.1f} before, {load_after[0]:.1f} after.",
        f"Database: {counts[0]:,} interactions ({PER_DAY:,} on {DAY}), {counts[1]:,} status events that day, "
        f"{counts[2]:,} criterion answers." + (f" Seeded in {seed_seconds:.0f} s." if seed_seconds else ""),
        f"The day: {day_totals['inbound_offered']:,} inbound calls offered, {day_totals['chats']:,} chats, "
        f"{day_totals['emails']:,} e-mails.",
        "",
        "| step | first run (wall), s | median (wall), s | median CPU of this process, s | target, s | met (wall) |",
        "|---|---|---|---|---|---|",
    ]
    for name, (first, median, cpu) in figures.items():
        target = TARGETS["pdf" if "PDF" in name else "report"]
        met = "yes" if median <= target else "no"
        lines.append(f"| {name} | {first:.2f} | {median:.2f} | {cpu:.2f} | ≤ {target:.0f} | {met} |")
    lines += ["", "Command: `.venv/bin/python benchmarks/reports.py`.", ""]
    (ROOT / "benchmarks" / "RESULTS-reports.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
