"""Configuration from environment variables prefixed ``ALIMENTO_``.

No configuration at all means demo mode: SQLite under ``instance/``, both sandboxes mounted under
``/sandbox/aliexpress`` and ``/sandbox/magento`` of the same server, and a "Demo mode" badge.
Every variable is listed in ``ENV_VARIABLES`` with its meaning; the README's configuration
reference is generated from the same table (``flask config-reference``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

PREFIX = "ALIMENTO_"

#: name (without prefix) -> (default, meaning)
ENV_VARIABLES: dict[str, tuple[str, str]] = {
    "DATABASE_URL": (
        "sqlite:///instance/alimento.sqlite3",
        "SQLAlchemy URL; `postgresql+psycopg://user@host/db` for PostgreSQL. "
        "Plain `DATABASE_URL` is read too.",
    ),
    "SECRET_KEY": ("generated into instance/secret_key", "Flask session and CSRF signing key."),
    "ENCRYPTION_KEYS": (
        "generated into instance/encryption_key",
        "Comma-separated Fernet keys for secrets at rest; the first encrypts, all decrypt "
        "(rotate by prepending a new key).",
    ),
    "DEMO_MODE": (
        "on when ALIMENTO_AE_GATEWAY is unset",
        "`1` mounts the sandboxes and shows the Demo mode badge; `0` turns it off.",
    ),
    "SCHEDULER": ("1", "`0` keeps the in-process scheduler off (run `flask jobs run` elsewhere)."),
    "PUBLIC_URL": ("http://127.0.0.1:5000", "Public base URL, used for the OAuth redirect URI."),
    "AE_GATEWAY": (
        "the embedded sandbox in demo mode",
        "AliExpress gateway, `https://api-sg.aliexpress.com` in production.",
    ),
    "AE_APP_KEY": ("the sandbox's key in demo mode", "AliExpress app key."),
    "AE_APP_SECRET": ("the sandbox's secret in demo mode", "AliExpress app secret."),
    "SMTP_HOST": ("", "SMTP host for notifications; empty disables e-mail."),
    "SMTP_PORT": ("25", "SMTP port."),
    "SMTP_USER": ("", "SMTP user name."),
    "SMTP_PASSWORD": ("", "SMTP password."),
    "SMTP_STARTTLS": ("0", "`1` to use STARTTLS."),
    "MAIL_FROM": ("alimento@localhost", "Sender address of notifications."),
    "LOG_LEVEL": ("INFO", "Python log level."),
    "MAGENTO_ADMIN_URL": (
        "the store's base URL + /admin",
        "Magento admin URL, for the links from orders to the store admin.",
    ),
    "LOGIN_RATE_LIMIT": ("10 per 15 minutes", "Failed logins allowed per e-mail."),
    "LOGIN_RATE_LIMIT_IP": ("30 per 15 minutes", "Failed logins allowed per client IP."),
    "LOGIN_RATE_LIMIT_STORAGE": (
        "memory://",
        "Where the login counters live; `redis://host:6379` to share them between processes.",
    ),
}


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(PREFIX + name, default)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _read_or_create(path: Path, make: Any) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    # Write with owner-only permissions: this file is a secret.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def load(instance_path: str) -> dict[str, Any]:
    """Build the Flask config mapping from the environment."""
    instance = Path(instance_path)
    database_url = env("DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not database_url:
        database_url = f"sqlite:///{instance / 'alimento.sqlite3'}"
    elif database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")

    demo_flag = env("DEMO_MODE")
    demo = _truthy(demo_flag) if demo_flag is not None else not env("AE_GATEWAY")

    secret_key = env("SECRET_KEY") or _read_or_create(
        instance / "secret_key", lambda: secrets.token_urlsafe(48)
    )
    keys = env("ENCRYPTION_KEYS") or _read_or_create(
        instance / "encryption_key", lambda: Fernet.generate_key().decode()
    )
    return {
        "SECRET_KEY": secret_key,
        "ENCRYPTION_KEYS": [k.strip() for k in keys.split(",") if k.strip()],
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "DEMO_MODE": demo,
        "SCHEDULER_ENABLED": _truthy(env("SCHEDULER", "1")),
        "PUBLIC_URL": (env("PUBLIC_URL") or "http://127.0.0.1:5000").rstrip("/"),
        "PUBLIC_URL_EXPLICIT": bool(env("PUBLIC_URL")),
        "AE_GATEWAY": env("AE_GATEWAY"),
        "AE_APP_KEY": env("AE_APP_KEY"),
        "AE_APP_SECRET": env("AE_APP_SECRET"),
        "SMTP_HOST": env("SMTP_HOST", ""),
        "SMTP_PORT": int(env("SMTP_PORT", "25") or 25),
        "SMTP_USER": env("SMTP_USER", ""),
        "SMTP_PASSWORD": env("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _truthy(env("SMTP_STARTTLS", "0")),
        "MAIL_FROM": env("MAIL_FROM", "alimento@localhost"),
        "LOG_LEVEL": env("LOG_LEVEL", "INFO"),
        "MAGENTO_ADMIN_URL": env("MAGENTO_ADMIN_URL", ""),
        "LOGIN_RATE_LIMIT": env("LOGIN_RATE_LIMIT", "10 per 15 minutes"),
        "LOGIN_RATE_LIMIT_IP": env("LOGIN_RATE_LIMIT_IP", "30 per 15 minutes"),
        "LOGIN_RATE_LIMIT_STORAGE": env("LOGIN_RATE_LIMIT_STORAGE", "memory://"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
    }
