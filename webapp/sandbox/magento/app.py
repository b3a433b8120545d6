"""The Magento sandbox as a Flask WSGI app: ``/rest/V1/...`` and ``/rest/{store}/V1/...``.

Request pipeline, as in Magento's ``Webapi\\Controller\\Rest``: route match (404 "Request does
not match any route."), store resolution, authentication (OAuth 1.0a HMAC-SHA256 checked by
:mod:`.oauth`, or ``Authorization: Bearer`` with the integration token when
``integration_as_bearer`` is on), ACL check (401 "The consumer isn't authorized to access
%resources." for a missing identity or a denied resource), then the service. Errors use the
``{"message", "parameters"}`` envelope.

``/_control/...`` (JSON, unauthenticated, for tests and demo mode): reset, seed, generate,
product price/qty changes, settings (bearer switch, denied ACL resources, max page size),
fault injection and call counts.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from functools import cached_property
from typing import Any
from urllib.parse import quote, unquote

from flask import Flask, Response, request

from . import catalog, sales, seed
from .catalog import product_doc, product_row
from .criteria import Column, Criteria, page_clause, parse, to_sql
from .errors import ACL_DENIED, NO_ROUTE, ApiError
from .oauth import Integration, OAuthFailure, parse_header, signature_url, verify
from .state import State, png, utcnow

Handler = Callable[..., Any]
ROUTES: list[tuple[str, re.Pattern[str], str, str, Handler]] = []


def route(method: str, template: str, acl: str) -> Callable[[Handler], Handler]:
    pattern = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template.rstrip("/")) + "/?$")

    def register(func: Handler) -> Handler:
        ROUTES.append((method, pattern, template, acl, func))
        return func

    return register


class Ctx:
    """What a service handler sees: state, store view, decoded JSON body, query pairs."""

    def __init__(
        self,
        state: State,
        store: dict,
        body: Any,
        args: list[tuple[str, str]],
        settings: dict[str, Any],
    ) -> None:
        self.state = state
        self.settings = settings
        self.db = state.db
        self.store = store
        self.store_id = store["id"] if store["id"] else 1
        self.body = body if body is not None else {}
        self.args = args

    @cached_property
    def criteria(self) -> Criteria:
        """The request's searchCriteria, parsed once."""
        criteria = parse(self.args)
        limit = self.settings.get("max_page_size")
        if limit:  # Web API input limits on: capped pages, 20 when pageSize is omitted
            if criteria.page_size is None:
                criteria.page_size = 20
            elif criteria.page_size > limit:
                raise ApiError(400, "Maximum SearchCriteria pageSize is %max", {"max": limit})
        return criteria

    def arg(self, name: str) -> str | None:
        return next((v for k, v in self.args if k == name), None)


def envelope(items: list, criteria: Criteria, total: int) -> dict:
    return {"items": items, "search_criteria": criteria.echo(), "total_count": total}


def table_search(ctx: Ctx, table: str, columns: dict[str, Column], pk: str) -> tuple[list, int]:
    criteria = ctx.criteria
    where, params, order = to_sql(criteria, columns, tiebreak=f"{pk} ASC")
    total = ctx.db.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}", params).fetchone()[0]  # noqa: S608 - whitelisted columns, values bound
    rows = ctx.db.execute(
        f"SELECT * FROM {table} WHERE {where} ORDER BY {order}{page_clause(criteria)}",  # noqa: S608 - whitelisted columns, values bound
        params,
    ).fetchall()
    return rows, int(total)


def cols(*names: str, numeric: tuple[str, ...] = ()) -> dict[str, Column]:
    return {n: Column(n, n in numeric) for n in names}


# -- store -----------------------------------------------------------------------------------
@route("GET", "store/storeViews", "Magento_Backend::store")
def store_views(ctx: Ctx) -> list:
    return [dict(s, extension_attributes={}) for s in seed.STORE_VIEWS]


@route("GET", "store/websites", "Magento_Backend::store")
def websites(ctx: Ctx) -> list:
    return [dict(w, extension_attributes={}) for w in seed.WEBSITES]


@route("GET", "store/storeGroups", "Magento_Backend::store")
def store_groups(ctx: Ctx) -> list:
    return [dict(g) for g in seed.STORE_GROUPS]


