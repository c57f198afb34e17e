"""Coaching: the trainer's home (needs, overdue tasks, effects), assigning and running coaching,
and the agent's own tasks with their materials and acknowledgement."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from qa_service.config import Settings
from qa_service.core.coaching_modules import MODULE_TITLES, module_title
from qa_service.core.coaching_stats import wilson
from qa_service.core.date_input import DateInputError, parse_local_datetime
from qa_service.core.errors import UserFacingError
from qa_service.db.blobs import BlobStore
from qa_service.db.models import CoachingFormat, Role
from qa_service.services.access import own_tenant
from qa_service.services.calibration.blind import blind_interaction_ids, scores_blind
from qa_service.services.coaching.effects import effects_by_module, measure_effect, measured_coaching
from qa_service.services.coaching.materials import MAX_MATERIAL_BYTES
from qa_service.services.coaching.notices import notices_for, request_coaching_notices
from qa_service.services.coaching.tasks import (
    COACHES,
    CoachingError,
    NewCoaching,
    Upload,
    acknowledge_task,
    assign_coaching,
    demand_by_module,
    demand_by_team,
    get_material,
    get_need,
    get_task,
    good_examples,
    interactions_by_id,
    list_needs,
    list_tasks,
    record_session,
    schedule_session,
    task_version,
    visible_agents,
)
from qa_service.services.coaching.training_needs import compute_training_needs
from qa_service.services.rubrics.catalog import criterion_catalog, criterion_info
from qa_service.web.auth import current_user, current_viewer, require_roles
from qa_service.web.blobs import blob_response
from qa_service.web.form_values import id_or_none
from qa_service.web.ui.database import db
from qa_service.web.ui.messages import flash_error

bp = Blueprint("coaching", __name__)
EVERYONE = (Role.ADMIN, Role.QA, Role.TRAINER, Role.SUPERVISOR, Role.AGENT, Role.CUSTOMER)
SEES_TASKS = (Role.ADMIN, Role.QA, Role.TRAINER, Role.SUPERVISOR, Role.AGENT)
# A form may carry several materials of up to 20 MB each; beyond this the request is refused unread.
MAX_UPLOAD_BYTES = 5 * MAX_MATERIAL_BYTES


def _zone() -> ZoneInfo:
    tenant = own_tenant(db(), current_viewer())
    return ZoneInfo(tenant.timezone if tenant is not None and tenant.timezone else "Europe/Moscow")


def _blobs() -> BlobStore:
    settings: Settings = current_app.config["QA_SETTINGS"]
    return BlobStore.from_url(settings.blob_url)


def _local_input(value: str | None, zone: ZoneInfo) -> datetime | None:
    """A `datetime-local` / `date` field, read in the tenant's time zone."""
    if not value:
        return None
    try:
        parsed = parse_local_datetime(value)
    except DateInputError as error:
        raise CoachingError(error.ru, error.en) from None
    if len(value) == 10:  # a date alone: due at the end of that day
        parsed = parsed.replace(hour=23, minute=59)
    return parsed.replace(tzinfo=zone).astimezone(UTC)


@bp.app_template_filter("tenant_time")
def tenant_time(value: datetime | None, zone: ZoneInfo, fmt: str = "%d.%m.%Y %H:%M") -> str:
    return "—" if value is None else value.astimezone(zone).strftime(fmt)


@bp.app_template_global("module_title")
def _module_title(module: str) -> str:
    return module_title(module)


@bp.app_context_processor
def _coaching_notices() -> dict[str, object]:
    """How many coaching tasks need attention: shown beside "Coaching" on every page, the homes included."""
    user = current_user()
    if user is None or user.role == Role.CUSTOMER:
        return {"coaching_notices": 0}
    return {"coaching_notices": len(notices_for(db(), current_viewer(), datetime.now(UTC)))}


@bp.get("/coaching")
@require_roles(*EVERYONE)
def home() -> ResponseReturnValue:
    session = db()
    viewer = current_viewer()
    now = datetime.now(UTC)
    withheld = scores_blind(session, viewer)
    needs = [] if withheld else list_needs(session, viewer)
    catalog = criterion_catalog(session, viewer.tenant_id)
    measured = [] if withheld else measured_coaching(session, viewer, now)
    tasks = list_tasks(session, viewer)
    notices = notices_for(session, viewer, now)
    return render_template(
        "coaching/home.html", zone=_zone(), needs=needs, notices=notices,
        by_module=demand_by_module(needs), by_team=demand_by_team(needs), tasks=tasks, measured=measured[:20],
        module_effects=effects_by_module(measured), catalog=catalog, criterion_info=criterion_info, wilson=wilson,
        is_coach=viewer.role in COACHES, is_customer=viewer.role == Role.CUSTOMER, is_agent=viewer.role == Role.AGENT,
        withheld_blind=withheld,
    )


