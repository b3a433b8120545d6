"""Listing and sync benchmarks (issues 6 and 8): counts and ratios against baselines of the same
run, each benchmark in its own app (own SQLite file and sandboxes).

- P1: AliExpress calls for N changed SKUs against ceil(N / 20), the batch limit; and the calls
  of a sync cycle with no change (must be 0).
- P3: full catalog import and full reconcile of BENCH_PRODUCTS generated products, each per
  product against merely fetching and JSON-decoding the same Magento pages, and the peak
  ``tracemalloc`` memory of each. Decoding and reconcile are timed untraced and traced in a
  second pass (reconcile only flushes, so a rollback lets the second pass redo the same work);
  the import is timed while traced, which costs it about 2%. Tracing slows reconcile about 4x,
  which at 100,000 products is most of an hour: ``BENCH_TRACE_RECONCILE=0`` skips the traced
  pass and reports instead how far the process's resident memory grew during the timed one
  (sampled every 20 ms from ``/proc/self/statm``, no slowdown).
- P4: products grid median response at BENCH_PRODUCTS listings against the ``/health`` endpoint.
"""

from __future__ import annotations

import math
import os
import statistics
import threading
import time
import tracemalloc
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import insert, select

from bench.common import (
    bench_template,
    generated_skus,
    list_products,
    login,
    make_app,
    size,
)

N_CHANGED = 45
BATCH_LIMIT = 20
T = TypeVar("T")


def _calls(world: Any) -> int:
    return int(world.ae_control("GET", "calls")["total"])


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _rss_growth(func: Callable[[], T]) -> tuple[T, float, float]:
    """``func()``, its seconds and how far resident memory rose above its level at the start
    (MiB), sampled by a thread every 20 ms."""
    start = peak = _rss_mib()
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.02):
            peak = max(peak, _rss_mib())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        started = time.perf_counter()
        value = func()
        seconds = time.perf_counter() - started
    finally:
        done.set()
        sampler.join()
    return value, seconds, max(peak, _rss_mib()) - start


def _traced(func: Callable[[], T]) -> tuple[T, float, float]:
    """``func()``, its seconds and its peak traced memory in MiB."""
    tracemalloc.start()
    try:
        started = time.perf_counter()
        value = func()
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return value, seconds, peak / 2**20


def p1() -> dict[str, Any]:
    from tests.support.world import build_world
    from webapp.jobs.runner import run_job
    from webapp.services.catalog import import_catalog

    figures: dict[str, Any] = {}
    app, live = make_app()
    try:
        world = build_world(app)
        world.magento_control("POST", "generate", {"n": 300})
        with app.app_context():
            import_catalog(full=True)
            skus = sorted(list_products(world, generated_skus(60)))
        for index, sku in enumerate(skus[:N_CHANGED]):
            world.magento_control("POST", f"products/{sku}", {"price": 100 + index})
        before = _calls(world)
        run_job(app, "sync_cycle", trigger="manual")
        figures["changed_skus"] = N_CHANGED
        figures["calls_for_changes"] = _calls(world) - before
        figures["calls_expected"] = math.ceil(N_CHANGED / BATCH_LIMIT)
        before = _calls(world)
        run_job(app, "sync_cycle", trigger="manual")
        figures["calls_no_change"] = _calls(world) - before
    finally:
        live.stop()
    return figures


