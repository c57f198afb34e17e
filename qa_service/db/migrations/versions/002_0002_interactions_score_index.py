"""interactions score index: the list's "lowest/highest score first" pages by (score, id)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 16:17:21.065305
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.create_index('ix_interactions_tenant_score', ['tenant_id', 'score', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index('ix_interactions_tenant_score')
