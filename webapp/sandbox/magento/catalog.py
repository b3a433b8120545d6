"""Catalog, store and inventory reads/writes of the sandbox, rendered in Magento's shapes.

Shapes follow Adobe's admin schema 2.4.8 and the reference notes: product lists without
``stock_item`` (magento/magento2#36533), ``custom_attributes`` values as strings, configurable
parents priced 0 with ``configurable_product_options``/``links`` (CW
``create-configurable-product.md``); the legacy stock item mirrors the Default Source only
(magento/inventory#219); salable qty = in-stock source quantity of the stock's sources +
reservations - min_qty, 0 when not salable, 400 for configurable parents (INV
``InventorySales/Model/GetProductSalableQty.php``, magento/inventory#2111).

``category_ids`` is left out of ``custom_attributes``: Magento sends it as an array of strings,
which the schema (``value: string``) rejects; ``extension_attributes.category_links`` carries
the same information.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from . import seed
from .criteria import Column, Criteria, page_clause, to_sql
from .errors import NO_SUCH_PRODUCT, ApiError
from .state import utcnow

PRODUCT_COLUMNS = {
    "entity_id": Column("p.entity_id", True),
    "id": Column("p.entity_id", True),
    "sku": Column("p.sku"),
    "name": Column("COALESCE(ps.name, p.name)"),
    "type_id": Column("p.type_id"),
    "attribute_set_id": Column("p.attribute_set_id", True),
    "price": Column("p.price", True),
    "status": Column("p.status", True),
    "visibility": Column("p.visibility", True),
    "weight": Column("p.weight", True),
    "created_at": Column("p.created_at"),
    "updated_at": Column("p.updated_at"),
    "category_id": Column("(SELECT GROUP_CONCAT(value) FROM json_each(p.data, '$.categories'))"),
}


def _product_fallback(field: str) -> Column | None:
    if field.replace("_", "").isalnum():
        return Column(f"json_extract(p.data, '$.custom.{field}')")
    return None


def store_by_code(code: str) -> dict[str, Any] | None:
    return next((s for s in seed.STORE_VIEWS if s["code"] == code), None)


def store_config(store: dict[str, Any], base_url: str) -> dict[str, Any]:
    base = base_url.rstrip("/") + "/"
    return {
        "id": store["id"],
        "code": store["code"],
        "website_id": store["website_id"],
        "locale": seed.LOCALES[store["id"]],
        "base_currency_code": "USD",
        "default_display_currency_code": "USD",
        "timezone": "America/Chicago",
        "weight_unit": "lbs",
        "base_url": base,
        "base_link_url": base,
        "base_static_url": f"{base}static/",
        "base_media_url": f"{base}media/",
        "secure_base_url": base,
        "secure_base_link_url": base,
        "secure_base_static_url": f"{base}static/",
        "secure_base_media_url": f"{base}media/",
    }


# -- products --------------------------------------------------------------------------------
_SELECT = (
    "SELECT p.*, COALESCE(ps.name, p.name) AS store_name, ps.description AS store_description "
    "FROM product p LEFT JOIN product_store ps ON ps.entity_id = p.entity_id AND ps.store_id = ?"
)


def product_row(db: sqlite3.Connection, sku: str, store_id: int) -> sqlite3.Row:
    row = db.execute(f"{_SELECT} WHERE p.sku = ?", (store_id, sku)).fetchone()
    if row is None:
        raise ApiError(404, NO_SUCH_PRODUCT)
    return row


def search_products(
    db: sqlite3.Connection,
    criteria: Criteria,
    store_id: int,
    extra_where: str = "1",
    extra_params: tuple = (),
) -> tuple[list[sqlite3.Row], int]:
    where, params, order = to_sql(
        criteria, PRODUCT_COLUMNS, fallback=_product_fallback, tiebreak="p.entity_id ASC"
    )
    base = f"{_SELECT} WHERE ({where}) AND ({extra_where})"
    # whitelisted column expressions; every value is a bound parameter
    joined = (
        "product p LEFT JOIN product_store ps ON ps.entity_id = p.entity_id AND ps.store_id = ?"
    )
    count_sql = f"SELECT COUNT(*) FROM {joined} WHERE ({where}) AND ({extra_where})"  # noqa: S608
    total = db.execute(count_sql, (store_id, *params, *extra_params)).fetchone()[0]
    sql = f"{base} ORDER BY {order}{page_clause(criteria)}"
    rows = db.execute(sql, (store_id, *params, *extra_params)).fetchall()
    return rows, int(total)


def product_doc(db: sqlite3.Connection, row: sqlite3.Row, *, with_stock: bool = False) -> dict:
    data = json.loads(row["data"])
    custom = dict(data["custom"])
    if row["store_description"]:
        custom["description"] = row["store_description"]
    extension: dict[str, Any] = {
        "website_ids": [1],
        "category_links": [
            {"position": pos, "category_id": str(cat)}
            for pos, cat in enumerate(data.get("categories", []))
        ],
    }
    if with_stock:
        extension["stock_item"] = legacy_stock_item(db, row)
    conf = data.get("configurable")
    if conf:
        extension["configurable_product_options"] = configurable_options(row, conf)
        extension["configurable_product_links"] = list(conf["links"])
    doc: dict[str, Any] = {
        "id": row["entity_id"],
        "sku": row["sku"],
        "name": row["store_name"],
        "attribute_set_id": row["attribute_set_id"],
        "price": row["price"],
        "status": row["status"],
        "visibility": row["visibility"],
        "type_id": row["type_id"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
    if row["weight"] is not None:
        doc["weight"] = row["weight"]
    doc.update(
        {
            "extension_attributes": extension,
            "product_links": [],
            "options": [],
            "media_gallery_entries": media_entries(row["entity_id"], data),
            "tier_prices": [],
            "custom_attributes": [
                {"attribute_code": code, "value": value} for code, value in custom.items()
            ],
        }
    )
    return doc


def media_entries(entity_id: int, data: dict) -> list[dict]:
    return [
        {
            "id": entity_id * 10 + position,
            "media_type": "image",
            "label": entry["label"],
            "position": position,
            "disabled": False,
            "types": entry["types"],
            "file": entry["file"],
        }
        for position, entry in enumerate(data.get("media", []), start=1)
    ]


def configurable_options(row: sqlite3.Row, conf: dict) -> list[dict]:
    return [
        {
            "id": row["entity_id"] * 10 + position,
            "attribute_id": str(attribute_id),
            "label": label,
            "position": position,
            "values": [{"value_index": value} for value in values],
            "product_id": row["entity_id"],
        }
        for position, (attribute_id, label, values) in enumerate(conf["options"])
    ]


def update_product(db: sqlite3.Connection, sku: str, body: dict, store_id: int) -> None:
    product = body.get("product")
    if not isinstance(product, dict):
        raise ApiError(
            400, '"%fieldName" is required. Enter and try again.', {"fieldName": "product"}
        )
    row = product_row(db, sku, store_id)
    data = json.loads(row["data"])
    sets: dict[str, Any] = {}
    for key in ("price", "status", "visibility", "weight"):
        if key in product:
            sets[key] = product[key]
    if "name" in product:
        if store_id in (0, 1):
            sets["name"] = product["name"]
        else:
            db.execute(
                "INSERT INTO product_store (entity_id, store_id, name) VALUES (?, ?, ?) "
                "ON CONFLICT (entity_id, store_id) DO UPDATE SET name = excluded.name",
                (row["entity_id"], store_id, product["name"]),
            )
    for attr in product.get("custom_attributes") or []:
        data["custom"][attr["attribute_code"]] = attr["value"]
    sets["data"] = json.dumps(data)
    sets["updated_at"] = utcnow()
    assignments = ", ".join(f"{key} = ?" for key in sets)
    db.execute(
        f"UPDATE product SET {assignments} WHERE entity_id = ?",  # noqa: S608 - whitelisted keys
        (*sets.values(), row["entity_id"]),
    )


def create_product(db: sqlite3.Connection, body: dict) -> str:
    """``POST /V1/products``: a new simple product (the fields a placeholder needs); returns
    its SKU. An existing SKU answers 400 like Magento's URL-key/SKU uniqueness check."""
    product = body.get("product")
    if not isinstance(product, dict):
        raise ApiError(
            400, '"%fieldName" is required. Enter and try again.', {"fieldName": "product"}
        )
    for name in ("sku", "name", "attribute_set_id"):
        if product.get(name) in (None, ""):
            raise ApiError(
                400, '"%fieldName" is required. Enter and try again.', {"fieldName": name}
            )
    sku = str(product["sku"])
    if db.execute("SELECT 1 FROM product WHERE sku = ?", (sku,)).fetchone():
        raise ApiError(400, "The product with SKU %1 already exists.", [sku])
    if product.get("type_id", "simple") != "simple":
        raise ApiError(
            400, "The product type %1 is not supported by the sandbox.", [product["type_id"]]
        )
    custom = {a["attribute_code"]: a["value"] for a in product.get("custom_attributes") or []}
    custom.setdefault("url_key", sku.lower())
    data = {"custom": custom, "categories": [], "media": []}
    now = utcnow()
    entity_id = int(db.execute("SELECT COALESCE(MAX(entity_id), 0) + 1 FROM product").fetchone()[0])
    db.execute(
        f"INSERT INTO product VALUES ({','.join('?' * 13)})",  # noqa: S608 - placeholders only
        (
            entity_id,
            sku,
            "simple",
            int(product["attribute_set_id"]),
            str(product["name"]),
            float(product.get("price") or 0),
            int(product.get("status") or 1),
            int(product.get("visibility") or 4),
            float(product.get("weight") or 0) or None,
            now,
            now,
            None,
            json.dumps(data, separators=(",", ":")),
        ),
    )
    return sku


