"""connector_configs.consecutive_failures: polling backs off while the platform is down

Revision ID: 0022
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("connector_configs") as batch:
        batch.add_column(sa.Column("consecutive_failures", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("connector_configs") as batch:
        batch.drop_column("consecutive_failures")
