"""One ingestion run of a tenant's connector: fetch what is new, store each item, advance the cursor.

Each item is stored in its own transaction together with the cursor that follows it, so the
cursor never moves past an item that was not stored and a crash mid-run loses nothing: the
next run starts from the last stored item and the unique keys absorb any repeat.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.connectors.base import (
    Connector,
    ConnectorConfigError,
    FetchedInteraction,
    FetchResult,
    ItemRef,
    PoisonItem,
    StaffingSlot,
    StatusEvent,
    TransactionRecord,
)
from qa_service.connectors.factory import build_connector
from qa_service.core.errors import InvalidInteraction, UserFacingError
from qa_service.core.interaction import parse_interaction
from qa_service.core.json_input import UnsafeJson
from qa_service.core.redaction import redact
from qa_service.core.redaction.card_runs import tokenize_card_runs
from qa_service.db.models import AgentStatusEvent, ConnectorConfig, ConnectorCursor, StaffingPlan
from qa_service.db.session import session_factory, transaction
from qa_service.services.audit import record as record_audit
from qa_service.services.cases.events import (
    store_transaction_events,
)
from qa_service.services.connectors.checks import (
    UNREACHABLE,
)
from qa_service.services.connectors.configuration import (
    tenant_sandbox,
)
from qa_service.services.ingestion.intake import StoredInteraction, agent_for, store_interaction

log = logging.getLogger(__name__)

STREAM = "all"
MAX_BATCHES_PER_RUN = 20  # a backlog larger than this is finished by the next poll
STORE_BATCH = 25  # items stored per transaction: fewer commits, and a failure loses no stored item
# While the platform fails, each failed run doubles the wait before the next poll, up to this: an
# hour-long outage costs a handful of attempts, not one a minute, and the first poll after the
# platform returns comes at most this long after it (the cursor then catches up on the backlog).
MAX_BACKOFF_SECONDS = 15 * 60
QUARANTINE_ACTION = "ingest.quarantine"  # the audit-log action of an item set aside, with its reason
# Errors of one item that no retry will fix: a broken manifest line, a MIME bomb, a document
# off the contract, a shape the mapping cannot read.  Transient errors (TransientFetchError:
# the platform is down, a file is still being copied) and a wrong configuration stop the run instead.
POISON = (PoisonItem, InvalidInteraction, UnsafeJson, ValueError, LookupError, TypeError, RecursionError)


@dataclass
class IngestReport:
    connector_id: int
    stored: int = 0
    repeated: int = 0
    status_events: int = 0
    transaction_events: int = 0
    staffing_slots: int = 0
    cursor: str | None = None
    stored_ids: list[int] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)  # the reason of each item set aside


def _cursor_row(session: Session, config: ConnectorConfig) -> ConnectorCursor:
    row = session.scalar(
        select(ConnectorCursor).where(ConnectorCursor.connector_id == config.id, ConnectorCursor.stream == STREAM)
    )
    if row is None:
        row = ConnectorCursor(tenant_id=config.tenant_id, connector_id=config.id, stream=STREAM)
        session.add(row)
        session.flush()
    return row


def _store_status_events(session: Session, config: ConnectorConfig, events: list[StatusEvent], key: bytes) -> int:
    stored = 0
    for event in events:
        # The platform's ids stay joinable with the interactions' (services.ingestion.intake): same tokens.
        event = replace(event, agent_id=tokenize_card_runs(event.agent_id, key),
                        source_key=tokenize_card_runs(event.source_key, key))
        exists = session.scalar(
            select(AgentStatusEvent.id).where(
                AgentStatusEvent.tenant_id == config.tenant_id,
                AgentStatusEvent.source == config.name,
                AgentStatusEvent.source_key == event.source_key,
            )
        )
        if exists is None:
            agent = agent_for(session, config.tenant_id, event.agent_id)
            session.add(
                AgentStatusEvent(
                    tenant_id=config.tenant_id,
                    source=config.name,
                    source_key=event.source_key,
                    agent_id=agent.id,
                    status=event.status,
                    at=event.at,
                )
            )
            stored += 1
    return stored


def _store_staffing(session: Session, config: ConnectorConfig, slots: list[StaffingSlot], key: bytes) -> int:
    for slot in slots:
        queue = tokenize_card_runs(slot.queue or "", key)
        row = session.scalar(
            select(StaffingPlan).where(
                StaffingPlan.tenant_id == config.tenant_id,
                StaffingPlan.hour_start == slot.hour_start,
                StaffingPlan.queue == queue,
            )
        )
        if row is None:
            session.add(
                StaffingPlan(
                    tenant_id=config.tenant_id,
                    hour_start=slot.hour_start,
                    queue=queue,
                    planned_agents=slot.planned_agents,
                )
            )
        else:
            row.planned_agents = slot.planned_agents  # a revised plan replaces the old one
    return len(slots)


def run_connector(
    settings: Settings,
    connector_id: int,
    *,
    on_stored: Callable[[StoredInteraction], None] = lambda stored: None,
    limit: int = 500,
) -> IngestReport:
    """Fetch and store everything new; each batch's jobs leave when it commits, then `on_stored` (progress)."""
    url = settings.sqlalchemy_url
    with session_factory(url)() as session:
        config = session.get(ConnectorConfig, connector_id)
        if config is None:
            raise LookupError(f"no connector {connector_id}")
        cursor = _cursor_row(session, config).value
        session.commit()
        # The operator's allowance is checked on every run, not only when the settings were saved.
        sandbox = tenant_sandbox(session, settings, config.tenant_id)
        try:
            connector = build_connector(config.kind, config.name, dict(config.config), dict(config.secrets),
                                        sandbox=sandbox)
        except ConnectorConfigError as refused:
            session.rollback()
            _record_run(settings, connector_id, error=str(refused))
            raise
    report = IngestReport(connector_id=connector_id, cursor=cursor)
    # Connectors that can keep a connection open across the run (HTTP keep-alive) offer `session()`.
    keep_open = getattr(connector, "session", contextlib.nullcontext)
    with keep_open():
        try:
            batch: list[tuple[ItemRef, FetchResult]] = []
            places: dict[str, str | None] = {}  # item key → where it is, for a quarantine record
            try:
                for ref in _all_new(connector, cursor, limit):
                    try:
                        fetched = _checked(connector.fetch(ref))  # network: outside any transaction
                    except POISON as error:
                        # This item can never be stored: what came before it is stored, it is
                        # quarantined with its reason, and the cursor moves past it.
                        full, batch = batch, []
                        if full:
                            _store_batch_or_split(settings, connector_id, full, report, on_stored, places)
                        _quarantine(settings, connector_id, ref, error, report, _where(connector, ref))
                        continue
                    batch.append((ref, fetched))
                    places[ref.key] = _where(connector, ref)
                    if len(batch) == STORE_BATCH:
                        full, batch = batch, []
                        _store_batch_or_split(settings, connector_id, full, report, on_stored, places)
            finally:
                # What was fetched before a failure is stored too: the cursor stops right after it.
                if batch:
                    _store_batch_or_split(settings, connector_id, batch, report, on_stored, places)
        except Exception as error:
            # Transient errors are retried by the job; a bad mapping or config keeps failing until an
            # admin fixes it — either way the reason is shown on the connector.
            # What the admin sees names our own refusals; a foreign failure is logged in detail
            # (the job's traceback) and shown in general terms, so no run maps ports for them.
            shown = str(error) if isinstance(error, UserFacingError) else f"{type(error).__name__}: {UNREACHABLE.en}"
            _record_run(settings, connector_id, error=shown)
            raise
    _record_run(settings, connector_id, error=None)
    return report


