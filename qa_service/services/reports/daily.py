"""Daily reports as use cases: build one for the page or the CLI, store the day's run, sign it off,
and generate yesterday's reports for every tenant at its local report time and mail the PDFs.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.core.errors import UserFacingError
from qa_service.core.reports.periods import period_bounds
from qa_service.db.blobs import BlobStore
from qa_service.db.models import Agent, ReportRun, Role, Team, Tenant, User
from qa_service.db.session import session_factory, transaction
from qa_service.services.access import Viewer
from qa_service.services.after_commit import request_job
from qa_service.services.agent_names import agent_label
from qa_service.services.audit import record
from qa_service.services.form_versions import stale
from qa_service.services.mail import Attachment, send_mail
from qa_service.services.reports.exports import (
    export,
)
from qa_service.services.reports.operations import (
    operations_report,
)
from qa_service.services.reports.quality import (
    quality_report,
)
from qa_service.services.reports.scope import (
    SIGNERS,
    ReportScope,
    hidden_in_period,
    scope_for,
    settings_of,
    tenant_by_slug,
)
from qa_service.services.reports.tables import (
    KIND_TITLES,
    KINDS,
    OPERATIONS,
    QUALITY,
)

log = logging.getLogger(__name__)

RERUNNERS = (Role.ADMIN, Role.QA)  # the contractor's side runs the service; the airline reads and signs
REGENERATE_DAY = "regenerate_report_day"  # the job in qa_service.jobs
MAX_ATTEMPTS = 5  # a day that failed this often waits for a person (status and error are on the history page)


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise UserFacingError(f"вид отчёта: {kind!r}, ожидается {' или '.join(KINDS)}",
                              f"report kind: {kind!r}, expected {' or '.join(KINDS)}")
    return kind


def build_report(session: Session, kind: str, scope: ReportScope, first: date, last: date, now: datetime) -> Any:
    """The report of `kind` for the local days `first`..`last` within `scope` — pages, CLI and jobs all call this."""
    if check_kind(kind) == OPERATIONS:
        return operations_report(session, scope, first, last, now)
    return quality_report(session, scope, first, last)


def describe(session: Session, scope: ReportScope, first: date, last: date) -> str:
    """One line under the title: the airline, the period, the team or agent it was narrowed to."""
    tenant = session.get_one(Tenant, scope.tenant_id)
    period = first.strftime("%d.%m.%Y") + ("" if last == first else " – " + last.strftime("%d.%m.%Y"))
    parts = [tenant.name, period, settings_of(tenant).timezone]
    if scope.agent_id is not None:
        agent = session.get_one(Agent, scope.agent_id)
        parts.append(f"оператор {agent_label(agent.name, agent.external_id)}")
    elif scope.team_ids is not None:
        names = session.scalars(select(Team.name).where(Team.id.in_(scope.team_ids)).order_by(Team.name))
        parts.append("группы: " + (", ".join(names) or "—"))
    return " · ".join(parts)


def render(session: Session, kind: str, scope: ReportScope, first: date, last: date, now: datetime,
           fmt: str) -> bytes:
    report = build_report(session, kind, scope, first, last, now)
    return export(kind, report, fmt, subtitle=describe(session, scope, first, last),
                  generated_at=_local(session, scope.tenant_id, now))


def _local(session: Session, tenant_id: int, moment: datetime) -> datetime:
    """A moment in the tenant's zone: every time a person reads is local, never UTC."""
    return moment.astimezone(settings_of(session.get_one(Tenant, tenant_id)).zone)


# --- stored runs -----------------------------------------------------------------------------


def run_for(session: Session, tenant_id: int, kind: str, day: date) -> ReportRun | None:
    return session.scalar(
        select(ReportRun).where(ReportRun.tenant_id == tenant_id, ReportRun.kind == kind, ReportRun.day == day)
    )


def _run_row(session: Session, tenant: Tenant, kind: str, day: date) -> ReportRun:
    run = run_for(session, tenant.id, kind, day)
    if run is None:
        start, end = period_bounds(day, day, settings_of(tenant).zone)
        run = ReportRun(tenant_id=tenant.id, kind=kind, day=day, period_start=start, period_end=end, status="running",
                        attempts=0, summary={})
        session.add(run)
        session.flush()
    return run


def store_day(settings: Settings, session: Session, tenant: Tenant, kind: str, day: date, now: datetime) -> bytes:
    """Compute the day's report, store its PDF and JSON on the day's run (replacing an earlier one); the PDF."""
    scope = ReportScope(tenant.id)
    report = build_report(session, kind, scope, day, day, now)
    pdf = export(kind, report, "pdf", subtitle=describe(session, scope, day, day),
                 generated_at=_local(session, tenant.id, now))
    key = f"tenant-{tenant.id}/reports/{kind}-{day.isoformat()}.pdf"
    BlobStore.from_url(settings.blob_url).put_bytes(key, pdf)
    run = _run_row(session, tenant, kind, day)
    run.summary, run.blob_key, run.status, run.error = report.to_json(), key, "done", None
    run.generated_at = now
    return pdf


