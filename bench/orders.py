"""P5: calls and local milliseconds per imported order.

BENCH_ORDERS buyer orders (one to three lines of live generated products, one or two units
each) are placed through the AliExpress sandbox's control API, then
``webapp.services.orders.import_orders`` runs once, as the ``order_import`` job would.

- Calls come from the sandboxes' own counters (AliExpress ``GET /_control/calls`` by API method,
  Magento ``GET /_control/calls`` by route), before and after the import.
- Local time is the import's wall time minus the time the importing thread spent inside
  ``requests.Session.send`` (both sandbox clients use it), per order: the app's own work.
- The HTTP baseline is as many plain GETs of the sandboxes' ``/_control/info`` as the import
  made calls to each, in the same run: the import's wall time against it says how much the
  import costs beyond a bare round trip per call.

Target: at most 3 AliExpress calls per imported order (``order.get`` list pages amortized, one
``order.info.get`` per order). The Magento side costs more by design: the cart flow (create
cart, one add per line, shipping information, place), reading the placed order back, the
comment and the invoice; the per-route breakdown shows each.
"""

from __future__ import annotations

import random
import time
from typing import Any

import requests

from bench.common import (
    HttpTimer,
    ae_calls,
    delta,
    generated_skus,
    list_products,
    magento_calls,
    make_app,
    size,
)

PRODUCTS = 40
AE_TARGET_PER_ORDER = 3


def _baseline(world: Any, ae_gets: int, magento_gets: int) -> float:
    """Seconds for plain GETs of both sandboxes' ``/_control/info``, as many as the calls."""
    http = requests.Session()
    started = time.perf_counter()
    for url, count in ((world.ae, ae_gets), (world.magento, magento_gets)):
        for _ in range(count):
            http.get(f"{url}/_control/info", timeout=30).raise_for_status()
    return time.perf_counter() - started


def run() -> dict[str, Any]:
    from tests.support.world import build_world
    from webapp.services.catalog import import_catalog, scan_stock
    from webapp.services.orders import import_orders

    wanted = size("BENCH_ORDERS")
    rng = random.Random(5)
    figures: dict[str, Any] = {}
    app, live = make_app()
    try:
        world = build_world(app)
        world.magento_control("POST", "generate", {"n": 1_000})
        with app.app_context():
            import_catalog(full=True)
            skus = generated_skus(PRODUCTS)
            for sku in skus:  # enough stock that no order is refused for it
                world.magento_control("POST", f"products/{sku}", {"qty": 100_000})
            scan_stock(skus=skus)
            products = list_products(world, skus)
        live_skus = sorted(products)
        for _ in range(wanted):
            lines = rng.sample(live_skus, k=rng.randint(1, 3))
            items = [
                {"product_id": products[s], "sku_code": s, "quantity": rng.randint(1, 2)}
                for s in lines
            ]
            world.ae_control("POST", "orders", {"items": items, "status": "WAIT_SELLER_SEND_GOODS"})

        ae_before, magento_before = ae_calls(world), magento_calls(world)
        with app.app_context():
            account = world.account()
            timer = HttpTimer()
            with timer.installed():
                started = time.perf_counter()
                result = import_orders(account)
                wall = time.perf_counter() - started
        ae_used = delta(ae_calls(world), ae_before)
        magento_used = delta(magento_calls(world), magento_before)
        ae_total, magento_total = sum(ae_used.values()), sum(magento_used.values())
        baseline = _baseline(world, ae_total, magento_total)
    finally:
        live.stop()

    orders = max(1, result.created_in_magento)
    figures.update(
        {
            "orders_placed": wanted,
            "orders_read": result.seen,
            "orders_imported": result.created_in_magento,
            "orders_failed": result.failed,
            "ae_calls_per_order": round(ae_total / orders, 2),
            "ae_calls_target_per_order": AE_TARGET_PER_ORDER,
            "magento_calls_per_order": round(magento_total / orders, 2),
            "local_ms_per_order": round((wall - timer.seconds) * 1000 / orders, 1),
            "http_ms_per_order": round(timer.seconds * 1000 / orders, 1),
            "import_ms_per_order": round(wall * 1000 / orders, 1),
            "http_requests_timed": timer.requests,
            "baseline_ms_per_get": round(baseline * 1000 / max(1, ae_total + magento_total), 2),
            "import_vs_http_baseline_ratio": round(wall / baseline, 2) if baseline else -1,
        }
    )
    for api, count in sorted(ae_used.items()):
        figures[f"ae_api[{api}]_per_order"] = round(count / orders, 3)
    for route, count in sorted(magento_used.items()):
        figures[f"magento_route[{route}]_per_order"] = round(count / orders, 3)
    return figures
