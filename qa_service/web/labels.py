"""Words for the codes the service stores: channels, topics, queues, roles, states, audit actions,
review reasons — Russian first, English when switched — and times in the tenant's time zone.

One module so every page says the same thing for the same code.  Templates use the filters
`label(kind)` (`{{ i.topic|label("topic") }}`), `review_reasons(titles)` and `local_dt`.
A code this module does not know is shown readably (`ru_general` as «ru general») rather than
hidden; a code the service meets in normal use belongs in LABELS.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Flask, g
from flask_babel import gettext, lazy_gettext
from flask_babel.speaklater import LazyString

from qa_service.core.tenant_settings import TenantSettings
from qa_service.db.models import Tenant
from qa_service.services.agent_names import UNASSIGNED_AGENT

LABELS: dict[str, dict[str, LazyString]] = {
    "channel": {"call": lazy_gettext("Call"), "chat": lazy_gettext("Chat"), "email": lazy_gettext("E-mail")},
    "topic": {
        "sale": lazy_gettext("ticket sale"), "exchange": lazy_gettext("exchange"), "refund": lazy_gettext("refund"),
        "baggage": lazy_gettext("baggage"), "info": lazy_gettext("flight information"),
        "complaint": lazy_gettext("complaint"), "other": lazy_gettext("other"), "booking": lazy_gettext("booking"),
    },
    "reason": {
        "refund": lazy_gettext("refund"), "exchange": lazy_gettext("exchange"), "sale": lazy_gettext("ticket sale"),
        "emd": lazy_gettext("EMD and extra services"), "baggage": lazy_gettext("baggage"),
        "disruption": lazy_gettext("schedule change or disruption"), "complaint": lazy_gettext("complaint"),
        "info": lazy_gettext("flight information"), "other": lazy_gettext("other"),
    },
    "outcome": {
        "resolved": lazy_gettext("resolved in the contact"), "transferred": lazy_gettext("transferred"),
        "callback": lazy_gettext("callback promised"), "customer_action": lazy_gettext("customer has to act"),
        "unresolved": lazy_gettext("not resolved"),
    },
    "event": {
        "ticket_issued": lazy_gettext("ticket issued"), "ticket_exchanged": lazy_gettext("ticket exchanged"),
        "ticket_refunded": lazy_gettext("ticket refunded"), "emd_issued": lazy_gettext("EMD issued"),
        "emd_refunded": lazy_gettext("EMD refunded"), "payment_link_sent": lazy_gettext("payment link sent"),
        "payment_captured": lazy_gettext("payment captured"), "payment_refunded": lazy_gettext("payment refunded"),
    },
    "discrepancy": {
        "refund_missing": lazy_gettext("refund promised, none made"),
        "amount_mismatch": lazy_gettext("amount read back differs from the amount charged"),
        "no_readback": lazy_gettext("transaction without a read-back"),
        "no_payment_link": lazy_gettext("sale without a payment link"),
    },
    "queue": {
        "sales": lazy_gettext("sales line"), "service": lazy_gettext("service line"),
        "outbound": lazy_gettext("outbound calls"), "web-chat": lazy_gettext("web chat"),
        "email": lazy_gettext("e-mail"), "mail": lazy_gettext("e-mail"), "exchange": lazy_gettext("exchange"),
        "all": lazy_gettext("all queues"), "ru-general": lazy_gettext("general line"),
        "general": lazy_gettext("general line"), "support": lazy_gettext("service line"),
        "chat": lazy_gettext("web chat"), "inbound": lazy_gettext("inbound calls"),
    },
    "role": {
        "admin": lazy_gettext("administrator"), "qa": lazy_gettext("QA specialist"), "trainer": lazy_gettext("trainer"),
        "supervisor": lazy_gettext("supervisor"), "agent": lazy_gettext("agent"),
        "customer": lazy_gettext("airline reviewer"),
    },
    "state": {
        "fetched": lazy_gettext("fetched"), "transcribed": lazy_gettext("transcribed"),
        "scored": lazy_gettext("scored"), "skipped": lazy_gettext("lost call, nothing to evaluate"),
        "failed": lazy_gettext("processing failed"),
    },
    "timeline": {
        "agent": lazy_gettext("Agent"), "customer": lazy_gettext("Customer"), "silence": lazy_gettext("Silence"),
        "hold": lazy_gettext("Hold"), "overtalk": lazy_gettext("Overtalk"),
    },
    "evaluation_status": {
        "draft": lazy_gettext("draft"), "submitted": lazy_gettext("submitted"),
        "released": lazy_gettext("released to the agent"),
    },
    "action": {
        "login": lazy_gettext("signed in"), "view": lazy_gettext("opened an interaction"),
        "password.change": lazy_gettext("changed the password"), "review.submit": lazy_gettext("submitted a review"),
        "review.release": lazy_gettext("released a review"), "comment.create": lazy_gettext("added a comment"),
        "dispute.create": lazy_gettext("raised a dispute"), "dispute.accepted": lazy_gettext("accepted a dispute"),
        "dispute.rejected": lazy_gettext("rejected a dispute"),
        "evaluation.acknowledge": lazy_gettext("acknowledged an evaluation"),
        "sampling.run": lazy_gettext("drew the review sample"), "update": lazy_gettext("changed"),
        "settings.update": lazy_gettext("changed the tenant settings"), "create": lazy_gettext("created"),
        "retention.run": lazy_gettext("deleted data past its retention period"),
        "rubric.upload": lazy_gettext("uploaded a rubric version"),
        "rubric.activate": lazy_gettext("activated a rubric version"),
        "connector.save": lazy_gettext("saved a connector"), "connector.run": lazy_gettext("ran a connector"),
        "report.rerun": lazy_gettext("generated a day's reports again"),
        "ingest.quarantine": lazy_gettext("set aside an item that cannot be stored"),
        "evaluation.amend": lazy_gettext("changed a released evaluation"),
        "dispute.reopen": lazy_gettext("reopened a dispute"),
        "report.sign_off": lazy_gettext("signed off a day's quality report"),
        "report.export": lazy_gettext("downloaded a report"),
        "calibration.create": lazy_gettext("created a calibration session"),
        "calibration.submit": lazy_gettext("submitted calibration answers"),
        "calibration.reveal": lazy_gettext("revealed a calibration session's answers"),
        "calibration.extend": lazy_gettext("extended a calibration session's deadline"),
        "calibration.consensus": lazy_gettext("recorded the agreed calibration answers"),
        "calibration.sign_off": lazy_gettext("signed off a calibration report"),
        "calibration.export": lazy_gettext("downloaded a calibration report"),
        "coaching.assign": lazy_gettext("assigned a coaching task"),
        "coaching.schedule": lazy_gettext("scheduled a coaching session"),
        "coaching.session": lazy_gettext("recorded a coaching session"),
        "coaching.acknowledge": lazy_gettext("acknowledged a coaching task"),
        "autoqa.threshold": lazy_gettext("changed an AutoQA trust threshold"),
        "autoqa.withhold": lazy_gettext("withheld or restored a machine criterion"),
        "worker_heartbeat": lazy_gettext("worker heartbeat"),
    },
    "version_cause": {
        "released": lazy_gettext("released"), "amended": lazy_gettext("changed after release"),
        "dispute_accepted": lazy_gettext("dispute accepted"), "dispute_reopened": lazy_gettext("dispute reopened"),
        "calibration_consensus": lazy_gettext("calibration consensus applied"),
        "correction": lazy_gettext("correction"),
    },
    "rule": {
        "phrases": lazy_gettext("phrase rule on lemmas"), "regex": lazy_gettext("regular expression"),
        "timing": lazy_gettext("timing or SLA threshold"), "detector": lazy_gettext("pattern detector"),
        "classifier": lazy_gettext("classifier"), "manual": lazy_gettext("manual"),
    },
    "connector": {
        "http": lazy_gettext("platform HTTP API"), "http_api": lazy_gettext("platform HTTP API"),
        "imap": lazy_gettext("mailbox (IMAP)"), "dropfolder": lazy_gettext("drop folder (files and CDR)"),
        "asterisk_cdr": lazy_gettext("Asterisk CDR"),
    },
    "model": {"clarifying_question": lazy_gettext("clarifying question"), "topic": lazy_gettext("contact topic")},
    "secret": {"password": lazy_gettext("password"), "token": lazy_gettext("access token"),
               "api_key": lazy_gettext("API key")},
    "detail": {
        "interaction": lazy_gettext("interaction"), "evaluation": lazy_gettext("evaluation"),
        "score": lazy_gettext("score"), "changed": lazy_gettext("changed answers"),
        "released": lazy_gettext("released"), "criterion": lazy_gettext("criterion"),
        "criteria": lazy_gettext("criteria"), "week": lazy_gettext("week"), "assigned": lazy_gettext("assigned"),
        "considered": lazy_gettext("considered"), "before": lazy_gettext("before"), "after": lazy_gettext("after"),
        "timezone": lazy_gettext("time zone"), "sampling_changed": lazy_gettext("sampling rule changed"),
        "rubric": lazy_gettext("rubric"), "item": lazy_gettext("item"), "items": lazy_gettext("items"),
        "participants": lazy_gettext("participants"), "benchmark": lazy_gettext("benchmark"),
        "from": lazy_gettext("from"), "to": lazy_gettext("to"), "module": lazy_gettext("module"),
        "agent": lazy_gettext("agent"), "at": lazy_gettext("at"), "attended": lazy_gettext("attended"),
        "offset": lazy_gettext("offset, s"), "agreement": lazy_gettext("agreement"),
        "n": lazy_gettext("answers"), "lower": lazy_gettext("lower bound"), "upper": lazy_gettext("upper bound"),
        "threshold": lazy_gettext("threshold"), "version": lazy_gettext("version"),
        "reason": lazy_gettext("reason"), "format": lazy_gettext("file format"),
        "calibration": lazy_gettext("calibration session"), "status": lazy_gettext("status"),
        "answer": lazy_gettext("answer"), "secrets_changed": lazy_gettext("secrets changed"),
        "day": lazy_gettext("day"), "content_hash": lazy_gettext("figures signed (hash)"),
        "kind": lazy_gettext("report"), "settings": lazy_gettext("settings"),
        "sampling": lazy_gettext("sampling rule"), "filters": lazy_gettext("filters"),
        "dispute_window_days": lazy_gettext("dispute window, days"), "changes": lazy_gettext("changes"),
        "public_phones": lazy_gettext("public phone numbers"),
        "sampling_per_agent": lazy_gettext("sample per agent a week"),
        "sampling_random_percent": lazy_gettext("picked at random, %"),
        "sampling_channels": lazy_gettext("sampled channels"), "sampling_due_days": lazy_gettext("review due, days"),
        "evaluated": lazy_gettext("evaluated"), "average_score": lazy_gettext("average score"),
        "signed_by": lazy_gettext("signed by"), "due_at": lazy_gettext("due"),
    },
    "entity": {
        "interaction": lazy_gettext("interaction"), "evaluation": lazy_gettext("evaluation"),
        "dispute": lazy_gettext("dispute"), "user": lazy_gettext("user"), "team": lazy_gettext("team"),
        "agent": lazy_gettext("agent"), "sampling": lazy_gettext("review sample"), "tenant": lazy_gettext("tenant"),
        "sampling_rule": lazy_gettext("sampling rule"), "worker": lazy_gettext("worker"),
        "rubric_version": lazy_gettext("rubric version"), "connector": lazy_gettext("connector"),
        "report_run": lazy_gettext("report run"), "calibration_session": lazy_gettext("calibration session"),
        "coaching_task": lazy_gettext("coaching task"), "criterion_trust": lazy_gettext("AutoQA criterion trust"),
        "report": lazy_gettext("report"),
    },
}


def label(code: object, kind: str) -> str:
    """The words for `code` of `kind` (`channel`, `topic`, `queue`, `role`, `state`, `action`, …)."""
    if code is None or code == "":
        return "—"
    value = getattr(code, "value", code)
    found = LABELS.get(kind, {}).get(str(value))
    if found is not None:
        return str(found)
    # An unknown code (a new queue on the platform, say) is still readable: words, not a slug.
    return re.sub(r"[_\-.]+", " ", str(value)).strip() or str(value)


def review_reasons(reasons: Iterable[str] | None, titles: Mapping[str, str] | None = None) -> list[str]:
    """Why an interaction waits for a person, in words: the engine stores `low_confidence:greeting,…`."""
    titles = titles or {}
    words: list[str] = []
    for reason in reasons or []:
        code, _, criteria = str(reason).partition(":")
        named = ", ".join(f"«{titles.get(c, c)}»" for c in criteria.split(",") if c)
        if code == "low_confidence":
            words.append(gettext("low confidence on %(criteria)s", criteria=named))
        elif code == "flagged":
            words.append(gettext("flagged for a person to check: %(criteria)s", criteria=named))
        elif code == "poor_transcript":
            words.append(gettext("poor transcript quality"))
        elif code == "failed_critical":
            words.append(gettext("critical violation"))
        else:
            words.append(str(reason))
    return words


def _detail_value(value: object, titles: Mapping[str, str]) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(_detail_value(v, titles) for v in value) or "—"
    if isinstance(value, dict):
        def key(k: object) -> str:
            return label(k, "detail") if str(k) in LABELS["detail"] else titles.get(str(k), str(k))
        return "; ".join(f"{key(k)}: {_detail_value(v, titles)}" for k, v in value.items()) or "—"
    text = str(value)
    for kind in ("evaluation_status", "state", "role"):
        if text in LABELS[kind]:
            return label(text, kind)
    if text in ("yes", "no", "na"):
        return {"yes": gettext("Yes"), "no": gettext("No"), "na": gettext("N/A")}[text]
    return titles.get(text, text)


def audit_details(details: Mapping[str, object] | None) -> list[tuple[str, str]]:
    """An audit entry's details in words: keys named, criterion ids as titles, flags as yes/no."""
    if not details:
        return []
    if "tenant_titles" not in g:
        from qa_service.services.rubrics.titles import titles_for_tenant
        from qa_service.web.auth import current_user
        from qa_service.web.ui.database import db

        user = current_user()
        g.tenant_titles = titles_for_tenant(db(), user.tenant_id) if user is not None else {}
    titles: Mapping[str, str] = g.tenant_titles
    return [(label(key, "detail"), _detail_value(value, titles)) for key, value in details.items()]


