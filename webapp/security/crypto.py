"""Secrets at rest: Fernet (via ``cryptography``) with key rotation through MultiFernet.

Every model column that holds a secret uses :class:`EncryptedText`; the database only ever sees
ciphertext. Keys come from configuration (``ENCRYPTION_KEYS``), bound once by ``init_app``.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Text, TypeDecorator

_fernet: MultiFernet | None = None


class SecretsUnavailable(RuntimeError):
    """Raised when a secret cannot be decrypted with the configured keys."""


def configure(keys: list[str]) -> None:
    global _fernet
    if not keys:
        raise ValueError("at least one encryption key is required")
    _fernet = MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def init_app(app) -> None:
    configure(app.config["ENCRYPTION_KEYS"])


def _get() -> MultiFernet:
    if _fernet is None:
        raise SecretsUnavailable("encryption keys are not configured")
    return _fernet


def encrypt(plaintext: str) -> str:
    return _get().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _get().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretsUnavailable("secret cannot be decrypted with the configured keys") from exc


def mask(value: str | None, keep: int = 4) -> str:
    """A display form of a secret: never more than its last few characters."""
    if not value:
        return ""
    if len(value) <= keep * 2:
        return "•" * 8
    return "•" * 8 + value[-keep:]


class EncryptedText(TypeDecorator[str]):
    """A text column stored encrypted; Python code sees plaintext."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return encrypt(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return decrypt(value)
