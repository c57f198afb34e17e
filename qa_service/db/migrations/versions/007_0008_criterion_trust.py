"""criterion_trust: the AutoQA trust loop's state per tenant, rubric and criterion; newest-reviews index

Revision ID: 0008
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "criterion_trust",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rubric_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.String(length=64), nullable=False),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        sa.Column("agreed", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("agreement", sa.Float(), nullable=True),
        sa.Column("lower", sa.Float(), nullable=True),
        sa.Column("upper", sa.Float(), nullable=True),
        sa.Column("threshold_override", sa.Float(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rubric_id"], ["rubrics.id"], name=op.f("fk_criterion_trust_rubric_id_rubrics"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_criterion_trust_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criterion_trust")),
        sa.UniqueConstraint(
            "tenant_id", "rubric_id", "criterion_id", name=op.f("uq_criterion_trust_tenant_id_rubric_id_criterion_id")
        ),
    )
    op.create_index(op.f("ix_criterion_trust_tenant_id"), "criterion_trust", ["tenant_id"], unique=False)
    # The trust loop reads a tenant's newest reviews first, after every review: walk this index, not the table.
    op.create_index(
        "ix_evaluations_tenant_kind_submitted", "evaluations", ["tenant_id", "kind", "submitted_at", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_evaluations_tenant_kind_submitted", table_name="evaluations")
    op.drop_index(op.f("ix_criterion_trust_tenant_id"), table_name="criterion_trust")
    op.drop_table("criterion_trust")
