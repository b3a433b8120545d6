"""Random crash points, shortened (``make soak`` runs 50)."""

from __future__ import annotations

from tests.orders.conftest import open_shop
from tests.soak.crash import run_crashes
from tests.support.world import build_world

SKUS = ("MS-AUR", "24-MB02", "24-MG01", "24-MG02")


def test_killed_at_random_points_loses_and_doubles_nothing(make_live_app):
    app = make_live_app(MOUNT_SANDBOXES=True, AE_BACKOFF=0.01, MAGENTO_BACKOFF=0.01)
    shop = open_shop(build_world(app), SKUS)
    shop.policy(allow_out_of_stock_or_disabled=True)
    report = run_crashes(shop, points=5, seed=13)
    print("\n".join(report.lines()))
    assert report.killed == 5, report.lines()
    assert report.soak.mismatches == [], "\n".join(report.soak.mismatches)
