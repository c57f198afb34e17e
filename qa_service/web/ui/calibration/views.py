"""Calibration sessions: create, score blind, submit, results, consensus, sign-off, exports, alignment.

Every blind rule lives in `services.calibration.sessions` (a refused request is answered 403 with the
reason); this module only turns forms into service calls.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from qa_service.core.date_input import DateInputError, parse_day
from qa_service.core.errors import UserFacingError
from qa_service.services.access import own_tenant
from qa_service.services.audit import record
from qa_service.services.calibration import sessions as service
from qa_service.services.calibration.alignment import grader_alignment
from qa_service.services.calibration.exports import report_pdf, report_xlsx
from qa_service.services.calibration.invitations import request_invitations
from qa_service.services.calibration.picking import RULES, pick_interactions
from qa_service.services.calibration.results import (
    OBJECTIVE_TARGET,
    SPREAD_TARGET,
    SUBJECTIVE_TARGET,
    agreement_interval,
    can_sign_off,
    record_consensus,
    session_results,
    sign_off,
)
from qa_service.services.calibration.rubrics import CHANNELS, published_versions
from qa_service.web.auth import current_viewer, require_roles
from qa_service.web.form_values import id_or_none, require_id
from qa_service.web.ui.database import db, say_after_commit
from qa_service.web.ui.messages import flash_error, user_message
from qa_service.web.ui.presenters import format_seconds, turn_views

bp = Blueprint("calibration", __name__)
ROLES = service.PARTICIPANTS


def _zone() -> ZoneInfo:
    tenant = own_tenant(db(), current_viewer())
    try:
        return ZoneInfo(tenant.timezone if tenant and tenant.timezone else "Europe/Moscow")
    except (ValueError, KeyError):
        return ZoneInfo("Europe/Moscow")


def _local(zone: ZoneInfo, *, seconds: bool = False) -> Callable[[datetime | None], str]:
    """Times as people read them: in the tenant's time zone, never UTC."""
    pattern = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"

    def show(value: datetime | None) -> str:
        return "—" if value is None else value.astimezone(zone).strftime(pattern)
    return show


def _refused(error: UserFacingError) -> ResponseReturnValue:
    """403 with the service's reason (a blind rule), 404 for what the viewer may not know exists."""
    db().rollback()
    if isinstance(error, service.CalibrationNotFound):
        abort(404)
    return render_template("error.html", code=403, message=user_message(error)), 403


def _form_action(action: Callable[[], object], *, failed: str, done: str, message: str) -> ResponseReturnValue:
    """Run a form's service call: refused → 403/404 (`_refused`); any other calibration error →
    rolled back, flashed, back to `failed`; success → committed, `message` flashed, on to `done`."""
    session = db()
    try:
        action()
    except (service.CalibrationForbidden, service.CalibrationNotFound) as error:
        return _refused(error)
    except service.CalibrationError as error:
        session.rollback()
        flash_error(error)
        return redirect(failed), 303
    flash(message, "ok")
    return redirect(done), 303


def _answers_from_form() -> dict[str, tuple[str | None, str]]:
    result: dict[str, tuple[str | None, str]] = {}
    for key, value in request.form.items():
        if key.startswith("answer-"):
            criterion = key[len("answer-"):]
            result[criterion] = (value or None, request.form.get(f"comment-{criterion}", ""))
    return result


@bp.get("/calibration")
@require_roles(*ROLES)
def list_page() -> ResponseReturnValue:
    viewer = current_viewer()
    rows = service.list_sessions(db(), viewer)
    return render_template("calibration/list.html", rows=rows, local=_local(_zone()), now=datetime.now(UTC),
                           can_create=viewer.role in service.FACILITATORS)


@bp.get("/calibration/new")
@require_roles(*service.FACILITATORS)
def new() -> ResponseReturnValue:
    people = service.eligible_participants(db(), current_viewer())
    return render_template("calibration/new.html", people=people, rules=RULES,
                           preset=request.args.get("ids", ""),
                           versions=published_versions(db(), current_viewer()), local=_local(_zone()))


def _day(name: str, plus_days: int = 0) -> datetime | None:
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    try:
        day = datetime.combine(parse_day(raw), time(0), tzinfo=_zone())
    except DateInputError as error:
        raise service.CalibrationError(error.ru, error.en) from None
    return (day + timedelta(days=plus_days)).astimezone(UTC)


def _deadline() -> datetime | None:
    """The deadline day's last minute in the tenant's time zone."""
    day = _day("deadline")
    return None if day is None else (day.astimezone(_zone()) + timedelta(days=1, seconds=-1)).astimezone(UTC)


