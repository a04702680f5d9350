"""The store's tables (SQLAlchemy Core), one schema for SQLite and PostgreSQL.

This module describes the *current* schema for queries. The database itself is built only by the
append-only Alembic migrations in `store/migrations/versions/`; a change here needs a new
migration there.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """Aware UTC datetimes in and out; naive input is taken to be UTC.

    PostgreSQL stores `timestamptz`; SQLite stores the naive UTC time as ISO text, so text
    comparison and `substr(time, 1, 10)` (the day) are correct there.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = sa.MetaData()

usage = sa.Table(
    "usage",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("time", UtcDateTime(), nullable=False),
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
    sa.Column("frontier_unfit", sa.String(32)),  # 0004
    sa.Index("ix_usage_project_time", "project", "time"),
    sa.Index("ix_usage_time", "time"),
)

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("time", UtcDateTime(), nullable=False),
    sa.Column("project", sa.String(200), nullable=False),
    sa.Column("session_key", sa.String(200)),
    sa.Column("decision", sa.JSON, nullable=False),
    sa.Index("ix_decisions_project_session_time", "project", "session_key", "time"),
    sa.Index("ix_decisions_project_time", "project", "time"),
)

gateway_keys = sa.Table(
    "gateway_keys",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("project", sa.String(200), nullable=False),
    sa.Column("name", sa.String(200), nullable=False, default=""),
    sa.Column("admin", sa.Boolean, nullable=False, default=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("created", UtcDateTime(), nullable=False),
    sa.Column("revoked_at", UtcDateTime()),
    sa.Column("parent_id", sa.String(32)),  # the key this one was created with (0002)
    sa.Index("ix_gateway_keys_project", "project"),
    sa.Index("ix_gateway_keys_parent", "parent_id"),
)

provider_keys = sa.Table(
    "provider_keys",
    metadata,
    sa.Column("project", sa.String(200), primary_key=True),
    sa.Column("provider", sa.String(100), primary_key=True),
    sa.Column("ciphertext", sa.Text, nullable=False),
    sa.Column("masked", sa.String(32), nullable=False),
    sa.Column("updated", UtcDateTime(), nullable=False),
)

bench_results = sa.Table(
    "bench_results",
    metadata,
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
    sa.Column("time", UtcDateTime(), nullable=False),
    sa.Column("checker", sa.String(200), nullable=False, default=""),
    sa.Column("reason", sa.Text, nullable=False, default=""),
    sa.Column("source", sa.String(200), nullable=False, default=""),
    sa.Column("agent_stats", sa.JSON),  # agent attempts only (0003)
    sa.Index("ix_bench_results_run", "run_id"),
    sa.Index("ix_bench_results_suite_model", "suite", "model"),
)

project_settings = sa.Table(
    "project_settings",
    metadata,
    sa.Column("project", sa.String(200), primary_key=True),
    sa.Column("json", sa.JSON, nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

settings_changes = sa.Table(
    "settings_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("time", UtcDateTime(), nullable=False),
    sa.Column("project", sa.String(200), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False, default=""),
    sa.Column("json", sa.JSON, nullable=False),
    sa.Index("ix_settings_changes_project_time", "project", "time"),
)