@route("GET", "store/storeConfigs", "Magento_Backend::store")
def store_configs(ctx: Ctx) -> list:
    codes = [v for k, v in ctx.args if k.startswith("storeCodes")]
    stores = [s for s in seed.STORE_VIEWS if s["id"] and (not codes or s["code"] in codes)]
    return [catalog.store_config(s, request.url_root) for s in stores]


# -- catalog ---------------------------------------------------------------------------------
def _attribute_doc(ctx: Ctx, row) -> dict:
    options = [{"label": " ", "value": ""}] if row["is_user_defined"] else []
    spanish = ctx.store_id == 2
    for opt in ctx.db.execute(
        "SELECT * FROM attribute_option WHERE attribute_id = ? ORDER BY sort_order",
        (row["attribute_id"],),
    ):
        options.append(
            {
                "label": opt["label_es"] if spanish else opt["label"],
                "value": str(opt["option_id"]),
                "sort_order": opt["sort_order"],
                "is_default": False,
                "store_labels": [{"store_id": 2, "label": opt["label_es"]}],
            }
        )
    return {
        "is_wysiwyg_enabled": False,
        "is_html_allowed_on_front": True,
        "used_for_sort_by": False,
        "is_filterable": bool(row["is_user_defined"]),
        "is_filterable_in_search": False,
        "is_used_in_grid": True,
        "is_visible_in_grid": False,
        "is_filterable_in_grid": True,
        "position": 0,
        "apply_to": [],
        "is_searchable": "1",
        "is_visible_in_advanced_search": "1",
        "is_comparable": "0",
        "is_used_for_promo_rules": "0",
        "is_visible_on_front": "0",
        "used_in_product_listing": "1",
        "is_visible": True,
        "scope": "store" if row["frontend_input"] in ("text", "textarea") else "global",
        "attribute_id": row["attribute_id"],
        "attribute_code": row["attribute_code"],
        "frontend_input": row["frontend_input"],
        "entity_type_id": "4",
        "is_required": row["attribute_code"] in ("name", "sku", "price", "status"),
        "options": options,
        "is_user_defined": bool(row["is_user_defined"]),
        "default_frontend_label": row["label"],
        "frontend_labels": [],
        "backend_type": row["backend_type"],
        "is_unique": "0",
        "validation_rules": [],
    }


@route("GET", "products/attributes", "Magento_Catalog::attributes_attributes")
def attributes(ctx: Ctx) -> dict:
    columns = cols(
        "attribute_id",
        "attribute_code",
        "frontend_input",
        "backend_type",
        "is_user_defined",
        numeric=("attribute_id", "is_user_defined"),
    )
    rows, total = table_search(ctx, "attribute", columns, "attribute_id")
    return envelope([_attribute_doc(ctx, r) for r in rows], ctx.criteria, total)


def _attribute_row(ctx: Ctx, code: str):
    row = ctx.db.execute("SELECT * FROM attribute WHERE attribute_code = ?", (code,)).fetchone()
    if row is None:
        raise ApiError(
            404,
            'The attribute with a "%1" attributeCode doesn\'t exist. Verify the'
            " attribute and try again.",
            [code],
        )
    return row


@route(
    "GET", "products/attributes/{attributeCode}/options", "Magento_Catalog::attributes_attributes"
)
def attribute_options(ctx: Ctx, attributeCode: str) -> list:
    return _attribute_doc(ctx, _attribute_row(ctx, attributeCode))["options"]


@route("GET", "products/attribute-sets/sets/list", "Magento_Catalog::sets")
def attribute_sets(ctx: Ctx) -> dict:
    columns = cols(
        "attribute_set_id",
        "attribute_set_name",
        "sort_order",
        numeric=("attribute_set_id", "sort_order"),
    )
    columns["entity_type_id"] = Column("4", True)
    rows, total = table_search(ctx, "attribute_set", columns, "attribute_set_id")
    items = [
        {
            "attribute_set_id": r["attribute_set_id"],
            "attribute_set_name": r["attribute_set_name"],
            "sort_order": r["sort_order"],
            "entity_type_id": 4,
        }
        for r in rows
    ]
    return envelope(items, ctx.criteria, total)


@route("GET", "products/attribute-sets/{attributeSetId}/attributes", "Magento_Catalog::sets")
def attribute_set_attributes(ctx: Ctx, attributeSetId: str) -> list:
    rows = ctx.db.execute(
        "SELECT a.* FROM attribute a JOIN attribute_set_attribute s USING (attribute_id)"
        " WHERE s.attribute_set_id = ? ORDER BY a.attribute_id",
        (attributeSetId,),
    ).fetchall()
    if not rows:
        raise ApiError(
            404,
            "No such entity with %fieldName = %fieldValue",
            {"fieldName": "id", "fieldValue": attributeSetId},
        )
    return [_attribute_doc(ctx, r) for r in rows]


