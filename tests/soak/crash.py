"""The random crash test: the order import and the push are SIGKILLed at random step
boundaries (in a subprocess, each time the n-th passage of a random boundary) while prices,
stocks and orders change, and restarted; then the soak's invariants are checked."""

from __future__ import annotations

import random
import signal
from dataclasses import dataclass, field

import requests

from tests.orders.conftest import Shop
from tests.orders.crash_worker import IMPORT_BOUNDARIES, PUSH_BOUNDARIES, run_worker
from tests.soak.soak import SoakReport, _check_listings, _check_orders, _let_backoff_pass


@dataclass
class CrashReport:
    points: int = 0
    killed: int = 0
    not_reached: int = 0
    by_boundary: dict[str, int] = field(default_factory=dict)
    soak: SoakReport = field(default_factory=SoakReport)

    def lines(self) -> list[str]:
        where = ", ".join(f"{k} {v}" for k, v in sorted(self.by_boundary.items()))
        return [
            f"crash points: {self.killed} kills in {self.points} runs "
            f"({self.not_reached} runs did not pass their random boundary)",
            f"kills by boundary: {where}",
            f"orders placed: {self.soak.orders_placed}",
            f"lost updates: {self.soak.lost_updates}",
            f"duplicate orders: {self.soak.duplicate_orders}",
            f"lost orders: {self.soak.lost_orders}",
        ]


def run_crashes(shop: Shop, points: int, *, seed: int = 5) -> CrashReport:
    rng = random.Random(seed)
    report = CrashReport()
    boundaries = IMPORT_BOUNDARIES + PUSH_BOUNDARIES
    skus = _live_skus(shop)
    # ``points`` kills; a random boundary may not be passed in a run (no order that tick),
    # so up to three times as many tries.
    while report.killed < points and report.points < points * 3:
        for sku in rng.sample(skus, k=2):
            change = (
                {"price": round(rng.uniform(5, 120), 2)}
                if rng.random() < 0.5
                else {"qty": rng.randint(3, 40)}
            )
            shop.world.magento_control("POST", f"products/{sku}", change)
        if rng.random() < 0.7:
            try:
                shop.world.ae_control("POST", "orders/simulate", {"count": rng.randint(1, 2)})
                report.soak.orders_placed += 1
            except requests.HTTPError:
                pass  # nothing in stock on AliExpress right now
        boundary = rng.choice(boundaries)
        point = f"{boundary}:{1 if rng.random() < 0.75 else 2}"
        report.points += 1
        if run_worker(shop.app, point, "cycle") == -signal.SIGKILL:
            report.killed += 1
            report.by_boundary[boundary] = report.by_boundary.get(boundary, 0) + 1
        else:
            report.not_reached += 1
        assert run_worker(shop.app, None, "cycle") == 0  # the restart
    _let_backoff_pass(shop)
    # One more tick for the orders the last restart imported (their stock change to push).
    assert run_worker(shop.app, None, "cycle") == 0
    _check_listings(shop, report.soak)
    _check_orders(shop, report.soak)
    return report


def _live_skus(shop: Shop) -> list[str]:
    from tests.soak.soak import _skus

    return _skus(shop)
