"""reports: report runs per tenant/kind/day with status, retries, sign-off; staffing episodes; report indexes

Revision ID: 0007
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    with op.batch_alter_table("report_runs") as batch:
        batch.add_column(sa.Column("day", sa.Date(), nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("error", sa.Text(), nullable=True))
        batch.add_column(sa.Column("generated_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("mailed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("signed_off_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("signed_off_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_report_runs_signed_off_by_id_users"), "users", ["signed_off_by_id"], ["id"],
            ondelete="SET NULL",
        )
        batch.create_unique_constraint(batch.f("uq_report_runs_tenant_id_kind_day"), ["tenant_id", "kind", "day"])
    op.create_table(
        "staffing_episodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("required", sa.Integer(), nullable=False),
        sa.Column("lowest", sa.Integer(), nullable=False),
        sa.Column("logged_in", json_type, nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_staffing_episodes_tenant_id_tenants"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staffing_episodes")),
    )
    with op.batch_alter_table("staffing_episodes") as batch:
        batch.create_index("ix_staffing_episodes_tenant_started", ["tenant_id", "started_at"], unique=False)
        batch.create_index(batch.f("ix_staffing_episodes_tenant_id"), ["tenant_id"], unique=False)
    with op.batch_alter_table("agent_status_events") as batch:
        batch.create_index("ix_agent_status_events_tenant_agent_at", ["tenant_id", "agent_id", "at"], unique=False)
    with op.batch_alter_table("interactions") as batch:
        batch.create_index("ix_interactions_tenant_started_score", ["tenant_id", "started_at", "score"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("interactions") as batch:
        batch.drop_index("ix_interactions_tenant_started_score")
    with op.batch_alter_table("agent_status_events") as batch:
        batch.drop_index("ix_agent_status_events_tenant_agent_at")
    op.drop_table("staffing_episodes")
    with op.batch_alter_table("report_runs") as batch:
        batch.drop_constraint(batch.f("uq_report_runs_tenant_id_kind_day"), type_="unique")
        batch.drop_constraint(batch.f("fk_report_runs_signed_off_by_id_users"), type_="foreignkey")
        for column in ("signed_off_at", "signed_off_by_id", "mailed_at", "generated_at", "error", "attempts", "day"):
            batch.drop_column(column)
