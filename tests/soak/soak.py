"""The fault soak: many sync cycles with random price, stock and order changes while both
sandboxes inject faults; then the invariants.

AliExpress answers 20 % of API calls with a fault (5 % each: HTTP 503, a timeout,
``ApiCallLimit``, ``IllegalAccessToken``); Magento answers 5 % with a 500. Every cycle changes
a few prices and stocks in Magento, sometimes a buyer orders, and the app runs its sync cycle
and order import jobs as the scheduler would. At the end the faults stop, one more cycle runs
(as the scheduler's next tick would), and:

- every listed SKU's AliExpress price and stock equal what the policies compute from a fresh
  full read of Magento (``lost_updates`` counts the differences);
- every AliExpress order exists exactly once in Magento (``duplicate_orders``,
  ``lost_orders``).

``make soak`` runs 1,000 cycles (``python -m tests.soak``); the test suite runs a short one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import requests
from sqlalchemy import func, select

from tests.orders.conftest import Shop
from webapp.extensions import db
from webapp.jobs.runner import run_job

AE_FAULT_PROBABILITY = 0.05  # per kind, four kinds: 20 %
MAGENTO_FAULT_PROBABILITY = 0.05
#: the sandbox holds a timed-out call this long, then applies it (past AE_TIMEOUT below)
TIMEOUT_FAULT_SECONDS = 0.6


@dataclass
class SoakReport:
    cycles: int = 0
    price_changes: int = 0
    stock_changes: int = 0
    orders_placed: int = 0
    orders_skipped: int = 0
    ae_calls: int = 0
    magento_calls: int = 0
    faults_injected: dict[str, int] = field(default_factory=dict)
    retries: int = 0
    lost_updates: int = 0
    duplicate_orders: int = 0
    lost_orders: int = 0
    mismatches: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        faults = ", ".join(f"{k} {v}" for k, v in sorted(self.faults_injected.items()))
        return [
            f"cycles: {self.cycles}",
            f"changes: {self.price_changes} prices, {self.stock_changes} stocks, "
            f"{self.orders_placed} orders",
            f"calls: {self.ae_calls} AliExpress, {self.magento_calls} Magento",
            f"faults injected: {sum(self.faults_injected.values())} ({faults})",
            f"retries: {self.retries}",
            f"lost updates: {self.lost_updates}",
            f"duplicate orders: {self.duplicate_orders}",
            f"lost orders: {self.lost_orders}",
        ]


#: the business methods the sync and the import call. A timeout is injected on these only:
#: the platform finishes a timed-out call, and a token refresh whose answer is lost has
#: already rotated the refresh token, which only a re-authorization repairs (the account
#: turns invalid and the seller is told; tests/aliexpress cover that path).
BUSINESS_METHODS = (
    "aliexpress.solution.batch.product.price.update",
    "aliexpress.solution.batch.product.inventory.update",
    "aliexpress.solution.order.get",
    "aliexpress.solution.order.info.get",
    "aliexpress.solution.product.info.get",
)


def arm_faults(shop: Shop) -> None:
    for kind, extra in (
        ("http_error", {"status": 503}),
        ("api_call_limit", {"seconds": 0.05}),
        ("illegal_access_token", {}),
    ):
        shop.world.ae_control(
            "POST", "faults", {"kind": kind, "probability": AE_FAULT_PROBABILITY, **extra}
        )
    for method in BUSINESS_METHODS:
        # Past the soak's AE_TIMEOUT of 0.3 s.
        shop.world.ae_control(
            "POST",
            "faults",
            {
                "kind": "timeout",
                "probability": AE_FAULT_PROBABILITY,
                "seconds": TIMEOUT_FAULT_SECONDS,
                "method": method,
            },
        )
    shop.world.magento_control(
        "POST", "faults", {"mode": "5xx", "probability": MAGENTO_FAULT_PROBABILITY}
    )


def disarm_faults(shop: Shop) -> None:
    shop.world.ae_control("DELETE", "faults")
    shop.world.magento_control("DELETE", "faults")


def _skus(shop: Shop) -> list[str]:
    from webapp.models import CatalogProduct, Listing
    from webapp.services.listings import children_of

    with shop.app.app_context():
        skus = []
        for listing in db.session.scalars(select(Listing).where(Listing.state == "live")):
            row = db.session.scalar(select(CatalogProduct).where(CatalogProduct.sku == listing.sku))
            children = children_of(row)
            skus += [c.sku for c in children] if children else [row.sku]
        return sorted(skus)


def run_soak(shop: Shop, cycles: int, *, seed: int = 7, order_rate: float = 0.3) -> SoakReport:
    rng = random.Random(seed)
    report = SoakReport()
    skus = _skus(shop)
    shop.policy(allow_out_of_stock_or_disabled=True)
    arm_faults(shop)
    for _ in range(cycles):
        for sku in rng.sample(skus, k=rng.randint(1, 3)):
            if rng.random() < 0.5:
                price = round(rng.uniform(5, 120), 2)
                shop.world.magento_control("POST", f"products/{sku}", {"price": price})
                report.price_changes += 1
            else:
                shop.world.magento_control("POST", f"products/{sku}", {"qty": rng.randint(0, 40)})
                report.stock_changes += 1
        if rng.random() < order_rate:
            try:
                shop.world.ae_control("POST", "orders/simulate", {"count": 1})
                report.orders_placed += 1
            except requests.HTTPError:
                report.orders_skipped += 1  # nothing in stock on AliExpress right now
        run_job(shop.app, "sync_cycle", trigger="manual")
        run_job(shop.app, "order_import", trigger="manual")
        report.cycles += 1
    ae_calls = shop.world.ae_control("GET", "calls")
    report.faults_injected = {
        f"aliexpress {k}": v for k, v in ae_calls.get("faults", {}).items()
    } | {
        f"magento {k}": v
        for k, v in shop.world.magento_control("GET", "faults")["injected"].items()
    }
    disarm_faults(shop)
    _let_backoff_pass(shop)
    # The scheduler's next ticks, without faults: one to import the last orders, one to push
    # what they changed.
    run_job(shop.app, "order_import", trigger="manual")
    run_job(shop.app, "sync_cycle", trigger="manual")
    run_job(shop.app, "order_import", trigger="manual")
    ae_calls = shop.world.ae_control("GET", "calls")
    report.ae_calls = int(ae_calls["total"])
    report.magento_calls = sum(shop.world.magento_control("GET", "calls").values())
    _check_listings(shop, report)
    _check_orders(shop, report)
    from webapp.models import ApiCall

    with shop.app.app_context():
        report.retries = int(
            db.session.scalar(select(func.count(ApiCall.id)).where(ApiCall.attempt > 1)) or 0
        )
    return report


def _let_backoff_pass(shop: Shop) -> None:
    """Instructions that met a fault wait 30 s per attempt; the soak's cycles are faster than
    that, so time is moved on instead of waited for. Requests the sandbox is still sleeping on
    (a timeout fault) land first, as they would long before a real backoff ends: their
    listings' confirming writes (twice the client timeout later) must come after them."""
    import time

    from sqlalchemy import update

    from webapp.models import Instruction

    time.sleep(TIMEOUT_FAULT_SECONDS + 0.4)
    with shop.app.app_context():
        db.session.execute(update(Instruction).values(not_before=None))
        db.session.commit()


