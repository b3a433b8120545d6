"""AliExpress accounts: add, authorize (OAuth), refresh tokens, disconnect, onboarding data.

Token lifecycle: access tokens are refreshed well before they expire (the ``token_refresh``
job) and whenever AliExpress answers IllegalAccessToken (the client factory's hook). Refreshed
tokens are committed at once, on purpose the one place a service commits: AliExpress may
rotate the refresh token, and losing the new one in a later rollback would lock the account
out. When refresh is impossible the account turns Expired (refresh token past its lifetime) or
Invalid (refused), a banner shows on every page and the notification address gets an e-mail.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from webapp.banners import Banner, banner_provider
from webapp.database import utcnow
from webapp.extensions import db
from webapp.integrations.aliexpress import adapters
from webapp.integrations.aliexpress.errors import (
    AliExpressError,
    AuthorizationDeniedError,
    InvalidCodeError,
    InvalidRefreshTokenError,
    StateMismatchError,
)
from webapp.integrations.aliexpress.oauth import TokenSet, parse_callback
from webapp.models.accounts import Account, OAuthState, OnboardingData
from webapp.services.activity import log_activity
from webapp.services.aliexpress_app import (
    aliexpress_client,
    aliexpress_oauth,
    app_credentials,
    browser_gateway,
    redirect_uri,
)
from webapp.services.errors import ServiceError
from webapp.services.mail import notify

#: Countries AliExpress onboards sellers from: the seed's list (ES, FR, IT, CN, TR, RU) plus the
#: local-to-local programmes (cross-border and local sellers).
REGIONS: tuple[tuple[str, str], ...] = (
    ("CN", "China"),
    ("ES", "Spain"),
    ("FR", "France"),
    ("IT", "Italy"),
    ("DE", "Germany"),
    ("NL", "Netherlands"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("TR", "Turkey"),
    ("RU", "Russia"),
    ("BR", "Brazil"),
    ("KR", "South Korea"),
)
STATE_LIFETIME = timedelta(minutes=15)
ONBOARDING_KINDS = (
    ("categories", "AliExpress Categories"),
    ("carriers", "Carriers"),
    ("order_statuses", "Order Status"),
    ("warehouses", "Warehouse"),
    ("freight_templates", "Freight templates"),
    ("service_templates", "Service templates"),
)


def _key(title: str) -> str:
    return " ".join(title.split()).lower()


def get_account(account_id: int) -> Account:
    account = db.session.get(Account, account_id)
    if account is None:
        raise ServiceError("No such account.")
    return account


def create_account(title: str, region: str, store_view_code: str, *, actor: Any = None) -> Account:
    title = " ".join((title or "").split())
    if not title:
        raise ServiceError("Enter an account title.", "title")
    if len(title) > 120:
        raise ServiceError("Use at most 120 characters.", "title")
    if db.session.scalar(select(Account.id).where(Account.title_key == _key(title))):
        raise ServiceError("An account with this title already exists.", "title")
    if region not in dict(REGIONS):
        raise ServiceError("Choose a region AliExpress accepts sellers from.", "region")
    if not store_view_code:
        raise ServiceError("Choose the Magento store view.", "store_view_code")
    account = Account(
        title=title, title_key=_key(title), region=region, store_view_code=store_view_code
    )
    db.session.add(account)
    db.session.flush()
    log_activity(
        "account", "created", f"Account '{title}' ({region}) added.", obj=account, actor=actor
    )
    return account


def update_account(
    account: Account,
    *,
    region: str | None = None,
    store_view_code: str | None = None,
    sync_policy_id: int | None = None,
    order_policy_id: int | None = None,
    actor: Any = None,
) -> None:
    from webapp.models.policies import Policy

    if region is not None and region != account.region:
        raise ServiceError("The region cannot be changed after the account is saved.", "region")
    for field, policy_id, kind in (
        ("sync_policy_id", sync_policy_id, "synchronization"),
        ("order_policy_id", order_policy_id, "order"),
    ):
        if policy_id is None:
            continue
        policy = db.session.get(Policy, policy_id)
        if policy is None or policy.type != kind:
            raise ServiceError(f"Choose a {kind} policy.", field)
        setattr(account, field, policy_id)
    if store_view_code:
        account.store_view_code = store_view_code
    db.session.flush()
    log_activity(
        "account", "updated", f"Account '{account.title}' saved.", obj=account, actor=actor
    )


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def start_authorization(account: Account, *, actor: Any = None) -> str:
    """A fresh single-use ``state`` and the consent URL the seller's browser goes to."""
    credentials = app_credentials()
    state = secrets.token_urlsafe(32)
    db.session.add(
        OAuthState(
            state_hash=_hash(state),
            account_id=account.id,
            user_id=getattr(actor, "id", None),
            expires_at=utcnow() + STATE_LIFETIME,
        )
    )
    db.session.flush()
    oauth = aliexpress_oauth(account.id)
    url, _ = oauth.authorization_url(redirect_uri(), state=state)
    gateway = browser_gateway(credentials)
    if gateway != credentials.gateway:  # demo: the browser reaches the sandbox on its own host
        url = url.replace(credentials.gateway, gateway, 1)
    return url


