"""SQLite state of the Magento sandbox (stdlib ``sqlite3``, its own file or memory).

One connection guarded by a re-entrant lock: the sandbox runs under threaded servers and every
request takes the lock for its whole database work, which keeps multi-statement operations such
as order placement atomic.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from . import seed

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS attribute (
    attribute_id INTEGER PRIMARY KEY, attribute_code TEXT UNIQUE NOT NULL, label TEXT NOT NULL,
    frontend_input TEXT NOT NULL, backend_type TEXT NOT NULL, is_user_defined INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS attribute_option (
    option_id INTEGER PRIMARY KEY, attribute_id INTEGER NOT NULL, label TEXT NOT NULL,
    label_es TEXT NOT NULL, sort_order INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS attribute_set (
    attribute_set_id INTEGER PRIMARY KEY, attribute_set_name TEXT NOT NULL,
    sort_order INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS attribute_set_attribute (
    attribute_set_id INTEGER NOT NULL, attribute_id INTEGER NOT NULL,
    PRIMARY KEY (attribute_set_id, attribute_id));
CREATE TABLE IF NOT EXISTS category (
    id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL, name TEXT NOT NULL, name_es TEXT NOT NULL,
    position INTEGER NOT NULL, level INTEGER NOT NULL, path TEXT NOT NULL,
    is_active INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS product (
    entity_id INTEGER PRIMARY KEY, sku TEXT UNIQUE NOT NULL, type_id TEXT NOT NULL,
    attribute_set_id INTEGER NOT NULL, name TEXT NOT NULL, price REAL NOT NULL,
    status INTEGER NOT NULL, visibility INTEGER NOT NULL, weight REAL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, parent_id INTEGER, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS product_updated ON product (updated_at, entity_id);
CREATE INDEX IF NOT EXISTS product_parent ON product (parent_id);
CREATE TABLE IF NOT EXISTS product_store (
    entity_id INTEGER NOT NULL, store_id INTEGER NOT NULL, name TEXT, description TEXT,
    PRIMARY KEY (entity_id, store_id));
CREATE TABLE IF NOT EXISTS source (source_code TEXT PRIMARY KEY, doc TEXT NOT NULL,
    name TEXT NOT NULL, enabled INTEGER NOT NULL, country_id TEXT);
CREATE TABLE IF NOT EXISTS stock (stock_id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stock_source (stock_id INTEGER NOT NULL, source_code TEXT NOT NULL,
    priority INTEGER NOT NULL, PRIMARY KEY (stock_id, source_code));
CREATE TABLE IF NOT EXISTS stock_channel (stock_id INTEGER NOT NULL, type TEXT NOT NULL,
    code TEXT NOT NULL, PRIMARY KEY (type, code));
CREATE TABLE IF NOT EXISTS source_item (sku TEXT NOT NULL, source_code TEXT NOT NULL,
    quantity REAL NOT NULL, status INTEGER NOT NULL, PRIMARY KEY (sku, source_code));
CREATE INDEX IF NOT EXISTS source_item_source ON source_item (source_code, sku);
CREATE TABLE IF NOT EXISTS reservation (reservation_id INTEGER PRIMARY KEY,
    stock_id INTEGER NOT NULL, sku TEXT NOT NULL, quantity REAL NOT NULL, metadata TEXT);
CREATE INDEX IF NOT EXISTS reservation_sku ON reservation (sku, stock_id);
CREATE TABLE IF NOT EXISTS customer (id INTEGER PRIMARY KEY, email TEXT NOT NULL,
    firstname TEXT NOT NULL, lastname TEXT NOT NULL, website_id INTEGER NOT NULL,
    group_id INTEGER NOT NULL, store_id INTEGER NOT NULL, created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL, doc TEXT NOT NULL, UNIQUE (email, website_id));
CREATE TABLE IF NOT EXISTS cart (id INTEGER PRIMARY KEY, customer_id INTEGER,
    store_id INTEGER NOT NULL, is_active INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sales_order (entity_id INTEGER PRIMARY KEY,
    increment_id TEXT UNIQUE NOT NULL, state TEXT NOT NULL, status TEXT NOT NULL,
    customer_email TEXT NOT NULL, customer_id INTEGER, store_id INTEGER NOT NULL,
    grand_total REAL NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS invoice (entity_id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL,
    increment_id TEXT NOT NULL, state INTEGER NOT NULL, created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS shipment (entity_id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL,
    increment_id TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nonce (consumer_id INTEGER NOT NULL, nonce TEXT NOT NULL,
    timestamp INTEGER NOT NULL, PRIMARY KEY (consumer_id, nonce));
"""
TABLES = [
    "meta",
    "attribute",
    "attribute_option",
    "attribute_set",
    "attribute_set_attribute",
    "category",
    "product",
    "product_store",
    "source",
    "stock",
    "stock_source",
    "stock_channel",
    "source_item",
    "reservation",
    "customer",
    "cart",
    "sales_order",
    "invoice",
    "shipment",
    "nonce",
]