@bp.post("/coaching/needs/refresh")
@require_roles(*COACHES)
def refresh() -> ResponseReturnValue:
    session = db()
    run = compute_training_needs(session, current_viewer().tenant_id, datetime.now(UTC))
    flash(_("Training needs recomputed: %(opened)s new, %(resolved)s resolved.", opened=run.opened,
            resolved=run.resolved), "ok")
    return redirect(url_for("coaching.home")), 303


@bp.get("/coaching/needs/<int:need_id>")
@require_roles(*COACHES, Role.SUPERVISOR, Role.AGENT)
def need_page(need_id: int) -> ResponseReturnValue:
    session = db()
    viewer = current_viewer()
    try:
        row = get_need(session, viewer, need_id)
    except CoachingError:
        abort(404)
    if scores_blind(session, viewer):  # the need's rates count every interaction, the blind ones too
        return render_template("coaching/need.html", zone=_zone(), row=None, withheld_blind=True)
    catalog = criterion_catalog(session, viewer.tenant_id)
    found = interactions_by_id(session, viewer, row.need.evidence_interaction_ids or [])
    evidence = sorted(found.values(), key=lambda i: i.started_at, reverse=True)
    return render_template(
        "coaching/need.html", zone=_zone(), row=row, evidence=evidence, wilson=wilson,
        blind=blind_interaction_ids(session, viewer, found),  # calibration blind rule: no score shown
        good=good_examples(session, viewer, row.need.criterion_ids) if viewer.role in COACHES else [],
        info=criterion_info(catalog, row.need.criterion_ids), is_coach=viewer.role in COACHES,
        modules=MODULE_TITLES, agents=visible_agents(session, viewer), formats=list(CoachingFormat),
    )


@bp.get("/coaching/tasks/new")
@require_roles(*COACHES)
def new_task() -> ResponseReturnValue:
    """Assign without a flagged need: a group session for a module, or the airline's own training (§5.2)."""
    session = db()
    viewer = current_viewer()
    chosen = [i for a in request.args.getlist("agent") if (i := id_or_none(a)) is not None]
    return render_template("coaching/new.html", zone=_zone(), modules=MODULE_TITLES,
                           agents=visible_agents(session, viewer), formats=list(CoachingFormat),
                           module=request.args.get("module", ""), agent_ids=chosen,
                           format=request.args.get("format", CoachingFormat.ONE_TO_ONE.value))


def _assign_form_again() -> str:
    """The refused assign form with everything typed kept (a redirect would lose it all)."""
    form, viewer = request.form, current_viewer()
    page = render_template(
        "coaching/new.html", zone=_zone(), modules=MODULE_TITLES, agents=visible_agents(db(), viewer),
        formats=list(CoachingFormat), module=form.get("module", ""),
        agent_ids=[i for a in form.getlist("agent_id") if (i := id_or_none(a)) is not None],
        format=form.get("format", CoachingFormat.ONE_TO_ONE.value), typed=form, typed_examples=form.getlist("example"),
    )
    request.close()  # a large upload is spooled to a temporary file: closed now, not at collection
    return page


@bp.post("/coaching/tasks")
@require_roles(*COACHES)
def create_task() -> ResponseReturnValue:
    session = db()
    viewer = current_viewer()
    back = request.referrer or url_for("coaching.home")
    if (request.content_length or 0) > MAX_UPLOAD_BYTES:
        flash(_("The upload is too large: at most 20 MB per file."), "error")
        return redirect(back), 303
    form = request.form
    try:
        new = NewCoaching(
            agent_ids=[i for a in form.getlist("agent_id") if (i := id_or_none(a)) is not None],
            module=form.get("module", ""),
            format=CoachingFormat(form.get("format", CoachingFormat.ONE_TO_ONE.value)),
            due_at=_local_input(form.get("due_at"), _zone()),
            scheduled_at=_local_input(form.get("scheduled_at"), _zone()),
            notes=form.get("notes", ""),
            links=form.get("links", "").split(),
            examples=[(i, v.split(":")[0]) for v in form.getlist("example")
                      if v.count(":") == 1 and (i := id_or_none(v.split(":")[1])) is not None],
            need_id=id_or_none(form.get("need_id")),
            delivered_by_customer=form.get("delivered_by") == "customer",
            uploads=[Upload(f.filename or "", f.read()) for f in request.files.getlist("material") if f.filename],
        )
        tasks = assign_coaching(session, viewer, _blobs(), new, datetime.now(UTC))
    except (UserFacingError, ValueError) as error:
        session.rollback()
        if isinstance(error, UserFacingError):
            flash_error(error)
        else:
            flash(_("Check the form: a value is not valid."), "error")
        return _assign_form_again(), 422
    # The new-task e-mail goes now, not with the nightly run (a no-op without SMTP).
    request_coaching_notices(session, current_app.config["QA_SETTINGS"], viewer.tenant_id)
    flash(_("Coaching assigned."), "ok")
    if len(tasks) == 1:
        return redirect(url_for("coaching.task_page", task_id=tasks[0].id)), 303
    return redirect(url_for("coaching.home")), 303


