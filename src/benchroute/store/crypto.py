"""BYOK provider keys, encrypted at rest with a key derived from the server secret.

AES-256-GCM with a key from HKDF-SHA256(server secret). The (project, provider) pair is bound as
associated data, so a ciphertext copied to another row does not decrypt.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from benchroute.store.errors import StoreError

if TYPE_CHECKING:
    from benchroute.settings import Settings

SECRET_FILE = "server-secret"
_VERSION = "v1"
_HKDF_INFO = b"benchroute byok provider keys v1"
_HKDF_SALT = b"benchroute"


class DecryptError(StoreError):
    """A stored provider key did not decrypt: the server secret changed or the row was tampered with."""


def ensure_secret(settings: Settings) -> str:
    """`server.secret`, or the secret file in the data dir, created (mode 0600) on first start."""
    if settings.server.secret:
        return settings.server.secret
    path = Path(settings.data_dir) / SECRET_FILE
    if path.is_file():
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting together must not both write a different secret.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value + "\n")
    return value


def mask(secret: str) -> str:
    """`sk-...abcd`: enough to recognise a key, never enough to use it."""
    if len(secret) <= 8:
        return "..." + secret[-2:] if len(secret) > 4 else "..."
    head = secret[:3]
    return f"{head}...{secret[-4:]}"


class KeyBox:
    """Encrypts and decrypts provider keys. Holds only the derived key; its repr shows nothing."""

    __slots__ = ("_aead",)

    def __init__(self, server_secret: str) -> None:
        if not server_secret:
            raise StoreError("the server secret is empty")
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO).derive(
            server_secret.encode("utf-8")
        )
        self._aead = AESGCM(key)

    def __repr__(self) -> str:
        return "KeyBox(<hidden>)"

    @staticmethod
    def _aad(project: str, provider: str) -> bytes:
        return f"{project}\x00{provider}".encode()

    def encrypt(self, project: str, provider: str, plaintext: str) -> str:
        nonce = os.urandom(12)
        ct = self._aead.encrypt(nonce, plaintext.encode("utf-8"), self._aad(project, provider))
        return f"{_VERSION}:{base64.urlsafe_b64encode(nonce + ct).decode('ascii')}"

    def decrypt(self, project: str, provider: str, token: str) -> str:
        version, _, body = token.partition(":")
        if version != _VERSION:
            raise DecryptError(f"unknown provider key format for {project}/{provider}")
        try:
            raw = base64.urlsafe_b64decode(body.encode("ascii"))
            plain = self._aead.decrypt(raw[:12], raw[12:], self._aad(project, provider))
        except (InvalidTag, ValueError):
            raise DecryptError(
                f"cannot decrypt the provider key for {project}/{provider} (was server.secret changed?)"
            ) from None
        return plain.decode("utf-8")
