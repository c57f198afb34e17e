"""coaching: needs with evidence and statistics, tasks, materials

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('coaching_materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('blob_key', sa.String(length=500), nullable=True),
    sa.Column('mime_type', sa.String(length=100), nullable=True),
    sa.Column('size_bytes', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['coaching_tasks.id'], name=op.f('fk_coaching_materials_task_id_coaching_tasks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_coaching_materials_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_materials'))
    )
    with op.batch_alter_table('coaching_materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coaching_materials_task_id'), ['task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coaching_materials_tenant_id'), ['tenant_id'], unique=False)

    with op.batch_alter_table('coaching_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('format', sa.Enum('one_to_one', 'group', 'self_study', name='coachingformat', native_enum=False, length=20), nullable=False, server_default="one_to_one"))
        batch_op.add_column(sa.Column('delivered_by_customer', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('example_interactions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column('scheduled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('attended', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('session_notes', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('notified_new_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('notified_due_soon_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('notified_overdue_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('training_needs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule', sa.Enum('low_average', 'critical', 'team_gap', name='needrule', native_enum=False, length=20), nullable=False, server_default="team_gap"))
        batch_op.add_column(sa.Column('failures', sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column('applicable', sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column('rate_low', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('rate_high', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('team_failures', sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column('team_applicable', sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column('p_value', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('evidence_interaction_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column('since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('training_needs', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
        batch_op.drop_column('since')
        batch_op.drop_column('evidence_interaction_ids')
        batch_op.drop_column('p_value')
        batch_op.drop_column('team_applicable')
        batch_op.drop_column('team_failures')
        batch_op.drop_column('rate_high')
        batch_op.drop_column('rate_low')
        batch_op.drop_column('applicable')
        batch_op.drop_column('failures')
        batch_op.drop_column('rule')

    with op.batch_alter_table('coaching_tasks', schema=None) as batch_op:
        batch_op.drop_column('notified_overdue_at')
        batch_op.drop_column('notified_due_soon_at')
        batch_op.drop_column('notified_new_at')
        batch_op.drop_column('acknowledged_at')
        batch_op.drop_column('session_notes')
        batch_op.drop_column('attended')
        batch_op.drop_column('scheduled_at')
        batch_op.drop_column('example_interactions')
        batch_op.drop_column('delivered_by_customer')
        batch_op.drop_column('format')

    with op.batch_alter_table('coaching_materials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coaching_materials_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_coaching_materials_task_id'))

    op.drop_table('coaching_materials')