def record_failure(settings: Settings, tenant_id: int, day: date, error: BaseException) -> None:
    """Mark the day's runs failed with the reason, counting the attempt (the work itself rolled back)."""
    with transaction(settings.sqlalchemy_url) as session:
        tenant = session.get_one(Tenant, tenant_id)
        for kind in KINDS:
            run = _run_row(session, tenant, kind, day)
            run.status, run.attempts = "failed", run.attempts + 1
            run.error = f"{type(error).__name__}: {error}"[:2000]


def stored_pdf(settings: Settings, run: ReportRun) -> bytes:
    if not run.blob_key:
        raise UserFacingError("у этого запуска нет файла", "this run has no file")
    with BlobStore.from_url(settings.blob_url).open(run.blob_key) as blob:
        return blob.stream.read()


def history(session: Session, tenant_id: int, limit: int = 120) -> list[tuple[ReportRun, str | None]]:
    """Stored runs, newest day first, with the name of whoever signed the day off."""
    rows = session.execute(
        select(ReportRun, User.name).outerjoin(User, User.id == ReportRun.signed_off_by_id)
        .where(ReportRun.tenant_id == tenant_id)
        .order_by(ReportRun.day.desc(), ReportRun.kind).limit(limit)
    )
    return [(row[0], row[1]) for row in rows]


def figures_hash(report: Any) -> str:
    """The version of a day's figures a signature covers: a hash of the report's figures of record."""
    text = json.dumps(report.to_json(), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def day_figures_hash(session: Session, tenant_id: int, day: date, now: datetime) -> str:
    """The hash of the whole tenant's quality day as it stands now."""
    return figures_hash(build_report(session, QUALITY, ReportScope(tenant_id), day, day, now))


def signature_outdated(session: Session, run: ReportRun | None, now: datetime) -> bool:
    """True when the day's figures changed after the sign-off (a re-review, a dispute, late data)."""
    if run is None or run.signed_off_at is None or not run.signed_content_hash or run.day is None:
        return False
    return day_figures_hash(session, run.tenant_id, run.day, now) != run.signed_content_hash


def sign_off(
    settings: Settings, session: Session, viewer: Viewer, day: date, now: datetime, *, content_hash: str | None = None
) -> ReportRun:
    """The airline's reviewer signs the quality day off; the run is generated first if it was not yet.

    `content_hash` is the version of the figures the signer's page showed: figures changed since
    are refused (nobody signs what they did not see), and the stored hash lets the page say when a
    later change to the day leaves the signature outdated.
    """
    if viewer.role not in SIGNERS:
        raise UserFacingError("подписывает день представитель заказчика", "the customer's reviewer signs the day off")
    tenant = session.get_one(Tenant, viewer.tenant_id)
    if day >= now.astimezone(settings_of(tenant).zone).date():
        raise UserFacingError("подписать можно только завершившийся день", "only a finished day can be signed off")
    if hidden_in_period(session, scope_for(session, viewer, quality=True), day, day):
        raise UserFacingError(
            "в этом дне есть элементы калибровки, которые вы ещё оцениваете вслепую: подпишите день после отправки "
            "ответов в сессии калибровки", "the day holds calibration items you still score blind: sign it off "
            "after you submit your calibration answers")
    current = day_figures_hash(session, tenant.id, day, now)
    if content_hash is not None and content_hash != current:
        raise stale("цифры отчёта за день", "the day's figures")
    run = run_for(session, tenant.id, QUALITY, day)
    if run is None or run.status != "done":
        store_day(settings, session, tenant, QUALITY, day, now)
        run = run_for(session, tenant.id, QUALITY, day)
        assert run is not None
    if run.signed_off_at is not None and run.signed_content_hash == current:
        raise UserFacingError("день уже подписан", "the day is already signed off")
    before = None if run.signed_off_at is None else {"signed_by": run.signed_off_by_id,
                                                      "content_hash": run.signed_content_hash}
    run.signed_off_by_id, run.signed_off_at, run.signed_content_hash = viewer.user_id, now, current
    summary = run.summary or {}
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="report.sign_off",
           entity="report_run", entity_id=run.id,
           details={"day": day.isoformat(), "content_hash": current[:16], "evaluated": summary.get("evaluated"),
                    "average_score": summary.get("average_score"), "before": before})
    return run


# --- the daily schedule ----------------------------------------------------------------------


@dataclass(frozen=True)
class DailyOutcome:
    tenant_id: int
    day: date
    status: str  # done | failed | skipped
    error: str | None = None


def due_days(session: Session, now: datetime) -> list[tuple[int, date]]:
    """(tenant, yesterday) for every tenant whose local report time has passed and whose day is not done."""
    due = []
    for tenant in session.scalars(select(Tenant).order_by(Tenant.id)):
        tenant_settings = settings_of(tenant)
        local = now.astimezone(tenant_settings.zone)
        if local.time() < time.fromisoformat(tenant_settings.report_time):
            continue
        day = local.date() - timedelta(days=1)
        runs = [run_for(session, tenant.id, kind, day) for kind in KINDS]
        if all(r is not None and r.status == "done" for r in runs):
            continue
        if any(r is not None and r.status == "failed" and r.attempts >= MAX_ATTEMPTS for r in runs):
            continue
        due.append((tenant.id, day))
    return due


