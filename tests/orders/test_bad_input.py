"""Bad input and failing systems: each order lands in Failed Orders with the exact reason, a
retry after the cause is fixed imports it, and Magento never holds two orders for one AliExpress
order."""

from __future__ import annotations

import pytest

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
from webapp.services import orders as order_svc
from webapp.services.catalog import import_catalog
from webapp.services.store import get_store, magento, refresh_cache

ORDER_INFO = "aliexpress.solution.order.info.get"
PLACE_ROUTE = "PUT carts/{cartId}/order"


# -- helpers ------------------------------------------------------------------------------------


@pytest.fixture
def fragile_shop(make_live_app):
    """A shop whose clients give up quickly (one retry): for injected faults."""
    app = make_live_app(
        MOUNT_SANDBOXES=True,
        AE_BACKOFF=0.01,
        MAGENTO_BACKOFF=0.01,
        AE_RETRIES=1,
        MAGENTO_RETRIES=1,
    )
    return open_shop(build_world(app))


def magento_order(shop, entity_id: int) -> dict:
    with shop.app.app_context():
        return magento().orders.get(entity_id)


def assert_imported_once(shop, ae_id: str) -> dict:
    """The order is imported, and Magento holds exactly one order for it (also after another
    import run)."""
    order = row(shop, ae_id)
    assert order.state == "imported", order.reason
    assert order.reason is None
    run_import(shop)
    docs = shop.magento_orders()
    mine = [d for d in docs if ae_id in " ".join(h["comment"] for h in d["status_histories"])]
    assert len(mine) == 1, [d["increment_id"] for d in docs]
    assert mine[0]["entity_id"] == order.magento_order_id
    return mine[0]


def ae_sandbox_state(shop):
    return shop.app.extensions["sandboxes"]["aliexpress"].extensions["aliexpress_sandbox"]


def fail_detail_reads(shop, calls: int) -> None:
    """The next ``calls`` order detail reads fail (each with its one retry): HTTP 503."""
    fault = {"kind": "http_error", "count": 2 * calls, "method": ORDER_INFO}
    shop.world.ae_control("POST", "faults", fault)


def fix_address(shop, ae_id: str, **fields) -> None:
    """The buyer corrects the receipt address on AliExpress."""
    state = ae_sandbox_state(shop)
    order = state.order(ae_id)
    order["address"].update(fields)
    state.save_order(order)


# -- bad input ----------------------------------------------------------------------------------


def test_sku_matching_nothing(shop):
    delete_from_magento(shop, "24-MG01")
    set_policy(shop, if_product_not_exist="do_not_create")
    ae_id = shop.order(("24-MG01", 1))
    run_import(shop)
    order = row(shop, ae_id)
    assert order.state == "failed"
    assert order.reason == (
        "SKU '24-MG01' matches no Magento product (by SKU); the order policy says not to "
        "create the order."
    )
    assert shop.magento_orders() == []
    assert not product_exists(shop, "24-MG01")  # and no placeholder product was made

    # Fixed in the catalog: the product is back in Magento and imported again.
    with shop.app.app_context():
        mage = magento()
        mage.products.create(
            {
                "sku": "24-MG01",
                "name": "Affirm Water Bottle",
                "attribute_set_id": 4,
                "price": 7,
                "status": 1,
                "visibility": 4,
                "type_id": "simple",
                "weight": 1,
            }
        )
        mage.inventory.save_source_items(
            [{"sku": "24-MG01", "source_code": "default", "quantity": 5, "status": 1}]
        )
        import_catalog(full=True)
        db.session.commit()
    assert retry(shop, ae_id)["imported"] == 1
    doc = assert_imported_once(shop, ae_id)
    assert [i["sku"] for i in doc["items"]] == ["24-MG01"]


def test_buyer_without_email_in_real_customer_mode(shop):
    set_policy(shop, customer_mode="real")
    ae_id = shop.order(
        ("24-MB02", 1),
        buyer={"login_id": "x1", "first_name": "A", "last_name": "B", "country": "US"},
    )
    run_import(shop)
    order = row(shop, ae_id)
    assert order.state == "failed"
    assert order.reason == (
        "AliExpress gives no e-mail for this buyer; the 'Real customer' mode needs one. "
        "Use the guest or fixed customer mode in the order policy, then retry."
    )
    assert shop.magento_orders() == []

    set_policy(shop, customer_mode="guest")
    assert retry(shop, ae_id)["imported"] == 1
    doc = assert_imported_once(shop, ae_id)
    assert doc["customer_is_guest"] == 1
    assert doc["customer_email"] == "x1@buyer.aliexpress.invalid"


