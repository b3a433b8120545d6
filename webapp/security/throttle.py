"""Login throttling: failed attempts are counted per e-mail and per client IP.

Built on ``limits`` (the engine under Flask-Limiter) rather than on Flask-Limiter itself, because
only *failed* attempts may count, the refusal must re-render the login form, and every app needs
its own counters (the tests build many apps in one process; Flask-Limiter keeps one storage per
``Limiter`` object).

Limits are read from the config on every call, in the ``limits`` notation:

* ``LOGIN_RATE_LIMIT`` - failed attempts per e-mail (default ``10 per 15 minutes``);
* ``LOGIN_RATE_LIMIT_IP`` - failed attempts per client IP (default ``30 per 15 minutes``);
* ``LOGIN_RATE_LIMIT_STORAGE`` - a ``limits`` storage URI (default ``memory://``). Memory counters
  belong to one process: behind several gunicorn workers use ``redis://...`` to share them.

The client IP is ``request.remote_addr``: behind a reverse proxy, wrap the app in
``werkzeug.middleware.proxy_fix.ProxyFix`` or every client shares the proxy's address.
"""

from __future__ import annotations

import hashlib
import math
import time

from flask import Flask, current_app
from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

DEFAULT_EMAIL_LIMIT = "10 per 15 minutes"
DEFAULT_IP_LIMIT = "30 per 15 minutes"
DEFAULT_STORAGE = "memory://"
#: At most one activity log entry per (e-mail, IP) and minute while attempts are refused, so a
#: password-guessing script cannot flood the log.
_LOG_EVERY = parse("1 per minute")
_EXTENSION = "login_throttle"


def _limiter(app: Flask) -> MovingWindowRateLimiter:
    limiter = app.extensions.get(_EXTENSION)
    if limiter is None:
        uri = app.config.get("LOGIN_RATE_LIMIT_STORAGE") or DEFAULT_STORAGE
        storage: Storage = storage_from_string(uri)
        limiter = app.extensions[_EXTENSION] = MovingWindowRateLimiter(storage)
    return limiter


def _email_key(email: str) -> str:
    # Hashed: keys stay short whatever is typed, and the counters hold no addresses.
    normalized = " ".join((email or "").split()).lower()
    return hashlib.sha256(normalized.encode()).hexdigest()


def _rules(email: str, ip: str | None) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
    config = current_app.config
    rules = []
    email_limit = config.get("LOGIN_RATE_LIMIT", DEFAULT_EMAIL_LIMIT)
    ip_limit = config.get("LOGIN_RATE_LIMIT_IP", DEFAULT_IP_LIMIT)
    if email_limit:
        rules.append((parse(email_limit), ("login", "email", _email_key(email))))
    if ip_limit:
        rules.append((parse(ip_limit), ("login", "ip", ip or "unknown")))
    return rules


def login_retry_after(email: str, ip: str | None) -> float | None:
    """Seconds until this e-mail may try again from this IP, or None while attempts are allowed."""
    limiter = _limiter(current_app)
    waits = [
        limiter.get_window_stats(item, *ids).reset_time - time.time()
        for item, ids in _rules(email, ip)
        if not limiter.test(item, *ids)
    ]
    return max(1.0, *waits) if waits else None


def record_login_failure(email: str, ip: str | None) -> None:
    limiter = _limiter(current_app)
    for item, ids in _rules(email, ip):
        limiter.hit(item, *ids)


def clear_login_failures(email: str) -> None:
    """A successful login forgets the e-mail's failures (the IP's stay counted)."""
    limiter = _limiter(current_app)
    for item, ids in _rules(email, None):
        if ids[1] == "email":
            limiter.clear(item, *ids)


def should_log_refusal(email: str, ip: str | None) -> bool:
    return _limiter(current_app).hit(_LOG_EVERY, "login-refused", _email_key(email), ip or "")


def minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


def refusal_message(seconds: float) -> str:
    n = minutes(seconds)
    return f"Too many login attempts. Try again in {n} minute{'s' if n != 1 else ''}."
