"""Stock and orders: source items, salable quantity and MSI reservations like a storefront."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.magento.test_contract import ADDRESS
from webapp.integrations.magento import Magento, SearchCriteria
from webapp.integrations.magento.errors import (
    NotFoundError,
    ServerError,
    TransportError,
    ValidationError,
)

MAIN_STOCK = 2


def quantities(magento, sku: str) -> dict[str, float]:
    return {i["source_code"]: i["quantity"] for i in magento.inventory.source_items(skus=[sku])}


def test_stock_change_is_visible_in_source_items_and_salable_qty(magento, sandbox):
    sku = "24-MG03"
    before = magento.inventory.salable_qty(sku, MAIN_STOCK)
    magento.inventory.save_source_items(
        [{"sku": sku, "source_code": "eu_warehouse", "quantity": 40, "status": 1}]
    )
    assert quantities(magento, sku)["eu_warehouse"] == 40
    default_qty = quantities(magento, sku)["default"]
    assert magento.inventory.salable_qty(sku, MAIN_STOCK) == default_qty + 40 != before
    assert magento.inventory.salable_qty(sku, 1) == default_qty  # Default Stock: default only
    bulk = {i["sku"]: i["qty"] for i in magento.inventory.iter_salable_qty("base")}
    assert bulk[sku] == default_qty + 40

    sandbox.control("POST", f"products/{sku}", {"qty": 0})  # the control API's shortcut
    assert magento.inventory.stock_item(sku)["is_in_stock"] is False
    assert magento.inventory.salable_qty(sku, MAIN_STOCK) == 40


def test_order_creation_reduces_salable_qty_like_a_storefront(magento):
    simple, child = "24-MB02", "MS-AUR-M-Red"
    before = {s: magento.inventory.salable_qty(s, MAIN_STOCK) for s in (simple, child)}
    sources_before = quantities(magento, simple)
    order_id = magento.orders.place_order(
        [
            {"sku": simple, "qty": 2},
            {
                "sku": "MS-AUR",
                "qty": 1,
                "options": [
                    {"option_id": "93", "option_value": 58},
                    {"option_id": "144", "option_value": 168},
                ],
            },
        ],
        ADDRESS,
    )
    assert magento.inventory.salable_qty(simple, MAIN_STOCK) == before[simple] - 2
    assert magento.inventory.salable_qty(child, MAIN_STOCK) == before[child] - 1
    assert quantities(magento, simple) == sources_before  # reserved, not yet deducted

    order = magento.orders.get(order_id)
    assert (order["state"], order["status"]) == ("new", "pending")
    lines = {(i["sku"], i["product_type"]) for i in order["items"]}
    assert lines == {(simple, "simple"), (child, "configurable"), (child, "simple")}
    assert order["grand_total"] == order["subtotal"] + 3 * 5.0  # flat rate 5 per item

    magento.orders.ship(order_id, source_code="default")
    assert magento.inventory.salable_qty(simple, MAIN_STOCK) == before[simple] - 2
    assert quantities(magento, simple)["default"] == sources_before["default"] - 2


def test_cancel_gives_the_reservation_back(magento):
    before = magento.inventory.salable_qty("24-MG05", MAIN_STOCK)
    order_id = magento.orders.place_order([{"sku": "24-MG05", "qty": 1}], ADDRESS)
    assert magento.inventory.salable_qty("24-MG05", MAIN_STOCK) == before - 1
    assert magento.orders.cancel(order_id) is True
    assert magento.inventory.salable_qty("24-MG05", MAIN_STOCK) == before


def test_order_for_more_than_salable_is_refused(magento):
    available = magento.inventory.salable_qty("24-MB01", MAIN_STOCK)
    with pytest.raises(ValidationError, match="The requested qty is not available"):
        magento.orders.place_order([{"sku": "24-MB01", "qty": available + 1}], ADDRESS)
    with pytest.raises(ValidationError, match="The requested qty is not available"):
        magento.orders.place_order([{"sku": "24-MB04", "qty": 1}], ADDRESS)  # out of stock


def test_salable_qty_of_a_configurable_parent_or_unknown_sku(magento):
    with pytest.raises(ValidationError, match="without Source Items support"):
        magento.inventory.salable_qty("MS-AUR", MAIN_STOCK)
    with pytest.raises(NotFoundError, match="The product that was requested doesn't exist"):
        magento.inventory.salable_qty("NOPE", MAIN_STOCK)


def test_concurrent_orders_never_oversell(magento, make_client):
    sku = "24-UG04"
    magento.inventory.save_source_items(
        [
            {"sku": sku, "source_code": "default", "quantity": 3, "status": 1},
            {"sku": sku, "source_code": "eu_warehouse", "quantity": 0, "status": 0},
        ]
    )

    def attempt(_n: int) -> bool:
        try:
            Magento(make_client()).orders.place_order([{"sku": sku, "qty": 1}], ADDRESS)
        except ValidationError:
            return False
        return True

    with ThreadPoolExecutor(max_workers=6) as pool:
        placed = list(pool.map(attempt, range(6)))
    assert placed.count(True) == 3
    assert magento.inventory.salable_qty(sku, MAIN_STOCK) == 0


def test_a_failed_attempt_leaves_no_stale_lines_in_the_customer_cart(magento):
    customer = magento.customers.find_by_email("roni_cost@example.com")
    without_phone = {k: v for k, v in ADDRESS.items() if k != "telephone"}
    with pytest.raises(ValidationError, match='"telephone" is required'):
        magento.orders.place_order(
            [{"sku": "24-MB05", "qty": 1}], without_phone, customer_id=customer["id"]
        )
    order_id = magento.orders.place_order(
        [{"sku": "24-MG01", "qty": 1}], ADDRESS, customer_id=customer["id"]
    )
    order = magento.orders.get(order_id)
    assert [i["sku"] for i in order["items"]] == ["24-MG01"]
    assert order["customer_id"] == customer["id"]


@pytest.mark.parametrize(
    "fault",
    [
        {"mode": "5xx", "status": 502, "after": True},
        {"mode": "timeout", "delay": 0.6, "after": True},
    ],
    ids=["answer-lost-5xx", "answer-lost-timeout"],
)
def test_a_lost_placement_answer_finds_the_order_instead_of_failing(fault, sandbox, make_client):
    magento = Magento(make_client(timeout=0.3))
    sandbox.control("POST", "faults", {**fault, "count": 1, "route": "PUT carts/{cartId}/order"})
    order_id = magento.orders.place_order([{"sku": "24-MB06", "qty": 1}], ADDRESS)
    orders = list(magento.orders.search(SearchCriteria().where("customer_email", ADDRESS["email"])))
    assert [o["entity_id"] for o in orders] == [order_id]
    assert sandbox.control("GET", "calls")["PUT carts/{cartId}/order"] == 1


def test_a_placement_that_failed_before_the_order_is_raised(sandbox, magento):
    sandbox.control(
        "POST", "faults", {"mode": "5xx", "count": 1, "route": "PUT carts/{cartId}/order"}
    )
    with pytest.raises(ServerError):
        magento.orders.place_order([{"sku": "24-MB06", "qty": 1}], ADDRESS)
    assert list(magento.orders.search(SearchCriteria())) == []


def test_a_placement_still_running_after_the_timeout_is_found_later(sandbox, make_client):
    magento = Magento(make_client(timeout=0.3))
    cart_id = magento.orders.prepare_cart([{"sku": "24-MB06", "qty": 1}], ADDRESS)
    sandbox.control(
        "POST", "faults",
        {"mode": "timeout", "delay": 0.6, "count": 1, "route": "PUT carts/{cartId}/order"},
    )  # fmt: skip
    with pytest.raises(TransportError):
        magento.orders.place_cart(cart_id)
    deadline = time.monotonic() + 5
    while (order := magento.orders.find_by_quote_id(cart_id)) is None:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert order["items"][0]["sku"] == "24-MB06"