@pytest.mark.parametrize(
    ("address", "field", "fix"),
    [
        ({"zip": ""}, "postcode", {"zip": "94043"}),
        (
            {"mobile_no": "", "phone_country": "", "phone_area": "", "phone_number": ""},
            "telephone",
            {"mobile_no": "6505550100"},
        ),
    ],
)
def test_address_magento_rejects(shop, address, field, fix):
    ae_id = shop.order(("24-MB02", 1), address=address)
    run_import(shop)
    order = row(shop, ae_id)
    assert order.state == "failed"
    assert order.reason == f'Magento: "{field}" is required. Enter and try again.'
    assert shop.magento_orders() == []

    fix_address(shop, ae_id, **fix)
    assert retry(shop, ae_id)["imported"] == 1
    doc = assert_imported_once(shop, ae_id)
    shipping = doc["extension_attributes"]["shipping_assignments"][0]["shipping"]["address"]
    if field == "postcode":
        assert shipping["postcode"] == "94043"
    else:
        assert shipping["telephone"] == "6505550100"


def test_currency_differing_from_the_store(shop):
    with shop.app.app_context():
        get_store().base_currency = "EUR"
        db.session.commit()
    ae_id = shop.order(("24-MB02", 1))  # the AliExpress sandbox sells in USD
    run_import(shop)
    order = row(shop, ae_id)
    assert order.state == "failed"
    assert order.reason == (
        "The order is in USD but the store's base currency is EUR; Magento would charge other "
        "amounts."
    )
    assert shop.magento_orders() == []

    # Fixed by reading the store's settings from Magento again (its base currency is USD).
    with shop.app.app_context():
        refresh_cache(get_store())
        db.session.commit()
        assert get_store().base_currency == "USD"
    assert retry(shop, ae_id)["imported"] == 1
    doc = assert_imported_once(shop, ae_id)
    assert doc["base_currency_code"] == "USD"


# -- failing systems ----------------------------------------------------------------------------


def test_aliexpress_detail_call_failing_half_way(fragile_shop):
    shop = fragile_shop
    first = shop.order(("24-MB02", 1))
    second = shop.order(("24-MG01", 1))
    # Exactly one detail read fails half-way through the run; the other order succeeds.
    fail_detail_reads(shop, 1)
    result = run_import(shop)
    assert result["seen"] == 2
    states = {ae_id: row(shop, ae_id) for ae_id in (first, second)}
    [waiting] = [ae_id for ae_id, order in states.items() if order.state == "waiting"]
    [ok] = [ae_id for ae_id, order in states.items() if order.state == "imported"]
    reason = states[waiting].reason
    assert reason.startswith("Could not read the order details from AliExpress: "), reason
    assert "503" in reason and reason.endswith("; will be retried")
    assert len(shop.magento_orders()) == 1

    # Still failing: the next run records the reason again and creates nothing.
    fail_detail_reads(shop, 1)
    run_import(shop)
    assert row(shop, waiting).state == "waiting"
    assert len(shop.magento_orders()) == 1

    # The fault is gone: the next scheduled run reads it and creates it, once.
    shop.world.ae_control("DELETE", "faults")
    run_import(shop)
    assert_imported_once(shop, waiting)
    assert_imported_once(shop, ok)
    assert len(shop.magento_orders()) == 2


def test_aliexpress_detail_failing_on_every_run_lands_in_failed_orders(fragile_shop):
    from webapp.services.orders import MAX_AUTO_ATTEMPTS

    shop = fragile_shop
    ae_id = shop.order(("24-MB02", 1))
    shop.world.ae_control(
        "POST", "faults", {"kind": "http_error", "count": 1000, "method": ORDER_INFO}
    )
    for _ in range(MAX_AUTO_ATTEMPTS - 1):
        run_import(shop)
        assert row(shop, ae_id).state == "waiting"
    run_import(shop)
    order = row(shop, ae_id)
    assert order.state == "failed"
    assert order.reason.startswith("Could not read the order details from AliExpress: ")
    assert shop.magento_orders() == []

    shop.world.ae_control("DELETE", "faults")
    assert retry(shop, ae_id)["imported"] == 1
    assert_imported_once(shop, ae_id)


