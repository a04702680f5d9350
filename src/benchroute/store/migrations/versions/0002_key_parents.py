"""Gateway keys remember the key that created them (`parent_id`): a key made with a project key
is revoked with it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("gateway_keys") as batch:
        batch.add_column(sa.Column("parent_id", sa.String(32)))
    op.create_index("ix_gateway_keys_parent", "gateway_keys", ["parent_id"])


def downgrade() -> None:
    op.drop_index("ix_gateway_keys_parent", "gateway_keys")
    with op.batch_alter_table("gateway_keys") as batch:
        batch.drop_column("parent_id")