def _category_counts(ctx: Ctx) -> Counter:
    counts: Counter = Counter()
    for row in ctx.db.execute(
        "SELECT value AS cat, COUNT(*) AS n FROM product, json_each(product.data, '$.categories')"
        " GROUP BY value"
    ):
        counts[int(row["cat"])] = row["n"]
    return counts


@route("GET", "categories", "Magento_Catalog::categories")
def category_tree(ctx: Ctx) -> dict:
    root = int(ctx.arg("rootCategoryId") or 1)
    depth = ctx.arg("depth")
    rows = ctx.db.execute("SELECT * FROM category ORDER BY level, position").fetchall()
    by_parent: dict[int, list] = {}
    for row in rows:
        by_parent.setdefault(row["parent_id"], []).append(row)
    counts = _category_counts(ctx)
    name = "name_es" if ctx.store_id == 2 else "name"

    def node(row, level: int) -> dict:
        children = (
            []
            if depth is not None and level >= int(depth)
            else [node(child, level + 1) for child in by_parent.get(row["id"], [])]
        )
        return {
            "id": row["id"],
            "parent_id": row["parent_id"],
            "name": row[name],
            "is_active": bool(row["is_active"]),
            "position": row["position"],
            "level": row["level"],
            "product_count": counts[row["id"]],
            "children_data": children,
        }

    match = next((r for r in rows if r["id"] == root), None)
    if match is None:
        raise ApiError(
            404,
            "No such entity with %fieldName = %fieldValue",
            {"fieldName": "id", "fieldValue": root},
        )
    return node(match, 0)


@route("GET", "categories/list", "Magento_Catalog::categories")
def category_list(ctx: Ctx) -> dict:
    columns = cols(
        "id",
        "parent_id",
        "position",
        "level",
        "path",
        "is_active",
        "created_at",
        "updated_at",
        numeric=("id", "parent_id", "position", "level", "is_active"),
    )
    columns["name"] = Column("name_es" if ctx.store_id == 2 else "name")
    rows, total = table_search(ctx, "category", columns, "id")
    children: dict[int, list[str]] = {}
    for row in ctx.db.execute("SELECT id, parent_id FROM category ORDER BY position"):
        children.setdefault(row["parent_id"], []).append(str(row["id"]))
    items = [
        {
            "id": r["id"],
            "parent_id": r["parent_id"],
            "name": r["name_es"] if ctx.store_id == 2 else r["name"],
            "is_active": bool(r["is_active"]),
            "position": r["position"],
            "level": r["level"],
            "children": ",".join(children.get(r["id"], [])),
            "created_at": r["created_at"],
            "updated_at": r["updated_at"],
            "path": r["path"],
            "include_in_menu": True,
            "custom_attributes": [
                {"attribute_code": "url_key", "value": r["name"].lower().replace(" ", "-")}
            ],
        }
        for r in rows
    ]
    return envelope(items, ctx.criteria, total)


@route("GET", "products", "Magento_Catalog::products")
def products(ctx: Ctx) -> dict:
    criteria = ctx.criteria
    rows, total = catalog.search_products(ctx.db, criteria, ctx.store_id)
    return envelope([product_doc(ctx.db, r) for r in rows], criteria, total)


@route("GET", "products/{sku}", "Magento_Catalog::products")
def product(ctx: Ctx, sku: str) -> dict:
    return product_doc(ctx.db, product_row(ctx.db, sku, ctx.store_id), with_stock=True)


@route("POST", "products", "Magento_Catalog::products")
def create_product(ctx: Ctx) -> dict:
    sku = catalog.create_product(ctx.db, ctx.body or {})
    return product_doc(ctx.db, product_row(ctx.db, sku, ctx.store_id), with_stock=True)


@route("PUT", "products/{sku}", "Magento_Catalog::products")
def update_product(ctx: Ctx, sku: str) -> dict:
    catalog.update_product(ctx.db, sku, ctx.body, ctx.store_id)
    return product_doc(ctx.db, product_row(ctx.db, sku, ctx.store_id), with_stock=True)


