"""agents: the connectors' `unassigned` placeholder agent is named in words

Revision ID: 0017
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The same words as services.agent_names.UNASSIGNED_AGENT_NAME (a migration must not import the app).
NAME = "Оператор не назначен"


def upgrade() -> None:
    op.execute(sa.text("UPDATE agents SET name = :name WHERE external_id = 'unassigned' AND name = 'unassigned'")
               .bindparams(name=NAME))


def downgrade() -> None:
    op.execute(sa.text("UPDATE agents SET name = 'unassigned' WHERE external_id = 'unassigned' AND name = :name")
               .bindparams(name=NAME))
