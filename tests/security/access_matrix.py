"""Who may read and write through every rule of the app's URL map: the access matrix, as data.

One entry per rule (`app.url_map`, keyed by the rule's text).  `test_access_matrix.py` runs every
entry for every role of both airlines and fails when the map has a rule this table lacks, so a
new route cannot ship without deciding who may use it.

Each entry names a concrete path (placeholders are filled from `MatrixWorld.ids`: our airline's
objects) and, per method, the roles allowed.  Everyone else gets 401/403/404 and changes nothing.
A role of the other airline is allowed only on `tenant_wide` rules (they name no object of ours),
and then the page must show nothing of ours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ADMIN = frozenset({"admin"})
REVIEWERS = frozenset({"admin", "qa"})
COACHES = REVIEWERS | {"trainer"}
STAFF = COACHES | {"supervisor"}
EVERYONE = STAFF | {"agent", "customer"}
REPORT_READERS = REVIEWERS | {"supervisor", "customer"}
NOBODY: frozenset[str] = frozenset()
OPERATOR = frozenset({"operator"})  # the platform operator (a principal, not a role): rq-dashboard


@dataclass(frozen=True)
class Access:
    path: str
    get: frozenset[str] | None = None  # roles that may GET; None: the rule has no GET
    post: frozenset[str] | None = None  # roles that may POST; None: the rule has no POST
    form: dict[str, Any] = field(default_factory=dict)
    tenant_wide: bool = False  # names no object of ours: the other airline's roles use it for their own rows
    public: bool = False  # answers without signing in
    # How the rule is authorised when not by role: "operator" (platform operators only, rq-dashboard),
    # "token" (the airline's API token; a session is not enough to write), "scraper" (/metrics).
    special: str = ""
    # The platform operator is a QA specialist who takes part in no calibration: False where that matters.
    operator: bool | None = None
    # Parameters that take a date (query string for GET, form for POST): test_date_edges sends the extremes.
    dates: tuple[str, ...] = ()


def _rq(path: str, **kwargs: Any) -> Access:
    return Access(path, special="operator", tenant_wide=True, **kwargs)


_RQ = "/admin/rq/<int:instance_number>"

MATRIX: dict[str, Access] = {
    # Signing in, health, the API description, files.
    "/": Access("/", get=EVERYONE, tenant_wide=True),
    "/login": Access("/login", get=EVERYONE, post=EVERYONE, tenant_wide=True, public=True,
                     form={"email": "nobody@nowhere.test", "password": "wrong"}),
    "/logout": Access("/logout", post=EVERYONE, tenant_wide=True),
    "/account/password": Access("/account/password", get=EVERYONE, post=EVERYONE, tenant_wide=True,
                                form={"current_password": "wrong", "new_password": "a", "confirm_password": "b"}),
    "/healthz": Access("/healthz", get=EVERYONE, tenant_wide=True, public=True),
    "/metrics": Access("/metrics", get=NOBODY, tenant_wide=True, special="scraper"),
    "/static/<path:filename>": Access("/static/app.css", get=EVERYONE, tenant_wide=True, public=True),
    "/csp-report": Access("/csp-report", post=EVERYONE, tenant_wide=True, public=True),
    "/api/v1/openapi.json": Access("/api/v1/openapi.json", get=EVERYONE, tenant_wide=True, public=True),
    # The REST API: a session of a role that sees the whole tenant reads; only the token writes.
    "/api/v1/interactions": Access("/api/v1/interactions", get=REVIEWERS, post=NOBODY, tenant_wide=True,
                                   special="token", dates=("since",)),
    "/api/v1/interactions/<int:interaction_id>": Access("/api/v1/interactions/{call}", get=REVIEWERS),
    # The e-mail: the call is a calibration item the QA specialist still scores blind (refused, by design).
    "/api/v1/interactions/<int:interaction_id>/evaluations": Access("/api/v1/interactions/{email}/evaluations",
                                                                    get=REVIEWERS),
    # Search (issue 24): the list's roles and scope; the API as the rest of the API.
    "/search": Access("/search?q=%D0%B1%D0%B0%D0%B3%D0%B0%D0%B6", get=STAFF | {"customer"}, tenant_wide=True),
    "/api/v1/search": Access("/api/v1/search?q=%D0%B1%D0%B0%D0%B3%D0%B0%D0%B6", get=REVIEWERS, tenant_wide=True),
    # Interactions and reviews (the call is Анна's: the agent's own, in the supervisor's team).
    "/interactions": Access("/interactions", get=STAFF | {"customer"}, tenant_wide=True, dates=("from", "to")),
    # The customer's reviewer sees the call: it is an item of the calibration session.
    "/interactions/<int:interaction_id>": Access("/interactions/{call}", get=STAFF | {"agent", "customer"}),
    "/interactions/<int:interaction_id>/audio": Access("/interactions/{call}/audio", get=STAFF | {"agent", "customer"}),
    "/interactions/<int:interaction_id>/review": Access("/interactions/{call}/review", post=REVIEWERS,
                                                        form={"answer-greeting": "maybe"}),
    "/interactions/<int:interaction_id>/comments": Access("/interactions/{call}/comments", post=REVIEWERS,
                                                          form={"text": "", "offset": "1"}),
    "/evaluations/<int:evaluation_id>/release": Access("/evaluations/{eval_call}/release", post=REVIEWERS),
    "/evaluations/<int:evaluation_id>/amend": Access("/evaluations/{eval_review}/amend", post=REVIEWERS,
                                                     form={"change_reason": ""}),
    "/evaluations/<int:evaluation_id>/acknowledge": Access("/evaluations/{eval_review}/acknowledge",
                                                           post=frozenset({"agent"})),
    "/evaluations/<int:evaluation_id>/disputes": Access("/evaluations/{eval_review}/disputes",
                                                        post=frozenset({"agent"}),
                                                        form={"criterion": "reply_sla", "comment": "не согласна"}),
    # Cases: the contractor's staff and the airline's reviewer (a supervisor: cases with their teams' contacts).
    "/cases": Access("/cases", get=STAFF | {"customer"}, tenant_wide=True),
    "/cases/<int:case_id>": Access("/cases/{case}", get=STAFF | {"customer"}),
    "/queue": Access("/queue", get=REVIEWERS, tenant_wide=True),
    "/queue/sample": Access("/queue/sample", post=REVIEWERS, tenant_wide=True, form={"week": "not a week"},
                            dates=("week",)),
    "/queue/rule": Access("/queue/rule", post=ADMIN, tenant_wide=True,
                          form={"per_agent": "-1", "random_percent": "20", "due_days": "2", "channels": "call"}),
    "/disputes": Access("/disputes", get=REVIEWERS | {"supervisor", "agent"}, tenant_wide=True),
    "/disputes/<int:dispute_id>": Access("/disputes/{dispute}", get=REVIEWERS | {"supervisor", "agent"}),
    "/disputes/<int:dispute_id>/resolve": Access("/disputes/{dispute}/resolve", post=REVIEWERS | {"supervisor"},
                                                 form={"decision": "maybe", "resolution": ""}),
    "/disputes/<int:dispute_id>/reopen": Access("/disputes/{dispute}/reopen", post=REVIEWERS | {"supervisor"},
                                                form={"reason": ""}),
    "/my": Access("/my", get=frozenset({"agent"}), tenant_wide=True),
    # Administration of the tenant.
    "/admin/users": Access("/admin/users", get=ADMIN, post=ADMIN, tenant_wide=True,
                           form={"email": "", "name": "", "role": "qa", "password": ""}),
    "/admin/users/<int:user_id>": Access("/admin/users/{user_qa}", post=ADMIN,
                                         form={"role": "nonsense", "active": "1"}),
    "/admin/teams": Access("/admin/teams", post=ADMIN, tenant_wide=True, form={"name": ""}),
    "/admin/agents/<int:agent_id>/team": Access("/admin/agents/{agent_anna}/team", post=ADMIN,
                                                form={"team": "999999999"}),
    "/admin/audit": Access("/admin/audit", get=ADMIN, tenant_wide=True, dates=("from", "to")),
    "/admin/audit.csv": Access("/admin/audit.csv", get=ADMIN, tenant_wide=True, dates=("from", "to")),
    "/admin/settings": Access("/admin/settings", get=ADMIN, post=ADMIN, tenant_wide=True,
                              form={"timezone": "Nowhere/Atlantis"}),
    "/admin/rubrics": Access("/admin/rubrics", get=ADMIN, post=ADMIN, tenant_wide=True),
    "/admin/rubrics/versions/<int:version_id>": Access("/admin/rubrics/versions/{version}", get=ADMIN),
    "/admin/rubrics/versions/<int:version_id>/activate": Access("/admin/rubrics/versions/{version}/activate",
                                                                post=ADMIN),
    "/admin/connectors": Access("/admin/connectors", get=ADMIN, post=ADMIN, tenant_wide=True,
                                form={"kind": "nonsense"}),
    "/admin/connectors/<int:connector_id>/test": Access("/admin/connectors/{connector}/test", post=ADMIN),
    "/admin/connectors/<int:connector_id>/run": Access("/admin/connectors/{connector}/run", post=ADMIN),
    # AutoQA trust.
    "/autoqa": Access("/autoqa", get=STAFF | {"customer"}, tenant_wide=True),
    "/autoqa/<int:rubric_id>/<criterion_id>": Access("/autoqa/{rubric}/greeting", get=STAFF | {"customer"}),
    "/autoqa/<int:rubric_id>/<criterion_id>/threshold": Access("/autoqa/{rubric}/greeting/threshold", post=ADMIN,
                                                               form={"threshold": "nonsense"}),
    "/autoqa/recompute": Access("/autoqa/recompute", post=REVIEWERS, tenant_wide=True),
    # Calibration: the admin facilitates, the QA specialist and the customer's reviewer take part (still blind).
    "/calibration": Access("/calibration", get=REVIEWERS | {"customer"}, post=REVIEWERS | {"customer"},
                           tenant_wide=True, form={"title": "", "rule": "manual", "ids": ""},
                           dates=("deadline", "from", "to")),
    "/calibration/new": Access("/calibration/new", get=REVIEWERS | {"customer"}, tenant_wide=True),
    "/calibration/alignment": Access("/calibration/alignment", get=REVIEWERS | {"customer"}, tenant_wide=True),
    "/calibration/<int:calibration_id>": Access("/calibration/{calibration}", get=REVIEWERS | {"customer"}),
    "/calibration/<int:calibration_id>/items/<int:item_id>": Access(
        "/calibration/{calibration}/items/{item}", get=frozenset({"qa", "customer"}),
        post=frozenset({"qa", "customer"}), operator=False, form={"answer-greeting": "maybe"}),
    "/calibration/<int:calibration_id>/items/<int:item_id>/consensus": Access(
        "/calibration/{calibration}/items/{item}/consensus", post=ADMIN, form={"consensus-greeting": "maybe"}),
    "/calibration/<int:calibration_id>/results": Access("/calibration/{calibration}/results", get=ADMIN, operator=True),
    "/calibration/<int:calibration_id>/report.<fmt>": Access("/calibration/{calibration}/report.xlsx", get=ADMIN,
                                                                                   operator=True),
    "/calibration/<int:calibration_id>/submit": Access("/calibration/{calibration}/submit",
                                                       post=frozenset({"qa", "customer"}), operator=False),
    "/calibration/<int:calibration_id>/reveal": Access("/calibration/{calibration}/reveal", post=ADMIN),
    "/calibration/<int:calibration_id>/deadline": Access("/calibration/{calibration}/deadline", post=ADMIN,
                                                         form={"deadline": "not a date"}, dates=("deadline",)),
    # Nobody yet: the customer signs off only after submitting, which the writes below do last.
    "/calibration/<int:calibration_id>/sign-off": Access("/calibration/{calibration}/sign-off", post=NOBODY),
    # Coaching (the need and the task are Анна's).
    "/coaching": Access("/coaching", get=EVERYONE, tenant_wide=True),
    "/coaching/needs/refresh": Access("/coaching/needs/refresh", post=COACHES, tenant_wide=True),
    "/coaching/needs/<int:need_id>": Access("/coaching/needs/{need}", get=STAFF | {"agent"}),
    "/coaching/tasks/new": Access("/coaching/tasks/new", get=COACHES, tenant_wide=True),
    "/coaching/tasks": Access("/coaching/tasks", post=COACHES, tenant_wide=True, form={"agent": "", "module": ""},
                              dates=("due_at", "scheduled_at")),
    "/coaching/tasks/<int:task_id>": Access("/coaching/tasks/{task}", get=STAFF | {"agent"}),
    "/coaching/tasks/<int:task_id>/schedule": Access("/coaching/tasks/{task}/schedule", post=COACHES,
                                                     form={"scheduled_at": "not a date"}, dates=("scheduled_at",)),
    "/coaching/tasks/<int:task_id>/session": Access("/coaching/tasks/{task}/session", post=COACHES,
                                                    form={"attended": "maybe"}, dates=("held_at",)),
    "/coaching/tasks/<int:task_id>/acknowledge": Access("/coaching/tasks/{task}/acknowledge",
                                                        post=frozenset({"agent"})),
    "/coaching/materials/<int:material_id>": Access("/coaching/materials/{material}", get=STAFF | {"agent"}),
    # Reports.
    "/reports": Access("/reports", get=REPORT_READERS, tenant_wide=True),
    "/reports/<kind>": Access("/reports/daily-operations", get=REPORT_READERS, tenant_wide=True,
                              dates=("date", "to")),
    "/reports/<kind>/download.<fmt>": Access("/reports/daily-operations/download.csv?date={report_day}",
                                             get=REPORT_READERS, tenant_wide=True, dates=("date", "to")),
    "/reports/history": Access("/reports/history", get=REPORT_READERS, tenant_wide=True),
    "/reports/runs/<int:run_id>.pdf": Access("/reports/runs/{run}.pdf", get=REPORT_READERS),
    "/reports/runs/<int:run_id>/rerun": Access("/reports/runs/{run}/rerun", post=REVIEWERS),
    "/reports/daily-quality/sign-off": Access("/reports/daily-quality/sign-off", post=frozenset({"customer"}),
                                              tenant_wide=True, form={"date": "not a date"}, dates=("date",)),
    # rq-dashboard: every tenant's jobs, so platform operators only; its actions are POST-only.
    "/admin/rq/": _rq("/admin/rq/", get=OPERATOR),
    "/admin/rq/favicon.ico": _rq("/admin/rq/favicon.ico", get=OPERATOR),
    "/admin/rq/static/<path:filename>": _rq("/admin/rq/static/js/jquery-3.5.1.min.js", get=OPERATOR),
    f"{_RQ}/": _rq("/admin/rq/0/", get=OPERATOR),
    f"{_RQ}/view": _rq("/admin/rq/0/view", get=OPERATOR),
    f"{_RQ}/view/queues": _rq("/admin/rq/0/view/queues", get=OPERATOR),
    f"{_RQ}/view/workers": _rq("/admin/rq/0/view/workers", get=OPERATOR),
    f"{_RQ}/view/jobs": _rq("/admin/rq/0/view/jobs", get=OPERATOR),
    f"{_RQ}/view/jobs/<queue_name>/<registry_name>/<int:per_page>/<order>/<int:page>":
        _rq("/admin/rq/0/view/jobs/text/failed/8/asc/1", get=OPERATOR),
    f"{_RQ}/view/job/<job_id>": _rq("/admin/rq/0/view/job/{job}", get=OPERATOR),
    f"{_RQ}/data/queues.json": _rq("/admin/rq/0/data/queues.json", get=OPERATOR),
    f"{_RQ}/data/workers.json": _rq("/admin/rq/0/data/workers.json", get=OPERATOR),
    f"{_RQ}/data/jobs/<queue_name>/<registry_name>/<per_page>/<order>/<page>.json":
        _rq("/admin/rq/0/data/jobs/text/failed/8/asc/1.json", get=OPERATOR),
    f"{_RQ}/data/job/<job_id>.json": _rq("/admin/rq/0/data/job/{job}.json", get=OPERATOR),
    "/admin/rq/requeue/<queue_name>": _rq("/admin/rq/requeue/asr", get=NOBODY, post=OPERATOR),  # POST only
    "/admin/rq/queue/<queue_name>/compact": _rq("/admin/rq/queue/asr/compact", post=OPERATOR),
    "/admin/rq/queue/<queue_name>/<registry_name>/empty": _rq("/admin/rq/queue/asr/failed/empty", post=OPERATOR),
    "/admin/rq/job/<job_id>/requeue": _rq("/admin/rq/job/{job}/requeue", post=OPERATOR),
    "/admin/rq/job/<job_id>/delete": _rq("/admin/rq/job/{job}/delete", post=OPERATOR),
}

# POST rules that take no CSRF token, each with how it is protected instead.
CSRF_EXEMPT = {
    "/csp-report": "browsers post violation reports without a token; it only writes a log line",
    "/api/v1/interactions": "the airline's API token, which a cross-site form cannot carry; a session is refused",
}
# rq-dashboard posts from its own JavaScript without our token: an Origin/Referer of our own host is required.
CSRF_EXEMPT_PREFIX = "/admin/rq/"


def fill(template: str, ids: dict[str, Any]) -> str:
    return template.format(**ids)


def methods(access: Access) -> list[str]:
    return [m for m, roles in (("GET", access.get), ("POST", access.post)) if roles is not None]