def _fail_placements(shop) -> None:
    shop.world.magento_control("POST", "faults", {"mode": "5xx", "count": 50, "route": PLACE_ROUTE})


def test_magento_500_on_placement_never_duplicates(fragile_shop):
    shop = fragile_shop
    ae_id = shop.order(("24-MB02", 1))
    _fail_placements(shop)
    for _ in range(3):
        run_import(shop)
        order = row(shop, ae_id)
        # Transient: the cart is kept for the next runs, the reason shown meanwhile.
        assert order.state == "creating"
        assert order.reason == (
            "Magento: Internal Error. Details are available in Magento log file. "
            "Report ID: webapi-1; will be retried"
        )
    assert shop.magento_orders() == []

    shop.world.magento_control("DELETE", "faults")
    assert retry(shop, ae_id)["imported"] == 1
    assert_imported_once(shop, ae_id)
    assert len(shop.magento_orders()) == 1


def test_magento_500_on_placement_lands_in_failed_orders(fragile_shop):
    shop = fragile_shop
    ae_id = shop.order(("24-MB02", 1))
    _fail_placements(shop)
    for _ in range(order_svc.MAX_AUTO_ATTEMPTS):
        run_import(shop)
    order = row(shop, ae_id)
    assert (order.state, order.attempts) == ("failed", order_svc.MAX_AUTO_ATTEMPTS), order
    assert order.reason == (
        "Magento: Internal Error. Details are available in Magento log file. "
        f"Report ID: webapi-1 (after {order_svc.MAX_AUTO_ATTEMPTS} attempts)"
    )
    assert shop.magento_orders() == []

    shop.world.magento_control("DELETE", "faults")
    assert retry(shop, ae_id)["imported"] == 1
    assert_imported_once(shop, ae_id)
    assert len(shop.magento_orders()) == 1


def test_magento_500_after_the_order_was_placed_never_duplicates(fragile_shop):
    """The answer is lost on the way back: the order exists in Magento though the call
    failed; it is found by its cart, never placed again."""
    shop = fragile_shop
    ae_id = shop.order(("24-MB02", 1))
    shop.world.magento_control("DELETE", "calls")
    shop.world.magento_control(
        "POST", "faults", {"mode": "5xx", "count": 3, "after": True, "route": PLACE_ROUTE}
    )
    run_import(shop)
    order = row(shop, ae_id)
    assert order.state == "imported", order.reason
    assert shop.world.magento_control("GET", "calls")[PLACE_ROUTE] == 1
    shop.world.magento_control("DELETE", "faults")
    run_import(shop)
    assert_imported_once(shop, ae_id)
    assert len(shop.magento_orders()) == 1
    assert shop.world.magento_control("GET", "calls")[PLACE_ROUTE] == 1


def test_repeated_failures_mail_the_notification_address(make_live_app, smtp):
    port, messages = smtp
    app = make_live_app(
        MOUNT_SANDBOXES=True,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        AE_BACKOFF=0.01,
        MAGENTO_BACKOFF=0.01,
        MAGENTO_RETRIES=1,
    )
    shop = open_shop(build_world(app))
    with app.app_context():
        from webapp.services.settings import set_setting

        set_setting("notification_email", "ops@example.com")
        db.session.commit()
    ae_id = shop.order(("24-MB02", 1))
    _fail_placements(shop)
    for _ in range(order_svc.MAX_AUTO_ATTEMPTS - 1):
        run_import(shop)
    assert messages == []  # transient failures are retried quietly
    run_import(shop)
    assert row(shop, ae_id).state == "failed"
    [mail] = messages
    assert mail.to == ["ops@example.com"]
    assert f"Order {ae_id} failed {order_svc.MAX_AUTO_ATTEMPTS} times" in mail.content
    assert "Internal Error" in mail.content
