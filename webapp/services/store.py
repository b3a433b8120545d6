"""The Magento store connection (one per install): credentials, connection test, cached structure.

Nothing is installed in Magento: the seller creates an Integration (System > Extensions >
Integrations) and pastes its four credentials here; every call is signed with OAuth 1.0a
HMAC-SHA256, or sent with the access token as a bearer token where the store allows it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import current_app

from webapp.database import utcnow
from webapp.extensions import db
from webapp.integrations.magento import errors as merr
from webapp.integrations.magento.adapters import Magento
from webapp.integrations.magento.auth import BearerCredentials, OAuthCredentials
from webapp.integrations.magento.client import MagentoClient, MagentoSettings
from webapp.integrations.magento.criteria import SearchCriteria
from webapp.models.store import Store
from webapp.services.activity import log_activity
from webapp.services.api_calls import record_api_call
from webapp.services.errors import ServiceError

SECRET_FIELDS = ("consumer_secret", "access_token", "access_token_secret", "bearer_token")
NEEDED_RESOURCES = (
    "Magento_Backend::store (Stores > Settings > All Stores)",
    "Magento_Catalog::products, Magento_Catalog::categories, "
    "Magento_Catalog::attributes_attributes and Magento_Catalog::sets (Catalog, Stores > "
    "Attributes)",
    "Magento_CatalogInventory::cataloginventory, Magento_InventoryApi::source, "
    "Magento_InventoryApi::source_item and Magento_InventoryApi::stock (Stores > Inventory)",
    "Magento_Sales::sales with actions_view, comment, cancel, sales_invoice, ship and shipment "
    "(Sales > Operations > Orders, Invoices, Shipments)",
    "Magento_Customer::customer and Magento_Customer::manage (Customers > All Customers)",
    "Magento_Cart::manage (Carts)",
)


def get_store() -> Store | None:
    return db.session.scalars(db.select(Store).order_by(Store.id)).first()


def demo_defaults() -> dict[str, Any]:
    """The mounted sandbox's connection details in demo mode, to pre-fill the empty form."""
    if not current_app.config.get("DEMO_MODE") or "sandboxes" not in current_app.extensions:
        return {}
    from webapp.demo import sandbox_info

    details = sandbox_info(current_app._get_current_object())["magento"]  # type: ignore[attr-defined]
    return {
        "base_url": details["base_url"],
        "auth_mode": "oauth1",
        "consumer_key": details["consumer_key"],
        "consumer_secret": details["consumer_secret"],
        "access_token": details["access_token"],
        "access_token_secret": details["access_token_secret"],
        "default_store_code": "default",
        "website_code": "base",
    }


def _clean_url(url: str) -> str:
    url = (url or "").strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ServiceError("Enter the store's base URL, like https://shop.example.com.", "base_url")
    if parts.path.endswith("/rest") or "/rest/" in parts.path + "/":
        raise ServiceError("Enter the base URL without /rest.", "base_url")
    return url


def save_store(data: dict[str, Any], *, actor: Any = None) -> Store:
    """Create or update the store; blank secrets keep the stored ones."""
    store = get_store() or Store(base_url="")
    store.base_url = _clean_url(data.get("base_url") or "")
    mode = data.get("auth_mode") or "oauth1"
    if mode not in ("oauth1", "bearer"):
        raise ServiceError("Choose an authentication mode.", "auth_mode")
    store.auth_mode = mode
    store.default_store_code = (data.get("default_store_code") or "default").strip() or "default"
    store.website_code = (data.get("website_code") or "base").strip() or "base"
    if data.get("consumer_key") is not None:
        store.consumer_key = (data.get("consumer_key") or "").strip() or None
    for name in SECRET_FIELDS:
        value = (data.get(name) or "").strip()
        if value:
            setattr(store, name, value)
    required = (
        ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
        if mode == "oauth1"
        else ("bearer_token",)
    )
    for name in required:
        if not getattr(store, name):
            label = name.replace("_", " ").capitalize()
            raise ServiceError(f"{label} is required for this authentication mode.", name)
    store.status = "untested"
    if store.id is None:
        db.session.add(store)
    db.session.flush()
    log_activity("store", "saved", f"Magento store {store.base_url} saved.", obj=store, actor=actor)
    return store