@route("DELETE", "products/{sku}", "Magento_Catalog::products")
def delete_product(ctx: Ctx, sku: str) -> bool:
    """``DELETE /V1/products/{sku}`` answers a bare ``true`` (ProductRepositoryInterface)."""
    row = product_row(ctx.db, sku, ctx.store_id)
    entity_id = row["entity_id"]
    ctx.db.execute("DELETE FROM product_store WHERE entity_id = ?", (entity_id,))
    ctx.db.execute("DELETE FROM source_item WHERE sku = ?", (sku,))
    ctx.db.execute("DELETE FROM product WHERE entity_id = ?", (entity_id,))
    return True


@route("GET", "products/{sku}/media", "Magento_Catalog::products")
def product_media(ctx: Ctx, sku: str) -> list:
    row = product_row(ctx.db, sku, ctx.store_id)
    return catalog.media_entries(row["entity_id"], json.loads(row["data"]))


def _configurable(ctx: Ctx, sku: str):
    row = product_row(ctx.db, sku, ctx.store_id)
    if row["type_id"] != "configurable":
        return row, None
    return row, json.loads(row["data"])["configurable"]


@route("GET", "configurable-products/{sku}/options/all", "Magento_Catalog::products")
def configurable_options(ctx: Ctx, sku: str) -> list:
    row, conf = _configurable(ctx, sku)
    return catalog.configurable_options(row, conf) if conf else []


@route("GET", "configurable-products/{sku}/children", "Magento_Catalog::products")
def configurable_children(ctx: Ctx, sku: str) -> list:
    row, conf = _configurable(ctx, sku)
    if not conf:
        return []
    children = ctx.db.execute(
        "SELECT sku FROM product WHERE parent_id = ? ORDER BY entity_id", (row["entity_id"],)
    ).fetchall()
    return [product_doc(ctx.db, product_row(ctx.db, c["sku"], ctx.store_id)) for c in children]


# -- inventory -------------------------------------------------------------------------------
@route("GET", "stockItems/{productSku}", "Magento_CatalogInventory::cataloginventory")
def stock_item(ctx: Ctx, productSku: str) -> dict:
    return catalog.legacy_stock_item(ctx.db, product_row(ctx.db, productSku, 1))


@route("GET", "inventory/sources", "Magento_InventoryApi::source")
def sources(ctx: Ctx) -> dict:
    columns = cols("source_code", "name", "enabled", "country_id", numeric=("enabled",))
    rows, total = table_search(ctx, "source", columns, "source_code")
    return envelope([json.loads(r["doc"]) for r in rows], ctx.criteria, total)


@route("GET", "inventory/stocks", "Magento_InventoryApi::stock")
def stocks(ctx: Ctx) -> dict:
    rows, total = table_search(
        ctx, "stock", cols("stock_id", "name", numeric=("stock_id",)), "stock_id"
    )
    return envelope([catalog.stock_doc(ctx.db, r["stock_id"]) for r in rows], ctx.criteria, total)


@route("GET", "inventory/stocks/{stockId}", "Magento_InventoryApi::stock")
def stock(ctx: Ctx, stockId: str) -> dict:
    return catalog.stock_doc(ctx.db, int(stockId))


@route("GET", "inventory/stock-resolver/{type}/{code}", "Magento_InventoryApi::stock")
def stock_resolver(ctx: Ctx, type: str, code: str) -> dict:
    return catalog.stock_doc(ctx.db, catalog.resolve_stock(ctx.db, type, code))


@route("GET", "inventory/source-items", "Magento_InventoryApi::source")
def source_items(ctx: Ctx) -> dict:
    columns = cols("sku", "source_code", "quantity", "status", numeric=("quantity", "status"))
    rows, total = table_search(ctx, "source_item", columns, "sku ASC, source_code")
    items = [
        {
            "sku": r["sku"],
            "source_code": r["source_code"],
            "quantity": r["quantity"],
            "status": r["status"],
        }
        for r in rows
    ]
    return envelope(items, ctx.criteria, total)


@route("POST", "inventory/source-items", "Magento_InventoryApi::source_item")
def save_source_items(ctx: Ctx) -> list:
    items = ctx.body.get("sourceItems")
    if not isinstance(items, list):
        raise ApiError(
            400, '"%fieldName" is required. Enter and try again.', {"fieldName": "sourceItems"}
        )
    catalog.save_source_items(ctx.db, items)
    return []


