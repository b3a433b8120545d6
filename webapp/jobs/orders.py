"""Order jobs: import AliExpress orders into Magento, send Magento shipments back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from webapp.extensions import db
from webapp.jobs.listings import _accounts, _due, _forced
from webapp.jobs.registry import job
from webapp.jobs.runner import JobContext
from webapp.models.accounts import Account
from webapp.models.orders import Order
from webapp.services import listings as listing_svc
from webapp.services import orders as svc
from webapp.services.errors import ServiceError
from webapp.services.store import get_store


@job("order_import", "Order import", interval_seconds=60)
def order_import(ctx: JobContext) -> dict[str, Any]:
    """New and changed AliExpress orders of every connected account (per the sync policy's
    "Order import" switch and interval) into Magento."""
    if get_store() is None:
        return {"skipped": "no store"}
    result: dict[str, Any] = {}
    for account in _accounts():
        if not _due(account, "order_import", listing_svc.sync_settings(account), _forced(ctx)):
            continue
        db.session.commit()
        try:
            result[account.title] = svc.import_orders(account, progress=ctx.progress).as_dict()
        except ServiceError as exc:
            result[account.title] = {"error": str(exc)}
    return result


def _window(params: dict[str, Any]) -> dict[str, Any]:
    """The manual fetch's settings (seed 002): statuses, create and modified windows, page size,
    buyer login id. Dates are ISO strings from the form, in UTC."""
    window: dict[str, Any] = {}
    for key in ("created_from", "created_to", "modified_from", "modified_to"):
        if params.get(key):
            from datetime import UTC

            window[key] = datetime.fromisoformat(str(params[key])).replace(tzinfo=UTC)
    if params.get("statuses"):
        window["statuses"] = list(params["statuses"])
    if params.get("page_size"):
        window["page_size"] = int(params["page_size"])
    if params.get("buyer_login_id"):
        window["buyer_login_id"] = str(params["buyer_login_id"])
    return window


@job("order_fetch", "Fetch latest AliExpress orders")
def order_fetch(ctx: JobContext) -> dict[str, Any]:
    """Run from the Orders screen: the incremental import now, or a manual window."""
    params = ctx.params or {}
    query = select(Account).where(Account.status == "connected")
    if params.get("account_id"):
        query = query.where(Account.id == int(params["account_id"]))
    window = _window(params) or None
    if window is not None and "created_from" not in window and "modified_from" not in window:
        # AliExpress needs one of the two starts; a status-only fetch reads the last 30 days.
        window["modified_from"] = svc.utcnow() - svc.FIRST_FETCH
    result: dict[str, Any] = {}
    for account in db.session.scalars(query).all():
        result[account.title] = svc.import_orders(
            account, window=window, progress=ctx.progress
        ).as_dict()
    return result


@job("order_retry", "Retry failed orders")
def order_retry(ctx: JobContext) -> dict[str, Any]:
    ids = [int(i) for i in (ctx.params or {}).get("ids", [])]
    orders = db.session.scalars(select(Order).where(Order.id.in_(ids or [-1]))).all()
    done = 0

    def step(order: Order) -> Order:
        nonlocal done
        done += 1
        ctx.progress(done, len(orders))
        return order

    return svc.retry(step(o) for o in orders)


@job("shipment_sync", "Shipments to AliExpress", interval_seconds=60)
def shipment_sync(ctx: JobContext) -> dict[str, Any]:
    """Magento shipments of imported orders -> tracking on AliExpress (carrier mapping)."""
    if get_store() is None or not _accounts():
        return {"skipped": "no store or no connected account"}
    return svc.sync_shipments(progress=ctx.progress)