# -- inventory -------------------------------------------------------------------------------
def legacy_stock_item(db: sqlite3.Connection, row: sqlite3.Row) -> dict:
    """CatalogInventory stock item: mirrors the Default Source only (magento/inventory#219)."""
    item = db.execute(
        "SELECT quantity, status FROM source_item WHERE sku = ? AND source_code = 'default'",
        (row["sku"],),
    ).fetchone()
    qty = float(item["quantity"]) if item else 0.0
    in_stock = bool(item["status"]) if item else row["type_id"] == "configurable"
    return {
        "item_id": row["entity_id"],
        "product_id": row["entity_id"],
        "stock_id": 1,
        "qty": qty,
        "is_in_stock": in_stock,
        "is_qty_decimal": False,
        "show_default_notification_message": False,
        "use_config_min_qty": True,
        "min_qty": 0,
        "use_config_min_sale_qty": 1,
        "min_sale_qty": 1,
        "use_config_max_sale_qty": True,
        "max_sale_qty": 10000,
        "use_config_backorders": True,
        "backorders": 0,
        "use_config_notify_stock_qty": True,
        "notify_stock_qty": 1,
        "use_config_qty_increments": True,
        "qty_increments": 0,
        "use_config_enable_qty_inc": True,
        "enable_qty_increments": False,
        "use_config_manage_stock": True,
        "manage_stock": True,
        "low_stock_date": None,
        "is_decimal_divided": False,
        "stock_status_changed_auto": 0,
    }