@route(
    "GET", "inventory/get-product-salable-quantity/{sku}/{stockId}", "Magento_InventoryApi::stock"
)
def salable_quantity(ctx: Ctx, sku: str, stockId: str) -> float:
    return catalog.salable_qty(ctx.db, sku, int(stockId))


@route(
    "GET",
    "inventory/export-stock-salable-qty/{salesChannelType}/{salesChannelCode}",
    "Magento_InventoryApi::stock",
)
def export_salable(ctx: Ctx, salesChannelType: str, salesChannelCode: str) -> dict:
    stock_id = catalog.resolve_stock(ctx.db, salesChannelType, salesChannelCode)
    stock_sources = catalog.stock_sources(ctx.db, stock_id)
    marks = ",".join("?" * len(stock_sources))
    criteria = ctx.criteria
    rows, total = catalog.search_products(
        ctx.db,
        criteria,
        1,
        f"p.type_id IN ('simple', 'virtual') AND p.sku IN (SELECT sku FROM source_item"  # noqa: S608 - placeholders only
        f" WHERE source_code IN ({marks}))",
        tuple(stock_sources),
    )
    qty = catalog.salable_quantities(ctx.db, [r["sku"] for r in rows], stock_id)
    items = [{"sku": r["sku"], "qty": qty[r["sku"]], "is_salable": qty[r["sku"]] > 0} for r in rows]
    return envelope(items, criteria, total)


# -- sales -----------------------------------------------------------------------------------
@route("POST", "carts/", "Magento_Cart::manage")
def create_cart(ctx: Ctx) -> int:
    return sales.create_cart(ctx.db, ctx.store_id)


@route("POST", "customers/{customerId}/carts", "Magento_Cart::manage")
def create_customer_cart(ctx: Ctx, customerId: str) -> int:
    return sales.create_cart(ctx.db, ctx.store_id, int(customerId))


@route("POST", "carts/{quoteId}/items", "Magento_Cart::manage")
def add_cart_item(ctx: Ctx, quoteId: str) -> dict:
    return sales.add_cart_item(ctx.db, int(quoteId), ctx.body)


@route("GET", "carts/{cartId}/items", "Magento_Cart::manage")
def cart_items(ctx: Ctx, cartId: str) -> list:
    return sales.cart_items(ctx.db, int(cartId))


@route("DELETE", "carts/{cartId}/items/{itemId}", "Magento_Cart::manage")
def remove_cart_item(ctx: Ctx, cartId: str, itemId: str) -> bool:
    return sales.remove_cart_item(ctx.db, int(cartId), int(itemId))


@route("POST", "carts/{cartId}/shipping-information", "Magento_Cart::manage")
def shipping_information(ctx: Ctx, cartId: str) -> dict:
    return sales.set_shipping_information(ctx.db, int(cartId), ctx.body)


@route("PUT", "carts/{cartId}/order", "Magento_Cart::manage")
def place_order(ctx: Ctx, cartId: str) -> int:
    return sales.place_order(ctx.db, int(cartId), ctx.body)


ORDER_COLUMNS = {"quote_id": Column("json_extract(doc, '$.quote_id')", True)} | cols(
    "entity_id",
    "increment_id",
    "state",
    "status",
    "customer_email",
    "customer_id",
    "store_id",
    "grand_total",
    "created_at",
    "updated_at",
    numeric=("entity_id", "customer_id", "store_id", "grand_total"),
)


@route("GET", "orders", "Magento_Sales::actions_view")
def orders(ctx: Ctx) -> dict:
    rows, total = table_search(ctx, "sales_order", ORDER_COLUMNS, "entity_id")
    return envelope([json.loads(r["doc"]) for r in rows], ctx.criteria, total)


@route("GET", "orders/{id}", "Magento_Sales::actions_view")
def order(ctx: Ctx, id: str) -> dict:
    return sales.order(ctx.db, int(id))


@route("POST", "orders/{id}/comments", "Magento_Sales::comment")
def add_order_comment(ctx: Ctx, id: str) -> bool:
    return sales.add_comment(ctx.db, int(id), ctx.body)


@route("GET", "orders/{id}/comments", "Magento_Sales::actions_view")
def order_comments(ctx: Ctx, id: str) -> dict:
    histories = sales.order(ctx.db, int(id))["status_histories"]
    return envelope(histories, Criteria(), len(histories))


