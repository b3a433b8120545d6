"""Listing jobs: assignment, the sync cycle (import -> reconcile -> push), uploads, actions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from webapp.extensions import db
from webapp.jobs.registry import job
from webapp.jobs.runner import JobContext
from webapp.models.accounts import Account
from webapp.models.listings import Listing, ListingTemplate
from webapp.policies import SynchronizationSettings
from webapp.services import listings as svc
from webapp.services.catalog import import_catalog, scan_stock
from webapp.services.errors import ServiceError
from webapp.services.store import get_store


def _accounts() -> list[Account]:
    return list(db.session.scalars(select(Account).where(Account.status == "connected")))


def _due(
    account: Account,
    switch: str,
    settings: SynchronizationSettings,
    force: bool = False,
    *,
    slack_seconds: int = 5,
) -> bool:
    """Whether the account's synchronization policy wants this switch to run now: it is on and
    its interval, less ``slack_seconds``, has passed since its last run (the jobs themselves
    tick more often). A manual run ("Run now", the CLI) only needs the switch on.

    A slack of one tick makes the interval the longest a change waits, instead of the
    shortest time between two runs (price and stock: "within a minute")."""
    from datetime import timedelta

    from webapp.database import utcnow
    from webapp.services.catalog import get_watermark, set_watermark

    schedule = getattr(settings, switch)
    if not schedule.enabled:
        return False
    stream = f"job:{switch}"
    last = get_watermark(stream, account.id)
    now = utcnow()
    # A few seconds of slack so a one-minute switch runs on every one-minute tick.
    interval = timedelta(minutes=schedule.interval_minutes, seconds=-slack_seconds)
    if not force and last is not None and now - last < interval:
        return False
    set_watermark(stream, now, account.id)
    return True


def _forced(ctx: JobContext) -> bool:
    return ctx.run.trigger != "schedule"


@job("product_assign", "Product assign", interval_seconds=30 * 60)
def product_assign(ctx: JobContext) -> dict[str, Any]:
    """Re-apply every active template's assignment rules."""
    created = 0
    due: dict[int, bool] = {}
    for template in db.session.scalars(select(ListingTemplate).where(ListingTemplate.active)):
        account = template.account
        if account.id not in due:
            due[account.id] = _due(
                account, "product_assign", svc.sync_settings(account), _forced(ctx)
            )
        if due[account.id]:
            created += svc.apply_assignment_rules(template)
    return {"assigned": created}


SYNC_TICK_SECONDS = 30


@job("sync_cycle", "Price and stock sync", interval_seconds=SYNC_TICK_SECONDS)
def sync_cycle(ctx: JobContext) -> dict[str, Any]:
    """Read Magento changes, reconcile every connected account, push price and stock."""
    result: dict[str, Any] = {}
    store = get_store()
    if store is None or not _accounts():
        return {"skipped": "no store or no connected account"}
    imported = import_catalog(progress=None)
    result["imported"] = imported.imported
    # Stock changes do not touch a product's updated_at: read the listed products' stock.
    listed = svc.listed_skus()
    if listed:
        result["stock"] = scan_stock(skus=listed)
    ctx.progress(1, 3)
    for account in _accounts():
        sync = svc.sync_settings(account)
        if not _due(
            account,
            "inventory_price_sync",
            sync,
            _forced(ctx),
            slack_seconds=SYNC_TICK_SECONDS + 5,
        ):
            continue
        counts = svc.reconcile(account)
        ctx.progress(2, 3)
        aspects = [
            a
            for a, on in (
                ("price", sync.inventory_price_sync.enabled),
                ("quantity", sync.inventory_price_sync.enabled),
            )
            if on
        ]
        pushed = svc.push(account, aspects=aspects)
        result[account.title] = {**counts, **pushed}
    return result


@job("reconcile", "Reconcile (full)")
def reconcile_full(ctx: JobContext) -> dict[str, Any]:
    """Recompute every listing against what was pushed (no watermark)."""
    return {a.title: svc.reconcile(a, full=True, progress=ctx.progress) for a in _accounts()}


@job("listing_push", "Push pending changes", interval_seconds=5 * 60)
def listing_push(ctx: JobContext) -> dict[str, Any]:
    """Drain every pending instruction (content and images too), honouring the switches."""
    out = {}
    for account in _accounts():
        sync = svc.sync_settings(account)
        aspects = []
        if sync.inventory_price_sync.enabled:
            aspects += ["price", "quantity"]
        if _due(account, "product_update", sync, _forced(ctx)):
            aspects += ["content", "images"]
        if aspects:
            out[account.title] = svc.push(account, aspects=aspects)
    return out