def tenant_zone(tenant: Tenant | None) -> ZoneInfo:
    """The tenant's time zone: its settings document, else its column, else Moscow."""
    if tenant is None:
        return ZoneInfo("Europe/Moscow")
    stored = (tenant.settings or {}).get("timezone")
    try:
        return ZoneInfo(stored or tenant.timezone or TenantSettings.timezone)
    except (ValueError, KeyError):
        return ZoneInfo(TenantSettings.timezone)


def request_zone() -> ZoneInfo:
    """The signed-in user's tenant's time zone (looked up once per request)."""
    if "tenant_zone" not in g:
        from qa_service.services.access import tenant_of_user
        from qa_service.web.auth import current_user
        from qa_service.web.ui.database import db

        user = current_user()
        g.tenant_zone = tenant_zone(tenant_of_user(db(), user) if user is not None else None)
    zone: ZoneInfo = g.tenant_zone
    return zone


def local_dt(value: datetime | None, fmt: str = "%d.%m.%Y %H:%M") -> str:
    """A stored time (UTC; naive means UTC) as the tenant's local time."""
    if value is None:
        return "—"
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(request_zone()).strftime(fmt)


def criterion_title(criterion_id: str, rubric_version_id: int) -> str:
    """The rubric's title of a criterion (its id when the rubric does not name it)."""
    from qa_service.services.rubrics.titles import titles_for_versions
    from qa_service.web.ui.database import db

    return titles_for_versions(db(), [rubric_version_id]).get(criterion_id, criterion_id)


def init_labels(app: Flask) -> None:
    app.jinja_env.globals["criterion_title"] = criterion_title
    app.jinja_env.globals["audit_details"] = audit_details
    # The connectors' placeholder agent has no platform number worth showing beside its name.
    app.jinja_env.globals["UNASSIGNED_AGENT"] = UNASSIGNED_AGENT
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["local_dt"] = local_dt
    app.jinja_env.filters["review_reasons"] = review_reasons
