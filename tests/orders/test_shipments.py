"""Shipments and cancellations flow back: Magento shipment -> AliExpress tracking with the
mapped carrier, full or partial; an AliExpress cancellation -> the Magento order."""

from __future__ import annotations

from sqlalchemy import select

from webapp.extensions import db
from webapp.jobs.runner import run_job
from webapp.models import Order
from webapp.services.store import magento

UPS = [{"magento_carrier": "ups", "aliexpress_carrier": "UPS", "tracking_url": None}]


def local(shop, ae_id) -> Order:
    return db.session.scalar(select(Order).where(Order.ae_order_id == ae_id))


def ship_in_magento(shop, ae_id, carrier="ups", number="1Z999AA10123456784", items=None):
    with shop.app.app_context():
        order = local(shop, ae_id)
        assert order.import_state == "imported", order.failure_reason
        mage = magento()
        lines = None
        if items is not None:
            doc = mage.orders.get(order.magento_order_id)
            lines = [
                {"order_item_id": i["item_id"], "qty": qty}
                for i in doc["items"]
                for sku, qty in items
                if i["sku"] == sku and not i.get("parent_item_id")
            ]
        return mage.orders.ship(
            order.magento_order_id,
            tracks=[{"track_number": number, "title": carrier.upper(), "carrier_code": carrier}],
            items=lines,
        )


def test_magento_shipment_reaches_aliexpress_with_the_mapped_carrier(shop):
    shop.policy(carrier_mappings=UPS)
    ae_id = shop.order(("24-MB02", 1))
    shop.import_orders()
    ship_in_magento(shop, ae_id)
    run_job(shop.app, "shipment_sync", trigger="manual")
    detail = shop.ae_order(ae_id)
    assert detail["order_status"] == "WAIT_BUYER_ACCEPT_GOODS"
    [sent] = detail["shipments"]
    assert (sent["logistics_no"], sent["logistics_service_name"]) == ("1Z999AA10123456784", "UPS")
    # Running again sends nothing twice.
    run_job(shop.app, "shipment_sync", trigger="manual")
    assert len(shop.ae_order(ae_id)["shipments"]) == 1
    with shop.app.app_context():
        [shipment] = local(shop, ae_id).shipments
        assert (shipment.state, shipment.send_type, shipment.source) == ("pushed", "all", "magento")


def test_partial_shipment_is_sent_as_part(shop):
    shop.policy(carrier_mappings=UPS)
    ae_id = shop.order(("24-MB02", 1), ("24-MG01", 1))
    shop.import_orders()
    ship_in_magento(shop, ae_id, items=[("24-MB02", 1)])
    run_job(shop.app, "shipment_sync", trigger="manual")
    detail = shop.ae_order(ae_id)
    assert detail["order_status"] == "SELLER_PART_SEND_GOODS"
    ship_in_magento(shop, ae_id, number="1Z999AA10123456785", items=[("24-MG01", 1)])
    run_job(shop.app, "shipment_sync", trigger="manual")
    detail = shop.ae_order(ae_id)
    assert detail["order_status"] == "WAIT_BUYER_ACCEPT_GOODS"
    assert [s["logistics_no"] for s in detail["shipments"]] == [
        "1Z999AA10123456784",
        "1Z999AA10123456785",
    ]


def test_unmapped_carrier_fails_with_the_reason_then_goes_once_mapped(shop):
    ae_id = shop.order(("24-MB02", 1))
    shop.import_orders()
    ship_in_magento(shop, ae_id, carrier="dhl")
    run_job(shop.app, "shipment_sync", trigger="manual")
    assert shop.ae_order(ae_id)["shipments"] == []
    with shop.app.app_context():
        [shipment] = local(shop, ae_id).shipments
        assert shipment.state == "failed"
        assert "Magento carrier 'dhl'" in shipment.error
    shop.policy(
        carrier_mappings=[
            {"magento_carrier": "dhl", "aliexpress_carrier": "DHL", "tracking_url": None}
        ]
    )
    run_job(shop.app, "shipment_sync", trigger="manual")
    assert [s["logistics_service_name"] for s in shop.ae_order(ae_id)["shipments"]] == ["DHL"]


def test_aliexpress_cancellation_cancels_the_magento_order(shop):
    shop.policy(invoice_creation=False)
    ae_id = shop.order(("24-MB02", 1))
    shop.import_orders()
    salable = shop.salable("24-MB02")
    shop.world.ae_control("POST", f"orders/{ae_id}/status", {"status": "IN_CANCEL"})
    shop.import_orders()
    with shop.app.app_context():
        order = local(shop, ae_id)
        assert order.magento_status == "canceled"
        doc = magento().orders.get(order.magento_order_id)
    assert doc["state"] == "canceled"
    # The reservation is released.
    assert shop.salable("24-MB02") == salable + 1


def test_cancellation_of_an_invoiced_order_is_flagged_not_lost(shop):
    ae_id = shop.order(("24-MB02", 1))
    shop.import_orders()
    shop.world.ae_control("POST", f"orders/{ae_id}/status", {"status": "IN_CANCEL"})
    shop.import_orders()
    with shop.app.app_context():
        order = local(shop, ae_id)
        assert order.magento_status != "canceled"
        assert "asked AliExpress to cancel" in order.attention
        assert magento().orders.get(order.magento_order_id)["state"] != "canceled"