def _fail(account: Account | None, message: str, subtype: str = "oauth") -> ServiceError:
    log_activity("account", subtype, message, level="error", obj=account)
    return ServiceError(message)


def _store_tokens(account: Account, tokens: TokenSet) -> None:
    account.access_token = tokens.access_token
    account.refresh_token = tokens.refresh_token
    account.access_expires_at = tokens.expires_at
    account.refresh_expires_at = tokens.refresh_expires_at
    account.last_refreshed_at = utcnow()
    account.last_error = None
    account.status = "connected"


def complete_authorization(args: dict[str, Any]) -> Account:
    """Handle the OAuth callback: check the state, exchange the code, store the tokens.

    Raises :class:`ServiceError` with a clear message (and logs it) for a wrong, replayed or
    expired state, a refusal, or a code AliExpress does not accept; nothing is stored then.
    """
    state = str(args.get("state") or "")
    row = db.session.scalar(select(OAuthState).where(OAuthState.state_hash == _hash(state)))
    if not state or row is None:
        raise _fail(
            None,
            "The authorization answer does not match any request from this app "
            "(wrong state). Start the authorization again.",
        )
    account = db.session.get(Account, row.account_id)
    if row.used_at is not None:
        raise _fail(account, "This authorization answer was already used (replayed state).")
    if row.expires_at < utcnow():
        raise _fail(account, "The authorization took too long; start it again.")
    row.used_at = utcnow()
    db.session.flush()
    if account is None:
        raise _fail(None, "The account being authorized no longer exists.")
    try:
        code = parse_callback(args, state)
        tokens = aliexpress_oauth(account.id).exchange_code(code)
    except AuthorizationDeniedError as exc:
        raise _fail(account, f"AliExpress authorization was refused: {exc}.") from exc
    except (InvalidCodeError, StateMismatchError) as exc:
        raise _fail(account, f"AliExpress did not accept the authorization: {exc}.") from exc
    except AliExpressError as exc:
        raise _fail(account, f"The token exchange failed: {exc}") from exc
    other = db.session.scalar(
        select(Account).where(
            Account.seller_id == tokens.seller_id,
            Account.id != account.id,
            Account.status != "disconnected",
        )
    )
    if other is not None:
        raise _fail(account, f"This AliExpress seller is already connected as '{other.title}'.")
    _store_tokens(account, tokens)
    account.seller_id = tokens.seller_id or tokens.user_id
    account.seller_name = tokens.account or account.seller_name
    account.connected_at = utcnow()
    account.disconnected_at = None
    _assign_default_policies(account)
    log_activity(
        "account",
        "connected",
        f"Account '{account.title}' connected (seller {account.seller_id}).",
        obj=account,
    )
    return account


