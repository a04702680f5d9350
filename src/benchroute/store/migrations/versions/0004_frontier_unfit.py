"""Usage records get `frontier_unfit`: why the always-Frontier model could not have served the
request ("context", "tools", "vision", "api"), so no saving is counted for it. Old rows have none
(they are compared as before).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("usage") as batch:
        batch.add_column(sa.Column("frontier_unfit", sa.String(32)))


def downgrade() -> None:
    with op.batch_alter_table("usage") as batch:
        batch.drop_column("frontier_unfit")
