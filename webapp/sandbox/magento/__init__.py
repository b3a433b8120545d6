"""Magento 2 REST sandbox: a separate WSGI app with its own SQLite state (see :mod:`.app`)."""

from __future__ import annotations

from typing import Any

import requests

from .app import create_app
from .seed import STORE_VIEWS
from .state import State

STORE_CODES = tuple(view["code"] for view in STORE_VIEWS if view["id"])

__all__ = ["create_app", "generate", "info"]


def info(
    base_url: str, state_path: str | None = None, *, session: requests.Session | None = None
) -> dict[str, Any]:
    """Connection details for ``flask sandbox info``:
    ``{"base_url", "consumer_key", "consumer_secret", "access_token", "access_token_secret",
    "bearer_token", "store_codes": [...]}``.

    With ``state_path`` the credentials are read from (or created in) that state file, so no
    server needs to run; without it they are asked from the sandbox at ``base_url`` over HTTP
    (``GET /_control/info``), which is how tests reach an in-memory sandbox.
    """
    base_url = base_url.rstrip("/")
    if state_path is not None:
        state = State(state_path)
        try:
            creds = state.credentials()
        finally:
            state.close()
        return {
            "base_url": base_url,
            **creds,
            "bearer_token": creds["access_token"],
            "store_codes": list(STORE_CODES),
        }
    http = session or requests.Session()
    answer = http.get(f"{base_url}/_control/info", timeout=10)
    answer.raise_for_status()
    return {**answer.json(), "base_url": base_url}


def generate(n: int, state_path: str | None = None, *, state: State | None = None) -> int:
    """Grow the catalog at ``state_path`` (or ``state``) to ``n`` products; returns the count."""
    if state is not None:
        return state.generate(n)
    target = State(state_path)
    try:
        return target.generate(n)
    finally:
        target.close()
