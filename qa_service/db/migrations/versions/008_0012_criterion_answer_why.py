"""criterion_answers.why: why the machine answered so (rule or model, matched text, similarity)

Revision ID: 0012
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    with op.batch_alter_table("criterion_answers") as batch:
        batch.add_column(sa.Column("why", json_type, nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("criterion_answers") as batch:
        batch.drop_column("why")
