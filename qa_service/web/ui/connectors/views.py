"""Admin pages for connectors: list with last run and error, create/edit (secrets write-only),
test the connection, run now."""

from __future__ import annotations

import json
import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from qa_service.config import Settings
from qa_service.core.errors import UserFacingError
from qa_service.db.models import Role
from qa_service.services.audit import record
from qa_service.services.connectors.checks import (
    SECRET_KEYS,
    ConnectorPageError,
    check_connection,
    connector_of_tenant,
    last_runs,
    request_run,
)
from qa_service.services.connectors.configuration import list_connectors, save_connector, tenant_sandbox
from qa_service.web.auth import current_viewer, require_roles
from qa_service.web.form_values import require_id
from qa_service.web.ui.database import db, say_after_commit
from qa_service.web.ui.messages import flash_error

log = logging.getLogger(__name__)
bp = Blueprint("admin_connectors", __name__, url_prefix="/admin/connectors")
KINDS = ("http", "dropfolder", "imap")


@bp.get("")
@require_roles(Role.ADMIN)
def connectors() -> ResponseReturnValue:
    session, viewer = db(), current_viewer()
    edit_id = request.args.get("edit", "")
    editing = None
    if edit_id:
        try:
            editing = connector_of_tenant(session, viewer.tenant_id, require_id(edit_id))
        except (ConnectorPageError, ValueError):
            abort(404)
    return render_template(
        "connectors/list.html", connectors=list_connectors(session, viewer.tenant_id), editing=editing,
        kinds=KINDS, secret_keys=SECRET_KEYS, runs=last_runs(session, viewer.tenant_id),
    )


@bp.post("")
@require_roles(Role.ADMIN)
def save() -> ResponseReturnValue:
    session, viewer, form = db(), current_viewer(), request.form
    try:
        config = json.loads(form.get("config") or "{}")
        if not isinstance(config, dict):
            raise ValueError
        interval = int(form.get("poll_interval_seconds", "300"))
    except ValueError:
        flash_error(ConnectorPageError("настройки: ожидается объект JSON, интервал — целое число секунд",
                                       "settings: a JSON object expected, the interval in whole seconds"))
        return redirect(url_for("admin_connectors.connectors")), 303
    secrets = {key: form.get(f"secret_{key}", "") for key in SECRET_KEYS}
    settings: Settings = current_app.config["QA_SETTINGS"]
    try:
        sandbox = tenant_sandbox(session, settings, viewer.tenant_id)
        row = save_connector(session, viewer.tenant_id, sandbox=sandbox, name=form.get("name", "").strip(),
                             kind=form.get("kind", ""), config=config, secrets=secrets, poll_interval_seconds=interval,
                             enabled=form.get("enabled") == "1")
    except UserFacingError as error:
        session.rollback()
        flash_error(error)
        return redirect(url_for("admin_connectors.connectors")), 303
    # Which secrets changed is recorded, never their values.
    record(session, tenant_id=viewer.tenant_id, user_id=viewer.user_id, action="connector.save", entity="connector",
           entity_id=row.id, details={"secrets_changed": sorted(k for k, v in secrets.items() if v)})
    flash(_("Connector saved."), "ok")
    return redirect(url_for("admin_connectors.connectors")), 303


@bp.post("/<int:connector_id>/test")
@require_roles(Role.ADMIN)
def test(connector_id: int) -> ResponseReturnValue:
    try:
        result = check_connection(db(), current_app.config["QA_SETTINGS"], current_viewer().tenant_id, connector_id)
    except ConnectorPageError:
        abort(404)
    if result.ok:
        flash(_("Connection works: the platform offers %(n)s item(s) to fetch.", n=result.found), "ok")
    else:
        flash(_("Connection failed: %(reason)s", reason=result.message), "error")
    return redirect(url_for("admin_connectors.connectors")), 303


@bp.post("/<int:connector_id>/run")
@require_roles(Role.ADMIN)
def run_now(connector_id: int) -> ResponseReturnValue:
    settings: Settings = current_app.config["QA_SETTINGS"]
    try:
        request_run(db(), settings, current_viewer(), connector_id)
    except ConnectorPageError:
        abort(404)
    # Without workers the run happens right after the commit, in this request: say how it went.
    say_after_commit(_("Run finished.") if settings.jobs_in_process else _("Run queued."),
                     lambda error: _("Connection failed: %(reason)s", reason=str(error)[:300]))
    return redirect(url_for("admin_connectors.connectors")), 303
