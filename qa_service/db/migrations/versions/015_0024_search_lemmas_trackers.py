"""search: turns.lemmas with its full-text index on both backends, and trackers

`turns.lemmas` holds each turn's lemmas (pymorphy3, written by services.search.indexing) as
plain words, so both backends match the same lemmas:
  - PostgreSQL: a GIN index on to_tsvector('simple', lemmas) — 'simple' only lowercases, the
    morphology is ours;
  - SQLite: an FTS5 table over turns.lemmas (external content), kept in step by triggers.
Neither is in the models: `env.py` tells autogenerate to leave them alone.

Revision ID: 0024_search
Revises: cases_0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0024_search"
down_revision: str | None = "cases_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PG_INDEX = "ix_turns_lemmas_fts"
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE turns_fts USING fts5(lemmas, content='turns', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER turns_fts_insert AFTER INSERT ON turns WHEN new.lemmas IS NOT NULL BEGIN "
    "INSERT INTO turns_fts(rowid, lemmas) VALUES (new.id, new.lemmas); END",
    "CREATE TRIGGER turns_fts_delete AFTER DELETE ON turns WHEN old.lemmas IS NOT NULL BEGIN "
    "INSERT INTO turns_fts(turns_fts, rowid, lemmas) VALUES ('delete', old.id, old.lemmas); END",
    "CREATE TRIGGER turns_fts_update AFTER UPDATE OF lemmas ON turns BEGIN "
    "INSERT INTO turns_fts(turns_fts, rowid, lemmas) SELECT 'delete', old.id, old.lemmas WHERE old.lemmas IS NOT NULL; "
    "INSERT INTO turns_fts(rowid, lemmas) SELECT new.id, new.lemmas WHERE new.lemmas IS NOT NULL; END",
]


def upgrade() -> None:
    with op.batch_alter_table("turns") as batch:
        batch.add_column(sa.Column("lemmas", sa.Text(), nullable=True))
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON turns USING gin (to_tsvector('simple', lemmas))")
    elif dialect == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)

    op.create_table(
        "trackers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("speaker", sa.String(length=10), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("send_to_review", sa.Boolean(), nullable=False),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("backfill_total", sa.Integer(), nullable=True),
        sa.Column("backfill_done", sa.Integer(), nullable=True),
        sa.Column("backfilled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_trackers_tenant_id_tenants"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trackers")),
        sa.UniqueConstraint("tenant_id", "slug", name=op.f("uq_trackers_tenant_id_slug")),
    )
    op.create_index(op.f("ix_trackers_tenant_id"), "trackers", ["tenant_id"])
    op.create_table(
        "tracker_matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("tracker_id", sa.Integer(), nullable=False),
        sa.Column("interaction_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("matched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_tracker_matches_tenant_id_tenants"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tracker_id"], ["trackers.id"], name=op.f("fk_tracker_matches_tracker_id_trackers"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["interaction_id"], ["interactions.id"],
                                name=op.f("fk_tracker_matches_interaction_id_interactions"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracker_matches")),
        sa.UniqueConstraint("tracker_id", "interaction_id", name=op.f("uq_tracker_matches_tracker_id_interaction_id")),
    )
    op.create_index(op.f("ix_tracker_matches_tenant_id"), "tracker_matches", ["tenant_id"])
    op.create_index("ix_tracker_matches_tenant_tracker_started", "tracker_matches",
                    ["tenant_id", "tracker_id", "started_at"])

    op.create_table(
        "topic_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("observed", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=True),
        sa.Column("p_value", sa.Float(), nullable=True),
        sa.Column("emerging", sa.Boolean(), nullable=False),
        sa.Column("examples", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_topic_snapshots_tenant_id_tenants"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic_snapshots")),
    )
    op.create_index(op.f("ix_topic_snapshots_tenant_id"), "topic_snapshots", ["tenant_id"])
    op.create_index("ix_topic_snapshots_tenant_computed", "topic_snapshots", ["tenant_id", "computed_at"])


def downgrade() -> None:
    op.drop_table("topic_snapshots")
    op.drop_table("tracker_matches")
    op.drop_table("trackers")
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
    elif dialect == "sqlite":
        for name in ("turns_fts_insert", "turns_fts_delete", "turns_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS turns_fts")
    with op.batch_alter_table("turns") as batch:
        batch.drop_column("lemmas")
