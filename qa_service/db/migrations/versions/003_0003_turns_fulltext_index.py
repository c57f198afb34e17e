"""turns full-text index: GIN on to_tsvector('russian', text), PostgreSQL only

The list page's transcript search uses exactly this expression, so PostgreSQL answers a
rare-word search from the index instead of scanning every turn.  SQLite has no such index
(its search falls back to LIKE), and the index is not in the models: `env.py` tells
autogenerate to leave it alone.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_turns_text_fts"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON turns USING gin (to_tsvector('russian', text))")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {INDEX}")
