"""Daily reports: the quality day and the §3.2 operational day, with charts, downloads, sign-off and history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from qa_service.config import Settings
from qa_service.core.errors import UserFacingError
from qa_service.core.reports.periods import parse_day
from qa_service.db.models import Role, Tenant
from qa_service.services.access import own_tenant, tenant_of_user
from qa_service.services.audit import record
from qa_service.services.reports.charts import charts_of
from qa_service.services.reports.daily import (
    RERUNNERS,
    ReportRunNotFound,
    build_report,
    day_figures_hash,
    describe,
    history,
    request_rerun,
    run_for,
    sign_off,
    signature_outdated,
    signer_name,
    stored_pdf,
    stored_run,
)
from qa_service.services.reports.exports import (
    FORMATS,
    MIME_TYPES,
    export,
)
from qa_service.services.reports.scope import (
    REPORT_READERS,
    ReportScope,
    ScopeNotFound,
    filter_options,
    hidden_in_period,
    scope_for,
    settings_of,
)
from qa_service.services.reports.staffing import (
    open_episode,
)
from qa_service.services.reports.tables import (
    KIND_TITLES,
    KINDS,
    QUALITY,
    sections_of,
)
from qa_service.web.auth import current_user, current_viewer, require_roles
from qa_service.web.ui.database import db
from qa_service.web.ui.messages import flash_error, user_message

bp = Blueprint("reports", __name__)
ALERTED_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def _settings() -> Settings:
    settings: Settings = current_app.config["QA_SETTINGS"]
    return settings


def _now() -> datetime:
    return datetime.now(UTC)


def _lang() -> str:
    return "en" if str(get_locale()) == "en" else "ru"


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise UserFacingError(f"{name}: ожидается число", f"{name}: a number expected")
    return int(raw)


def _request_period(tenant: Tenant) -> tuple[date, date]:
    yesterday = _now().astimezone(settings_of(tenant).zone).date() - timedelta(days=1)
    first = parse_day(request.args["date"]) if request.args.get("date") else yesterday
    last = parse_day(request.args["to"]) if request.args.get("to") else first
    if (last - first).days > 92:
        raise UserFacingError("период: не больше 93 дней", "period: at most 93 days")
    return first, last


def _prepare(kind: str) -> tuple[Tenant, ReportScope, date, date]:
    if kind not in KINDS:
        abort(404)
    session = db()
    viewer = current_viewer()
    tenant = own_tenant(session, viewer)
    first, last = _request_period(tenant)
    try:
        scope = scope_for(session, viewer, team_id=_int_arg("team"), agent_id=_int_arg("agent"),
                          quality=kind == QUALITY)
    except ScopeNotFound:
        abort(404)
    return tenant, scope, first, last


def _bad_request(error: UserFacingError) -> ResponseReturnValue:
    return render_template("error.html", code=400, message=user_message(error)), 400


@bp.get("/reports")
@require_roles(*REPORT_READERS)
def index() -> ResponseReturnValue:
    return redirect(url_for("reports.report", kind=QUALITY))


@bp.get("/reports/<kind>")
@require_roles(*REPORT_READERS)
def report(kind: str) -> ResponseReturnValue:
    try:
        tenant, scope, first, last = _prepare(kind)
        session = db()
        built = build_report(session, kind, scope, first, last, _now())
    except UserFacingError as error:
        return _bad_request(error)
    lang = _lang()
    sections = {s.key: s for s in sections_of(kind, built)}
    charts = charts_of(kind, built, lang)
    shown = {key: (section, section.localized(lang)) for key, section in sections.items()}
    run = run_for(session, tenant.id, kind, first) if first == last else None
    viewer = current_viewer()
    teams, agents = filter_options(session, tenant.id, viewer, kind)
    today = _now().astimezone(settings_of(tenant).zone).date()
    # Figures leave out what the reader still scores blind; the page says so, and the day
    # cannot be signed off until they have submitted (`calibration_blind`).
    left_out = hidden_in_period(session, scope, first, last) if kind == QUALITY else 0
    signable = viewer.role == Role.CUSTOMER and kind == QUALITY and first == last and first < today
    return render_template(
        "reports/report.html", kind=kind, kinds=KINDS, kind_titles=KIND_TITLES, lang=lang, built=built,
        shown=shown, charts=charts, first=first, last=last, subtitle=describe(session, scope, first, last),
        run=run, signer=run_signer(run), signed_local=_local_time(run.signed_off_at if run else None, tenant),
        can_sign=signable and not left_out, left_out=left_out,
        figures_hash=day_figures_hash(session, tenant.id, first, _now()) if signable and not left_out else "",
        signature_outdated=signature_outdated(session, run, _now()),
        teams=teams, agents=agents, team_id=request.args.get("team", ""), agent_id=request.args.get("agent", ""),
        formats=list(FORMATS),
        query={k: v for k, v in request.args.items() if k in ("date", "to", "team", "agent") and v},
    )


def _local_time(moment: datetime | None, tenant: Tenant) -> str:
    return moment.astimezone(settings_of(tenant).zone).strftime("%d.%m.%Y %H:%M") if moment else ""


def run_signer(run: Any) -> str | None:
    return signer_name(db(), run)


@bp.get("/reports/<kind>/download.<fmt>")
@require_roles(*REPORT_READERS)
def download(kind: str, fmt: str) -> ResponseReturnValue:
    if fmt not in FORMATS:
        abort(404)
    try:
        tenant, scope, first, last = _prepare(kind)
        session = db()
        now = _now()
        built = build_report(session, kind, scope, first, last, now)
        data = export(kind, built, fmt, subtitle=describe(session, scope, first, last),
                      generated_at=now.astimezone(settings_of(tenant).zone))
    except UserFacingError as error:
        return _bad_request(error)
    period = first.isoformat() + ("" if last == first else f"_{last.isoformat()}")
    name = f"{kind}-{tenant.slug}-{period}.{fmt}"
    # A file leaving the service is an event the customer audits: who took which figures, and how.
    record(session, tenant_id=tenant.id, user_id=current_viewer().user_id, action="report.export",
           entity="report", entity_id=kind,
           details={"kind": KIND_TITLES[kind][0], "format": fmt.upper(),
                    "filters": describe(session, scope, first, last)})
    return Response(data, mimetype=MIME_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/reports/daily-quality/sign-off")
@require_roles(Role.CUSTOMER)
def sign_off_day() -> ResponseReturnValue:
    session = db()
    try:
        day = parse_day(request.form.get("date", ""))
        sign_off(_settings(), session, current_viewer(), day, _now(),
                 content_hash=request.form.get("content_hash"))
    except UserFacingError as error:
        session.rollback()
        flash_error(error)
        return redirect(url_for("reports.report", kind=QUALITY, date=request.form.get("date") or None)), 303
    flash(_("The day is signed off."), "ok")
    return redirect(url_for("reports.report", kind=QUALITY, date=day.isoformat())), 303


@bp.get("/reports/history")
@require_roles(*REPORT_READERS)
def runs() -> ResponseReturnValue:
    session = db()
    tenant = own_tenant(session, current_viewer())
    zone = settings_of(tenant).zone
    return render_template("reports/history.html", rows=history(session, tenant.id), zone=zone,
                           kind_titles=KIND_TITLES, lang=_lang(), can_rerun=current_viewer().role in RERUNNERS)


@bp.post("/reports/runs/<int:run_id>/rerun")
@require_roles(*RERUNNERS)
def rerun(run_id: int) -> ResponseReturnValue:
    """Generate and mail a stored day again: the job replaces its runs, as the schedule does."""
    session = db()
    try:
        day = request_rerun(_settings(), session, current_viewer(), run_id)
    except ReportRunNotFound:
        abort(404)
    except UserFacingError as error:
        session.rollback()
        flash_error(error)
        return redirect(url_for("reports.runs")), 303
    flash(_("The reports for %(day)s are being generated again.", day=day.strftime("%d.%m.%Y")), "ok")
    return redirect(url_for("reports.runs")), 303


@bp.get("/reports/runs/<int:run_id>.pdf")
@require_roles(*REPORT_READERS)
def run_pdf(run_id: int) -> ResponseReturnValue:
    session = db()
    try:
        run = stored_run(session, current_viewer(), run_id)
    except ReportRunNotFound:
        abort(404)
    if current_viewer().role == Role.SUPERVISOR and run.kind == QUALITY:
        abort(404)  # the stored quality day covers every team; supervisors see their own teams only
    if run.kind == QUALITY and run.day is not None:
        scope = scope_for(session, current_viewer(), quality=True)
        if hidden_in_period(session, scope, run.day, run.day):
            # The stored file counts every interaction: withheld whole while the reader scores some blind.
            message = _("This day holds calibration items you still score blind: the stored file is available "
                        "after you submit your calibration answers.")
            return render_template("error.html", code=403, message=message), 403
    try:
        data = stored_pdf(_settings(), run)
    except (UserFacingError, OSError):
        abort(404)
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{run.kind}-{run.day}.pdf"'})


@bp.app_context_processor
def _staffing_banner() -> dict[str, object]:
    """The open understaffing episode, for the banner supervisors and admins see on every page."""
    user = current_user()
    if user is None or Role(user.role) not in ALERTED_ROLES:
        return {"staffing_alert": None}
    episode = open_episode(db(), user.tenant_id)
    if episode is None:
        return {"staffing_alert": None}
    tenant = tenant_of_user(db(), user)
    assert tenant is not None
    started = episode.started_at.astimezone(settings_of(tenant).zone).strftime("%d.%m.%Y %H:%M")
    return {"staffing_alert": {"started": started, "lowest": episode.lowest, "required": episode.required}}
