"""The figures on the dashboard: accounts and their tokens, listings by state, orders, API calls.

Every figure is one aggregate query (no per-row loading), so the landing page stays fast with
100,000 listings. Time series are bucketed in SQL on UTC days and hours; SQLite and PostgreSQL
format the bucket to the same text key ("2025-01-31" or "2025-01-31 14"), and buckets without rows
are filled with zeros here, so a chart always has one point per day or hour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select

from webapp.extensions import db
from webapp.models.accounts import Account
from webapp.models.api_calls import ApiCall
from webapp.models.listings import Instruction, Listing
from webapp.models.orders import Order

#: a token this close to its expiry is shown as a warning
ACCESS_WARN = timedelta(days=1)
REFRESH_WARN = timedelta(days=7)

DAY_KEY = "%Y-%m-%d"
HOUR_KEY = "%Y-%m-%d %H"
#: the same keys in PostgreSQL's to_char() notation
_PG_FORMATS = {DAY_KEY: "YYYY-MM-DD", HOUR_KEY: "YYYY-MM-DD HH24"}


@dataclass
class TokenStatus:
    expires_at: datetime | None
    #: none (no token) | ok | soon | expired
    state: str
    label: str


@dataclass
class AccountSummary:
    account: Account
    access: TokenStatus
    refresh: TokenStatus
    listings: dict[str, int] = field(default_factory=dict)
    pending_instructions: int = 0

    @property
    def listing_total(self) -> int:
        return sum(self.listings.values())


def describe_delta(delta: timedelta) -> str:
    """ "3 days", "5 h", "12 min": the rough size of a (non-negative) duration."""
    seconds = int(delta.total_seconds())
    if seconds >= 2 * 86400:
        return f"{seconds // 86400} days"
    if seconds >= 3600:
        return f"{seconds // 3600} h"
    return f"{max(1, seconds // 60)} min"


def token_status(expires_at: datetime | None, now: datetime, warn: timedelta) -> TokenStatus:
    if expires_at is None:
        return TokenStatus(None, "none", "no token")
    left = expires_at - now
    if left <= timedelta(0):
        return TokenStatus(expires_at, "expired", f"expired {describe_delta(-left)} ago")
    state = "soon" if left <= warn else "ok"
    return TokenStatus(expires_at, state, f"expires in {describe_delta(left)}")


def account_summaries(now: datetime) -> list[AccountSummary]:
    """Every account with its token status, listing count per state and pending changes."""
    accounts = list(db.session.scalars(select(Account).order_by(Account.title, Account.id)))
    by_state: dict[int, dict[str, int]] = {}
    for account_id, state, count in db.session.execute(
        select(Listing.account_id, Listing.state, func.count()).group_by(
            Listing.account_id, Listing.state
        )
    ):
        by_state.setdefault(account_id, {})[state] = count
    pending: dict[int, int] = {
        account_id: count
        for account_id, count in db.session.execute(
            select(Listing.account_id, func.count(Instruction.id))
            .join(Listing, Listing.id == Instruction.listing_id)
            .group_by(Listing.account_id)
        )
    }
    return [
        AccountSummary(
            account=account,
            access=token_status(account.access_expires_at, now, ACCESS_WARN),
            refresh=token_status(account.refresh_expires_at, now, REFRESH_WARN),
            listings=by_state.get(account.id, {}),
            pending_instructions=int(pending.get(account.id, 0)),
        )
        for account in accounts
    ]


def _start_of_day(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _start_of_hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def order_counts(now: datetime) -> dict[str, int]:
    """Orders that failed to import (all time) and orders placed today (UTC)."""
    today = _start_of_day(now)
    failed, placed_today = db.session.execute(
        select(
            func.count(case((Order.import_state == "failed", Order.id))),
            func.count(case((Order.placed_at >= today, Order.id))),
        )
    ).one()
    return {"failed": int(failed or 0), "today": int(placed_today or 0)}


def _bucket(column: Any, key_format: str) -> Any:
    """The UTC day or hour of ``column`` as text, identical on SQLite and PostgreSQL."""
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        # SQLite stores the (UTC) datetime as ISO text, so strftime reads it as it is.
        return func.strftime(key_format, column)
    if dialect == "postgresql":
        # timestamptz -> UTC wall time first, or to_char would use the session's time zone.
        return func.to_char(func.timezone("UTC", column), _PG_FORMATS[key_format])
    raise NotImplementedError(f"dashboard series are not written for {dialect}")


def _keys(start: datetime, step: timedelta, count: int, key_format: str) -> list[str]:
    return [(start + step * i).strftime(key_format) for i in range(count)]


def orders_per_day(now: datetime, days: int = 7) -> dict[str, list[Any]]:
    """Orders placed on each of the last ``days`` UTC days, today included."""
    start = _start_of_day(now) - timedelta(days=days - 1)
    bucket = _bucket(Order.placed_at, DAY_KEY)
    counts: dict[str, int] = {
        key: count
        for key, count in db.session.execute(
            select(bucket, func.count()).where(Order.placed_at >= start).group_by(bucket)
        )
    }
    keys = _keys(start, timedelta(days=1), days, DAY_KEY)
    return {"days": keys, "orders": [int(counts.get(k, 0)) for k in keys]}


def api_calls_per_hour(now: datetime, hours: int = 7 * 24) -> dict[str, list[Any]]:
    """API calls and failed calls (``ok`` false) in each of the last ``hours`` UTC hours."""
    start = _start_of_hour(now) - timedelta(hours=hours - 1)
    bucket = _bucket(ApiCall.created_at, HOUR_KEY)
    rows = db.session.execute(
        select(bucket, func.count(), func.count(case((ApiCall.ok.is_(False), ApiCall.id))))
        .where(ApiCall.created_at >= start)
        .group_by(bucket)
    ).all()
    counts = {key: (int(calls), int(errors)) for key, calls, errors in rows}
    keys = _keys(start, timedelta(hours=1), hours, HOUR_KEY)
    return {
        # ISO instants, so the browser needs no knowledge of the key format
        "hours": [f"{k}:00:00Z".replace(" ", "T") for k in keys],
        "calls": [counts.get(k, (0, 0))[0] for k in keys],
        "errors": [counts.get(k, (0, 0))[1] for k in keys],
    }


def daily_totals(series: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """The hourly API series summed per UTC day, for the text version of the chart."""
    totals: dict[str, dict[str, Any]] = {}
    for hour, calls, errors in zip(series["hours"], series["calls"], series["errors"], strict=True):
        day = totals.setdefault(hour[:10], {"day": hour[:10], "calls": 0, "errors": 0})
        day["calls"] += calls
        day["errors"] += errors
    return list(totals.values())


def busiest(keys: Sequence[str], values: Sequence[int]) -> tuple[str, int] | None:
    if not values or max(values) == 0:
        return None
    index = max(range(len(values)), key=values.__getitem__)
    return keys[index], values[index]


def dashboard_data(now: datetime | None = None) -> dict[str, Any]:
    """Everything the dashboard shows apart from the jobs."""
    now = now or datetime.now(UTC)
    accounts = account_summaries(now)
    listings_by_state = {state: 0 for state, _ in Listing.STATES}
    for summary in accounts:
        for state, count in summary.listings.items():
            listings_by_state[state] = listings_by_state.get(state, 0) + count
    api = api_calls_per_hour(now)
    return {
        "now": now,
        "accounts": accounts,
        "connected": sum(1 for s in accounts if s.account.is_connected),
        "needs_attention": [
            s
            for s in accounts
            if s.account.status in ("expired", "invalid") or s.refresh.state == "expired"
        ],
        "listing_states": Listing.STATES,
        "listings_by_state": listings_by_state,
        "pending_instructions": sum(s.pending_instructions for s in accounts),
        "orders": order_counts(now),
        "orders_chart": orders_per_day(now),
        "api_chart": api,
        "api_days": daily_totals(api),
        "api_busiest": busiest(api["hours"], api["calls"]),
    }
