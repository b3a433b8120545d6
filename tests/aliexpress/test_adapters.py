"""Adapters end to end against the sandbox: catalog setup, products, batch updates, feeds,
orders."""

from __future__ import annotations

import json
import math
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from webapp.integrations.aliexpress import adapters as ae
from webapp.integrations.aliexpress.errors import BusinessError, PermanentError

from .conftest import product_request

INVENTORY = "aliexpress.solution.batch.product.inventory.update"
PRICE = "aliexpress.solution.batch.product.price.update"


# -- onboarding data ----------------------------------------------------------------------------


def test_category_tree_walk_reaches_leaves_several_levels_deep(client, token):
    tree = list(ae.walk_category_tree(client, token))
    by_id = {c.id: (c, parent) for c, parent in tree}
    t_shirts, parent = by_id["200000785"]
    assert t_shirts.is_leaf and t_shirts.level == 4 and parent == "200000348"
    assert by_id["3"][0].level == 1 and by_id["3"][1] is None
    assert not by_id["200000348"][0].is_leaf
    assert t_shirts.names["en"] == "T-Shirts"


def test_leaf_schema_lists_required_optional_and_sku_attributes(client, token):
    schema = ae.get_category_schema(client, token, 200000785)
    assert "sku_info_list" in schema["required"]
    attributes = schema["properties"]["category_attributes"]
    assert attributes["required"] == ["Brand Name", "Origin"]
    assert "Material" in attributes["properties"]
    sku = schema["properties"]["sku_info_list"]["items"]["properties"]["sku_attributes"]
    assert sku["required"] == ["Color", "Size"]
    colors = sku["properties"]["Color"]["properties"]["value"]["oneOf"]
    assert {"const": "29", "title": "White"} in colors


def test_schema_of_a_non_leaf_category_is_a_business_error(client, token):
    with pytest.raises(BusinessError) as excinfo:
        ae.get_category_schema(client, token, 3)
    assert excinfo.value.code == "GPF.CHK_CATEGORY_ID_NOT_LEAF_CATEGORY"


def test_sku_attributes_of_a_category(client, token):
    result = ae.get_sku_attributes(client, token, 63705)
    from webapp.integrations.aliexpress.client import unwrap_list

    names = [a["aliexpress_sku_name"] for a in unwrap_list(result["supporting_sku_attribute_list"])]
    assert names == ["Color"]


def test_carriers_and_templates(client, token):
    carriers = ae.list_logistics_services(client, token)
    assert "CAINIAO_STANDARD" in [c.service_name for c in carriers]
    freight = ae.list_freight_templates(client, token)
    assert [t.is_default for t in freight].count(True) == 1
    services = ae.list_service_templates(client, token)
    assert services[0].template_id == "0"


# -- products -----------------------------------------------------------------------------------


def test_posted_product_reads_back_through_info_and_list(client, token):
    product_id = ae.post_product(client, token, product_request(["TS-RED-M", "TS-BLU-L"]))

    product = ae.get_product(client, token, product_id)
    assert str(product["product_id"]) == product_id
    assert product["category_id"] == 200000785
    assert product["subject"] == "Organic cotton T-shirt"
    skus = {s["sku_code"]: s for s in product["skus"]}
    assert skus["TS-RED-M"]["sku_price"] == "19.99"
    assert skus["TS-RED-M"]["sku_discount_price"] == "17.99"
    assert skus["TS-RED-M"]["ipm_sku_stock"] == 10
    assert product["freight_template_id"] == 1000

    page = ae.list_products(client, token, sku_code="TS-BLU-L")
    assert [str(p["product_id"]) for p in page.items] == [product_id]
    assert page.total_count == 1
    assert page.items[0]["product_min_price"] == "17.99"


def test_product_post_validation_failures_are_business_errors(client, token):
    with pytest.raises(BusinessError) as excinfo:
        ae.post_product(client, token, product_request(attribute_list=[]))
    assert excinfo.value.code == "GPF.CHK_REQUIRED_ATTRIBUTE"
    with pytest.raises(BusinessError):
        ae.post_product(client, token, product_request(aliexpress_category_id=200000345))