@bp.post("/calibration")
@require_roles(*service.FACILITATORS)
def create() -> ResponseReturnValue:
    session = db()
    viewer = current_viewer()
    rule = request.form.get("rule", "manual")
    try:
        per_channel = int(request.form.get("per_channel") or 2)
        ids = pick_interactions(
            session, viewer, rule, ids_text=request.form.get("ids", ""), per_channel=per_channel,
            date_from=_day("from"), date_to=_day("to", plus_days=1),
        )
        benchmark = request.form.get("benchmark") or None
        calibration = service.create_session(
            session, viewer, title=request.form.get("title", ""), due_at=_deadline(),
            interaction_ids=ids, participant_ids=[require_id(p) for p in request.form.getlist("participants")],
            benchmark_id=require_id(benchmark) if benchmark else None, drawn_by_rule=rule != "manual",
            rubric_version_ids={c: require_id(v) for c in CHANNELS if (v := request.form.get(f"rubric-{c}"))},
            selection={"rule": rule, "per_channel": per_channel if rule == "random" else None,
                       "from": request.form.get("from") or None, "to": request.form.get("to") or None},
        )
    except (service.CalibrationError, ValueError) as error:
        session.rollback()
        if isinstance(error, service.CalibrationError):
            flash_error(error)
        else:
            flash(_("Check the form: numbers are expected."), "error")
        return redirect(url_for("calibration.new")), 303
    # Mailed by a job sent after the request commits, so it always finds the session (RQ retries a relay
    # that is down); in-process (no Redis) the job runs right then, and a refused relay is said here.
    request_invitations(session, current_app.config["QA_SETTINGS"], calibration.id)
    say_after_commit(_("Session created; participants invited."),
                     _("Session created; participants see it in the app, but the mail relay refused the invitation "
                       "e-mails."))
    return redirect(url_for("calibration.detail", calibration_id=calibration.id)), 303


@bp.get("/calibration/<int:calibration_id>")
@require_roles(*ROLES)
def detail(calibration_id: int) -> ResponseReturnValue:
    session = db()
    viewer = current_viewer()
    try:
        calibration = service.get_session(session, viewer, calibration_id)
    except service.CalibrationError as error:
        return _refused(error)
    participant = service.participant_of(session, calibration.id, viewer.user_id)
    mine = service.my_answers(session, participant) if participant else {}
    items = []
    for item, interaction in service.session_items(session, calibration):
        criteria = service.item_criteria(session, item, interaction)
        done = sum(1 for c in criteria if (a := mine.get((item.id, c.id))) is not None and a.answer is not None)
        items.append((item, interaction, done, len(criteria)))
    people = service.participants(session, calibration)
    return render_template(
        "calibration/detail.html", calibration=calibration, participant=participant, items=items, people=people,
        results_visible=service.results_visible(session, viewer, calibration),
        facilitator=service.is_facilitator(calibration, viewer), local=_local(_zone()),
        overdue=service.is_overdue(calibration),
    )


@bp.post("/calibration/<int:calibration_id>/deadline")
@require_roles(*ROLES)
def extend(calibration_id: int) -> ResponseReturnValue:
    def action() -> None:
        service.facilitated_session(db(), current_viewer(), calibration_id)  # who may, before what was sent
        due_at = _deadline()
        if due_at is None:
            raise service.CalibrationError("укажите новый срок", "give the new deadline")
        service.extend_deadline(db(), current_viewer(), calibration_id, due_at)

    back = url_for("calibration.detail", calibration_id=calibration_id)
    return _form_action(action, failed=back, done=back, message=_("Deadline extended."))


@bp.get("/calibration/<int:calibration_id>/items/<int:item_id>")
@require_roles(*ROLES)
def score_page(calibration_id: int, item_id: int) -> ResponseReturnValue:
    session = db()
    viewer = current_viewer()
    try:
        calibration = service.get_session(session, viewer, calibration_id)
        participant = service.participant_of(session, calibration.id, viewer.user_id)
        if participant is None:
            raise service.CalibrationForbidden("оценивать могут только участники сессии",
                                               "only the session's participants score")
    except service.CalibrationError as error:
        return _refused(error)
    items = service.session_items(session, calibration)
    index = next((n for n, (i, _x) in enumerate(items) if i.id == item_id), None)
    if index is None:
        abort(404)
    item, interaction = items[index]
    mine = service.my_answers(session, participant)
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="view", entity="interaction",
           entity_id=interaction.id, details={"calibration": calibration.id})
    return render_template(
        "calibration/score.html", calibration=calibration, participant=participant, item=item,
        interaction=interaction, criteria=service.item_criteria(session, item, interaction),
        mine={c: a for (i, c), a in mine.items() if i == item.id}, turns=turn_views(interaction, []),
        fmt=format_seconds, position=index + 1, total=len(items), local=_local(_zone(), seconds=True),
        next_item=items[index + 1][0] if index + 1 < len(items) else None,
        overdue=service.is_overdue(calibration),
    )