@route("POST", "orders/{id}/cancel", "Magento_Sales::cancel")
def cancel_order(ctx: Ctx, id: str) -> bool:
    return sales.cancel(ctx.db, int(id))


@route("POST", "order/{orderId}/invoice", "Magento_Sales::sales_invoice")
def invoice_order(ctx: Ctx, orderId: str) -> int:
    return sales.invoice(ctx.db, int(orderId), ctx.body)


@route("GET", "invoices", "Magento_Sales::sales_invoice")
def invoices(ctx: Ctx) -> dict:
    columns = cols(
        "entity_id",
        "order_id",
        "increment_id",
        "state",
        "created_at",
        "updated_at",
        numeric=("entity_id", "order_id", "state"),
    )
    rows, total = table_search(ctx, "invoice", columns, "entity_id")
    return envelope([json.loads(r["doc"]) for r in rows], ctx.criteria, total)


@route("POST", "order/{orderId}/ship", "Magento_Sales::ship")
def ship_order(ctx: Ctx, orderId: str) -> int:
    return sales.ship(ctx.db, int(orderId), ctx.body)


@route("GET", "shipments", "Magento_Sales::shipment")
def shipments(ctx: Ctx) -> dict:
    columns = cols(
        "entity_id",
        "order_id",
        "increment_id",
        "created_at",
        "updated_at",
        numeric=("entity_id", "order_id"),
    )
    rows, total = table_search(ctx, "shipment", columns, "entity_id")
    return envelope([json.loads(r["doc"]) for r in rows], ctx.criteria, total)


@route("POST", "shipment/track", "Magento_Sales::ship")
def add_track(ctx: Ctx) -> dict:
    return sales.add_track(ctx.db, ctx.body)


@route("GET", "customers/search", "Magento_Customer::customer")
def customer_search(ctx: Ctx) -> dict:
    columns = cols(
        "id",
        "email",
        "firstname",
        "lastname",
        "website_id",
        "group_id",
        "created_at",
        "updated_at",
        numeric=("id", "website_id", "group_id"),
    )
    columns["entity_id"] = Column("id", True)
    rows, total = table_search(ctx, "customer", columns, "id")
    return envelope([sales.customer_doc(r) for r in rows], ctx.criteria, total)


@route("POST", "customers", "Magento_Customer::manage")
def create_customer(ctx: Ctx) -> dict:
    customer = ctx.body.get("customer")
    if not isinstance(customer, dict):
        raise ApiError(
            400, '"%fieldName" is required. Enter and try again.', {"fieldName": "customer"}
        )
    for key in ("email", "firstname", "lastname"):
        if not customer.get(key):
            raise ApiError(
                400, '"%fieldName" is required. Enter and try again.', {"fieldName": key}
            )
    website_id = int(customer.get("website_id") or 1)
    if ctx.db.execute(
        "SELECT 1 FROM customer WHERE email = ? AND website_id = ?", (customer["email"], website_id)
    ).fetchone():
        raise ApiError(
            400, "A customer with the same email address already exists in an associated website."
        )
    customer_id = ctx.state.insert_customer(
        ctx.db, {**customer, "website_id": website_id}, utcnow()
    )
    return sales.customer_doc(sales.customer(ctx.db, customer_id))


@route("GET", "customers/{customerId}", "Magento_Customer::customer")
def get_customer(ctx: Ctx, customerId: str) -> dict:
    return sales.customer_doc(sales.customer(ctx.db, int(customerId)))


# -- the app ---------------------------------------------------------------------------------
DEFAULT_SETTINGS: dict[str, Any] = {
    "integration_as_bearer": False,
    "denied_resources": [],
    "max_page_size": 300,
}


class Sandbox:
    """Per-app mutable state: the database plus settings, faults and call counts."""

    def __init__(self, state: State, settings: dict[str, Any]) -> None:
        self.state = state
        self.initial_settings = {**DEFAULT_SETTINGS, **settings}
        self.settings = dict(self.initial_settings)
        self.faults: dict[str, Any] = {}
        self.calls: Counter[str] = Counter()
        #: faults served, by mode (the soak test reports them)
        self.injected: Counter[str] = Counter()
        self.lock = threading.Lock()

    def integration(self) -> Integration:
        creds = self.state.credentials()
        return Integration(consumer_id=1, **creds)

    def next_fault(self, call: str) -> dict | None:
        """The fault for this call (``"GET products"``), if one is armed and matches.

        A fault is ``{"mode": "5xx"|"timeout"|"not_json", "count": N | "probability": p,
        "status", "delay", "route": "PUT carts/{cartId}/order", "after": bool}``; ``after``
        runs the service first and then fails, like an answer lost on the way back.
        """
        with self.lock:
            fault = self.faults
            if not fault or fault.get("route", call) != call:
                return None
            if fault.get("count"):
                self.injected[fault.get("mode", "5xx")] += 1
                fault["count"] -= 1
                if fault["count"] == 0:
                    self.faults = {}
                return dict(fault)
            probability = float(fault.get("probability") or 0)
            if probability and random.random() < probability:  # noqa: S311 - test noise
                self.injected[fault.get("mode", "5xx")] += 1
                return dict(fault)
            return None