def test_duplicate_sku_code_is_refused(client, token, post_product):
    post_product(["DUP-1"])
    with pytest.raises(BusinessError) as excinfo:
        post_product(["DUP-1"])
    assert excinfo.value.code == "F00-00-10007-007"


def test_edit_replaces_all_skus(client, token, post_product):
    product_id = post_product(["E-1", "E-2"])
    new_skus = product_request(["E-3"])["sku_info_list"]
    ae.edit_product(client, token, {"product_id": int(product_id), "sku_info_list": new_skus})
    assert [s["sku_code"] for s in ae.get_product(client, token, product_id)["skus"]] == ["E-3"]


def test_list_products_pages(client, token, post_product):
    ids = [post_product() for _ in range(5)]
    first = ae.list_products(client, token, page=1, page_size=2)
    assert first.total_count == 5 and first.total_page == 3
    assert [str(p["product_id"]) for p in ae.iter_products(client, token, page_size=2)] == ids


def test_batch_delete_in_chunks_of_100(client, token, post_product, sandbox):
    keep = post_product()
    gone = post_product()
    ae.delete_products(client, token, [gone, *range(1, 150)])
    assert sandbox.calls("aliexpress.solution.batch.product.delete") == 2
    assert [str(p["product_id"]) for p in ae.list_products(client, token).items] == [keep]


def test_stock_updates_are_chunked_and_report_item_failures(client, token, post_product, sandbox):
    ids = [post_product([f"S{i}-A", f"S{i}-B"]) for i in range(44)]
    updates = [
        ae.ProductUpdate(pid, [ae.SkuStock(f"S{i}-A", i), ae.SkuStock(f"S{i}-B", 0)])
        for i, pid in enumerate(ids)
    ]
    updates.append(ae.ProductUpdate("1", [ae.SkuStock("NOPE", 1)]))

    result = ae.update_stocks(client, token, updates)

    assert result.calls == math.ceil(45 / ae.MAX_BATCH_UPDATE_PRODUCTS) == 3
    assert sandbox.calls(INVENTORY) == 3
    assert sorted(result.successful) == sorted(ids)
    assert [(f.product_id, f.error_code) for f in result.failed] == [("1", "PRODUCT_NOT_FOUND")]
    assert not result.ok
    skus = {s["sku_code"]: s for s in ae.get_product(client, token, ids[7])["skus"]}
    assert skus["S7-A"]["ipm_sku_stock"] == 7
    assert skus["S7-B"]["ipm_sku_stock"] == 0 and skus["S7-B"]["sku_stock"] is False


def test_products_with_more_than_200_skus_are_split():
    plan = ae.plan_batches(
        [ae.ProductUpdate("10", [ae.SkuStock(f"K{i}", 1) for i in range(450)])]
        + [ae.ProductUpdate(str(i), [ae.SkuStock("X", 1)]) for i in range(100, 125)]
    )
    assert all(len(batch) <= ae.MAX_BATCH_UPDATE_PRODUCTS for batch in plan)
    assert all(len(skus) <= ae.MAX_BATCH_UPDATE_SKUS for batch in plan for _, skus in batch)
    assert all(len({pid for pid, _ in batch}) == len(batch) for batch in plan)
    assert sum(len(skus) for batch in plan for _, skus in batch) == 475
    assert len(plan) == 3


def test_price_update_keeps_or_erases_discounts_and_reports_bad_skus(client, token, post_product):
    first = post_product(["PR-1", "PR-2"])
    second = post_product(["PR-3"])
    result = ae.update_prices(
        client,
        token,
        [
            ae.ProductUpdate(
                first,
                [
                    ae.SkuPrice("PR-1", Decimal("25.00"), Decimal("21.50")),
                    ae.SkuPrice("PR-2", Decimal("24.00"), None),
                ],
            ),
            ae.ProductUpdate(second, [ae.SkuPrice("UNKNOWN", Decimal("1.00"), None)]),
        ],
    )
    assert result.successful == [first]
    assert [(f.product_id, f.error_code) for f in result.failed] == [(second, "SKU_NOT_FOUND")]
    skus = {s["sku_code"]: s for s in ae.get_product(client, token, first)["skus"]}
    assert (skus["PR-1"]["sku_price"], skus["PR-1"]["sku_discount_price"]) == ("25.00", "21.50")
    assert (skus["PR-2"]["sku_price"], skus["PR-2"]["sku_discount_price"]) == ("24.00", None)