def generate_day(settings: Settings, tenant_id: int, day: date, now: datetime) -> DailyOutcome:
    """Both reports of `day` for one tenant, stored and mailed in one go (re-running replaces them)."""
    try:
        with transaction(settings.sqlalchemy_url) as session:
            tenant = session.get_one(Tenant, tenant_id)
            attachments = []
            runs = []
            for kind in KINDS:
                pdf = store_day(settings, session, tenant, kind, day, now)
                attachments.append(Attachment(f"{kind}-{day.isoformat()}.pdf", pdf, "application/pdf"))
                run = _run_row(session, tenant, kind, day)
                run.attempts += 1
                runs.append(run)
            subject = f"Ежедневные отчёты / daily reports: {tenant.name}, {day.strftime('%d.%m.%Y')}"
            body = (
                f"Отчёты за {day.strftime('%d.%m.%Y')}: {KIND_TITLES[OPERATIONS][0]}, {KIND_TITLES[QUALITY][0]} — "
                f"во вложении (PDF).\nReports for {day.isoformat()} are attached (PDF).\n"
            )
            # Sent inside the transaction: if the relay refuses, the runs roll back, the failure is
            # recorded below and the job is retried.
            if send_mail(settings, list(settings_of(tenant).report_recipients), subject, body, attachments):
                for run in runs:
                    run.mailed_at = now
    except Exception as error:
        log.exception("daily reports failed", extra={"tenant_id": tenant_id, "day": day.isoformat()})
        record_failure(settings, tenant_id, day, error)
        return DailyOutcome(tenant_id, day, "failed", str(error))
    return DailyOutcome(tenant_id, day, "done")


class DailyReportsFailed(Exception):
    """Some tenant's reports failed: raised after all tenants were tried, so the job is retried."""


class ReportRunNotFound(UserFacingError):
    """No such run for this tenant: the page answers 404, as for any object of another airline."""


def request_rerun(settings: Settings, session: Session, viewer: Viewer, run_id: int) -> date:
    """Queue the day of a stored run to be generated and mailed again (after the transaction commits).

    This is how a person takes over a day the schedule gave up on (MAX_ATTEMPTS) or a day whose
    data arrived late: the job replaces the day's runs in place, as the schedule does.
    """
    if viewer.role not in RERUNNERS:
        raise UserFacingError("повторно формировать отчёты может администратор или контролёр",
                              "only an administrator or a QA specialist can re-run reports")
    run = session.get(ReportRun, run_id)
    if run is None or run.tenant_id != viewer.tenant_id:
        raise ReportRunNotFound("такого запуска отчёта нет", "no such report run")
    if run.day is None:  # a period export, not a scheduled day: nothing to re-run
        raise UserFacingError("этот запуск не относится к одному дню", "this run is not a single day's")
    request_job(session, settings, REGENERATE_DAY, run.tenant_id, run.day.toordinal(),
                job_id=f"report-day-{run.tenant_id}-{run.day.isoformat()}")
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="report.rerun",
           entity="report_run", entity_id=run.id)
    return run.day


def generate_daily_reports(settings: Settings, now: datetime) -> list[DailyOutcome]:
    """Generate and mail yesterday's reports for every tenant whose local report time has come."""
    with session_factory(settings.sqlalchemy_url)() as session:
        due = due_days(session, now)
    outcomes = [generate_day(settings, tenant_id, day, now) for tenant_id, day in due]
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        raise DailyReportsFailed("; ".join(f"tenant {o.tenant_id} {o.day}: {o.error}" for o in failed))
    return outcomes


def render_for_tenant(settings: Settings, kind: str, slug: str, day: date, fmt: str, now: datetime) -> bytes:
    """`qa-service report`: one day of a tenant's report in a format, by the pages' own code path."""
    with session_factory(settings.sqlalchemy_url)() as session:
        try:
            tenant = tenant_by_slug(session, slug)
        except SQLAlchemyError as error:
            raise UserFacingError(f"база данных недоступна: {type(error).__name__}",
                                  f"database unavailable: {type(error).__name__}") from None
        return render(session, kind, ReportScope(tenant.id), day, day, now, fmt)


def signer_name(session: Session, run: ReportRun | None) -> str | None:
    """Who signed the run's day off, by name (None when nobody has)."""
    if run is None or run.signed_off_by_id is None:
        return None
    user = session.get(User, run.signed_off_by_id)
    return user.name if user else None


def stored_run(session: Session, viewer: Viewer, run_id: int) -> ReportRun:
    """A stored run with a file, of the viewer's tenant and readable by their role, or `ReportRunNotFound`."""
    run = session.get(ReportRun, run_id)
    if run is None or run.tenant_id != viewer.tenant_id or not run.blob_key:
        raise ReportRunNotFound("нет такого отчёта", "no such report")
    if viewer.role == Role.SUPERVISOR and run.kind == QUALITY:
        # The stored quality day covers every team; supervisors see their own teams only.
        raise ReportRunNotFound("нет такого отчёта", "no such report")
    return run