def _recording_session() -> requests.Session:
    """A session whose every exchange lands in the API call log (no headers, so no secrets)."""
    session = requests.Session()

    def hook(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        request = response.request
        try:
            body: Any = response.json()
        except ValueError:
            body = {"_text": response.text[:2000]}
        url = (request.url or "").split("?", 1)
        record_api_call(
            "magento",
            api=urlsplit(url[0]).path.split("/V1/", 1)[-1][:128],
            url=url[0],
            http_method=request.method or "GET",
            request={"query": url[1] if len(url) > 1 else ""},
            response=body,
            http_status=response.status_code,
            duration=response.elapsed.total_seconds(),
            error=None if response.ok else f"HTTP {response.status_code}",
        )

    session.hooks["response"].append(hook)
    return session


def magento_client(
    store: Store | None = None, store_code: str | None = None, *, record: bool = True
) -> MagentoClient:
    """A client for the saved store (or ``store``), for ``store_code`` or the default view.

    Every exchange is written to the API call log (``record=False`` for bulk reads that would
    flood it)."""
    store = store or get_store()
    if store is None:
        raise ServiceError("Connect the Magento store first (Configuration > Magento Store).")
    credentials: OAuthCredentials | BearerCredentials
    if store.auth_mode == "bearer":
        credentials = BearerCredentials(store.bearer_token or "")
    else:
        credentials = OAuthCredentials(
            store.consumer_key or "",
            store.consumer_secret or "",
            store.access_token or "",
            store.access_token_secret or "",
        )
    settings = MagentoSettings(
        base_url=store.base_url,
        credentials=credentials,
        store_code=store_code or store.default_store_code,
        timeout=current_app.config.get("MAGENTO_TIMEOUT", 30.0),
        max_retries=current_app.config.get("MAGENTO_RETRIES", 3),
        backoff=current_app.config.get("MAGENTO_BACKOFF", 0.5),
    )
    session = _recording_session() if record else requests.Session()
    return MagentoClient(session, settings)


def magento(store: Store | None = None, **kwargs: Any) -> Magento:
    return Magento(magento_client(store, **kwargs))


def explain(error: Exception, store: Store) -> str:
    """A message a seller can act on, for any failure talking to the store."""
    if isinstance(error, merr.AccessDeniedError):
        message = (
            f"The integration is not allowed to use {error.resource}. In Magento, edit the "
            "integration (System > Extensions > Integrations > API) and grant that resource."
        )
        if store.auth_mode == "bearer":
            # Magento treats an integration token it will not accept as a bearer token as an
            # anonymous caller: the answer is the same "not authorized" as a missing resource.
            message += (
                " With a Bearer token, also check that 'Allow OAuth Access Tokens to be used as "
                "standalone Bearer tokens' is enabled (off by default since 2.4.4)."
            )
        return message
    if isinstance(error, merr.AuthenticationError):
        hint = (
            "Check the four Integration credentials."
            if store.auth_mode == "oauth1"
            else "Check the token, and that 'Allow OAuth Access Tokens to be used as standalone "
            "Bearer tokens' is enabled in Magento (off by default since 2.4.4)."
        )
        return f"Magento refused the credentials: {error}. {hint}"
    if isinstance(error, merr.NotFoundError):
        return f"No Magento REST API answers at {store.base_url}/rest: check the base URL."
    if isinstance(error, merr.BadResponseError):
        return (
            f"{store.base_url} answered with something that is not JSON; is it the Magento base "
            "URL (not the admin URL)?"
        )
    if isinstance(error, merr.TransportError):
        return f"Cannot reach {store.base_url}: {error}"
    if isinstance(error, merr.MagentoError):
        return f"Magento answered with an error: {error}"
    if isinstance(error, ServiceError):
        return error.message
    return f"Unexpected error: {type(error).__name__}: {error}"


@dataclass
class ConnectionReport:
    ok: bool
    message: str
    version: str | None = None
    store_views: list[dict[str, Any]] | None = None
    product_count: int | None = None
    seconds: float = 0.0


def _detect_version(store: Store) -> str | None:
    # Magento shows its version at /magento_version unless the store hides it.
    try:
        answer = requests.get(f"{store.base_url}/magento_version", timeout=5)
    except requests.RequestException:
        return None
    text = answer.text.strip()
    if answer.ok and text.startswith("Magento/") and len(text) < 80:
        return text
    return None


def check_connection(store: Store) -> ConnectionReport:
    """Read store views and the product count; the store's status records the outcome."""
    started = time.monotonic()
    api = magento(store)
    try:
        views = api.stores.store_views()
        count = int(api.products.search(SearchCriteria().limit(1)).get("total_count", 0))
    except (merr.MagentoError, ServiceError) as error:
        message = explain(error, store)
        store.status, store.last_error, store.last_tested_at = "error", message, utcnow()
        db.session.flush()
        log_activity("store", "connection", message, level="error", obj=store)
        return ConnectionReport(False, message, seconds=time.monotonic() - started)
    store.status, store.last_error, store.last_tested_at = "connected", None, utcnow()
    store.product_count = count
    store.magento_version = _detect_version(store) or store.magento_version
    db.session.flush()
    real_views = [v for v in views if v.get("id") != 0]
    return ConnectionReport(
        True,
        f"Connected: {len(real_views)} store view(s), {count} products.",
        version=store.magento_version,
        store_views=real_views,
        product_count=count,
        seconds=time.monotonic() - started,
    )


def refresh_cache(store: Store) -> dict[str, int]:
    """Fetch the store's structure; all or nothing (a failure leaves the old cache intact)."""
    api = magento(store)
    try:
        views = api.stores.store_views()
        codes = [v["code"] for v in views if v.get("id") != 0]
        cache = {
            "store_views": views,
            "websites": api.stores.websites(),
            "store_configs": api.stores.store_configs(codes),
            "attribute_sets": list(api.catalog.attribute_sets()),
            "attributes": list(api.catalog.attributes()),
            "categories": list(api.catalog.categories()),
            "sources": list(api.inventory.sources()),
        }
    except merr.MagentoError as error:
        message = explain(error, store)
        log_activity("store", "cache", f"Cache refresh failed: {message}", level="error", obj=store)
        raise ServiceError(message) from error
    default = next(
        (c for c in cache["store_configs"] if c.get("code") == store.default_store_code),
        (cache["store_configs"] or [{}])[0],
    )
    store.base_currency = default.get("base_currency_code")
    store.base_media_url = default.get("secure_base_media_url") or default.get("base_media_url")
    store.cache = cache
    store.cache_fetched_at = utcnow()
    db.session.flush()
    log_activity("store", "cache", "Cached store structure refreshed.", obj=store)
    return {key: len(value) for key, value in cache.items()}


def store_view_choices() -> list[tuple[str, str]]:
    """(store code, label) of the connected store's views; empty when no store is connected."""
    store = get_store()
    if store is None:
        return []
    return [(v["code"], f"{v.get('name') or v['code']} ({v['code']})") for v in store.store_views]


def cached(kind: str) -> list[dict[str, Any]]:
    store = get_store()
    return list(((store.cache or {}) if store else {}).get(kind, []))


def attribute_choices() -> list[tuple[str, str]]:
    return sorted(
        (a["attribute_code"], a.get("default_frontend_label") or a["attribute_code"])
        for a in cached("attributes")
    )


def _register_system_check() -> None:
    from webapp.services.system_check import CheckResult, system_check

    @system_check
    def magento_check() -> list[CheckResult]:
        store = get_store()
        requirement = "The Magento store answers and the integration has the needed resources."
        if store is None:
            return [
                CheckResult(
                    "Magento store",
                    requirement,
                    "not connected",
                    False,
                    "Connect it in step 2 (Configuration > Magento Store).",
                )
            ]
        report = check_connection(store)
        return [
            CheckResult(
                "Magento store",
                requirement,
                report.message,
                report.ok,
                "Fix the connection on the Magento Store screen.",
            )
        ]


_register_system_check()