def _checked(fetched: FetchResult) -> FetchResult:
    """Refuse, before any transaction, an interaction document that breaks the contract."""
    if isinstance(fetched, FetchedInteraction):
        parse_interaction(fetched.document)
    return fetched


def _where(connector: Connector, ref: ItemRef) -> str | None:
    """Where the platform keeps the item (a drop folder's `file:line`), when the connector can say."""
    describe = getattr(connector, "describe", None)
    return str(describe(ref)) if describe is not None else None


def _quarantine(
    settings: Settings,
    connector_id: int,
    ref: ItemRef,
    error: BaseException,
    report: IngestReport,
    where: str | None = None,
) -> None:
    """Record why an item was set aside (the tenant's audit log) and move the cursor past it, in one transaction."""
    detail = error.one_line() if isinstance(error, UserFacingError) else f"{type(error).__name__}: {error}"
    reason = redact(" ".join(detail.split())).text[:1000]
    with transaction(settings.sqlalchemy_url) as session:
        config = session.get_one(ConnectorConfig, connector_id)
        record_audit(
            session,
            tenant_id=config.tenant_id,
            user_id=None,
            action=QUARANTINE_ACTION,
            entity="connector",
            entity_id=connector_id,
            details={
                "connector": config.name,
                "kind": ref.kind,
                "item": redact(ref.key).text[:300],
                "where": redact(where or ref.key).text[:300],
                "reason": reason,
            },
        )
        cursor_row = _cursor_row(session, config)
        cursor_row.value = ref.cursor_after
        cursor_row.updated_at = datetime.now(UTC)
    report.cursor = ref.cursor_after
    report.quarantined.append(reason)
    log.warning("connector %s: %s %s quarantined: %s", connector_id, ref.kind, ref.key[:300], reason)