# -- feeds --------------------------------------------------------------------------------------


def schema_instance(sku_code: str) -> dict:
    return {
        "category_id": 63705,
        "locale": "en_US",
        "product_units_type": "100000015",
        "title_multi_language_list": [{"locale": "en_US", "title": "Wireless earbuds"}],
        "description_multi_language_list": [
            {"locale": "en_US", "module_list": [{"type": "html", "html": {"content": "<p>x</p>"}}]}
        ],
        "image_url_list": ["https://example.com/earbuds.jpg"],
        "category_attributes": {
            "Brand Name": {"value": "201512802"},
            "Origin": {"value": "9441741844"},
        },
        "sku_info_list": [
            {
                "sku_code": sku_code,
                "price": 49.0,
                "inventory": 5,
                "sku_attributes": {"Color": {"value": "193", "alias": "Midnight"}},
            }
        ],
        "inventory_deduction_strategy": "payment_success_deduct",
        "package_weight": 0.2,
        "package_length": 10,
        "package_height": 5,
        "package_width": 8,
        "shipping_preparation_time": 2,
        "shipping_template_id": 1000,
        "service_template_id": 0,
        "product_group_id": 0,
    }


def poll(client, token, job_id):
    """Query a feed until every item has a result (the sandbox finishes after 0.2 s)."""
    for _ in range(50):
        result = ae.query_feed(client, token, job_id)
        if result.finished:
            return result
        time.sleep(0.05)
    raise AssertionError("feed never finished")


def test_feed_create_then_stock_update_finish_asynchronously(client, token, post_product):
    broken = schema_instance("BAD")
    del broken["sku_info_list"][0]["price"]
    (job_id,) = ae.submit_feed(
        client,
        token,
        ae.FEED_PRODUCT_CREATE,
        [
            ae.FeedItem("a", schema_instance("EB-1")),
            ae.FeedItem("b", broken),
        ],
    )
    early = ae.query_feed(client, token, job_id)
    assert early.total_item_count == 2 and not early.finished
    assert ae.list_feeds(client, token).jobs[0].status in (ae.FEED_QUEUEING, ae.FEED_PROCESSING)

    result = poll(client, token, job_id)

    assert result.success_item_count == 1
    items = {i.item_content_id: i for i in result.items}
    assert items["a"].success and items["a"].product_id
    assert not items["b"].success and items["b"].error_code
    assert ae.list_feeds(client, token, status=ae.FEED_FINISH).jobs[0].job_id == job_id
    product_id = items["a"].product_id
    assert ae.get_product(client, token, product_id)["skus"][0]["sku_code"] == "EB-1"

    (stock_job,) = ae.submit_feed(
        client,
        token,
        ae.FEED_PRODUCT_STOCKS_UPDATE,
        [
            ae.FeedItem(
                "s1",
                {
                    "aliexpress_product_id": int(product_id),
                    "multiple_sku_update_list": [{"sku_code": "EB-1", "inventory": 77}],
                },
            )
        ],
    )
    assert poll(client, token, stock_job).items[0].success
    assert ae.get_product(client, token, product_id)["skus"][0]["ipm_sku_stock"] == 77


def test_schema_instance_post_and_full_update(client, token):
    product_id = ae.post_product_instance(client, token, schema_instance("INS-1"))
    assert ae.get_product(client, token, product_id)["subject"] == "Wireless earbuds"
    changed = schema_instance("INS-2")
    changed["title_multi_language_list"][0]["title"] = "Wireless earbuds v2"
    assert ae.full_update_product(client, token, product_id, changed) == product_id
    product = ae.get_product(client, token, product_id)
    assert product["subject"] == "Wireless earbuds v2"
    assert [s["sku_code"] for s in product["skus"]] == ["INS-2"]


def test_feeds_larger_than_2000_items_are_split(client, token, sandbox):
    items = [
        ae.FeedItem(str(i), {"aliexpress_product_id": 1, "multiple_sku_update_list": []})
        for i in range(2001)
    ]
    job_ids = ae.submit_feed(client, token, ae.FEED_PRODUCT_STOCKS_UPDATE, items)
    assert len(job_ids) == 2
    assert sandbox.calls("aliexpress.solution.feed.submit") == 2