def _assign_default_policies(account: Account) -> None:
    from webapp.services.policies import create_default_policies

    defaults = create_default_policies()
    account.sync_policy_id = account.sync_policy_id or defaults["synchronization"].id
    account.order_policy_id = account.order_policy_id or defaults["order"].id


def refresh_account_token(account: Account, *, reason: str = "scheduled") -> None:
    """Renew the tokens and commit them at once (see the module docstring)."""
    if not account.refresh_token:
        raise ServiceError(f"Account '{account.title}' is not authorized; re-authorize it.")
    try:
        tokens = aliexpress_oauth(account.id).refresh(account.refresh_token)
    except InvalidRefreshTokenError as exc:
        expired = account.refresh_expires_at is not None and account.refresh_expires_at <= utcnow()
        account.status = "expired" if expired else "invalid"
        account.last_error = f"Token refresh refused ({exc}); re-authorize the account."
        message = f"Account '{account.title}' is {account.status}: {account.last_error}"
        log_activity("account", "token", message, level="error", obj=account)
        db.session.commit()
        notify(
            f"AliExpress account '{account.title}' needs re-authorization",
            message + "\n\nOpen AliExpress Accounts and click Re-authorize.",
        )
        raise ServiceError(message) from exc
    except AliExpressError as exc:
        account.last_error = f"Token refresh failed: {exc}"
        log_activity("account", "token", account.last_error, level="error", obj=account)
        db.session.commit()
        raise ServiceError(account.last_error) from exc
    _store_tokens(account, tokens)
    log_activity("account", "token", f"Token refreshed ({reason}).", obj=account)
    db.session.commit()


def needs_refresh(account: Account, now: Any = None) -> bool:
    """Refresh once a quarter of the token's life is left, or within the hour."""
    if not account.is_connected or account.access_expires_at is None:
        return False
    now = now or utcnow()
    issued = account.last_refreshed_at or account.connected_at or now
    lifetime = account.access_expires_at - issued
    margin = min(timedelta(hours=1), lifetime / 4) if lifetime > timedelta(0) else timedelta(0)
    return account.access_expires_at - now <= margin


def disconnect_account(account: Account, *, actor: Any = None) -> None:
    """Stop using the account: tokens forgotten, jobs skip it; its history stays."""
    account.status = "disconnected"
    account.access_token = None
    account.refresh_token = None
    account.access_expires_at = None
    account.disconnected_at = utcnow()
    db.session.flush()
    log_activity(
        "account",
        "disconnected",
        f"Account '{account.title}' disconnected.",
        obj=account,
        actor=actor,
    )


def require_connected(account: Account) -> str:
    if not account.is_connected or not account.access_token:
        raise ServiceError(
            f"Account '{account.title}' is {account.status_label.lower()}; re-authorize it first."
        )
    return account.access_token


def fetch_onboarding_data(account: Account, progress: Any = None) -> dict[str, int]:
    """Categories, carriers, order statuses, warehouses, freight and service templates."""
    require_connected(account)
    client = aliexpress_client(account)
    counts: dict[str, int] = {}

    def token() -> str:
        return str(account.access_token)

    fetchers = {
        "categories": lambda: [
            {**asdict(category), "name": category.name, "parent_id": parent}
            for category, parent in adapters.walk_category_tree(client, token())
        ],
        "carriers": lambda: [asdict(c) for c in adapters.list_logistics_services(client, token())],
        "order_statuses": lambda: [{"code": s} for s in adapters.ORDER_STATUSES],
        "warehouses": lambda: _warehouses(client, token()),
        "freight_templates": lambda: [
            asdict(t) for t in adapters.list_freight_templates(client, token())
        ],
        "service_templates": lambda: [
            asdict(t) for t in adapters.list_service_templates(client, token())
        ],
    }
    payloads: dict[str, list[Any]] = {}
    try:
        for index, (kind, _label) in enumerate(ONBOARDING_KINDS):
            payloads[kind] = fetchers[kind]()
            if progress:
                progress(index + 1, len(ONBOARDING_KINDS))
    except AliExpressError as exc:
        raise _fail(account, f"Fetching onboarding data failed: {exc}", "onboarding") from exc
    # Everything fetched: store it all at once.
    existing = {
        row.kind: row
        for row in db.session.scalars(
            select(OnboardingData).where(OnboardingData.account_id == account.id)
        )
    }
    for kind, payload in payloads.items():
        row = existing.get(kind) or OnboardingData(account_id=account.id, kind=kind)
        row.payload, row.item_count, row.fetched_at = payload, len(payload), utcnow()
        db.session.add(row)
        counts[kind] = len(payload)
    db.session.flush()
    # Carriers and statuses just changed: a policy naming them may turn valid or invalid.
    from webapp.services.policies import revalidate_policies

    revalidate_policies()
    log_activity(
        "account",
        "onboarding",
        "Onboarding data fetched: "
        + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items()),
        obj=account,
    )
    return counts


