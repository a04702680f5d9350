"""Gateway key secrets: generation, parsing and hashing, shared by every backend.

A secret looks like `br-<key id>-<random>`: the key id (12 hex characters) is public and shown
in listings; the random part is 32 bytes from `secrets.token_urlsafe`. Only a hash of the whole
secret is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

PREFIX = "br-"
KEY_ID_LEN = 12
# Compared against when a key id is unknown, so an unknown id costs the same work as a known one.
_DUMMY_HASH = hashlib.sha256(b"benchroute-unknown-key").hexdigest()


def new_secret() -> tuple[str, str]:
    """Return (key_id, secret)."""
    key_id = secrets.token_hex(KEY_ID_LEN // 2)
    return key_id, f"{PREFIX}{key_id}-{secrets.token_urlsafe(32)}"


def key_id_of(secret: str) -> str | None:
    """The public key id inside a secret, or None when the secret is not ours."""
    if not secret.startswith(PREFIX) or len(secret) < len(PREFIX) + KEY_ID_LEN + 2:
        return None
    key_id = secret[len(PREFIX) : len(PREFIX) + KEY_ID_LEN]
    if secret[len(PREFIX) + KEY_ID_LEN] != "-":
        return None
    return key_id


def hash_secret(secret: str) -> str:
    # A single SHA-256 is enough here: the secret carries 256 bits of randomness, so there is no
    # dictionary to try and a slow password hash (bcrypt, scrypt) would only slow every request.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def hash_matches(secret: str, stored_hash: str | None) -> bool:
    """Constant-time check of `secret` against a stored hash (None: unknown key id)."""
    expected = stored_hash if stored_hash is not None else _DUMMY_HASH
    ok = hmac.compare_digest(hash_secret(secret), expected)
    return ok and stored_hash is not None