@bp.post("/calibration/<int:calibration_id>/items/<int:item_id>")
@require_roles(*ROLES)
def save(calibration_id: int, item_id: int) -> ResponseReturnValue:
    target = request.form.get("next")
    if (target_id := id_or_none(target)) is not None:
        done = url_for("calibration.score_page", calibration_id=calibration_id, item_id=target_id)
    else:
        done = url_for("calibration.detail", calibration_id=calibration_id)
    return _form_action(
        lambda: service.save_answers(db(), current_viewer(), calibration_id, item_id, _answers_from_form()),
        failed=url_for("calibration.score_page", calibration_id=calibration_id, item_id=item_id),
        done=done, message=_("Draft saved."),
    )


@bp.post("/calibration/<int:calibration_id>/submit")
@require_roles(*ROLES)
def submit(calibration_id: int) -> ResponseReturnValue:
    return _form_action(
        lambda: service.submit(db(), current_viewer(), calibration_id),
        failed=url_for("calibration.detail", calibration_id=calibration_id),
        done=url_for("calibration.results", calibration_id=calibration_id),
        message=_("Answers submitted: the results are open to you."),
    )


@bp.post("/calibration/<int:calibration_id>/reveal")
@require_roles(*ROLES)
def reveal(calibration_id: int) -> ResponseReturnValue:
    session = db()
    try:
        service.reveal(session, current_viewer(), calibration_id)
    except service.CalibrationError as error:
        return _refused(error)
    flash(_("Answers revealed to every participant."), "ok")
    return redirect(url_for("calibration.results", calibration_id=calibration_id)), 303


@bp.get("/calibration/<int:calibration_id>/results")
@require_roles(*ROLES)
def results(calibration_id: int) -> ResponseReturnValue:
    session = db()
    viewer = current_viewer()
    try:
        data = session_results(session, viewer, calibration_id)
    except service.CalibrationError as error:
        return _refused(error)
    return render_template(
        "calibration/results.html", r=data, local=_local(_zone()), interval=agreement_interval,
        facilitator=service.is_facilitator(data.calibration, viewer),
        can_sign=can_sign_off(data.calibration, viewer) and data.calibration.signed_off_at is None,
        targets=(OBJECTIVE_TARGET, SUBJECTIVE_TARGET, SPREAD_TARGET),
    )


@bp.post("/calibration/<int:calibration_id>/items/<int:item_id>/consensus")
@require_roles(*ROLES)
def consensus(calibration_id: int, item_id: int) -> ResponseReturnValue:
    decisions = {k[len("consensus-"):]: (v or None, request.form.get(f"note-{k[len('consensus-'):]}", ""))
                 for k, v in request.form.items() if k.startswith("consensus-")}
    return _form_action(
        lambda: record_consensus(db(), current_viewer(), calibration_id, item_id, decisions),
        failed=url_for("calibration.results", calibration_id=calibration_id),
        done=url_for("calibration.results", calibration_id=calibration_id, _anchor=f"item-{item_id}"),
        message=_("Consensus recorded."),
    )


@bp.post("/calibration/<int:calibration_id>/sign-off")
@require_roles(*ROLES)
def sign(calibration_id: int) -> ResponseReturnValue:
    results_page = url_for("calibration.results", calibration_id=calibration_id)
    return _form_action(lambda: sign_off(db(), current_viewer(), calibration_id),
                        failed=results_page, done=results_page, message=_("Report signed off."))


@bp.get("/calibration/<int:calibration_id>/report.<fmt>")
@require_roles(*ROLES)
def report(calibration_id: int, fmt: str) -> ResponseReturnValue:
    if fmt not in ("pdf", "xlsx"):
        abort(404)
    session = db()
    viewer = current_viewer()
    try:
        data = session_results(session, viewer, calibration_id)
    except service.CalibrationError as error:
        return _refused(error)
    local = _local(_zone())
    content = report_pdf(data, local) if fmt == "pdf" else report_xlsx(data, local)
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="calibration.export",
           entity="calibration_session", entity_id=calibration_id, details={"format": fmt.upper()})
    import io

    mime = "application/pdf" if fmt == "pdf" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return send_file(io.BytesIO(content), mimetype=mime, as_attachment=True,
                     download_name=f"calibration-{calibration_id}.{fmt}")


@bp.get("/calibration/alignment")
@require_roles(*ROLES)
def alignment() -> ResponseReturnValue:
    rows = grader_alignment(db(), current_viewer())
    return render_template("calibration/alignment.html", rows=rows, objective_target=OBJECTIVE_TARGET,
                           judgement_target=SUBJECTIVE_TARGET)


@bp.app_context_processor
def _nav() -> dict[str, object]:
    def pending_badge() -> int:
        """Sessions the signed-in user still has to score: shown beside «Calibration» in the nav."""
        return service.pending_count(db(), current_viewer())

    return {"calibration_pending": pending_badge}
