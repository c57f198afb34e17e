"""The identifier scan: booking codes, ticket/EMD numbers, customers' phones and e-mails left in clear in
any table — the companion of the card scan (`services/card_scan.py`), run the same way in CI.

Every column of every table (schema reflected) is read; a finding names table.column, the row and a
masked form.  Staff sign-ins and the tenant's own settings hold the contractor's and the airline's
addresses on purpose, and the airline's public numbers are kept in transcripts: those are not findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import MetaData, select

from qa_service.core.cases.identifiers import display, find_in_text
from qa_service.core.redaction.contacts import AIRLINE_PUBLIC_PHONES
from qa_service.db.session import engine_for
from qa_service.services.card_scan import _texts

# Columns that hold staff or configuration addresses by design, not customers' identifiers.
NOT_CUSTOMER_DATA = {"users.email", "tenants.settings", "connector_configs.config", "connector_configs.secrets",
                     "alembic_version.version_num"}


@dataclass(frozen=True)
class IdentifierFinding:
    where: str
    at: str
    kind: str
    masked: str

    def line(self) -> str:
        return f"{self.where} [{self.at}]: {self.kind} {self.masked}"


@dataclass
class IdentifierScanReport:
    tables: list[str] = field(default_factory=list)
    rows: int = 0
    findings: list[IdentifierFinding] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.findings

    def as_json(self) -> dict[str, Any]:
        return {"clean": self.clean, "tables": len(self.tables), "rows": self.rows,
                "findings": [{"where": f.where, "at": f.at, "kind": f.kind, "masked": f.masked}
                             for f in self.findings]}


def scan_for_identifiers(url: str, kept_phones: Iterable[str] = AIRLINE_PUBLIC_PHONES) -> IdentifierScanReport:
    report = IdentifierScanReport()
    kept = tuple(kept_phones)
    engine = engine_for(url)
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            report.tables.append(table.name)
            keys = [c.name for c in table.primary_key.columns] or [table.columns[0].name]
            for row in connection.execution_options(yield_per=1000).execute(select(table)).mappings():
                report.rows += 1
                for column, value in row.items():
                    where = f"{table.name}.{column}"
                    if where in NOT_CUSTOMER_DATA:
                        continue
                    for text in _texts(value):
                        for found in find_in_text(text, ignore_phones=kept):
                            report.findings.append(IdentifierFinding(
                                where, ",".join(f"{k}={row[k]}" for k in keys), found.kind,
                                display(found.kind, found.value)))
    return report
