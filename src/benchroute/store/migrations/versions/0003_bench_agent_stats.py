"""Bench results get an `agent_stats` JSON column (an agent attempt's turns, tool calls, malformed
calls, driver, ...), which used to ride at the end of `reason`. Old rows keep their `reason` text;
readers still understand its suffix.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bench_results") as batch:
        batch.add_column(sa.Column("agent_stats", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("bench_results") as batch:
        batch.drop_column("agent_stats")