def utcnow() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def png(seed_text: str, size: int = 16) -> bytes:
    """A tiny solid-colour PNG whose colour derives from ``seed_text`` (stdlib only)."""
    digest = zlib.crc32(seed_text.encode())
    rgb = bytes(((digest >> 16) & 0xFF, (digest >> 8) & 0xFF, digest & 0xFF))
    raw = b"".join(b"\x00" + rgb * size for _ in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _file_for(stem: str, suffix: str = "main") -> str:
    name = stem.lower().replace(" ", "-").replace("'", "")
    return f"/{name[0]}/{name[1]}/{name}_{suffix}.png"


class State:
    def __init__(self, path: str | None = None) -> None:
        self.lock = threading.RLock()
        self.db = sqlite3.connect(path or ":memory:", check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL" if path else "PRAGMA journal_mode=MEMORY")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        with self.lock:
            self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            try:
                yield self.db
                self.db.commit()
            except BaseException:
                self.db.rollback()
                raise

    # -- credentials -------------------------------------------------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def credentials(self) -> dict[str, str]:
        with self.transaction():
            if self.meta("consumer_key") is None:
                for key in (
                    "consumer_key",
                    "consumer_secret",
                    "access_token",
                    "access_token_secret",
                ):
                    self.set_meta(key, secrets.token_hex(16))  # Magento keys are 32 chars
            return {
                key: self.meta(key) or ""
                for key in (
                    "consumer_key",
                    "consumer_secret",
                    "access_token",
                    "access_token_secret",
                )
            }

    def use_nonce(self, consumer_id: int, nonce: str) -> bool:
        with self.transaction() as db:
            cur = db.execute(
                "INSERT OR IGNORE INTO nonce (consumer_id, nonce, timestamp) VALUES (?, ?, ?)",
                (consumer_id, nonce, int(time.time())),
            )
            return cur.rowcount == 1

    # -- seeding -----------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget everything but the integration credentials."""
        with self.transaction() as db:
            creds = {r["key"]: r["value"] for r in db.execute("SELECT * FROM meta")}
            for table in TABLES:
                db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            for key, value in creds.items():
                if key in (
                    "consumer_key",
                    "consumer_secret",
                    "access_token",
                    "access_token_secret",
                ):
                    self.set_meta(key, value)

    def is_seeded(self) -> bool:
        return self.db.execute("SELECT 1 FROM attribute LIMIT 1").fetchone() is not None

    def seed(self) -> None:
        """Reset, then load the demo catalog."""
        self.reset()
        with self.transaction() as db:
            self._seed_structure(db)
            self._seed_catalog(db)
            for email, first, last in seed.CUSTOMERS:
                self.insert_customer(
                    db, {"email": email, "firstname": first, "lastname": last}, now=seed.SEED_TIME
                )

    def _seed_structure(self, db: sqlite3.Connection) -> None:
        for set_id, name, order in seed.ATTRIBUTE_SETS:
            db.execute("INSERT INTO attribute_set VALUES (?, ?, ?)", (set_id, name, order))
        for attr_id, code, label, frontend, backend, sets, options in seed.ATTRIBUTES:
            db.execute(
                "INSERT INTO attribute VALUES (?, ?, ?, ?, ?, ?)",
                (attr_id, code, label, frontend, backend, int(bool(options))),
            )
            for set_id in sets:
                db.execute("INSERT INTO attribute_set_attribute VALUES (?, ?)", (set_id, attr_id))
            for order, (option_id, en, es) in enumerate(options, start=1):
                db.execute(
                    "INSERT INTO attribute_option VALUES (?, ?, ?, ?, ?)",
                    (option_id, attr_id, en, es, order),
                )
        paths: dict[int, tuple[str, int]] = {0: ("", -1)}
        for cat_id, parent, en, es, position in seed.CATEGORIES:
            parent_path, parent_level = paths[parent]
            path = f"{parent_path}/{cat_id}" if parent_path else str(cat_id)
            paths[cat_id] = (path, parent_level + 1)
            db.execute(
                "INSERT INTO category VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                (
                    cat_id,
                    parent,
                    en,
                    es,
                    position,
                    parent_level + 1,
                    path,
                    seed.SEED_TIME,
                    seed.SEED_TIME,
                ),
            )
        for source in seed.SOURCES:
            db.execute(
                "INSERT INTO source VALUES (?, ?, ?, ?, ?)",
                (
                    source["source_code"],
                    json.dumps(source),
                    source["name"],
                    int(source["enabled"]),
                    source.get("country_id"),
                ),
            )
        for stock_id, name, sources, websites in seed.STOCKS:
            db.execute("INSERT INTO stock VALUES (?, ?)", (stock_id, name))
            for priority, code in enumerate(sources, start=1):
                db.execute("INSERT INTO stock_source VALUES (?, ?, ?)", (stock_id, code, priority))
            for website in websites:
                db.execute(
                    "INSERT INTO stock_channel VALUES (?, 'website', ?)", (stock_id, website)
                )

    def _seed_catalog(self, db: sqlite3.Connection) -> None:
        rows: list[tuple] = []
        store_rows: list[tuple] = []
        stock_rows: list[tuple] = []
        next_id = 1
        when = seed.SEED_TIME

        def add(sku, type_id, set_id, name, name_es, price, visibility, parent, data, qty):
            nonlocal next_id
            entity_id = next_id
            next_id += 1
            weight = None if type_id == "configurable" else 1.0
            rows.append(
                (
                    entity_id,
                    sku,
                    type_id,
                    set_id,
                    name,
                    price,
                    1,
                    visibility,
                    weight,
                    when,
                    when,
                    parent,
                    json.dumps(data),
                )
            )
            desc = data["custom"].get("description")
            store_rows.append((entity_id, 2, name_es, f"<p>{name_es}.</p>" if desc else None))
            if qty is not None:
                default_qty, eu_qty = qty
                stock_rows.append((sku, "default", default_qty, int(default_qty > 0)))
                stock_rows.append((sku, "eu_warehouse", eu_qty, int(eu_qty > 0)))
            return entity_id

        n = 0
        labels = {option_id: en for *_, options in seed.ATTRIBUTES for option_id, en, _ in options}
        for stem, en, es, cat, set_id, price, colors, sizes, material in seed.CONFIGURABLES:
            children = []
            parent_id = next_id + len(colors) * len(sizes)
            for color in colors:
                for size in sizes:
                    n += 1
                    child_sku = f"{stem}-{labels[size]}-{labels[color]}"
                    data = _data(
                        child_sku,
                        en,
                        cat,
                        {"color": str(color), "size": str(size), "material": material},
                        media=False,
                    )
                    qty = ((n * 7) % 23 + 3, (n * 5) % 11)
                    children.append(
                        add(
                            child_sku,
                            "simple",
                            set_id,
                            f"{en}-{labels[size]}-{labels[color]}",
                            f"{es}-{labels[size]}-{labels[color]}",
                            price + (size % 2),
                            1,
                            parent_id,
                            data,
                            qty,
                        )
                    )
            data = _data(stem, en, cat, {"material": material}, media=True)
            data["configurable"] = {
                "options": [[93, "Color", list(colors)], [144, "Size", list(sizes)]],
                "links": children,
            }
            assert add(stem, "configurable", set_id, en, es, 0.0, 4, None, data, None) == parent_id
        for i, (sku, en, es, cat, set_id, price, maker, color) in enumerate(seed.SIMPLES):
            custom = {"manufacturer": str(maker)}
            if color:
                custom["color"] = str(color)
            qty = (0, 0) if i == 3 else ((i * 11) % 40 + 1, (i * 3) % 9)
            add(
                sku,
                "simple",
                set_id,
                en,
                es,
                price,
                4,
                None,
                _data(sku, en, cat, custom, True),
                qty,
            )
        db.executemany(f"INSERT INTO product VALUES ({','.join('?' * 13)})", rows)  # noqa: S608 - placeholders only
        db.executemany("INSERT INTO product_store VALUES (?, ?, ?, ?)", store_rows)
        db.executemany("INSERT INTO source_item VALUES (?, ?, ?, ?)", stock_rows)

    def generate(self, n: int) -> int:
        """Grow the catalog to ``n`` products with bulk inserts; returns the product count."""
        with self.transaction() as db:
            if not self.is_seeded():
                self._seed_structure(db)
                self._seed_catalog(db)
            count = db.execute("SELECT COUNT(*) FROM product").fetchone()[0]
            start = db.execute("SELECT COALESCE(MAX(entity_id), 0) FROM product").fetchone()[0]
            missing = max(0, n - count)
            batch = 20_000
            colors = [49, 50, 58, 59, 53]
            for offset in range(0, missing, batch):
                rows, stores, stock = [], [], []
                for k in range(offset, min(missing, offset + batch)):
                    entity_id = start + k + 1
                    sku = f"GEN-{entity_id:07d}"
                    name = f"Generated Product {entity_id}"
                    data = {
                        "custom": {
                            "description": f"<p>{name}.</p>",
                            "url_key": sku.lower(),
                            "color": str(colors[entity_id % 5]),
                            "manufacturer": str(212 + entity_id % 3),
                        },
                        "categories": [9],
                        "media": [],
                    }
                    rows.append(
                        (
                            entity_id,
                            sku,
                            "simple",
                            10,
                            name,
                            round(5 + (entity_id % 500) * 0.5, 2),
                            1,
                            4,
                            1.0,
                            seed.SEED_TIME,
                            seed.SEED_TIME,
                            None,
                            json.dumps(data, separators=(",", ":")),
                        )
                    )
                    stores.append((entity_id, 2, f"Producto generado {entity_id}", None))
                    stock.append((sku, "default", float(entity_id % 50), 1))
                db.executemany(f"INSERT INTO product VALUES ({','.join('?' * 13)})", rows)  # noqa: S608 - placeholders only
                db.executemany("INSERT INTO product_store VALUES (?, ?, ?, ?)", stores)
                db.executemany("INSERT INTO source_item VALUES (?, ?, ?, ?)", stock)
            return count + missing

    # -- customers ---------------------------------------------------------------------------
    def insert_customer(self, db: sqlite3.Connection, customer: dict[str, Any], now: str) -> int:
        website_id = int(customer.get("website_id") or 1)
        cur = db.execute(
            "INSERT INTO customer (email, firstname, lastname, website_id, group_id, store_id,"
            " created_at, updated_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                customer["email"],
                customer["firstname"],
                customer["lastname"],
                website_id,
                int(customer.get("group_id") or 1),
                int(customer.get("store_id") or 1),
                now,
                now,
                json.dumps({"addresses": customer.get("addresses") or []}),
            ),
        )
        return int(cur.lastrowid or 0)


def _data(sku: str, name: str, category: int, custom: dict[str, str], media: bool) -> dict:
    custom = {
        "description": f"<p>{name}.</p>",
        "short_description": name,
        "url_key": sku.lower(),
        "tax_class_id": "2",
        **custom,
    }
    entries = []
    if media:
        main = _file_for(sku)
        custom.update(image=main, small_image=main, thumbnail=main)
        entries = [
            {"id": 0, "file": main, "label": name, "types": ["image", "small_image", "thumbnail"]},
            {"id": 0, "file": _file_for(sku, "back"), "label": f"{name} back", "types": []},
        ]
    return {"custom": custom, "categories": [category], "media": entries}
