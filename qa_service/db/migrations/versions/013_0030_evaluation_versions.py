"""Evaluation versions: a version number on evaluations and disputes (stale forms are refused), the
history of every human change to a released evaluation, and the hash of the figures a report sign-off covers

Revision ID: 0030_evaluation_versions
Revises: 0022
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0030_evaluation_versions"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("evaluations") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("disputes") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("report_runs") as batch:
        batch.add_column(sa.Column("signed_content_hash", sa.String(64), nullable=True))
    op.create_table(
        "evaluation_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE",
                  name="fk_evaluation_versions_tenant_id_tenants"), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), sa.ForeignKey("evaluations.id", ondelete="CASCADE",
                  name="fk_evaluation_versions_evaluation_id_evaluations"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("cause", sa.String(30), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL",
                  name="fk_evaluation_versions_changed_by_id_users"), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("score_before", sa.Float(), nullable=True),
        sa.Column("score_after", sa.Float(), nullable=True),
        sa.Column("changes", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_evaluation_versions"),
        sa.UniqueConstraint("evaluation_id", "number", name="uq_evaluation_versions_evaluation_id_number"),
    )
    op.create_index("ix_evaluation_versions_tenant_id", "evaluation_versions", ["tenant_id"])
    op.create_index("ix_evaluation_versions_evaluation_id", "evaluation_versions", ["evaluation_id"])


def downgrade() -> None:
    op.drop_table("evaluation_versions")
    with op.batch_alter_table("report_runs") as batch:
        batch.drop_column("signed_content_hash")
    with op.batch_alter_table("disputes") as batch:
        batch.drop_column("version")
    with op.batch_alter_table("evaluations") as batch:
        batch.drop_column("version")
