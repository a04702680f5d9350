"""Initial schema: usage, decisions, gateway and provider keys, bench results, project settings.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One helper per table, called in the original order: the operations are exactly 0001's.
    _usage()
    _decisions()
    _gateway_keys()
    _provider_keys()
    _bench_results()
    _project_settings()
    _settings_changes()


def _usage() -> None:
    op.create_table(
        "usage",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("key_id", sa.String(64)),
        sa.Column("session_key", sa.String(200)),
        sa.Column("client_name", sa.String(100)),
        sa.Column("client_version", sa.String(100)),
        sa.Column("api_kind", sa.String(32), nullable=False),
        sa.Column("requested_model", sa.String(200), nullable=False),
        sa.Column("tier", sa.String(100), nullable=False),
        sa.Column("routed_model", sa.String(200), nullable=False),
        sa.Column("provider", sa.String(100), nullable=False),
        sa.Column("prompt_tokens", sa.Integer, nullable=False, default=0),
        sa.Column("completion_tokens", sa.Integer, nullable=False, default=0),
        sa.Column("cached_tokens", sa.Integer, nullable=False, default=0),
        sa.Column("cost_usd", sa.Float, nullable=False, default=0.0),
        sa.Column("latency_ms", sa.Float, nullable=False, default=0.0),
        sa.Column("ttft_ms", sa.Float),
        sa.Column("status", sa.Integer, nullable=False, default=200),
        sa.Column("error", sa.Text),
        sa.Column("decision_id", sa.String(64)),
        sa.Column("stream", sa.Boolean, nullable=False, default=False),
        sa.Column("mode", sa.String(100)),
        sa.Column("task_id", sa.String(200)),
        sa.Column("parent_task_id", sa.String(200)),
        sa.Column("editor_name", sa.String(100)),
        sa.Column("machine_id", sa.String(200)),
        sa.Column("user_agent", sa.Text),
        sa.Column("frontier_cost_usd", sa.Float),
    )
    op.create_index("ix_usage_project_time", "usage", ["project", "time"])
    op.create_index("ix_usage_time", "usage", ["time"])


def _decisions() -> None:
    op.create_table(
        "decisions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("session_key", sa.String(200)),
        sa.Column("decision", sa.JSON, nullable=False),
    )
    op.create_index("ix_decisions_project_session_time", "decisions", ["project", "session_key", "time"])
    op.create_index("ix_decisions_project_time", "decisions", ["project", "time"])


def _gateway_keys() -> None:
    op.create_table(
        "gateway_keys",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False, default=""),
        sa.Column("admin", sa.Boolean, nullable=False, default=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_gateway_keys_project", "gateway_keys", ["project"])


def _provider_keys() -> None:
    op.create_table(
        "provider_keys",
        sa.Column("project", sa.String(200), primary_key=True),
        sa.Column("provider", sa.String(100), primary_key=True),
        sa.Column("ciphertext", sa.Text, nullable=False),
        sa.Column("masked", sa.String(32), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
    )


def _bench_results() -> None:
    op.create_table(
        "bench_results",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(100), nullable=False),
        sa.Column("suite", sa.String(100), nullable=False),
        sa.Column("task_id", sa.String(200), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("provider", sa.String(100), nullable=False),
        sa.Column("task_type", sa.String(100), nullable=False),
        sa.Column("difficulty", sa.String(50), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("passed", sa.Boolean, nullable=False),
        sa.Column("prompt_tokens", sa.Integer, nullable=False),
        sa.Column("completion_tokens", sa.Integer, nullable=False),
        sa.Column("cost_usd", sa.Float, nullable=False),
        sa.Column("latency_ms", sa.Float, nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checker", sa.String(200), nullable=False, default=""),
        sa.Column("reason", sa.Text, nullable=False, default=""),
        sa.Column("source", sa.String(200), nullable=False, default=""),
    )
    op.create_index("ix_bench_results_run", "bench_results", ["run_id"])
    op.create_index("ix_bench_results_suite_model", "bench_results", ["suite", "model"])


def _project_settings() -> None:
    op.create_table(
        "project_settings",
        sa.Column("project", sa.String(200), primary_key=True),
        sa.Column("json", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def _settings_changes() -> None:
    op.create_table(
        "settings_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False, default=""),
        sa.Column("json", sa.JSON, nullable=False),
    )
    op.create_index("ix_settings_changes_project_time", "settings_changes", ["project", "time"])


def downgrade() -> None:
    op.drop_table("settings_changes")
    op.drop_table("project_settings")
    op.drop_table("bench_results")
    op.drop_table("provider_keys")
    op.drop_table("gateway_keys")
    op.drop_table("decisions")
    op.drop_table("usage")