@bp.get("/coaching/tasks/<int:task_id>")
@require_roles(*SEES_TASKS)
def task_page(task_id: int) -> ResponseReturnValue:
    session = db()
    viewer = current_viewer()
    try:
        task, agent = get_task(session, viewer, task_id)
    except CoachingError:
        abort(404)
    example_ids = [e["interaction_id"] for e in task.example_interactions]
    examples = interactions_by_id(session, viewer, example_ids)
    effect = None
    withheld = scores_blind(session, viewer)
    if task.completed_at is not None and not withheld:
        effect = measure_effect(session, viewer.tenant_id, task, datetime.now(UTC),
                                criterion_catalog(session, viewer.tenant_id))
    return render_template("coaching/task.html", zone=_zone(), task=task, agent=agent, examples=examples,
                           effect=effect, is_coach=viewer.role in COACHES, withheld_blind=withheld,
                           form_version=task_version(task),
                           is_own=viewer.role == Role.AGENT and agent.id in viewer.agent_ids)


def _task_action(task_id: int, action: str) -> ResponseReturnValue:
    session = db()
    viewer = current_viewer()
    try:
        get_task(session, viewer, task_id)
    except CoachingError:
        abort(404)
    now = datetime.now(UTC)
    try:
        if action == "schedule":
            when = _local_input(request.form.get("scheduled_at"), _zone())
            if when is None:
                raise CoachingError("укажите дату и время занятия", "give the session's date and time")
            schedule_session(session, viewer, task_id, when, form_version=request.form.get("version"))
            message = _("Session scheduled.")
        elif action == "session":
            record_session(session, viewer, task_id, attended=request.form.get("attended") == "yes",
                           notes=request.form.get("session_notes", ""),
                           held_at=_local_input(request.form.get("held_at"), _zone()) or now,
                           form_version=request.form.get("version"))
            message = _("Session recorded.")
        else:
            acknowledge_task(session, viewer, task_id, now)
            message = _("Thank you: the coaching task is acknowledged.")
    except UserFacingError as error:
        session.rollback()
        flash_error(error)
        return redirect(url_for("coaching.task_page", task_id=task_id)), 303
    flash(message, "ok")
    return redirect(url_for("coaching.task_page", task_id=task_id)), 303


@bp.post("/coaching/tasks/<int:task_id>/schedule")
@require_roles(*COACHES)
def schedule(task_id: int) -> ResponseReturnValue:
    return _task_action(task_id, "schedule")


@bp.post("/coaching/tasks/<int:task_id>/session")
@require_roles(*COACHES)
def session_record(task_id: int) -> ResponseReturnValue:
    return _task_action(task_id, "session")


@bp.post("/coaching/tasks/<int:task_id>/acknowledge")
@require_roles(Role.AGENT)
def acknowledge(task_id: int) -> ResponseReturnValue:
    return _task_action(task_id, "acknowledge")


@bp.get("/coaching/materials/<int:material_id>")
@require_roles(*SEES_TASKS)
def material(material_id: int) -> ResponseReturnValue:
    session = db()
    try:
        item = get_material(session, current_viewer(), material_id)
    except CoachingError:
        abort(404)
    if item.url:
        return redirect(item.url)
    assert item.blob_key is not None
    response = blob_response(_blobs().open(item.blob_key), mimetype=item.mime_type)
    inline = (item.mime_type or "").startswith(("image/", "audio/", "application/pdf"))
    response.headers.set("Content-Disposition", "inline" if inline else "attachment", **_filename(item.title))
    return response


def _filename(name: str) -> dict[str, str]:
    """Content-Disposition names for a Cyrillic title: an ASCII fallback and the RFC 5987 UTF-8 form (as send_file)."""
    try:
        name.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").strip() or "material"
        return {"filename": simple, "filename*": "UTF-8''" + quote(name, safe="!#$&+^`|~")}
    return {"filename": name}
