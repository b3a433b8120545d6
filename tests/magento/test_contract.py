"""Every adapter call, against the served sandbox: requests are operations of Adobe's admin
schema and answers validate against it (checked by the ``recorder`` fixture on teardown)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.magento import schema
from webapp.integrations.magento import SearchCriteria

ADDRESS = {
    "firstname": "Ana",
    "lastname": "García",
    "street": ["Calle Mayor 1"],
    "city": "Madrid",
    "postcode": "28013",
    "country_id": "ES",
    "region": "Madrid",
    "region_id": 0,
    "region_code": "M",
    "telephone": "+34600000000",
    "email": "ana@example.com",
}


def operations(recorder) -> set[str]:
    return {
        f"{method} {schema.operation(method, path)[0]}"
        for method, path, _status, _body in recorder.exchanges
    }


def test_store_catalog_and_inventory_reads_follow_the_schema(magento, recorder):
    views = magento.stores.store_views()
    assert {v["code"] for v in views} >= {"admin", "default", "es"}
    assert {w["code"] for w in magento.stores.websites()} == {"admin", "base"}
    assert magento.stores.store_groups()
    configs = magento.stores.store_configs(["default", "es"])
    assert [c["locale"] for c in configs] == ["en_US", "es_ES"]
    assert configs[0]["base_currency_code"] == "USD"

    attributes = list(magento.catalog.attributes())
    assert {"color", "size", "material"} <= {a["attribute_code"] for a in attributes}
    assert magento.catalog.attribute_options("color", store_code="es")[1]["label"] == "Negro"
    sets = list(magento.catalog.attribute_sets())
    assert {s["attribute_set_name"] for s in sets} == {"Default", "Apparel", "Gear"}
    assert any(a["attribute_code"] == "size" for a in magento.catalog.attribute_set_attributes(9))
    tree = magento.catalog.category_tree()
    assert tree["children_data"][0]["name"] == "Default Category"
    assert [c["name"] for c in magento.catalog.categories(store_code="es")][2] == "Ropa"

    products = magento.products.search(SearchCriteria().limit(5))
    assert products["total_count"] == 50 and len(products["items"]) == 5
    assert "stock_item" not in products["items"][0]["extension_attributes"]
    product = magento.products.get("MS-AUR")
    assert product["extension_attributes"]["stock_item"]["stock_id"] == 1
    assert magento.products.media("MS-AUR")[0]["file"].endswith(".png")
    assert len(magento.products.configurable_options("MS-AUR")) == 2
    assert len(magento.products.configurable_children("MS-AUR")) == 4
    assert magento.products.update("24-MB01", {"price": 35.5})["price"] == 35.5

    assert magento.inventory.stock_item("24-MB01")["qty"] >= 0
    assert {s["source_code"] for s in magento.inventory.sources()} == {"default", "eu_warehouse"}
    assert {s["stock_id"] for s in magento.inventory.stocks()} == {1, 2}
    assert magento.inventory.resolve_stock("base")["stock_id"] == 2
    assert len(list(magento.inventory.source_items(skus=["24-MB01", "24-MB02"]))) == 4
    magento.inventory.save_source_items(
        [{"sku": "24-MB01", "source_code": "eu_warehouse", "quantity": 3, "status": 1}]
    )
    assert magento.inventory.salable_qty("24-MB01", 2) >= 3
    salable = list(magento.inventory.iter_salable_qty("base", page_size=20))
    assert len(salable) == 44  # every simple product; configurable parents are skipped
    assert operations(recorder) == {
        "GET /V1/store/storeViews", "GET /V1/store/websites", "GET /V1/store/storeGroups",
        "GET /V1/store/storeConfigs", "GET /V1/products/attributes",
        "GET /V1/products/attributes/{attributeCode}/options",
        "GET /V1/products/attribute-sets/sets/list",
        "GET /V1/products/attribute-sets/{attributeSetId}/attributes", "GET /V1/categories",
        "GET /V1/categories/list", "GET /V1/products", "GET /V1/products/{sku}",
        "PUT /V1/products/{sku}", "GET /V1/products/{sku}/media",
        "GET /V1/configurable-products/{sku}/options/all",
        "GET /V1/configurable-products/{sku}/children", "GET /V1/stockItems/{productSku}",
        "GET /V1/inventory/sources", "GET /V1/inventory/stocks",
        "GET /V1/inventory/stock-resolver/{type}/{code}", "GET /V1/inventory/source-items",
        "POST /V1/inventory/source-items",
        "GET /V1/inventory/get-product-salable-quantity/{sku}/{stockId}",
        "GET /V1/inventory/export-stock-salable-qty/{salesChannelType}/{salesChannelCode}",
    }  # fmt: skip


def test_sales_and_customer_calls_follow_the_schema(magento, recorder):
    customer = magento.customers.create(
        {"email": "buyer@example.com", "firstname": "Buyer", "lastname": "One", "website_id": 1}
    )
    assert magento.customers.find_by_email("buyer@example.com")["id"] == customer["id"]
    assert magento.customers.find_by_email("nobody@example.com") is None

    order_id = magento.orders.place_order(
        [
            {"sku": "24-MB01", "qty": 1},
            {
                "sku": "MS-AUR",
                "qty": 2,
                "options": [
                    {"option_id": "93", "option_value": 58},
                    {"option_id": "144", "option_value": 168},
                ],
            },
        ],
        ADDRESS,
        customer_id=customer["id"],
    )
    order = magento.orders.get(order_id)
    assert order["customer_email"] == "buyer@example.com"
    assert magento.orders.find_by_increment_id(order["increment_id"])["entity_id"] == order_id
    recent = SearchCriteria().where("created_at", datetime.now(UTC) - timedelta(hours=1), "gteq")
    assert [o["entity_id"] for o in magento.orders.search(recent)] == [order_id]

    assert magento.orders.add_comment(order_id, "AliExpress order 8123", status="pending")
    assert magento.orders.comments(order_id)[0]["comment"] == "AliExpress order 8123"
    invoice_id = magento.orders.invoice(order_id)
    invoices = list(magento.orders.invoices(SearchCriteria().where("order_id", order_id)))
    assert [i["entity_id"] for i in invoices] == [invoice_id]

    shipment_id = magento.orders.ship(
        order_id, [{"track_number": "LP001", "title": "Cainiao", "carrier_code": "custom"}]
    )
    magento.orders.add_track(
        shipment_id, order_id, {"track_number": "LP002", "title": "DHL", "carrier_code": "dhl"}
    )
    shipments = list(magento.orders.shipments(created_since=datetime.now(UTC) - timedelta(hours=1)))
    assert [s["entity_id"] for s in shipments] == [shipment_id]
    assert [t["track_number"] for t in shipments[0]["tracks"]] == ["LP001", "LP002"]
    assert magento.orders.get(order_id)["state"] == "complete"
    assert magento.orders.cancel(order_id) is False

    guest_order = magento.orders.place_order([{"sku": "24-MB02", "qty": 1}], ADDRESS)
    assert magento.orders.get(guest_order)["customer_is_guest"] == 1
    assert magento.orders.cancel(guest_order) is True
    assert magento.orders.get(guest_order)["state"] == "canceled"
    assert operations(recorder) == {
        "POST /V1/customers", "GET /V1/customers/search", "POST /V1/customers/{customerId}/carts",
        "POST /V1/carts/", "POST /V1/carts/{quoteId}/items", "GET /V1/carts/{cartId}/items",
        "POST /V1/carts/{cartId}/shipping-information", "PUT /V1/carts/{cartId}/order",
        "GET /V1/orders/{id}", "GET /V1/orders", "POST /V1/orders/{id}/comments",
        "GET /V1/orders/{id}/comments", "POST /V1/order/{orderId}/invoice", "GET /V1/invoices",
        "POST /V1/order/{orderId}/ship", "POST /V1/shipment/track", "GET /V1/shipments",
        "POST /V1/orders/{id}/cancel",
    }  # fmt: skip
