"""Order import into Magento on both sandboxes: each order policy option, stock, statuses."""

from __future__ import annotations

from sqlalchemy import select

from webapp.extensions import db
from webapp.jobs.runner import run_job
from webapp.models import Order


def imported(shop, ae_id):
    return db.session.scalar(select(Order).where(Order.ae_order_id == ae_id))


def test_paid_order_becomes_a_magento_order_that_reserves_stock(shop):
    before = shop.salable("24-MB02")
    ae_id = shop.order(("24-MB02", 2), ("MS-AUR-S-Red", 1))
    run_job(shop.app, "order_import", trigger="manual")
    with shop.app.app_context():
        order = imported(shop, ae_id)
        assert order.import_state == "imported", order.failure_reason
        assert order.magento_increment_id
        assert [(i.magento_sku, i.quantity) for i in order.items] == [
            ("24-MB02", 2),
            ("MS-AUR-S-Red", 1),
        ]
    assert shop.salable("24-MB02") == before - 2
    [magento_order] = shop.magento_orders()
    assert magento_order["increment_id"] == order.magento_increment_id
    comments = " ".join(h["comment"] for h in magento_order["status_histories"])
    assert f"ALIEXP-{ae_id}" in comments
    assert magento_order["total_invoiced"] == magento_order["grand_total"]
    # Importing again creates nothing new.
    run_job(shop.app, "order_import", trigger="manual")
    assert len(shop.magento_orders()) == 1
