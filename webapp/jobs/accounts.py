"""Account jobs: token refresh, onboarding data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from webapp.extensions import db
from webapp.jobs.registry import job
from webapp.jobs.runner import JobContext
from webapp.models.accounts import Account
from webapp.services.accounts import fetch_onboarding_data, needs_refresh, refresh_account_token
from webapp.services.errors import ServiceError


@job("token_refresh", "Token refresh", interval_seconds=5 * 60)
def token_refresh(ctx: JobContext) -> dict[str, Any]:
    """Refresh every connected account's access token well before it expires."""
    refreshed, failed = 0, 0
    for account in db.session.scalars(select(Account).where(Account.status == "connected")):
        if not needs_refresh(account):
            continue
        try:
            refresh_account_token(account, reason="before expiry")
            refreshed += 1
        except ServiceError as exc:
            ctx.log(exc.message)
            failed += 1
    return {"refreshed": refreshed, "failed": failed}


@job("onboarding_fetch", "Fetch onboarding data")
def onboarding_fetch(ctx: JobContext) -> dict[str, Any]:
    """Fetch one account's onboarding data (``account_id`` parameter) or every account's."""
    query = select(Account).where(Account.status == "connected")
    if ctx.params.get("account_id"):
        query = query.where(Account.id == int(ctx.params["account_id"]))
    totals: dict[str, Any] = {}
    for account in db.session.scalars(query).all():
        counts = fetch_onboarding_data(account, progress=ctx.progress)
        ctx.log(f"{account.title}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
        totals[account.title] = counts
    return totals


@job("onboarding_refresh", "Onboarding data refresh", interval_seconds=24 * 3600)
def onboarding_refresh(ctx: JobContext) -> dict[str, Any]:
    """Daily refresh of every connected account's onboarding data."""
    return onboarding_fetch(ctx) or {}