@job("listing_upload", "Product upload", interval_seconds=10 * 60)
def listing_upload(ctx: JobContext) -> dict[str, Any]:
    """Upload queued listings of accounts whose product upload switch is on."""
    uploaded = failed = 0
    for account in _accounts():
        if not _due(account, "product_upload", svc.sync_settings(account), _forced(ctx)):
            continue
        queued = db.session.scalars(
            select(Listing).where(Listing.account_id == account.id, Listing.state == "queued")
        ).all()
        for index, listing in enumerate(queued, 1):
            if svc.upload_listing(listing):
                uploaded += 1
            else:
                failed += 1
            ctx.progress(index, len(queued))
    return {"uploaded": uploaded, "failed": failed}


ACTIONS = ("validate_upload", "update", "price", "quantity", "images", "delete", "validate")


@job("listing_action", "Products mass action")
def listing_action(ctx: JobContext) -> dict[str, Any]:
    """Run a Products-grid mass action (``action``, ``ids``) with progress."""
    action = ctx.params.get("action")
    if action not in ACTIONS:
        raise ServiceError(f"Unknown action {action!r}.")
    ids = [int(i) for i in ctx.params.get("ids", [])]
    listings = db.session.scalars(
        select(Listing).where(Listing.id.in_(ids)).order_by(Listing.id)
    ).all()
    summary = {"done": 0, "failed": 0, "skipped": 0}
    if action == "delete":
        summary["done"] = svc.delete_listings(listings)
        return summary
    if action in ("price", "quantity", "images"):
        by_account: dict[int, list[Listing]] = {}
        for listing in listings:
            if listing.ae_product_id and listing.state != "unmanaged":
                svc._want(listing, action, "requested", 1)
                by_account.setdefault(listing.account_id, []).append(listing)
            else:
                summary["skipped"] += 1
        db.session.flush()
        for account_id in by_account:
            account = db.session.get(Account, account_id)
            if account is None:
                continue
            counts = svc.push(account, aspects=[action])
            summary["done"] += counts["pushed"]
            summary["failed"] += counts["failed"]
        return summary
    for index, listing in enumerate(listings, 1):
        if listing.state == "unmanaged" or listing.template_id is None:
            summary["skipped"] += 1
            continue
        if action == "validate":
            svc.validate_listing(listing)
            ok = not listing.blocked
        elif action == "validate_upload":
            ok = svc.upload_listing(listing)
        else:
            ok = svc.update_listing(listing)
        summary["done" if ok else "failed"] += 1
        if index % 5 == 0 or index == len(listings):
            ctx.progress(index, len(listings))
    ctx.log(f"{action}: " + ", ".join(f"{n} {k}" for k, n in summary.items()))
    return summary


@job("match_existing", "Match existing AliExpress products")
def match_existing(ctx: JobContext) -> dict[str, Any]:
    """Read each account's AliExpress products and link them to Magento by SKU."""
    return {a.title: svc.match_existing(a) for a in _accounts()}


@job("feed_poll", "Feed polling", interval_seconds=5 * 60)
def feed_poll(ctx: JobContext) -> dict[str, Any]:
    """Re-poll open asynchronous feeds; a feed open for over an hour is timed out."""
    from datetime import timedelta

    from webapp.database import utcnow
    from webapp.integrations.aliexpress import adapters
    from webapp.models.listings import Feed
    from webapp.services.aliexpress_app import aliexpress_client

    finished = timed_out = 0
    open_feeds = db.session.scalars(
        select(Feed).where(Feed.status.in_(("submitted", "processing")))
    ).all()
    for feed in open_feeds:
        account = db.session.get(Account, feed.account_id) if feed.account_id else None
        if feed.job_id and account is not None and account.is_connected:
            result = adapters.query_feed(
                aliexpress_client(account), str(account.access_token), feed.job_id
            )
            if result.finished:
                feed.status, feed.finished_at = "finished", utcnow()
                feed.results = [r.__dict__ for r in getattr(result, "items", [])]
                finished += 1
                continue
            feed.status = "processing"
        if feed.submitted_at < utcnow() - timedelta(hours=1):
            feed.status, feed.error, feed.finished_at = (
                "timeout",
                "No result after an hour.",
                utcnow(),
            )
            timed_out += 1
    return {"open": len(open_feeds), "finished": finished, "timed_out": timed_out}
