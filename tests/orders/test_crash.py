"""Exactly once under crashes: the import is SIGKILLed at every step boundary, in a subprocess,
and restarted; each AliExpress order then exists exactly once in Magento."""

from __future__ import annotations

import signal

import pytest
from sqlalchemy import func, select

from tests.orders.conftest import open_shop
from tests.orders.crash_worker import IMPORT_BOUNDARIES, run_worker
from tests.support.world import build_world
from webapp.extensions import db
from webapp.models import Order

#: every step boundary of the import (see webapp/services/crashpoints.py)
BOUNDARIES = IMPORT_BOUNDARIES


@pytest.fixture
def crash_shop(make_live_app):
    app = make_live_app(MOUNT_SANDBOXES=True, AE_BACKOFF=0.01, MAGENTO_BACKOFF=0.01)
    return open_shop(build_world(app))


def magento_orders_by_ae_id(shop, ae_ids):
    """AliExpress id -> number of Magento orders whose history names it."""
    counts = dict.fromkeys(ae_ids, 0)
    for order in shop.magento_orders():
        text = " ".join(h["comment"] for h in order.get("status_histories") or [])
        for ae_id in ae_ids:
            if ae_id in text:
                counts[ae_id] += 1
    return counts


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_killed_at_each_step_boundary_then_restarted_creates_each_order_once(crash_shop, boundary):
    shop = crash_shop
    salable_before = shop.salable("24-MB02")
    ae_ids: list[str] = []
    # Round one dies at the first order's boundary, round two at the second order's.
    for point in (boundary, f"{boundary}:2"):
        ae_ids += [shop.order(("24-MB02", 1)), shop.order(("MS-AUR-M-Black", 1), ("24-MG01", 1))]
        code = run_worker(shop.app, point)
        assert code == -signal.SIGKILL, f"never reached {point}"
        assert run_worker(shop.app) == 0
    assert len(shop.magento_orders()) == len(ae_ids) == 4
    assert magento_orders_by_ae_id(shop, ae_ids) == dict.fromkeys(ae_ids, 1)
    assert shop.salable("24-MB02") == salable_before - 2
    with shop.app.app_context():
        rows = db.session.scalars(select(Order)).all()
        assert sorted(o.ae_order_id for o in rows) == sorted(ae_ids)
        assert {o.import_state for o in rows} == {"imported"}
        assert len({o.magento_order_id for o in rows}) == 4
        assert all(o.commented and o.invoiced for o in rows)
        assert db.session.scalar(select(func.count(Order.id))) == 4