def test_feed_item_content_ids_must_be_unique(client, token):
    with pytest.raises(ValueError, match="unique"):
        ae.submit_feed(
            client, token, ae.FEED_PRODUCT_CREATE, [ae.FeedItem("x", {}), ae.FeedItem("x", {})]
        )


# -- orders -------------------------------------------------------------------------------------


def test_order_lifecycle_list_detail_and_fulfilment(client, token, post_product, sandbox):
    product_id = post_product(["OR-1", "OR-2"])
    created = sandbox.control(
        "orders",
        {
            "items": [
                {"product_id": int(product_id), "sku_code": "OR-2", "quantity": 2},
            ],
            "shipping_amount": "4.50",
        },
    )
    order_id = str(created["order_id"])
    now = datetime.now(UTC)

    page = ae.list_orders(
        client, token, modified_from=now - timedelta(hours=1), modified_to=now + timedelta(hours=1)
    )
    assert [str(o["order_id"]) for o in page.orders] == [order_id]
    listed = page.orders[0]
    assert listed["order_status"] == "WAIT_SELLER_SEND_GOODS"
    assert listed["items"][0]["sku_code"] == "OR-2"
    assert listed["items"][0]["product_count"] == 2
    assert listed["pay_amount"] == {"amount": "40.48", "currency_code": "USD"}
    created_at = ae.parse_pacific(listed["gmt_create"])
    assert abs((created_at - now).total_seconds()) < 60

    past = ae.list_orders(
        client, token, created_from=now - timedelta(days=3), created_to=now - timedelta(days=2)
    )
    assert past.orders == []

    detail = ae.get_order(client, token, order_id)
    assert detail["receipt_address"]["city"] == "Mountain View"
    assert detail["buyer_info"]["first_name"] == "Jane"
    assert detail["items"][0]["product_id"] == int(product_id)
    assert detail["shipments"] == []

    stock = {s["sku_code"]: s for s in ae.get_product(client, token, product_id)["skus"]}
    assert stock["OR-2"]["ipm_sku_stock"] == 8

    ae.fulfill_order(
        client, token, order_id, service_name="CAINIAO_STANDARD", tracking_number="LP00123456789012"
    )
    shipped = ae.get_order(client, token, order_id)
    assert shipped["order_status"] == "WAIT_BUYER_ACCEPT_GOODS"
    assert shipped["logistics_status"] == "SELLER_SEND_GOODS"
    assert shipped["shipments"][0]["logistics_no"] == "LP00123456789012"

    with pytest.raises(BusinessError) as excinfo:
        ae.fulfill_order(
            client, token, order_id, service_name="CAINIAO_STANDARD", tracking_number="LP1"
        )
    assert excinfo.value.code == "ORDER_STATUS_ERROR"


def test_finished_orders_only_with_an_explicit_status(client, token, post_product, sandbox):
    post_product()
    order = sandbox.control("orders", {})
    sandbox.control(f"orders/{order['order_id']}/status", {"status": "FINISH"})
    since = datetime.now(UTC) - timedelta(hours=1)
    assert ae.list_orders(client, token, modified_from=since).orders == []
    finished = ae.list_orders(client, token, modified_from=since, statuses=["FINISH"])
    assert [o["order_id"] for o in finished.orders] == [order["order_id"]]


def test_orders_are_paged(client, token, post_product, sandbox):
    post_product()
    for _ in range(3):
        sandbox.control("orders", {})
    since = datetime.now(UTC) - timedelta(hours=1)
    first = ae.list_orders(client, token, modified_from=since, page_size=2)
    assert first.total_count == 3 and first.total_page == 2
    assert len(list(ae.iter_orders(client, token, modified_from=since, page_size=2))) == 3


def test_unknown_order_and_bad_windows(client, token):
    with pytest.raises(PermanentError):
        ae.get_order(client, token, 1)
    with pytest.raises(ValueError):
        ae.list_orders(client, token)


def test_order_for_missing_product_is_refused_by_control(sandbox):
    response = sandbox.http.post(
        f"{sandbox.url}/_control/orders", json={"items": [{"product_id": 1}]}, timeout=5
    )
    assert response.status_code == 400
    assert "not live" in json.loads(response.text)["error"]