def _warehouses(client: Any, token: str) -> list[dict[str, Any]]:
    """The merchant profile names the seller's shipping origins where the platform has them."""
    profile = adapters.get_merchant_profile(client, token)
    found = profile.get("warehouses") or profile.get("warehouse_list") or []
    if isinstance(found, dict):
        found = next(iter(found.values()), [])
    return [w if isinstance(w, dict) else {"name": str(w)} for w in found]


def onboarding(account_id: int, kind: str) -> OnboardingData | None:
    return db.session.scalar(
        select(OnboardingData).where(
            OnboardingData.account_id == account_id, OnboardingData.kind == kind
        )
    )


def carriers(account_id: int) -> list[dict[str, Any]]:
    row = onboarding(account_id, "carriers")
    return list(row.payload) if row else []


def categories(account_id: int) -> list[dict[str, Any]]:
    row = onboarding(account_id, "categories")
    return list(row.payload) if row else []


@banner_provider
def _token_banners() -> list[Banner]:
    from flask import url_for

    rows = db.session.scalars(select(Account).where(Account.status.in_(("expired", "invalid"))))
    return [
        Banner(
            "error",
            f"AliExpress account '{a.title}' is {a.status_label}: syncing is paused.",
            url_for("accounts.edit", account_id=a.id),
            "Re-authorize",
        )
        for a in rows
    ]


def _carrier_context() -> dict[str, frozenset[str] | None]:
    rows = db.session.scalars(select(OnboardingData).where(OnboardingData.kind == "carriers")).all()
    if not rows:
        return {}
    names = {
        c.get("service_name") for row in rows for c in row.payload or [] if c.get("service_name")
    }
    return {"aliexpress_carriers": frozenset(n for n in names if n)}


def _register_context() -> None:
    from webapp.services.policies import context_provider

    context_provider(_carrier_context)


_register_context()


def _register_system_check() -> None:
    from webapp.services.system_check import CheckResult, system_check

    @system_check
    def aliexpress_check() -> list[CheckResult]:
        requirement = "An AliExpress account is authorized and its token is valid."
        rows = db.session.scalars(select(Account).where(Account.status != "disconnected")).all()
        if not rows:
            return [
                CheckResult(
                    "AliExpress account",
                    requirement,
                    "none",
                    False,
                    "Add and authorize an account in step 3.",
                )
            ]
        results = []
        for account in rows:
            ok = (
                account.is_connected
                and account.access_expires_at is not None
                and (account.access_expires_at > utcnow() or bool(account.refresh_token))
            )
            value = (
                f"{account.status_label}, token expires "
                f"{account.access_expires_at:%Y-%m-%d %H:%M} UTC"
                if account.access_expires_at
                else account.status_label
            )
            results.append(
                CheckResult(
                    f"AliExpress account '{account.title}'",
                    requirement,
                    value,
                    ok,
                    "Re-authorize the account.",
                )
            )
        return results


_register_system_check()
