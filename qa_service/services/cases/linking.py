"""Put a contact (or a transaction event) into its case by its identifiers' digests.

Strong keys (booking code, ticket/EMD number) name one matter: every case they touch is merged
into the oldest.  Weak keys (phone, e-mail) name a person, who may share the number with a
relative or have two bookings: they link only a contact that has no strong key of its own, and
only to a case seen on that key within the repeat window — so two people calling from one
family phone about two bookings stay two cases.  (A contact with a code also absorbs a recent
case of its phone that never learnt a code: the same person, before they gave it.)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qa_service.core.cases.identifiers import STRONG
from qa_service.db.models import Case, CaseContact, CaseKey, TransactionEvent


def _kind(key: str) -> str:
    return key.split(":", 1)[0]


def _merge(session: Session, tenant_id: int, into: int, others: set[int]) -> None:
    if not others:
        return
    for model in (CaseContact, TransactionEvent):
        session.execute(update(model).where(model.tenant_id == tenant_id, model.case_id.in_(others))
                        .values(case_id=into).execution_options(synchronize_session="fetch"))
    session.execute(update(CaseKey).where(CaseKey.tenant_id == tenant_id, CaseKey.case_id.in_(others))
                    .values(case_id=into).execution_options(synchronize_session="fetch"))
    for case in session.scalars(select(Case).where(Case.tenant_id == tenant_id, Case.id.in_(others))):
        session.delete(case)
    session.flush()


def _anonymous_cases(session: Session, tenant_id: int, weak: list[str], at: datetime, window_days: int) -> set[int]:
    """Recent cases of this phone/e-mail that never learnt a booking or ticket: the same person's
    earlier contact about (very likely) this matter, before they gave the code."""
    if not weak:
        return set()
    pairs = {tuple(k.split(":", 1)) for k in weak}
    horizon = at - timedelta(days=window_days)
    found = {r.case_id for r in session.scalars(select(CaseKey).where(
        CaseKey.tenant_id == tenant_id, CaseKey.digest.in_([d for _, d in pairs])))
        if (r.kind, r.digest) in pairs and (r.last_seen_at is None or r.last_seen_at >= horizon)}
    if not found:
        return set()
    with_code = set(session.scalars(select(CaseKey.case_id).where(
        CaseKey.tenant_id == tenant_id, CaseKey.case_id.in_(found), CaseKey.kind.in_(STRONG))))
    return found - with_code


def link(session: Session, tenant_id: int, keys: list[str], at: datetime, window_days: int,
         display: str | None = None, *, create: bool = True) -> int | None:
    """The case id for these "kind:digest" keys (created, joined or merged); None without keys."""
    if not keys:
        return None
    strong = [k for k in keys if _kind(k) in STRONG]
    wanted = strong or keys
    pairs = [tuple(k.split(":", 1)) for k in wanted]
    rows = list(session.scalars(select(CaseKey).where(
        CaseKey.tenant_id == tenant_id, CaseKey.digest.in_([d for _, d in pairs]))))
    rows = [r for r in rows if (r.kind, r.digest) in set(pairs)]
    if not strong:  # weak keys only: a recent case of this person
        horizon = at - timedelta(days=window_days)
        rows = [r for r in rows if r.last_seen_at is None or r.last_seen_at >= horizon]
    cases = {r.case_id for r in rows}
    if strong:
        cases |= _anonymous_cases(session, tenant_id, [k for k in keys if _kind(k) not in STRONG], at, window_days)
    if cases:
        case_id = min(cases)
        _merge(session, tenant_id, case_id, cases - {case_id})
    elif create:
        case = Case(tenant_id=tenant_id, display=display)
        session.add(case)
        session.flush()
        case_id = case.id
    else:
        return None
    case = session.get_one(Case, case_id)
    if display and not case.display:
        case.display = display
    known = {(r.kind, r.digest): r for r in session.scalars(
        select(CaseKey).where(CaseKey.tenant_id == tenant_id, CaseKey.case_id == case_id))}
    for key in keys:
        kind, digest = key.split(":", 1)
        row = known.get((kind, digest))
        if row is None:
            taken = session.scalar(select(CaseKey).where(CaseKey.tenant_id == tenant_id, CaseKey.kind == kind,
                                                         CaseKey.digest == digest))
            if taken is not None:  # a weak key of another (older) case: it now points at this one
                taken.case_id, taken.last_seen_at = case_id, at
                continue
            session.add(CaseKey(tenant_id=tenant_id, kind=kind, digest=digest, case_id=case_id, last_seen_at=at))
        elif row.last_seen_at is None or row.last_seen_at < at:
            row.last_seen_at = at
    session.flush()
    return case_id
