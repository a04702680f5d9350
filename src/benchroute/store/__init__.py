"""Usage log, decisions, gateway keys, BYOK provider keys, bench results, project settings.

- `base`: the `Store` protocol and its records.
- `memory.MemoryStore`: the whole protocol in memory (tests, `memory://`).
- `sql.SqlStore`: SQLite (default) or PostgreSQL on SQLAlchemy Core async; `schema` + `migrate`
  + `migrations/` (Alembic, append-only, applied at `start()`).
- `factory.open_store(settings)`: the backend for `settings.store_url`.
- `writer.UsageWriter`: batched, back-pressured usage/decision writes with a spill file.
- `keys` (gateway key secrets and hashes), `crypto` (BYOK encryption, server secret).
"""