def stock_sources(db: sqlite3.Connection, stock_id: int) -> list[str]:
    rows = db.execute(
        "SELECT source_code FROM stock_source WHERE stock_id = ? ORDER BY priority", (stock_id,)
    ).fetchall()
    return [r["source_code"] for r in rows]


def stock_doc(db: sqlite3.Connection, stock_id: int) -> dict:
    row = db.execute("SELECT * FROM stock WHERE stock_id = ?", (stock_id,)).fetchone()
    if row is None:
        raise ApiError(404, 'Stock with id "%value" does not exist.', {"value": stock_id})
    channels = db.execute(
        "SELECT type, code FROM stock_channel WHERE stock_id = ? ORDER BY code", (stock_id,)
    ).fetchall()
    return {
        "stock_id": row["stock_id"],
        "name": row["name"],
        "extension_attributes": {
            "sales_channels": [{"type": c["type"], "code": c["code"]} for c in channels]
        },
    }


def resolve_stock(db: sqlite3.Connection, channel_type: str, code: str) -> int:
    row = db.execute(
        "SELECT stock_id FROM stock_channel WHERE type = ? AND code = ?", (channel_type, code)
    ).fetchone()
    if row is None:
        raise ApiError(404, "No linked stock found")
    return int(row["stock_id"])


def salable_quantities(db: sqlite3.Connection, skus: list[str], stock_id: int) -> dict[str, float]:
    """Index qty (in-stock source items of the stock) + reservations - min_qty (0); 0 if not
    salable (INV ``InventorySales/Model/GetProductSalableQty.php``)."""
    if not skus:
        return {}
    sources = stock_sources(db, stock_id)
    marks = ",".join("?" * len(skus))
    source_marks = ",".join("?" * len(sources)) or "NULL"
    index = {
        r["sku"]: float(r["qty"])
        for r in db.execute(
            f"SELECT sku, SUM(quantity) AS qty FROM source_item WHERE sku IN ({marks})"  # noqa: S608 - placeholders only
            f" AND source_code IN ({source_marks}) AND status = 1 AND quantity > 0 GROUP BY sku",
            (*skus, *sources),
        )
    }
    reserved = {
        r["sku"]: float(r["qty"])
        for r in db.execute(
            f"SELECT sku, SUM(quantity) AS qty FROM reservation WHERE sku IN ({marks})"  # noqa: S608 - placeholders only
            " AND stock_id = ? GROUP BY sku",
            (*skus, stock_id),
        )
    }
    return {sku: (index[sku] + reserved.get(sku, 0.0)) if sku in index else 0.0 for sku in skus}


def salable_qty(db: sqlite3.Connection, sku: str, stock_id: int) -> float:
    row = product_row(db, sku, 1)
    if row["type_id"] not in ("simple", "virtual", "downloadable"):
        raise ApiError(
            400, "Can't check requested quantity for products without Source Items support."
        )
    stock_doc(db, stock_id)
    return salable_quantities(db, [sku], stock_id)[sku]


def save_source_items(db: sqlite3.Connection, items: list[dict]) -> None:
    known_sources = {r["source_code"] for r in db.execute("SELECT source_code FROM source")}
    for item in items:
        for key in ("sku", "source_code", "quantity", "status"):
            if key not in item:
                raise ApiError(400, '"%field" can not be empty.', {"field": key})
        if item["source_code"] not in known_sources:
            raise ApiError(
                400, 'Source with code "%value" does not exist.', {"value": item["source_code"]}
            )
        product_row(db, item["sku"], 1)
    db.executemany(
        "INSERT INTO source_item (sku, source_code, quantity, status) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (sku, source_code) DO UPDATE SET quantity = excluded.quantity, "
        "status = excluded.status",
        [(i["sku"], i["source_code"], float(i["quantity"]), int(i["status"])) for i in items],
    )
