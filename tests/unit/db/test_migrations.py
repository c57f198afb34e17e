"""Migrations have one head and match the models, on SQLite and on the real PostgreSQL."""

from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from qa_service.config import Settings
from qa_service.db.migrate import alembic_config
from qa_service.db.models import Base
from qa_service.db.session import engine_for


def test_one_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_migration_files_sort_in_their_chain_order() -> None:
    # Revision ids were hand-numbered out of order (0012 before 0007); the file names say the chain.
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    chain = [Path(rev.path).name for rev in reversed(list(script.walk_revisions()))]
    assert len(chain) >= 12 and chain == sorted(Path(rev.path).name for rev in script.walk_revisions())


def test_sqlite_schema_matches_models(settings: Settings) -> None:
    command.check(alembic_config(settings.sqlalchemy_url))  # raises when they drift
    tables = set(inspect(engine_for(settings.sqlalchemy_url)).get_table_names())
    assert set(Base.metadata.tables) <= tables


@pytest.mark.postgres
def test_postgres_schema_matches_models(pg_settings: Settings) -> None:
    command.check(alembic_config(pg_settings.sqlalchemy_url))
    inspector = inspect(engine_for(pg_settings.sqlalchemy_url))
    assert set(Base.metadata.tables) <= set(inspector.get_table_names())
    index_names = {ix["name"] for ix in inspector.get_indexes("interactions")}
    assert "ix_interactions_tenant_started" in index_names


@pytest.mark.postgres
def test_transcript_search_uses_the_russian_full_text_index(pg_settings: Settings) -> None:
    from sqlalchemy import text

    engine = engine_for(pg_settings.sqlalchemy_url)
    with engine.connect() as connection:
        indexes = {ix["name"] for ix in inspect(connection).get_indexes("turns")}
        assert "ix_turns_text_fts" in indexes
        connection.execute(text("SET enable_seqscan = off"))  # an empty table: make the planner show its choice
        plan = "\n".join(
            row[0]
            for row in connection.execute(
                text(
                    "EXPLAIN SELECT id FROM turns "
                    "WHERE to_tsvector('russian', text) @@ plainto_tsquery('russian', 'возврат')"
                )
            )
        )
    assert "ix_turns_text_fts" in plan, plan
