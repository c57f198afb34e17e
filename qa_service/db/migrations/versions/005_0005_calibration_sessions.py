"""calibration: facilitator, benchmark, reveal and sign-off; blind answers and consensus (gold labels)

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('calibration_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.String(length=64), nullable=False),
    sa.Column('answer', sa.String(length=20), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('submitted', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['calibration_items.id'], name=op.f('fk_calibration_answers_item_id_calibration_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['calibration_participants.id'], name=op.f('fk_calibration_answers_participant_id_calibration_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibration_answers')),
    sa.UniqueConstraint('participant_id', 'item_id', 'criterion_id', name=op.f('uq_calibration_answers_participant_id_item_id_criterion_id'))
    )
    with op.batch_alter_table('calibration_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calibration_answers_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calibration_answers_participant_id'), ['participant_id'], unique=False)

    op.create_table('calibration_consensus',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.String(length=64), nullable=False),
    sa.Column('answer', sa.String(length=20), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_calibration_consensus_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['calibration_items.id'], name=op.f('fk_calibration_consensus_item_id_calibration_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibration_consensus')),
    sa.UniqueConstraint('item_id', 'criterion_id', name=op.f('uq_calibration_consensus_item_id_criterion_id'))
    )
    with op.batch_alter_table('calibration_consensus', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calibration_consensus_item_id'), ['item_id'], unique=False)

    with op.batch_alter_table('calibration_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rubric_version_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_calibration_items_rubric_version_id_rubric_versions'), 'rubric_versions', ['rubric_version_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('calibration_participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invited_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('calibration_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facilitator_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('benchmark_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('selection', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('revealed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('signed_off_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('signed_off_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_calibration_sessions_signed_off_by_id_users'), 'users', ['signed_off_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_calibration_sessions_benchmark_user_id_users'), 'users', ['benchmark_user_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_calibration_sessions_facilitator_id_users'), 'users', ['facilitator_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('calibration_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_calibration_sessions_facilitator_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_calibration_sessions_benchmark_user_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_calibration_sessions_signed_off_by_id_users'), type_='foreignkey')
        batch_op.drop_column('signed_off_at')
        batch_op.drop_column('signed_off_by_id')
        batch_op.drop_column('revealed_at')
        batch_op.drop_column('selection')
        batch_op.drop_column('benchmark_user_id')
        batch_op.drop_column('facilitator_id')

    with op.batch_alter_table('calibration_participants', schema=None) as batch_op:
        batch_op.drop_column('notified_at')
        batch_op.drop_column('invited_at')

    with op.batch_alter_table('calibration_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_calibration_items_rubric_version_id_rubric_versions'), type_='foreignkey')
        batch_op.drop_column('rubric_version_id')

    with op.batch_alter_table('calibration_consensus', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calibration_consensus_item_id'))

    op.drop_table('calibration_consensus')
    with op.batch_alter_table('calibration_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calibration_answers_participant_id'))
        batch_op.drop_index(batch_op.f('ix_calibration_answers_item_id'))

    op.drop_table('calibration_answers')
