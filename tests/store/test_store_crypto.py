"""BYOK encryption, the server secret file, masking, and no secret kept in clear at rest."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from benchroute.settings import Settings
from benchroute.store.crypto import SECRET_FILE, DecryptError, KeyBox, ensure_secret, mask
from benchroute.store.memory import MemoryStore
from benchroute.store.sql import SqlStore

PLAIN = "sk-proj-Zq3x9VvY7plaintextKEY0042"


def test_ciphertext_differs_and_decrypts_only_with_the_right_secret() -> None:
    box = KeyBox("secret-one")
    c1 = box.encrypt("alpha", "openai", PLAIN)
    c2 = box.encrypt("alpha", "openai", PLAIN)
    assert PLAIN not in c1 and c1 != c2  # fresh nonce each time
    assert box.decrypt("alpha", "openai", c1) == PLAIN
    assert KeyBox("secret-one").decrypt("alpha", "openai", c2) == PLAIN
    with pytest.raises(DecryptError) as err:
        KeyBox("secret-two").decrypt("alpha", "openai", c1)
    assert PLAIN not in str(err.value) and "secret-one" not in str(err.value)


def test_ciphertext_is_bound_to_its_project_and_provider() -> None:
    box = KeyBox("s")
    token = box.encrypt("alpha", "openai", PLAIN)
    with pytest.raises(DecryptError):
        box.decrypt("beta", "openai", token)
    with pytest.raises(DecryptError):
        box.decrypt("alpha", "anthropic", token)
    with pytest.raises(DecryptError):
        box.decrypt("alpha", "openai", token[:-4] + "AAAA")
    with pytest.raises(DecryptError):
        box.decrypt("alpha", "openai", "v9:" + token[3:])


def test_mask() -> None:
    assert mask("sk-proj-abcdefgh1234") == "sk-...1234"
    assert mask("short") == "...rt"
    assert mask("abc") == "..."
    assert "abcdefgh" not in mask("sk-proj-abcdefgh1234")


def test_reprs_hide_secrets() -> None:
    assert "hunter2" not in repr(KeyBox("hunter2"))
    store = SqlStore("postgresql://user:pa55word@db.example/bench", secret="hunter2")
    assert "pa55word" not in repr(store) and "hunter2" not in repr(store)


def test_ensure_secret_creates_a_private_file_once(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first = ensure_secret(settings)
    path = tmp_path / "data" / SECRET_FILE
    assert len(first) >= 40
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ensure_secret(settings) == first
    assert ensure_secret(Settings(data_dir=tmp_path / "data")) == first


def test_ensure_secret_prefers_the_configured_secret(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, server={"secret": "from-config"})
    assert ensure_secret(settings) == "from-config"
    assert not (tmp_path / SECRET_FILE).exists()


async def test_provider_key_written_with_one_secret_fails_loudly_with_another(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    a = SqlStore(url, secret="first")
    await a.start()
    await a.set_provider_key("alpha", "openai", PLAIN)
    await a.close()
    b = SqlStore(url, secret="second")
    await b.start()
    try:
        with pytest.raises(DecryptError):
            await b.get_provider_key("alpha", "openai")
        assert await b.list_provider_keys("alpha") == [("openai", "sk-...0042")]
    finally:
        await b.close()


async def test_no_secret_in_the_sqlite_files(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    store = SqlStore(f"sqlite:///{tmp_path / 'db' / 'store.db'}", secret="server-secret-xyz")
    await store.start()
    _, gateway_secret = await store.create_key("alpha", name="laptop")
    await store.set_provider_key("alpha", "openai", PLAIN)
    assert await store.verify_key(gateway_secret) is not None
    raw_before_close = b"".join(p.read_bytes() for p in (tmp_path / "db").iterdir())  # db + WAL
    await store.close()
    raw_after_close = b"".join(p.read_bytes() for p in (tmp_path / "db").iterdir())
    for raw in (raw_before_close, raw_after_close):
        assert b"laptop" in raw  # the grep works: non-secret fields are there in clear
        assert gateway_secret.encode() not in raw
        assert gateway_secret.split("-", 2)[2].encode() not in raw  # not even the random part
        assert PLAIN.encode() not in raw
        assert b"server-secret-xyz" not in raw
    assert gateway_secret not in caplog.text and PLAIN not in caplog.text


async def test_memory_store_keeps_no_secret_in_clear() -> None:
    store = MemoryStore(secret="s")
    _, gateway_secret = await store.create_key("alpha")
    await store.set_provider_key("alpha", "openai", PLAIN)
    dump = store.raw_dump()
    assert gateway_secret not in dump and PLAIN not in dump
    assert gateway_secret not in repr(store)


async def test_sql_errors_do_not_carry_row_values(tmp_path: Path) -> None:
    from dataclasses import replace
    from datetime import UTC, datetime

    import sqlalchemy.exc

    from benchroute.store.base import BenchResult

    store = SqlStore(f"sqlite:///{tmp_path / 'e.db'}")
    await store.start()
    good = BenchResult(
        run_id="r",
        suite="s",
        task_id="t",
        model="m",
        provider="p",
        task_type="x",
        difficulty="easy",
        score=1.0,
        passed=True,
        prompt_tokens=1,
        completion_tokens=1,
        cost_usd=0.0,
        latency_ms=1.0,
        time=datetime.now(UTC),
        reason="sk-live-SHOULD-NOT-LEAK",
    )
    bad = replace(good, suite=None)  # type: ignore[arg-type]
    try:
        with pytest.raises(sqlalchemy.exc.IntegrityError) as err:
            await store.write_bench_results([bad])
        assert "NOT NULL" in str(err.value) and "SHOULD-NOT-LEAK" not in str(err.value)
    finally:
        await store.close()
