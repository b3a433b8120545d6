"""Every order policy option, end to end on both sandboxes: what Magento shows after an import
(orders, customers, products, invoices, statuses, comments, stock), what the Order row tells the
user, and the notification e-mail as a real SMTP server receives it."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from tests.orders.conftest import (
    delete_from_magento,
    open_shop,
    product_exists,
    retry,
    row,
    run_import,
    set_policy,
)
from tests.support.world import build_world
from webapp.extensions import db
from webapp.models import Order
from webapp.models.store import CatalogProduct
from webapp.services.catalog import import_catalog
from webapp.services.store import magento

BUYER_EMAIL = "jane.doe@example.com"  # the sandbox's first seed buyer


# -- helpers ------------------------------------------------------------------------------------


def magento_order(shop, entity_id: int) -> dict:
    with shop.app.app_context():
        return magento().orders.get(entity_id)


def magento_skus(doc: dict) -> list[str]:
    return [i["sku"] for i in doc["items"] if "parent_item_id" not in i]


def comments(doc: dict) -> str:
    return "\n".join(h["comment"] for h in doc["status_histories"])


def set_ae_status(shop, ae_id: str, status: str) -> None:
    shop.world.ae_control("POST", f"orders/{ae_id}/status", {"status": status})


# -- create order in Magento --------------------------------------------------------------------


def test_create_order_in_magento_off_records_the_order_but_creates_nothing(shop):
    set_policy(shop, create_order_in_magento=False)
    ae_id = shop.order(("24-MB02", 1))
    run_import(shop)
    order = row(shop, ae_id)
    assert order.state == "not_created"
    assert order.magento_order_id is None
    assert shop.magento_orders() == []


def test_create_order_in_magento_on_creates_the_order(shop):
    set_policy(shop, create_order_in_magento=True)
    ae_id = shop.order(("24-MB02", 1))
    run_import(shop)
    order = row(shop, ae_id)
    assert order.state == "imported", order.reason
    [doc] = shop.magento_orders()
    assert doc["entity_id"] == order.magento_order_id
    assert magento_skus(doc) == ["24-MB02"]


# -- create order when --------------------------------------------------------------------------


def test_create_order_when_waits_for_the_status_then_creates(shop):
    set_policy(shop, create_order_when="WAIT_SELLER_SEND_GOODS")
    ae_id = shop.order(("24-MB02", 1), status="PLACE_ORDER_SUCCESS")
    run_import(shop)
    assert row(shop, ae_id).state == "waiting"
    assert shop.magento_orders() == []

    set_ae_status(shop, ae_id, "WAIT_SELLER_SEND_GOODS")
    run_import(shop)
    order = row(shop, ae_id)
    assert order.state == "imported", order.reason
    [doc] = shop.magento_orders()
    assert doc["entity_id"] == order.magento_order_id


def test_create_order_when_sees_a_status_change_within_the_same_second(shop):
    set_policy(shop, create_order_when="WAIT_SELLER_SEND_GOODS")
    time.sleep(1.02 - time.time() % 1)  # start at a fresh second: all below happens within it
    started = int(time.time())
    ae_id = shop.order(("24-MB02", 1), status="PLACE_ORDER_SUCCESS")
    run_import(shop)
    assert row(shop, ae_id).state == "waiting"
    set_ae_status(shop, ae_id, "WAIT_SELLER_SEND_GOODS")  # paid within the same second
    assert int(time.time()) == started, "the setup took longer than a second"
    run_import(shop)
    order = row(shop, ae_id)
    assert order.state == "imported", order.reason
    assert len(shop.magento_orders()) == 1


def test_create_order_when_an_earlier_status_creates_at_once(shop):
    set_policy(shop, create_order_when="PLACE_ORDER_SUCCESS")
    ae_id = shop.order(("24-MB02", 1), status="PLACE_ORDER_SUCCESS")
    run_import(shop)
    order = row(shop, ae_id)
    assert order.state == "imported", order.reason
    assert len(shop.magento_orders()) == 1


# -- alternate SKU attribute --------------------------------------------------------------------


def _warehouse_product(shop, sku: str, *, url_key: str) -> None:
    """A Magento product whose url_key (a text attribute) holds the AliExpress sku_code."""
    with shop.app.app_context():
        mage = magento()
        mage.products.create(
            {
                "sku": sku,
                "name": "Warehouse gear",
                "attribute_set_id": 4,
                "price": 20,
                "status": 1,
                "visibility": 4,
                "type_id": "simple",
                "weight": 1,
                "custom_attributes": [{"attribute_code": "url_key", "value": url_key}],
            }
        )
        mage.inventory.save_source_items(
            [{"sku": sku, "source_code": "default", "quantity": 10, "status": 1}]
        )
        import_catalog(full=True)
        db.session.commit()


def test_alternate_sku_attribute_matches_the_aliexpress_sku_code(shop):
    # The AliExpress listing's sku_code "24-MG01" is no longer a Magento SKU: the warehouse
    # product WH-GEAR-7 carries it in its url_key attribute instead.
    delete_from_magento(shop, "24-MG01")
    _warehouse_product(shop, "WH-GEAR-7", url_key="24-MG01")

    set_policy(shop, alternate_sku_attribute=None)
    ae_id = shop.order(("24-MG01", 1))
    run_import(shop)
    assert row(shop, ae_id).state == "failed"
    assert shop.magento_orders() == []

    with shop.app.app_context():
        cached = db.session.scalar(select(CatalogProduct).where(CatalogProduct.sku == "WH-GEAR-7"))
        assert cached.attributes["url_key"]["value"] == "24-MG01"

    set_policy(shop, alternate_sku_attribute="url_key")
    assert retry(shop, ae_id)["imported"] == 1
    order = row(shop, ae_id)
    assert order.state == "imported", order.reason
    assert order.items == [("24-MG01", "WH-GEAR-7", 1)]
    [doc] = shop.magento_orders()
    assert magento_skus(doc) == ["WH-GEAR-7"]


# -- if product does not exist ------------------------------------------------------------------


# "Do not create": tests/orders/test_bad_input.py::test_sku_matching_nothing (fail, then retry).


def test_missing_product_create_product_and_order_makes_a_placeholder(shop):
    delete_from_magento(shop, "24-MG01")
    assert not product_exists(shop, "24-MG01")
    set_policy(shop, if_product_not_exist="create_product_and_order")
    ae_id = shop.order(("24-MG01", 2))
    run_import(shop)
    order = row(shop, ae_id)
    assert order.state == "imported", order.reason
    with shop.app.app_context():
        placeholder = magento().products.get("24-MG01")
    assert placeholder["type_id"] == "simple"
    assert placeholder["visibility"] == 1  # not visible individually
    [doc] = shop.magento_orders()
    assert magento_skus(doc) == ["24-MG01"]
    assert [i["qty_ordered"] for i in doc["items"]] == [2]


# -- out of stock or disabled -------------------------------------------------------------------


def test_out_of_stock_refused_when_not_allowed(shop):
    assert shop.salable("24-MB01") == 1
    set_policy(shop, allow_out_of_stock_or_disabled=False)
    ae_id = shop.order(("24-MB01", 2))
    run_import(shop)
    order = row(shop, ae_id)
    assert order.state == "failed"
    assert "out of stock" in order.reason
    assert order.reason == (
        "Magento product 24-MB01 is out of stock (1 salable, 2 ordered); the order policy "
        "refuses such orders."
    )
    assert shop.magento_orders() == []
    assert shop.salable("24-MB01") == 1


def test_out_of_stock_created_when_allowed_and_salable_ends_at_zero(shop):
    assert shop.salable("24-MB01") == 1
    set_policy(shop, allow_out_of_stock_or_disabled=True)
    ae_id = shop.order(("24-MB01", 2))
    run_import(shop)
    order = row(shop, ae_id)
    assert order.state == "imported", order.reason
    [doc] = shop.magento_orders()
    assert magento_skus(doc) == ["24-MB01"]
    assert [i["qty_ordered"] for i in doc["items"]] == [2]
    assert shop.salable("24-MB01") == 0


# -- customer mode ------------------------------------------------------------------------------


def test_customer_mode_guest(shop):
    set_policy(shop, customer_mode="guest")
    ae_id = shop.order(("24-MB02", 1), buyer={"email": "guest.buyer@example.com"})
    run_import(shop)
    order = row(shop, ae_id)
    assert order.state == "imported", order.reason
    doc = magento_order(shop, order.magento_order_id)
    assert doc["customer_is_guest"] == 1
    assert doc["customer_email"] == "guest.buyer@example.com"
    with shop.app.app_context():
        assert magento().customers.find_by_email("guest.buyer@example.com") is None


def test_customer_mode_real_creates_the_buyer_as_a_customer(shop):
    email = "real.buyer@example.com"
    set_policy(shop, customer_mode="real")
    with shop.app.app_context():
        assert magento().customers.find_by_email(email) is None
    ae_id = shop.order(("24-MB02", 1), buyer={"email": email})
    run_import(shop)
    order = row(shop, ae_id)
    assert order.state == "imported", order.reason
    with shop.app.app_context():
        customer = magento().customers.find_by_email(email)
    assert customer is not None
    doc = magento_order(shop, order.magento_order_id)
    assert doc["customer_is_guest"] == 0
    assert doc["customer_email"] == email
    assert int(doc["customer_id"]) == int(customer["id"])


def test_customer_mode_fixed_puts_every_order_on_one_customer(shop):
    fixed = "marketplace@example.com"
    with shop.app.app_context():
        customer = magento().customers.create(
            {
                "email": fixed,
                "firstname": "Market",
                "lastname": "Place",
                "website_id": 1,
                "group_id": 1,
            }
        )
    set_policy(shop, customer_mode="fixed", customer_email=fixed)
    first = shop.order(("24-MB02", 1), buyer={"email": "one@example.com"})
    second = shop.order(("24-MG01", 1), buyer={"email": "two@example.com"})
    run_import(shop)
    for ae_id in (first, second):
        order = row(shop, ae_id)
        assert order.state == "imported", order.reason
        doc = magento_order(shop, order.magento_order_id)
        assert doc["customer_is_guest"] == 0
        assert doc["customer_email"] == fixed
        assert int(doc["customer_id"]) == int(customer["id"])
    assert len(shop.magento_orders()) == 2
    with shop.app.app_context():
        assert magento().customers.find_by_email("one@example.com") is None


def test_customer_mode_fixed_with_an_unknown_customer_fails(shop):
    set_policy(shop, customer_mode="fixed", customer_email="nobody@example.com")
    ae_id = shop.order(("24-MB02", 1))
    run_import(shop)
    order = row(shop, ae_id)
    assert order.state == "failed"
    assert order.reason == (
        "The order policy's customer nobody@example.com does not exist in Magento."
    )
    assert shop.magento_orders() == []


# -- payment and shipping method ----------------------------------------------------------------


def test_payment_method_is_the_policys(shop):
    set_policy(shop, magento_payment_method="banktransfer")
    ae_id = shop.order(("24-MB02", 1))
    run_import(shop)
    order = row(shop, ae_id)
    assert order.state == "failed"
    assert order.reason == "Magento: The requested Payment Method is not available."
    assert shop.magento_orders() == []

    set_policy(shop, magento_payment_method="checkmo")
    assert retry(shop, ae_id)["imported"] == 1
    [doc] = shop.magento_orders()
    assert doc["payment"]["method"] == "checkmo"


def test_shipping_method_is_the_policys(shop):
    set_policy(shop, magento_shipping_method="tablerate_bestway")
    ae_id = shop.order(("24-MB02", 1))
    run_import(shop)
    order = row(shop, ae_id)
    assert order.state == "failed"
    assert order.reason == ("Magento: Carrier with such method not found: tablerate, bestway")
    assert shop.magento_orders() == []

    set_policy(shop, magento_shipping_method="flatrate_flatrate")
    assert retry(shop, ae_id)["imported"] == 1
    [doc] = shop.magento_orders()
    assert doc["extension_attributes"]["shipping_assignments"][0]["shipping"]["method"] == (
        "flatrate_flatrate"
    )


# -- invoice ------------------------------------------------------------------------------------


@pytest.mark.parametrize("invoice", [True, False])
def test_invoice_creation(shop, invoice):
    set_policy(shop, invoice_creation=invoice)
    ae_id = shop.order(("24-MB02", 1))
    run_import(shop)
    order = row(shop, ae_id)
    assert order.state == "imported", order.reason
    doc = magento_order(shop, order.magento_order_id)
    if invoice:
        assert doc["total_invoiced"] == doc["grand_total"] > 0
    else:
        assert not doc.get("total_invoiced")


# -- status mapping -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mappings", "expected"),
    [
        (None, "complete"),  # the default mapping
        (
            [
                {"aliexpress_status": "WAIT_SELLER_SEND_GOODS", "magento_status": "processing"},
                {"aliexpress_status": "WAIT_BUYER_ACCEPT_GOODS", "magento_status": "holded"},
            ],
            "holded",
        ),
    ],
)
def test_status_mapping_follows_the_aliexpress_status(shop, mappings, expected):
    if mappings is not None:
        set_policy(shop, status_mappings=mappings)
    ae_id = shop.order(("24-MB02", 1))
    run_import(shop)
    order = row(shop, ae_id)
    assert order.state == "imported", order.reason
    assert magento_order(shop, order.magento_order_id)["status"] == "processing"

    set_ae_status(shop, ae_id, "WAIT_BUYER_ACCEPT_GOODS")
    run_import(shop)
    doc = magento_order(shop, order.magento_order_id)
    assert doc["status"] == expected
    latest = doc["status_histories"][0]
    assert latest["status"] == expected
    assert "WAIT_BUYER_ACCEPT_GOODS" in latest["comment"]
    assert len(shop.magento_orders()) == 1


# -- order id prefix ----------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["SHOP7-", ""])
def test_order_id_prefix_in_the_magento_order_comment(shop, prefix):
    set_policy(shop, order_id_prefix=prefix)
    ae_id = shop.order(("24-MB02", 1))
    run_import(shop)
    order = row(shop, ae_id)
    assert order.state == "imported", order.reason
    text = comments(magento_order(shop, order.magento_order_id))
    assert f"AliExpress order {prefix}{ae_id} " in text
    assert "ALIEXP-" not in text


# -- notification -------------------------------------------------------------------------------


def test_order_notification_mails_the_notification_address(make_live_app, smtp):
    port, messages = smtp
    app = make_live_app(
        MOUNT_SANDBOXES=True,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        AE_BACKOFF=0.01,
        MAGENTO_BACKOFF=0.01,
    )
    shop = open_shop(build_world(app))

    set_policy(shop, order_notification=False, notification_email="orders@example.com")
    quiet = shop.order(("24-MB02", 1))
    run_import(shop)
    assert row(shop, quiet).state == "imported"
    assert messages == []

    set_policy(shop, order_notification=True, notification_email="orders@example.com")
    loud = shop.order(("24-MG01", 1))
    run_import(shop)
    assert row(shop, loud).state == "imported"
    [message] = messages
    assert message.to == ["orders@example.com"]
    subject = next(line for line in message.content.splitlines() if line.startswith("Subject:"))
    assert loud in subject
    assert quiet not in message.content
    # Importing again sends nothing more.
    run_import(shop)
    assert len(messages) == 1


@pytest.mark.parametrize("use_magento_taxes", [False, True])
def test_totals_that_differ_are_flagged_unless_magento_taxes_are_used(shop, use_magento_taxes):
    set_policy(shop, use_magento_taxes=use_magento_taxes)
    ae_id = shop.order(("24-MB02", 1))
    run_import(shop)
    with shop.app.app_context():
        order = db.session.scalar(select(Order).where(Order.ae_order_id == ae_id))
        assert order.import_state == "imported"
        # The sandbox store charges a flat rate per item; the buyer paid no shipping.
        assert order.magento_total != order.total
        flagged = [
            e.message for e in order.events if "differs from the AliExpress total" in e.message
        ]
        assert bool(flagged) is not use_magento_taxes
        if flagged:
            assert f"{order.magento_total:.2f}" in flagged[0] and f"{order.total:.2f}" in flagged[0]
