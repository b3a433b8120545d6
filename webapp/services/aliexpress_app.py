"""The AliExpress app (key, secret, gateway) and the client factories built on it.

Where the credentials come from, first match wins: the admin's API settings (stored in the
database, the secret encrypted), the ``ALIMENTO_AE_*`` configuration, and in demo mode the
mounted sandbox's details (read through :mod:`webapp.demo`, the only wiring that knows it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import current_app, has_request_context, request, url_for

from webapp.integrations.aliexpress import (
    AliExpressClient,
    AliExpressError,
    AliExpressOAuth,
    ClientSettings,
)
from webapp.security import crypto
from webapp.services.api_calls import aliexpress_recorder
from webapp.services.errors import ServiceError
from webapp.services.settings import get_setting, set_setting

CALLBACK_PATH = "/accounts/oauth/callback"


@dataclass(frozen=True)
class AppCredentials:
    gateway: str
    app_key: str
    app_secret: str
    source: str  # "settings" | "config" | "demo"


def public_base() -> str:
    """The app's public base URL: the configured one, else the host the browser used."""
    if current_app.config.get("PUBLIC_URL_EXPLICIT") or not has_request_context():
        return str(current_app.config["PUBLIC_URL"]).rstrip("/")
    return request.url_root.rstrip("/")


def redirect_uri() -> str:
    return public_base() + CALLBACK_PATH


def app_credentials() -> AppCredentials:
    key = get_setting("ae_app_key")
    secret = get_setting("ae_app_secret")
    gateway = get_setting("ae_gateway")
    if key and secret:
        return AppCredentials(
            gateway or current_app.config.get("AE_GATEWAY") or "https://api-sg.aliexpress.com",
            key,
            crypto.decrypt(secret),
            "settings",
        )
    config = current_app.config
    if config.get("AE_APP_KEY") and config.get("AE_APP_SECRET"):
        return AppCredentials(
            config.get("AE_GATEWAY") or "https://api-sg.aliexpress.com",
            config["AE_APP_KEY"],
            config["AE_APP_SECRET"],
            "config",
        )
    if config.get("DEMO_MODE") and "sandboxes" in current_app.extensions:
        from webapp.demo import ALIEXPRESS_PREFIX, sandbox_info

        details = sandbox_info(current_app._get_current_object())["aliexpress"]  # type: ignore[attr-defined]
        # Server-to-server calls go to the configured public URL of this same server.
        gateway = str(config["PUBLIC_URL"]).rstrip("/") + ALIEXPRESS_PREFIX
        return AppCredentials(gateway, details["app_key"], details["app_secret"], "demo")
    raise ServiceError(
        "The AliExpress app is not configured: enter the app key and secret under "
        "AliExpress Accounts > API settings."
    )


def browser_gateway(credentials: AppCredentials) -> str:
    """Where the seller's browser goes for consent (demo: the host the browser used)."""
    if credentials.source == "demo":
        from webapp.demo import ALIEXPRESS_PREFIX

        return public_base() + ALIEXPRESS_PREFIX
    return credentials.gateway


def gateway_origin() -> str | None:
    """Origin of the consent page, allowed as a form target by the CSP."""
    try:
        credentials = app_credentials()
    except ServiceError:
        return None
    parts = urlsplit(browser_gateway(credentials))
    return f"{parts.scheme}://{parts.netloc}"


def save_app_settings(gateway: str, app_key: str, app_secret: str | None) -> None:
    set_setting("ae_gateway", gateway.strip().rstrip("/"))
    set_setting("ae_app_key", app_key.strip())
    if app_secret:
        set_setting("ae_app_secret", crypto.encrypt(app_secret.strip()))


def client_settings(credentials: AppCredentials | None = None) -> ClientSettings:
    credentials = credentials or app_credentials()
    config = current_app.config
    return ClientSettings(
        app_key=credentials.app_key,
        app_secret=credentials.app_secret,
        gateway_url=credentials.gateway,
        timeout=float(config.get("AE_TIMEOUT", 30.0)),
        retries=int(config.get("AE_RETRIES", 3)),
        backoff=float(config.get("AE_BACKOFF", 0.5)),
    )


def aliexpress_oauth(account_id: int | None = None) -> AliExpressOAuth:
    return AliExpressOAuth(client_settings(), recorder=aliexpress_recorder(account_id))


def aliexpress_client(account: Any = None, **kwargs: Any) -> AliExpressClient:
    """A client for an account: every call logged, and an IllegalAccessToken answer refreshes
    the account's token (persisted at once) and retries the call once."""
    on_invalid_token = None
    if account is not None:
        from webapp.services.accounts import refresh_account_token

        def on_invalid_token() -> str:
            try:
                refresh_account_token(account, reason="AliExpress refused the access token")
            except ServiceError as exc:
                # Logged, and the seller told when the account turned invalid. The caller sees
                # the platform's error so it can wait and retry (errors.RETRY_LATER) instead of
                # failing the whole job.
                if isinstance(exc.__cause__, AliExpressError):
                    raise exc.__cause__ from None
                raise
            return str(account.access_token)

    return AliExpressClient(
        requests.Session(),
        client_settings(),
        recorder=aliexpress_recorder(account.id if account is not None else None),
        on_invalid_token=on_invalid_token,
        **kwargs,
    )


def callback_url_for_display() -> str:
    """The redirect URI to register with AliExpress, shown for copying."""
    return public_base() + url_for("accounts.oauth_callback")