def _fault_response(fault: dict) -> Response | None:
    """The injected failure; ``None`` for a timeout, which only delays the real answer."""
    mode = fault.get("mode", "5xx")
    if mode == "timeout":
        time.sleep(float(fault.get("delay", 2.0)))
        return None
    if mode == "not_json":
        return Response(
            "<html><body>Service Unavailable</body></html>",
            status=int(fault.get("status", 200)),
            mimetype="text/html",
        )
    message = "Internal Error. Details are available in Magento log file. Report ID: webapi-1"
    return _json({"message": message}, int(fault.get("status", 500)))


def _json(value: Any, status: int = 200) -> Response:
    return Response(json.dumps(value), status=status, mimetype="application/json")


def create_app(state_path: str | None = None, **settings: Any) -> Flask:
    """The sandbox WSGI app. ``state_path=None`` keeps the state in memory.

    Settings: ``integration_as_bearer`` (bool), ``denied_resources`` (ACL ids),
    ``max_page_size`` (int or None), ``seed`` (default True: load the demo catalog when empty),
    ``credentials`` (dict of the four OAuth values, to pin them).
    """
    app = Flask(__name__)
    state = State(state_path)
    pinned = settings.pop("credentials", None)
    if pinned:
        with state.transaction():
            for key, value in pinned.items():
                state.set_meta(key, value)
    if settings.pop("seed", True) and not state.is_seeded():
        state.seed()
    sandbox = Sandbox(state, settings)
    app.extensions["magento_sandbox"] = sandbox

    @app.route("/rest/<path:rest>", methods=["GET", "POST", "PUT", "DELETE"])
    def rest(rest: str) -> Response:
        try:
            return _dispatch(sandbox)
        except ApiError as exc:
            return _json(exc.body(), exc.status)

    @app.route("/media/catalog/product/<path:file>")
    def media(file: str) -> Response:
        return Response(png(file), mimetype="image/png", headers={"Cache-Control": "max-age=86400"})

    _control(app, sandbox)
    return app