def _store_batch_or_split(
    settings: Settings,
    connector_id: int,
    batch: list[tuple[ItemRef, FetchResult]],
    report: IngestReport,
    on_stored: Callable[[StoredInteraction], None],
    where: dict[str, str | None],
) -> None:
    """Store a batch; when the database refuses one of its values, store item by item and quarantine that one."""
    try:
        _store_batch(settings, connector_id, batch, report, on_stored)
        return
    except DataError:
        pass
    for item in batch:
        try:
            _store_batch(settings, connector_id, [item], report, on_stored)
        except DataError as error:
            # The database rejected a value (a NUL character, a number past its column): only this item.
            _quarantine(settings, connector_id, item[0], _db_refusal(error), report, where.get(item[0].key))


def _db_refusal(error: DataError) -> UserFacingError:
    cause = " ".join(str(error.orig).split())[:300]
    return UserFacingError(f"база данных отклонила значение: {cause}", f"the database refused a value: {cause}")


def _store_batch(
    settings: Settings,
    connector_id: int,
    batch: list[tuple[ItemRef, FetchResult]],
    report: IngestReport,
    on_stored: Callable[[StoredInteraction], None],
) -> None:
    """Store fetched items and the cursor after the last of them in one transaction (one commit, not N)."""
    stored_items: list[StoredInteraction] = []
    with transaction(settings.sqlalchemy_url) as session:
        config = session.get_one(ConnectorConfig, connector_id)
        for _ref, fetched in batch:
            if isinstance(fetched, FetchedInteraction):
                stored_items.append(
                    store_interaction(
                        session,
                        settings,
                        config.tenant_id,
                        fetched.document,
                        recording=fetched.recording,
                        recording_filename=fetched.recording_filename,
                        default_source=config.name,
                    )
                )
            elif fetched and isinstance(fetched[0], TransactionRecord):
                report.transaction_events += store_transaction_events(
                    session, settings, config.tenant_id, config.name, fetched)
            elif fetched and isinstance(fetched[0], StatusEvent):
                report.status_events += _store_status_events(session, config, fetched, settings.secret_key.encode())
            elif fetched:
                report.staffing_slots += _store_staffing(session, config, fetched, settings.secret_key.encode())  # type: ignore[arg-type]
        cursor_row = _cursor_row(session, config)
        cursor_row.value = batch[-1][0].cursor_after
        cursor_row.updated_at = datetime.now(UTC)
    report.cursor = batch[-1][0].cursor_after
    for stored in stored_items:  # after the commit: now a worker may see the rows
        if stored.created or stored.updated:
            report.stored += 1
            report.stored_ids.append(stored.interaction_id)
            on_stored(stored)
        else:
            report.repeated += 1


def _all_new(connector: Connector, cursor: str | None, limit: int) -> Iterator[ItemRef]:
    """Every new item, a batch at a time, until the platform has nothing more (or a run's cap)."""
    for _ in range(MAX_BATCHES_PER_RUN):
        refs = connector.list_new(cursor, limit=limit)
        yield from refs
        if len(refs) < limit:
            return
        cursor = refs[-1].cursor_after


def _record_run(settings: Settings, connector_id: int, *, error: str | None) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        config = session.get(ConnectorConfig, connector_id)
        if config is not None:
            config.last_run_at = datetime.now(UTC)
            config.last_error = redact(error).text[:2000] if error else None
            config.consecutive_failures = (config.consecutive_failures or 0) + 1 if error else 0


def poll_wait_seconds(poll_interval_seconds: int, consecutive_failures: int) -> int:
    """Seconds from one run to the next poll: the interval, doubled per failed run in a row, capped."""
    if consecutive_failures <= 0:
        return poll_interval_seconds
    backoff = poll_interval_seconds * 2 ** min(consecutive_failures, 20)
    return max(poll_interval_seconds, min(backoff, MAX_BACKOFF_SECONDS))


def due_connectors(settings: Settings, now: datetime) -> list[int]:
    """Enabled connectors whose poll interval (backed off after failed runs) has passed since their last run."""
    with session_factory(settings.sqlalchemy_url)() as session:
        rows = session.scalars(select(ConnectorConfig).where(ConnectorConfig.enabled.is_(True))).all()
        due = []
        for row in rows:
            last = row.last_run_at
            wait = poll_wait_seconds(row.poll_interval_seconds, row.consecutive_failures or 0)
            if last is None or (now - last).total_seconds() >= wait:
                due.append(row.id)
        return due
