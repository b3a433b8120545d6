"""Carts, orders, invoices, shipments and customers of the sandbox.

Placing a cart behaves like ``OrderManagementInterface::place`` with MSI: the salable quantity
is checked on the website's stock and a negative reservation is appended at once (INV
``InventorySales/etc/di.xml`` plugin ``inventory_reservations_placement``). A shipment deducts
the source item and appends the compensating reservation; a cancel compensates what is left.
Flat rate shipping is 5.00 per item, tax 0, payment ``checkmo`` -- Magento's defaults.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from typing import Any

from . import seed
from .catalog import product_row, salable_quantities, stock_sources
from .errors import ApiError
from .state import utcnow

REQUIRED = '"%fieldName" is required. Enter and try again.'
QUOTE_ADDRESS_FIELDS = (
    "region",
    "region_id",
    "region_code",
    "country_id",
    "street",
    "telephone",
    "postcode",
    "city",
    "firstname",
    "lastname",
    "email",
)
FLAT_RATE = 5.0


def _cart(db: sqlite3.Connection, cart_id: int) -> tuple[sqlite3.Row, dict]:
    row = db.execute("SELECT * FROM cart WHERE id = ? AND is_active = 1", (cart_id,)).fetchone()
    if row is None:
        raise ApiError(
            404,
            "No such entity with %fieldName = %fieldValue",
            {"fieldName": "cartId", "fieldValue": cart_id},
        )
    return row, json.loads(row["data"])


def _save_cart(db: sqlite3.Connection, cart_id: int, data: dict) -> None:
    db.execute("UPDATE cart SET data = ? WHERE id = ?", (json.dumps(data), cart_id))


def create_cart(db: sqlite3.Connection, store_id: int, customer_id: int | None = None) -> int:
    if customer_id is not None:
        customer(db, customer_id)
        row = db.execute(
            "SELECT id FROM cart WHERE customer_id = ? AND is_active = 1", (customer_id,)
        ).fetchone()
        if row:
            return int(row["id"])
    cur = db.execute(
        "INSERT INTO cart (customer_id, store_id, is_active, data) VALUES (?, ?, 1, ?)",
        (customer_id, store_id, json.dumps({"items": []})),
    )
    return int(cur.lastrowid or 0)


def add_cart_item(db: sqlite3.Connection, cart_id: int, body: dict) -> dict:
    item = body.get("cartItem")
    if not isinstance(item, dict) or not item.get("sku"):
        raise ApiError(400, REQUIRED, {"fieldName": "sku"})
    row, data = _cart(db, cart_id)
    product = product_row(db, item["sku"], row["store_id"])
    qty = float(item.get("qty") or 0)
    if qty <= 0:
        raise ApiError(400, 'The quantity "%1" is not a valid number.', [item.get("qty")])
    line: dict[str, Any] = {"sku": product["sku"], "qty": qty}
    child = product
    if product["type_id"] == "configurable":
        options = (item.get("product_option") or {}).get("extension_attributes", {}).get(
            "configurable_item_options"
        ) or []
        child = _resolve_child(db, product, options)
        line["options"] = [
            {"option_id": str(o["option_id"]), "option_value": int(o["option_value"])}
            for o in options
        ]
        line["child_sku"] = child["sku"]
    elif product["type_id"] not in ("simple", "virtual"):
        raise ApiError(
            400, "The product type %1 is not supported by the sandbox.", [product["type_id"]]
        )
    if int(child["status"]) != 1 or int(product["status"]) != 1:
        # Magento refuses disabled products in a cart (Quote\Model\Quote::addProduct).
        raise ApiError(400, "Product that you are trying to add is not available.")
    salable = salable_quantities(db, [child["sku"]], seed.SELLING_STOCK_ID)[child["sku"]]
    if salable < qty:
        raise ApiError(400, "The requested qty is not available")
    data["next_item"] = data.get("next_item", 0) + 1
    line["item_id"] = cart_id * 1000 + data["next_item"]
    line["price"] = float(child["price"])
    line["name"] = product["store_name"]
    line["product_type"] = product["type_id"]
    data["items"].append(line)
    _save_cart(db, cart_id, data)
    return _cart_item(cart_id, line)


def _cart_item(cart_id: int, line: dict) -> dict:
    return {
        "item_id": line["item_id"],
        "sku": line.get("child_sku", line["sku"]),
        "qty": line["qty"],
        "name": line["name"],
        "price": line["price"],
        "product_type": line["product_type"],
        "quote_id": str(cart_id),
    }


def cart_items(db: sqlite3.Connection, cart_id: int) -> list[dict]:
    _, data = _cart(db, cart_id)
    return [_cart_item(cart_id, line) for line in data["items"]]


def remove_cart_item(db: sqlite3.Connection, cart_id: int, item_id: int) -> bool:
    _, data = _cart(db, cart_id)
    kept = [line for line in data["items"] if line["item_id"] != item_id]
    if len(kept) == len(data["items"]):
        raise ApiError(
            404,
            "The %1 Cart doesn't contain the %2 item.",
            [cart_id, item_id],
        )
    data["items"] = kept
    _save_cart(db, cart_id, data)
    return True


def _resolve_child(db: sqlite3.Connection, parent: sqlite3.Row, options: list) -> sqlite3.Row:
    wanted = {}
    codes = {93: "color", 144: "size"}
    for option in options:
        code = codes.get(int(option.get("option_id", 0)))
        if code is None:
            raise ApiError(400, "You need to choose options for your item.")
        wanted[code] = str(option.get("option_value"))
    for child in db.execute(
        "SELECT * FROM product WHERE parent_id = ? ORDER BY entity_id", (parent["entity_id"],)
    ):
        custom = json.loads(child["data"])["custom"]
        if all(custom.get(code) == value for code, value in wanted.items()) and len(wanted) == 2:
            return product_row(db, child["sku"], 1)
    raise ApiError(400, "You need to choose options for your item.")


def set_shipping_information(db: sqlite3.Connection, cart_id: int, body: dict) -> dict:
    info = body.get("addressInformation")
    if not isinstance(info, dict):
        raise ApiError(400, REQUIRED, {"fieldName": "addressInformation"})
    address = info.get("shipping_address") or {}
    for name in QUOTE_ADDRESS_FIELDS:
        if name not in address:
            raise ApiError(400, REQUIRED, {"fieldName": name})
    for name in ("firstname", "lastname", "street", "city", "telephone", "postcode", "country_id"):
        # Magento's address validator: these may not be empty either.
        if not address.get(name) or address[name] == [""]:
            raise ApiError(400, REQUIRED, {"fieldName": name})
    if (info.get("shipping_carrier_code"), info.get("shipping_method_code")) != (
        "flatrate",
        "flatrate",
    ):
        raise ApiError(
            400,
            "Carrier with such method not found: %1, %2",
            [info.get("shipping_carrier_code"), info.get("shipping_method_code")],
        )
    _, data = _cart(db, cart_id)
    if not data["items"]:
        raise ApiError(
            400,
            "The shipping method can't be set for an empty cart. Add an item to"
            " cart and try again.",
        )
    data["shipping_address"] = address
    data["billing_address"] = info.get("billing_address") or address
    _save_cart(db, cart_id, data)
    totals = _totals(data)
    return {
        "payment_methods": [{"code": "checkmo", "title": "Check / Money order"}],
        "totals": {
            "grand_total": totals["grand_total"],
            "base_grand_total": totals["grand_total"],
            "subtotal": totals["subtotal"],
            "base_subtotal": totals["subtotal"],
            "discount_amount": 0,
            "base_discount_amount": 0,
            "subtotal_with_discount": totals["subtotal"],
            "base_subtotal_with_discount": totals["subtotal"],
            "shipping_amount": totals["shipping"],
            "base_shipping_amount": totals["shipping"],
            "shipping_discount_amount": 0,
            "base_shipping_discount_amount": 0,
            "tax_amount": 0,
            "base_tax_amount": 0,
            "weee_tax_applied_amount": None,
            "shipping_tax_amount": 0,
            "base_shipping_tax_amount": 0,
            "subtotal_incl_tax": totals["subtotal"],
            "shipping_incl_tax": totals["shipping"],
            "base_shipping_incl_tax": totals["shipping"],
            "base_currency_code": "USD",
            "quote_currency_code": "USD",
            "items_qty": int(totals["qty"]),
            "total_segments": [
                {"code": "subtotal", "title": "Subtotal", "value": totals["subtotal"]},
                {
                    "code": "shipping",
                    "title": "Shipping & Handling (Flat Rate - Fixed)",
                    "value": totals["shipping"],
                },
                {"code": "tax", "title": "Tax", "value": 0},
                {"code": "grand_total", "title": "Grand Total", "value": totals["grand_total"]},
            ],
        },
    }


def _totals(data: dict) -> dict[str, float]:
    qty = sum(line["qty"] for line in data["items"])
    subtotal = round(sum(line["qty"] * line["price"] for line in data["items"]), 2)
    shipping = round(FLAT_RATE * qty, 2)
    return {
        "qty": qty,
        "subtotal": subtotal,
        "shipping": shipping,
        "grand_total": round(subtotal + shipping, 2),
    }


def place_order(db: sqlite3.Connection, cart_id: int, body: dict) -> int:
    method = ((body or {}).get("paymentMethod") or {}).get("method")
    if method != "checkmo":
        raise ApiError(400, "The requested Payment Method is not available.")
    row, data = _cart(db, cart_id)
    if "shipping_address" not in data:
        raise ApiError(
            400, "The shipping method is missing. Select the shipping method and try again."
        )
    stock_id = seed.SELLING_STOCK_ID
    skus = [line.get("child_sku", line["sku"]) for line in data["items"]]
    salable = salable_quantities(db, skus, stock_id)
    needed: dict[str, float] = {}
    for sku, line in zip(skus, data["items"], strict=True):
        needed[sku] = needed.get(sku, 0.0) + line["qty"]
    for sku, qty in needed.items():
        if salable[sku] < qty:
            raise ApiError(400, "The requested qty is not available")
    now = utcnow()
    order_id = int(
        db.execute("SELECT COALESCE(MAX(entity_id), 0) + 1 FROM sales_order").fetchone()[0]
    )
    increment_id = f"{order_id:09d}"
    store = next(s for s in seed.STORE_VIEWS if s["id"] == row["store_id"])
    address = data["shipping_address"]
    billing = data["billing_address"]
    customer_row = customer(db, row["customer_id"]) if row["customer_id"] is not None else None
    items = _order_items(db, order_id, data["items"], row["store_id"], now)
    totals = _totals(data)
    doc: dict[str, Any] = {
        "base_currency_code": "USD",
        "base_discount_amount": 0,
        "base_grand_total": totals["grand_total"],
        "base_shipping_amount": totals["shipping"],
        "base_shipping_incl_tax": totals["shipping"],
        "base_subtotal": totals["subtotal"],
        "base_subtotal_incl_tax": totals["subtotal"],
        "base_tax_amount": 0,
        "base_total_due": totals["grand_total"],
        "base_to_global_rate": 1,
        "base_to_order_rate": 1,
        "billing_address_id": order_id * 2 - 1,
        "created_at": now,
        "customer_email": customer_row["email"] if customer_row else billing["email"],
        "customer_firstname": customer_row["firstname"] if customer_row else billing["firstname"],
        "customer_group_id": 1 if customer_row else 0,
        "customer_is_guest": 0 if customer_row else 1,
        "customer_lastname": customer_row["lastname"] if customer_row else billing["lastname"],
        "customer_note_notify": 1,
        "discount_amount": 0,
        "email_sent": 1,
        "entity_id": order_id,
        "global_currency_code": "USD",
        "grand_total": totals["grand_total"],
        "increment_id": increment_id,
        "is_virtual": 0,
        "order_currency_code": "USD",
        "protect_code": secrets.token_hex(3),
        "quote_id": cart_id,
        "shipping_amount": totals["shipping"],
        "shipping_description": "Flat Rate - Fixed",
        "shipping_incl_tax": totals["shipping"],
        "state": "new",
        "status": "pending",
        "store_currency_code": "USD",
        "store_id": store["id"],
        "store_name": f"Main Website\nMain Website Store\n{store['name']}",
        "store_to_base_rate": 0,
        "store_to_order_rate": 0,
        "subtotal": totals["subtotal"],
        "subtotal_incl_tax": totals["subtotal"],
        "tax_amount": 0,
        "total_due": totals["grand_total"],
        "total_item_count": len(data["items"]),
        "total_qty_ordered": totals["qty"],
        "updated_at": now,
        "weight": totals["qty"],
        "items": items,
        "billing_address": _order_address(billing, "billing", order_id, order_id * 2 - 1),
        "payment": {
            "account_status": None,
            "additional_information": ["Check / Money order"],
            "amount_ordered": totals["grand_total"],
            "base_amount_ordered": totals["grand_total"],
            "base_shipping_amount": totals["shipping"],
            "cc_last4": None,
            "entity_id": order_id,
            "method": "checkmo",
            "parent_id": order_id,
            "shipping_amount": totals["shipping"],
        },
        "status_histories": [],
        "extension_attributes": {
            "shipping_assignments": [
                {
                    "shipping": {
                        "address": _order_address(address, "shipping", order_id, order_id * 2),
                        "method": "flatrate_flatrate",
                        "total": {
                            "base_shipping_amount": totals["shipping"],
                            "base_shipping_incl_tax": totals["shipping"],
                            "shipping_amount": totals["shipping"],
                            "shipping_incl_tax": totals["shipping"],
                            "shipping_tax_amount": 0,
                        },
                    },
                    "items": items,
                    "stock_id": stock_id,
                }
            ],
            "applied_taxes": [],
            "item_applied_taxes": [],
            "converting_from_quote": True,
        },
    }
    if customer_row:
        doc["customer_id"] = customer_row["id"]
    _save_order(db, doc, insert=True)
    db.executemany(
        "INSERT INTO reservation (stock_id, sku, quantity, metadata) VALUES (?, ?, ?, ?)",
        [
            (
                stock_id,
                sku,
                -qty,
                json.dumps(
                    {
                        "event_type": "order_placed",
                        "object_type": "order",
                        "object_id": str(order_id),
                    }
                ),
            )
            for sku, qty in needed.items()
        ],
    )
    db.execute("UPDATE cart SET is_active = 0 WHERE id = ?", (cart_id,))
    return order_id


def _order_address(address: dict, kind: str, order_id: int, entity_id: int) -> dict:
    out = {
        "address_type": kind,
        "city": address["city"],
        "country_id": address["country_id"],
        "email": address.get("email", ""),
        "entity_id": entity_id,
        "firstname": address["firstname"],
        "lastname": address["lastname"],
        "parent_id": order_id,
        "postcode": str(address["postcode"]),
        "street": list(address.get("street") or []),
        "telephone": str(address["telephone"]),
    }
    for key in ("region", "region_code", "company"):
        if address.get(key):
            out[key] = address[key]
    if address.get("region_id"):
        out["region_id"] = int(address["region_id"])
    return out


def _order_items(db, order_id: int, lines: list[dict], store_id: int, now: str) -> list[dict]:
    items: list[dict] = []
    next_id = int(db.execute("SELECT COUNT(*) FROM sales_order").fetchone()[0]) * 100 + 1

    def item(product: sqlite3.Row, line: dict, price: float, **extra: Any) -> dict:
        nonlocal next_id
        out = {
            "amount_refunded": 0,
            "base_amount_refunded": 0,
            "base_discount_amount": 0,
            "base_original_price": price,
            "base_price": price,
            "base_price_incl_tax": price,
            "base_row_total": price * line["qty"],
            "base_row_total_incl_tax": price * line["qty"],
            "base_tax_amount": 0,
            "created_at": now,
            "discount_amount": 0,
            "discount_percent": 0,
            "is_qty_decimal": 0,
            "is_virtual": 0,
            "item_id": next_id,
            "name": product["name"],
            "no_discount": 0,
            "order_id": order_id,
            "original_price": price,
            "price": price,
            "price_incl_tax": price,
            "product_id": product["entity_id"],
            "product_type": product["type_id"],
            "qty_canceled": 0,
            "qty_invoiced": 0,
            "qty_ordered": line["qty"],
            "qty_refunded": 0,
            "qty_shipped": 0,
            "row_total": price * line["qty"],
            "row_total_incl_tax": price * line["qty"],
            "sku": line.get("child_sku", product["sku"]),
            "store_id": store_id,
            "tax_amount": 0,
            "tax_percent": 0,
            "updated_at": now,
            "weight": product["weight"] or 1,
            **extra,
        }
        next_id += 1
        return out

    for line in lines:
        product = product_row(db, line["sku"], store_id)
        if "child_sku" in line:
            parent = item(
                product,
                line,
                line["price"],
                product_option={
                    "extension_attributes": {"configurable_item_options": line["options"]}
                },
            )
            child_row = product_row(db, line["child_sku"], store_id)
            child = item(
                child_row, line, 0.0, parent_item_id=parent["item_id"], parent_item=dict(parent)
            )
            items += [parent, child]
        else:
            items.append(item(product, line, line["price"]))
    return items


def _save_order(db: sqlite3.Connection, doc: dict, insert: bool = False) -> None:
    values = (
        doc["increment_id"],
        doc["state"],
        doc["status"],
        doc["customer_email"],
        doc.get("customer_id"),
        doc["store_id"],
        doc["grand_total"],
        doc["created_at"],
        doc["updated_at"],
        json.dumps(doc),
        doc["entity_id"],
    )
    if insert:
        db.execute(
            "INSERT INTO sales_order (increment_id, state, status, customer_email, customer_id,"
            " store_id, grand_total, created_at, updated_at, doc, entity_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            values,
        )
    else:
        db.execute(
            "UPDATE sales_order SET increment_id = ?, state = ?, status = ?, customer_email = ?,"
            " customer_id = ?, store_id = ?, grand_total = ?, created_at = ?, updated_at = ?,"
            " doc = ? WHERE entity_id = ?",
            values,
        )


def order(db: sqlite3.Connection, order_id: int) -> dict:
    row = db.execute("SELECT doc FROM sales_order WHERE entity_id = ?", (order_id,)).fetchone()
    if row is None:
        raise ApiError(
            404, "The entity that was requested doesn't exist. Verify the entity and try again."
        )
    return json.loads(row["doc"])


def _top_items(doc: dict) -> list[dict]:
    return [i for i in doc["items"] if "parent_item_id" not in i]


def _refresh_state(doc: dict) -> None:
    items = _top_items(doc)
    invoiced = all(i["qty_invoiced"] >= i["qty_ordered"] - i["qty_canceled"] for i in items)
    shipped = all(i["qty_shipped"] >= i["qty_ordered"] - i["qty_canceled"] for i in items)
    if doc["state"] == "canceled":
        return
    if invoiced and shipped:
        doc["state"] = doc["status"] = "complete"
    elif any(i["qty_invoiced"] or i["qty_shipped"] for i in items):
        doc["state"] = doc["status"] = "processing"


def _sync_children(doc: dict) -> None:
    by_id = {i["item_id"]: i for i in doc["items"]}
    for child in doc["items"]:
        parent = by_id.get(child.get("parent_item_id"))
        if parent:
            for key in ("qty_invoiced", "qty_shipped", "qty_canceled"):
                child[key] = parent[key]
            child["parent_item"] = {k: v for k, v in parent.items()}
    doc["extension_attributes"]["shipping_assignments"][0]["items"] = doc["items"]


def add_comment(db: sqlite3.Connection, order_id: int, body: dict) -> bool:
    history = body.get("statusHistory")
    if not isinstance(history, dict) or "comment" not in history:
        raise ApiError(400, REQUIRED, {"fieldName": "comment"})
    doc = order(db, order_id)
    now = utcnow()
    entry = {
        "comment": str(history["comment"]),
        "created_at": now,
        "entity_id": order_id * 1000 + len(doc["status_histories"]) + 1,
        "entity_name": "order",
        "is_customer_notified": int(history.get("is_customer_notified") or 0),
        "is_visible_on_front": int(history.get("is_visible_on_front") or 0),
        "parent_id": order_id,
        "status": history.get("status") or doc["status"],
    }
    if history.get("status"):
        doc["status"] = history["status"]
    doc["status_histories"].insert(0, entry)
    doc["updated_at"] = now
    _save_order(db, doc)
    return True


def cancel(db: sqlite3.Connection, order_id: int) -> bool:
    doc = order(db, order_id)
    items = _top_items(doc)
    if doc["state"] in ("canceled", "complete", "closed") or any(
        i["qty_invoiced"] or i["qty_shipped"] for i in items
    ):
        return False
    compensations = []
    for item in doc["items"]:
        if item["product_type"] == "configurable":
            continue
        item_qty = item["qty_ordered"]
        compensations.append((seed.SELLING_STOCK_ID, item["sku"], item_qty))
    for item in doc["items"]:
        item["qty_canceled"] = item["qty_ordered"]
    doc["state"] = doc["status"] = "canceled"
    doc["updated_at"] = utcnow()
    _save_order(db, doc)
    _reserve(db, compensations, "order_canceled", order_id)
    return True


def _reserve(db, rows: list[tuple[int, str, float]], event: str, order_id: int) -> None:
    meta = json.dumps({"event_type": event, "object_type": "order", "object_id": str(order_id)})
    db.executemany(
        "INSERT INTO reservation (stock_id, sku, quantity, metadata) VALUES (?, ?, ?, ?)",
        [(stock, sku, qty, meta) for stock, sku, qty in rows],
    )


def _requested(doc: dict, lines: list[dict] | None, field: str) -> dict[int, float]:
    items = {i["item_id"]: i for i in _top_items(doc)}
    if not lines:
        return {
            item_id: i["qty_ordered"] - i["qty_canceled"] - i[field]
            for item_id, i in items.items()
            if i["qty_ordered"] - i["qty_canceled"] - i[field] > 0
        }
    wanted: dict[int, float] = {}
    for line in lines:
        item_id = int(line.get("order_item_id", 0))
        if item_id not in items:
            raise ApiError(400, "The order item with ID %1 was not found.", [item_id])
        wanted[item_id] = float(line.get("qty") or 0)
    for item_id, qty in wanted.items():
        i = items[item_id]
        if qty <= 0 or qty > i["qty_ordered"] - i["qty_canceled"] - i[field]:
            raise ApiError(400, "The quantity to ship/invoice is invalid for item %1.", [item_id])
    return wanted


def invoice(db: sqlite3.Connection, order_id: int, body: dict) -> int:
    doc = order(db, order_id)
    if doc["state"] == "canceled":
        raise ApiError(400, "The order does not allow an invoice to be created.")
    wanted = _requested(doc, (body or {}).get("items"), "qty_invoiced")
    if not wanted:
        raise ApiError(400, "The order does not allow an invoice to be created.")
    now = utcnow()
    invoice_id = int(
        db.execute("SELECT COALESCE(MAX(entity_id), 0) + 1 FROM invoice").fetchone()[0]
    )
    items_by_id = {i["item_id"]: i for i in doc["items"]}
    lines = []
    subtotal = 0.0
    for item_id, qty in wanted.items():
        item = items_by_id[item_id]
        item["qty_invoiced"] += qty
        subtotal += item["price"] * qty
        lines.append(
            {
                "base_price": item["price"],
                "base_row_total": item["price"] * qty,
                "entity_id": invoice_id * 100 + len(lines) + 1,
                "name": item["name"],
                "order_item_id": item_id,
                "parent_id": invoice_id,
                "price": item["price"],
                "product_id": item["product_id"],
                "qty": qty,
                "row_total": item["price"] * qty,
                "sku": item["sku"],
                "tax_amount": 0,
            }
        )
    first = not db.execute("SELECT 1 FROM invoice WHERE order_id = ?", (order_id,)).fetchone()
    shipping = doc["shipping_amount"] if first else 0.0
    total = round(subtotal + shipping, 2)
    invoice_doc = {
        "base_currency_code": "USD",
        "base_grand_total": total,
        "base_shipping_amount": shipping,
        "base_subtotal": subtotal,
        "base_tax_amount": 0,
        "billing_address_id": doc["billing_address_id"],
        "created_at": now,
        "entity_id": invoice_id,
        "global_currency_code": "USD",
        "grand_total": total,
        "increment_id": f"{invoice_id:09d}",
        "order_currency_code": "USD",
        "order_id": order_id,
        "shipping_amount": shipping,
        "state": 2,
        "store_currency_code": "USD",
        "store_id": doc["store_id"],
        "subtotal": subtotal,
        "tax_amount": 0,
        "total_qty": sum(wanted.values()),
        "updated_at": now,
        "items": lines,
        "comments": [],
    }
    db.execute(
        "INSERT INTO invoice VALUES (?, ?, ?, 2, ?, ?, ?)",
        (invoice_id, order_id, invoice_doc["increment_id"], now, now, json.dumps(invoice_doc)),
    )
    doc["total_invoiced"] = round(doc.get("total_invoiced", 0) + total, 2)
    doc["total_paid"] = doc["base_total_paid"] = doc["total_invoiced"]
    doc["total_due"] = doc["base_total_due"] = round(doc["grand_total"] - doc["total_paid"], 2)
    _sync_children(doc)
    _refresh_state(doc)
    doc["updated_at"] = now
    _save_order(db, doc)
    return invoice_id


def ship(db: sqlite3.Connection, order_id: int, body: dict) -> int:
    body = body or {}
    doc = order(db, order_id)
    if doc["state"] == "canceled":
        raise ApiError(400, "The order does not allow a shipment to be created.")
    wanted = _requested(doc, body.get("items"), "qty_shipped")
    if not wanted:
        raise ApiError(400, "The order does not allow a shipment to be created.")
    source_code = ((body.get("arguments") or {}).get("extension_attributes") or {}).get(
        "source_code"
    ) or stock_sources(db, seed.SELLING_STOCK_ID)[0]
    tracks_in = body.get("tracks") or []
    for track in tracks_in:
        for key in ("track_number", "title", "carrier_code"):
            if not track.get(key):
                raise ApiError(400, REQUIRED, {"fieldName": key})
    now = utcnow()
    shipment_id = int(
        db.execute("SELECT COALESCE(MAX(entity_id), 0) + 1 FROM shipment").fetchone()[0]
    )
    items_by_id = {i["item_id"]: i for i in doc["items"]}
    children = {i.get("parent_item_id"): i for i in doc["items"] if "parent_item_id" in i}
    lines, deductions = [], []
    for item_id, qty in wanted.items():
        item = items_by_id[item_id]
        item["qty_shipped"] += qty
        stock_sku = children[item_id]["sku"] if item_id in children else item["sku"]
        deductions.append((stock_sku, qty))
        lines.append(
            {
                "entity_id": shipment_id * 100 + len(lines) + 1,
                "name": item["name"],
                "order_item_id": item_id,
                "parent_id": shipment_id,
                "price": item["price"],
                "product_id": item["product_id"],
                "qty": qty,
                "sku": stock_sku,
                "weight": item["weight"],
            }
        )
    for sku, qty in deductions:
        db.execute(
            "UPDATE source_item SET quantity = quantity - ? WHERE sku = ? AND source_code = ?",
            (qty, sku, source_code),
        )
    _reserve(
        db,
        [(seed.SELLING_STOCK_ID, sku, qty) for sku, qty in deductions],
        "shipment_created",
        order_id,
    )
    tracks = [
        _track(shipment_id * 100 + n, shipment_id, order_id, t, now)
        for n, t in enumerate(tracks_in, start=1)
    ]
    shipment_doc = {
        "created_at": now,
        "entity_id": shipment_id,
        "increment_id": f"{shipment_id:09d}",
        "order_id": order_id,
        "store_id": doc["store_id"],
        "total_qty": sum(wanted.values()),
        "updated_at": now,
        "packages": [],
        "items": lines,
        "tracks": tracks,
        "comments": [],
        "extension_attributes": {"source_code": source_code},
    }
    if doc.get("customer_id"):
        shipment_doc["customer_id"] = doc["customer_id"]
    db.execute(
        "INSERT INTO shipment VALUES (?, ?, ?, ?, ?, ?)",
        (shipment_id, order_id, shipment_doc["increment_id"], now, now, json.dumps(shipment_doc)),
    )
    _sync_children(doc)
    _refresh_state(doc)
    doc["updated_at"] = now
    _save_order(db, doc)
    return shipment_id


def _track(entity_id: int, shipment_id: int, order_id: int, track: dict, now: str) -> dict:
    return {
        "order_id": order_id,
        "created_at": now,
        "entity_id": entity_id,
        "parent_id": shipment_id,
        "updated_at": now,
        "weight": track.get("weight"),
        "qty": track.get("qty"),
        "description": track.get("description"),
        "track_number": str(track["track_number"]),
        "title": str(track["title"]),
        "carrier_code": str(track["carrier_code"]),
    }


def add_track(db: sqlite3.Connection, body: dict) -> dict:
    entity = body.get("entity")
    if not isinstance(entity, dict):
        raise ApiError(400, REQUIRED, {"fieldName": "entity"})
    for key in ("parent_id", "order_id", "track_number", "title", "carrier_code"):
        if entity.get(key) in (None, ""):
            raise ApiError(400, REQUIRED, {"fieldName": key})
    row = db.execute(
        "SELECT doc FROM shipment WHERE entity_id = ?", (int(entity["parent_id"]),)
    ).fetchone()
    if row is None:
        raise ApiError(404, "The shipment that was requested doesn't exist.")
    doc = json.loads(row["doc"])
    now = utcnow()
    track = _track(
        doc["entity_id"] * 100 + len(doc["tracks"]) + 1,
        doc["entity_id"],
        doc["order_id"],
        entity,
        now,
    )
    doc["tracks"].append(track)
    doc["updated_at"] = now
    db.execute(
        "UPDATE shipment SET doc = ?, updated_at = ? WHERE entity_id = ?",
        (json.dumps(doc), now, doc["entity_id"]),
    )
    return track


# -- customers -------------------------------------------------------------------------------
def customer(db: sqlite3.Connection, customer_id: int) -> sqlite3.Row:
    row = db.execute("SELECT * FROM customer WHERE id = ?", (customer_id,)).fetchone()
    if row is None:
        raise ApiError(
            404,
            "No such entity with %fieldName = %fieldValue",
            {"fieldName": "customerId", "fieldValue": customer_id},
        )
    return row


def customer_doc(row: sqlite3.Row) -> dict:
    doc = json.loads(row["doc"])
    store = next(s for s in seed.STORE_VIEWS if s["id"] == row["store_id"])
    return {
        "id": row["id"],
        "group_id": row["group_id"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "created_in": store["name"],
        "email": row["email"],
        "firstname": row["firstname"],
        "lastname": row["lastname"],
        "store_id": row["store_id"],
        "website_id": row["website_id"],
        "addresses": doc.get("addresses", []),
        "disable_auto_group_change": 0,
    }
