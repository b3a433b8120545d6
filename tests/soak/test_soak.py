"""The fault soak, shortened (``make soak`` runs 1,000 cycles)."""

from __future__ import annotations

from tests.orders.conftest import open_shop
from tests.soak.soak import run_soak, soak_config
from tests.support.world import build_world

SKUS = ("MS-AUR", "MS-BRZ", "24-MB02", "24-MG01", "24-MG02", "24-MB03")


def test_short_fault_soak_loses_and_doubles_nothing(make_live_app):
    app = make_live_app(**soak_config())
    shop = open_shop(build_world(app), SKUS)
    report = run_soak(shop, cycles=25, seed=11, order_rate=0.4)
    print("\n".join(report.lines()))
    assert sum(report.faults_injected.values()) > 0
    assert report.mismatches == [], "\n".join(report.mismatches)
    assert (report.lost_updates, report.duplicate_orders, report.lost_orders) == (0, 0, 0)
    assert report.orders_placed > 0 and report.price_changes + report.stock_changes >= 25
