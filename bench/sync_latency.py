"""P2: seconds from a Magento price change to the new price on AliExpress, scheduler running.

BENCH_LISTINGS generated products are uploaded (live on the AliExpress sandbox), one manual
``sync_cycle`` settles the watermarks, then the app's own APScheduler is started in process
(``start_scheduler``; every registered job runs, as in production). BENCH_SYNC_CHANGES prices are
changed through the Magento sandbox's control API at uniformly random moments over one tick, so
the changes land at every phase of the tick as they would in steady state, and each product is
read back through ``aliexpress.solution.product.info.get`` every POLL_SECONDS until its price
differs from before.

Tick: by default the registry's interval (60 s) with the ordinary ``schedule`` trigger, so the
account's synchronization policy (inventory and price sync every minute) gates it exactly as in
production; the job is rescheduled at start only so that its first tick comes one interval
later instead of at once (the scheduler would otherwise run the tick "missed" since the app was
built). BENCH_TICK_SECONDS sets another interval through the same ``reschedule_job``; the job's
trigger argument is then ``bench`` so the policy's one-minute gate does not skip the extra ticks.

Expect latency = wait for the next tick (uniform over the tick) + the cycle's import, reconcile
and push + the sandbox's feed delay (batch updates apply asynchronously, like AliExpress feeds)
+ up to one poll interval.
"""

from __future__ import annotations

import random
import statistics
import time
from typing import Any

import requests
from sqlalchemy import select

from bench.common import generated_skus, list_products, make_app, percentile, size

POLL_SECONDS = 0.5


def _price_reader(app: Any, account_id: int) -> Any:
    """Reads one SKU's AliExpress price and discount price through the API, without the call
    log the app's clients write (the scheduler's jobs write the same SQLite file)."""
    from webapp.extensions import db
    from webapp.integrations.aliexpress import adapters
    from webapp.integrations.aliexpress.client import AliExpressClient
    from webapp.models.accounts import Account
    from webapp.services.aliexpress_app import client_settings

    with app.app_context():
        token = str(db.session.get(Account, account_id).access_token)
        client = AliExpressClient(requests.Session(), client_settings())
        db.session.remove()

    def read(product_id: str, sku: str) -> tuple[Any, Any]:
        detail = adapters.get_product(client, token, product_id)
        for line in detail["skus"]:
            if line.get("sku_code") == sku:
                return line.get("sku_price"), line.get("sku_discount_price")
        raise LookupError(f"{sku} not on AliExpress product {product_id}")

    return read


def _cycles(app: Any, since: Any) -> list[float]:
    from webapp.extensions import db
    from webapp.models import CronLog

    with app.app_context():
        runs = db.session.scalars(
            select(CronLog).where(
                CronLog.job_code == "sync_cycle",
                CronLog.trigger.in_(("schedule", "bench")),
                CronLog.created_at >= since,
                CronLog.finished_at.is_not(None),
            )
        ).all()
        seconds = [(r.finished_at - r.executed_at).total_seconds() for r in runs if r.executed_at]
        db.session.remove()
    return seconds


def run() -> dict[str, Any]:
    from tests.support.world import build_world
    from webapp.database import utcnow
    from webapp.jobs.runner import run_job
    from webapp.jobs.scheduler import start_scheduler
    from webapp.services.catalog import import_catalog

    listed = size("BENCH_LISTINGS")
    changes = size("BENCH_SYNC_CHANGES")
    from webapp.jobs.registry import get_job

    spec = get_job("sync_cycle")
    assert spec is not None and spec.interval_seconds
    registry_tick = int(spec.interval_seconds)
    tick = size("BENCH_TICK_SECONDS") or registry_tick
    rng = random.Random(8)
    figures: dict[str, Any] = {}
    app, live = make_app(SCHEDULER_ENABLED=True)
    scheduler = app.extensions["scheduler"]
    try:
        world = build_world(app)
        world.magento_control("POST", "generate", {"n": listed + 1_000})
        with app.app_context():
            import_catalog(full=True)
            started = time.perf_counter()
            products = list_products(world, generated_skus(listed))
            figures["listed_skus"] = len(products)
            figures["upload_seconds_per_listing"] = round(
                (time.perf_counter() - started) / max(1, len(products)), 3
            )
            account_id = world.account().id
        # Settle the watermarks (first reconcile of every listing) before the clock starts.
        run_job(app, "sync_cycle", trigger="manual")
        # A cycle with nothing to push, before the scheduler and the polling start: the floor
        # of a tick's own duration on this machine at this many listings.
        started = time.perf_counter()
        run_job(app, "sync_cycle", trigger="manual")
        idle_cycle = time.perf_counter() - started
        read = _price_reader(app, account_id)
        chosen = rng.sample(sorted(products), min(changes, len(products)))
        before = {sku: read(products[sku], sku) for sku in chosen}
        offsets = sorted(rng.uniform(0, tick) for _ in chosen)
        plan = list(zip(offsets, chosen, strict=True))

        since = utcnow()
        # The interval triggers were made with the app, minutes ago: started as they are, the
        # scheduler would run the missed tick at once (coalesced) and keep the app's phase. A
        # fresh trigger, set while the job is still pending, puts the first tick one interval
        # after the start, as in steady state.
        scheduler.reschedule_job("sync_cycle", trigger="interval", seconds=tick)
        if tick != registry_tick:
            scheduler.modify_job("sync_cycle", kwargs={"trigger": "bench"})
        t0 = time.monotonic()
        assert start_scheduler(app), "the scheduler did not start"
        deadline = t0 + 4 * tick + 120
        pending: dict[str, float] = {}
        latencies: list[float] = []
        while (plan or pending) and time.monotonic() < deadline:
            while plan and t0 + plan[0][0] <= time.monotonic():
                _, sku = plan.pop(0)
                price = round(1000 + rng.uniform(0, 500), 2)  # generated prices stay under 255
                world.magento_control("POST", f"products/{sku}", {"price": price})
                pending[sku] = time.monotonic()
            for sku in list(pending):
                if read(products[sku], sku) != before[sku]:
                    latencies.append(time.monotonic() - pending.pop(sku))
            time.sleep(POLL_SECONDS)
        scheduler.shutdown(wait=True)
        cycles = _cycles(app, since)
        feed_delay = world.ae_control("GET", "settings").get("feed_delay")
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        live.stop()
    figures.update(
        {
            "tick_seconds": tick,
            "tick_source": (
                "app's APScheduler, registry interval, schedule trigger (policy-gated)"
                if tick == registry_tick
                else "app's APScheduler, reschedule_job(BENCH_TICK_SECONDS), policy gate bypassed"
            ),
            "changes": len(chosen),
            "seen": len(latencies),
            "missed": len(chosen) - len(latencies),
            "latency_p50_seconds": round(statistics.median(latencies), 1) if latencies else -1,
            "latency_p95_seconds": round(percentile(latencies, 0.95), 1) if latencies else -1,
            "latency_max_seconds": round(max(latencies), 1) if latencies else -1,
            "latency_p95_per_tick": round(percentile(latencies, 0.95) / tick, 2)
            if latencies
            else -1,
            "cycles_during_run": len(cycles),
            "cycle_seconds_median": round(statistics.median(cycles), 1) if cycles else -1,
            "cycle_seconds_max": round(max(cycles), 1) if cycles else -1,
            "idle_cycle_seconds": round(idle_cycle, 1),
            "ae_feed_delay_seconds": feed_delay,
            "poll_seconds": POLL_SECONDS,
        }
    )
    return figures
