"""The two full-text backends behind one predicate: SQLite FTS5 and PostgreSQL's GIN over lemmas.

Both read `turns.lemmas` (see migration 0024_search): FTS5 through the `turns_fts` table kept
by triggers, PostgreSQL through the expression index on to_tsvector('simple', lemmas) — the
expression here must stay exactly the index's, or the planner scans every turn.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, column, func, literal_column, select, table
from sqlalchemy.orm import Session

from qa_service.core.search.query import Phrase, fts5_expression, tsquery_expression

_SIMPLE: ColumnElement[str] = literal_column("'simple'")
_FTS = table("turns_fts", column("rowid"), column("turns_fts"))


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def turn_matches(
    session: Session, turn: Any, phrases: tuple[Phrase, ...], *, any_of: bool = False
) -> ColumnElement[bool]:
    """A condition on `turn` (the `Turn` entity or an alias of it): its lemmas contain the phrases."""
    if is_postgresql(session):
        query = func.to_tsquery(_SIMPLE, tsquery_expression(phrases, any_of=any_of))
        return func.to_tsvector(_SIMPLE, turn.lemmas).op("@@")(query)
    matching = select(_FTS.c.rowid).where(_FTS.c.turns_fts.op("MATCH")(fts5_expression(phrases, any_of=any_of)))
    return turn.id.in_(matching)