def p3() -> dict[str, Any]:
    from tests.support.world import build_world
    from webapp.extensions import db
    from webapp.models.listings import Listing
    from webapp.services import listings as svc
    from webapp.services.catalog import import_catalog
    from webapp.services.store import magento

    products = size("BENCH_PRODUCTS")
    figures: dict[str, Any] = {}
    app, live = make_app()
    try:
        world = build_world(app)
        world.magento_control("POST", "generate", {"n": products})
        with app.app_context():
            template = bench_template(world.account(), world.base + "/static/placeholder.png")
            db.session.commit()

            def decode() -> int:
                items = magento(record=False).products.iter_products(page_size=100)
                return sum(1 for _ in items)

            started = time.perf_counter()
            decoded = decode()
            decode_seconds = time.perf_counter() - started
            _, _, decode_peak = _traced(decode)

            def full_import() -> int:
                result = import_catalog(full=True)
                db.session.commit()
                return result.imported

            # Traced while timed: the import waits on HTTP and SQLite, tracing costs it ~2%.
            imported, import_seconds, import_peak = _traced(full_import)
            figures["catalog_products"] = imported
            figures["decode_products_per_second"] = round(decoded / decode_seconds)
            figures["decode_peak_memory_mib"] = round(decode_peak, 1)
            figures["import_products_per_second"] = round(imported / import_seconds)
            figures["import_vs_decode_ratio"] = round(
                (import_seconds / imported) / (decode_seconds / decoded), 2
            )
            figures["import_peak_memory_mib"] = round(import_peak, 1)

            # Every product listed and live; pushed fingerprints unknown, so a full reconcile
            # computes each one and writes its instructions (the worst case of a cycle).
            svc.assign_products(template, generated_skus(products))
            db.session.commit()
            db.session.execute(
                Listing.__table__.update()
                .where(Listing.state == "not_uploaded")
                .values(state="live", ae_product_id="1", last_synced_at=None)
            )
            db.session.commit()
            account = world.account()
            counts, reconcile_seconds, rss_growth = _rss_growth(
                lambda: svc.reconcile(account, full=True)
            )
            db.session.rollback()  # reconcile only flushes: the traced pass does the same work
            # Timed untraced (tracing slows this pure-Python loop about 4x), then traced apart.
            if os.environ.get("BENCH_TRACE_RECONCILE", "1") != "0":
                _, _, reconcile_peak = _traced(lambda: svc.reconcile(account, full=True))
                db.session.rollback()
                figures["reconcile_peak_memory_mib"] = round(reconcile_peak, 1)
            figures["reconcile_rss_growth_mib"] = round(rss_growth, 1)
            checked = counts["checked"]
            figures["reconcile_listings"] = checked
            figures["reconcile_listings_per_second"] = round(checked / reconcile_seconds)
            figures["reconcile_vs_decode_ratio"] = round(
                (reconcile_seconds / checked) / (decode_seconds / decoded), 2
            )
    finally:
        live.stop()
    return figures


def p4() -> dict[str, Any]:
    from tests.support.world import build_world
    from webapp.extensions import db
    from webapp.models.listings import Listing
    from webapp.services.users import create_user

    rows_n = size("BENCH_PRODUCTS")
    app, live = make_app()
    try:
        world = build_world(app)
        with app.app_context():
            account = world.account()
            template = bench_template(account, world.base + "/static/placeholder.png")
            rows = [
                {
                    "account_id": account.id,
                    "template_id": template.id,
                    "sku": f"BENCH-{i:07d}",
                    "name": f"Bench product {i}",
                    "state": "live" if i % 3 else "not_uploaded",
                    "magento_price": 10 + i % 90,
                    "magento_qty": i % 50,
                    "assigned_by": "manual",
                    "fingerprints": {},
                    "pushed": {},
                    "issues": [],
                }
                for i in range(rows_n)
            ]
            for start in range(0, len(rows), 10_000):
                db.session.execute(insert(Listing), rows[start : start + 10_000])
            create_user("bench@example.com", "bench-password-1", "viewer")
            db.session.commit()
            total = db.session.scalar(select(db.func.count()).select_from(Listing))
        client = app.test_client()
        login(client, "bench@example.com", "bench-password-1")

        def median_ms(url: str) -> float:
            samples = []
            for _ in range(7):
                started = time.perf_counter()
                assert client.get(url).status_code == 200
                samples.append((time.perf_counter() - started) * 1000)
            return statistics.median(samples)

        health = median_ms("/health")
        grid = median_ms("/products/?f_state=live&sort=name&page=50")
    finally:
        live.stop()
    return {
        "grid_rows": total,
        "grid_median_ms": round(grid, 1),
        "health_median_ms": round(health, 1),
        "grid_vs_health_ratio": round(grid / health, 1),
    }