def _raw_path() -> str:
    """The path as the client sent it, still percent-encoded (``%2F`` inside a SKU stays)."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw:
        return raw.split("?", 1)[0]
    return quote(request.script_root + request.path)


def _raw_rest_path() -> str:
    path = _raw_path()
    return path[path.find("/rest/") + len("/rest/") :]


def _dispatch(sandbox: Sandbox) -> Response:
    # ``V1/...`` is the default store view; ``{store_code}/V1/...`` names one.
    head, _, tail = _raw_rest_path().partition("/")
    if head == "V1":
        store, service_path = catalog.store_by_code("default"), tail
    else:
        version, _, service_path = tail.partition("/")
        if version != "V1":
            raise ApiError(404, NO_ROUTE)
        store = catalog.store_by_code(unquote(head))
        if store is None:
            raise ApiError(
                400, "The store that was requested wasn't found. Verify the store and try again."
            )
    match = None
    for method, pattern, template, acl, func in ROUTES:
        found = pattern.match(service_path)
        if found and method == request.method:
            match = (template, acl, func, {k: unquote(v) for k, v in found.groupdict().items()})
            break
    if match is None:
        raise ApiError(404, NO_ROUTE)
    template, acl, func, params = match
    call = f"{request.method} {template}"
    with sandbox.lock:
        sandbox.calls[call] += 1
    fault = sandbox.next_fault(call)
    if fault and not fault.get("after"):
        failure = _fault_response(fault)
        if failure is not None:
            return failure
    _authenticate(sandbox, acl)
    body = None
    if request.data:
        try:
            body = json.loads(request.data)
        except ValueError:
            raise ApiError(400, "Decoding error: \nSyntax error") from None
    args = list(request.args.items(multi=True))
    ctx = Ctx(sandbox.state, store, body, args, sandbox.settings)
    with sandbox.state.transaction():
        result = func(ctx, **params)
    if fault and fault.get("after"):
        return _fault_response(fault) or _json(result)
    return _json(result)


def _authenticate(sandbox: Sandbox, acl: str) -> None:
    header = request.headers.get("Authorization", "")
    authenticated = False
    if header[:6].lower() == "oauth ":
        integration = sandbox.integration()
        try:
            verify(
                header_params=parse_header(header[6:]),
                method=request.method,
                url=signature_url(request.scheme, request.host, _raw_path()),
                query_string=request.query_string.decode("latin-1"),
                form_body=request.get_data(as_text=True)
                if request.mimetype == "application/x-www-form-urlencoded"
                else None,
                integration=integration,
                now=time.time(),
                use_nonce=sandbox.state.use_nonce,
            )
        except OAuthFailure as exc:
            raise ApiError(exc.status, exc.message, exc.parameters) from None
        authenticated = True
    elif header[:7].lower() == "bearer ":
        token = header[7:].strip()
        authenticated = bool(
            sandbox.settings["integration_as_bearer"]
            and token == sandbox.integration().access_token
        )
    if not authenticated or acl in sandbox.settings["denied_resources"]:
        raise ApiError(401, ACL_DENIED, {"resources": acl})


def _control(app: Flask, sandbox: Sandbox) -> None:
    state = sandbox.state

    def body() -> dict:
        return request.get_json(silent=True) or {}

    @app.post("/_control/reset")
    def control_reset() -> Response:
        state.seed()
        with sandbox.lock:
            sandbox.faults = {}
            sandbox.calls.clear()
        sandbox.settings = dict(sandbox.initial_settings)
        return _json({"ok": True})

    @app.post("/_control/seed")
    def control_seed() -> Response:
        state.seed()
        return _json({"ok": True})

    @app.post("/_control/generate")
    def control_generate() -> Response:
        started = time.monotonic()
        total = state.generate(int(body().get("n", 1000)))
        return _json({"products": total, "seconds": round(time.monotonic() - started, 3)})

    @app.post("/_control/products/<sku>")
    def control_product(sku: str) -> Response:
        data = body()
        with state.transaction() as db:
            if "price" in data:
                catalog.update_product(db, sku, {"product": {"price": float(data["price"])}}, 1)
            if "qty" in data:
                catalog.save_source_items(
                    db,
                    [
                        {
                            "sku": sku,
                            "source_code": data.get("source_code", "default"),
                            "quantity": float(data["qty"]),
                            "status": int(float(data["qty"]) > 0),
                        }
                    ],
                )
            return _json(product_doc(db, product_row(db, sku, 1), with_stock=True))

    @app.post("/_control/settings")
    def control_settings() -> Response:
        sandbox.settings.update(body())
        return _json(sandbox.settings)

    @app.post("/_control/faults")
    def control_faults() -> Response:
        with sandbox.lock:
            sandbox.faults = body()
        return _json(sandbox.faults)

    @app.get("/_control/faults")
    def control_fault_state() -> Response:
        with sandbox.lock:
            return _json({"armed": sandbox.faults, "injected": dict(sandbox.injected)})

    @app.delete("/_control/faults")
    def control_clear_faults() -> Response:
        with sandbox.lock:
            sandbox.faults = {}
        return _json({})

    @app.get("/_control/calls")
    def control_calls() -> Response:
        with sandbox.lock:
            return _json(dict(sandbox.calls))

    @app.delete("/_control/calls")
    def control_clear_calls() -> Response:
        with sandbox.lock:
            sandbox.calls.clear()
        return _json({})

    @app.get("/_control/info")
    def control_info() -> Response:
        return _json(credentials_info(sandbox, request.url_root))

    @app.errorhandler(ApiError)
    def api_error(exc: ApiError) -> Response:
        return _json(exc.body(), exc.status)


def credentials_info(sandbox: Sandbox, base_url: str) -> dict[str, Any]:
    creds = sandbox.state.credentials()
    return {
        "base_url": base_url.rstrip("/"),
        **creds,
        "bearer_token": creds["access_token"],
        "integration_as_bearer": sandbox.settings["integration_as_bearer"],
        "store_codes": [s["code"] for s in seed.STORE_VIEWS if s["id"]],
    }
