"""Alembic environment: the URL comes from the caller's config (see qa_service.db.migrate)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from qa_service.db.models import Base

config = context.config
target_metadata = Base.metadata

# Indexes that live only in migrations (expression indexes SQLAlchemy cannot model portably).
MIGRATION_ONLY_INDEXES = {"ix_turns_text_fts", "ix_turns_lemmas_fts"}
# SQLite's FTS5 search table over turns.lemmas and its shadow tables (migration 0024_search).
MIGRATION_ONLY_TABLE_PREFIX = "turns_fts"


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    if type_ == "table" and name and name.startswith(MIGRATION_ONLY_TABLE_PREFIX):
        return False
    return not (type_ == "index" and name in MIGRATION_ONLY_INDEXES)


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        connectable = engine_from_config(
            config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
        )
        with connectable.connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds tables instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