def _check_listings(shop: Shop, report: SoakReport) -> None:
    """AliExpress values against the policies applied to a fresh full read of Magento."""
    from webapp.integrations.aliexpress import adapters
    from webapp.models import Listing
    from webapp.services import listings as svc
    from webapp.services.aliexpress_app import aliexpress_client
    from webapp.services.catalog import import_catalog, scan_stock

    with shop.app.app_context():
        import_catalog(full=True)
        scan_stock()
        db.session.commit()
        account = shop.world.account()
        client = aliexpress_client(account)
        for listing in db.session.scalars(select(Listing)).all():
            if listing.state != "live":
                report.mismatches.append(f"{listing.sku} is {listing.state}: {listing.last_error}")
                continue
            values = svc.compute(listing).values
            product = adapters.get_product(client, account.access_token, listing.ae_product_id)
            actual = {s["sku_code"]: s for s in product["skus"]}
            for sku, price in values.prices.items():
                got = actual.get(sku, {})
                if Decimal(str(got.get("sku_price"))) != Decimal(price):
                    report.lost_updates += 1
                    report.mismatches.append(f"{sku} price {got.get('sku_price')} != {price}")
                quantity = values.quantities[sku]
                if int(got.get("ipm_sku_stock", -1)) != quantity:
                    report.lost_updates += 1
                    report.mismatches.append(
                        f"{sku} stock {got.get('ipm_sku_stock')} != {quantity}"
                    )


def _check_orders(shop: Shop, report: SoakReport) -> None:
    from datetime import timedelta

    from webapp.database import utcnow
    from webapp.integrations.aliexpress import adapters
    from webapp.models import Order
    from webapp.services.aliexpress_app import aliexpress_client

    with shop.app.app_context():
        account = shop.world.account()
        ae_ids = [
            str(o["order_id"])
            for o in adapters.iter_orders(
                aliexpress_client(account),
                account.access_token,
                created_from=utcnow() - timedelta(days=2),
            )
        ]
        local = {
            o.ae_order_id: f"{o.import_state}: {o.failure_reason}; history: "
            + " | ".join(e.message for e in o.events[-6:])
            for o in db.session.scalars(select(Order))
        }
    per_order: dict[str, int] = dict.fromkeys(ae_ids, 0)
    for doc in shop.magento_orders():
        text = " ".join(h["comment"] for h in doc.get("status_histories") or [])
        for ae_id in ae_ids:
            if f"AliExpress order ALIEXP-{ae_id} " in text:
                per_order[ae_id] += 1
    report.duplicate_orders = sum(n - 1 for n in per_order.values() if n > 1)
    report.lost_orders = sum(1 for n in per_order.values() if n == 0)
    for ae_id, n in per_order.items():
        if n != 1:
            state = local.get(ae_id, "never read")
            report.mismatches.append(f"order {ae_id}: {n} Magento orders ({state})")


def soak_config() -> dict[str, Any]:
    """App settings of the soak: short timeouts and backoff so faults cost little time."""
    return {
        "MOUNT_SANDBOXES": True,
        "AE_TIMEOUT": 0.3,
        "AE_BACKOFF": 0.01,
        "AE_RETRIES": 3,
        "MAGENTO_BACKOFF": 0.01,
        "MAGENTO_RETRIES": 3,
    }
