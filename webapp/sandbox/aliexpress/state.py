"""SQLite state of the AliExpress sandbox (stdlib ``sqlite3``, one connection behind a lock).

Documents (products, orders, feeds) are stored as JSON next to the few columns queries need.
The state never touches the main application's database.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

DEFAULT_APP_KEY = "500001"
DEFAULT_APP_SECRET = "sandbox-secret-5Ue8PvQk3mZr7Lw2"  # noqa: S105 - public demo credential

DEFAULT_SETTINGS: dict[str, Any] = {
    "access_token_ttl": 30 * 24 * 3600,
    "refresh_token_ttl": 60 * 24 * 3600,
    "code_ttl": 180,
    "feed_delay": 2.0,
    "rate_limit": None,  # calls per second per app; None = unlimited
    "rate_limit_ban": 1,
    "timestamp_skew": 7200,
    "redirect_uris": None,  # list of allowed prefixes; None = any
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS apps (app_key TEXT PRIMARY KEY, app_secret TEXT NOT NULL,
    name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS codes (code TEXT PRIMARY KEY, app_key TEXT NOT NULL,
    seller_id TEXT NOT NULL, redirect_uri TEXT, expires_at REAL NOT NULL,
    used INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS tokens (access_token TEXT PRIMARY KEY, refresh_token TEXT UNIQUE,
    app_key TEXT NOT NULL, seller_id TEXT NOT NULL, expires_at REAL NOT NULL,
    refresh_expires_at REAL NOT NULL, revoked INTEGER NOT NULL DEFAULT 0,
    refresh_revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS products (product_id INTEGER PRIMARY KEY, seller_id TEXT NOT NULL,
    status TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_products_seller_status ON products (seller_id, status, product_id);
CREATE TABLE IF NOT EXISTS skus (seller_id TEXT NOT NULL, sku_code TEXT NOT NULL,
    product_id INTEGER NOT NULL, PRIMARY KEY (seller_id, sku_code));
CREATE INDEX IF NOT EXISTS ix_skus_product ON skus (product_id);
CREATE TABLE IF NOT EXISTS feeds (job_id INTEGER PRIMARY KEY, seller_id TEXT NOT NULL,
    operation_type TEXT NOT NULL, submitted REAL NOT NULL, applied INTEGER NOT NULL DEFAULT 0,
    items TEXT NOT NULL, results TEXT);
CREATE TABLE IF NOT EXISTS orders (order_id INTEGER PRIMARY KEY, seller_id TEXT NOT NULL,
    data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_orders_seller ON orders (seller_id, order_id);
CREATE TABLE IF NOT EXISTS faults (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,
    remaining INTEGER, probability REAL, method TEXT, seconds REAL, status INTEGER);
CREATE TABLE IF NOT EXISTS calls (api TEXT PRIMARY KEY, count INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

_COUNTER_START = {
    "product": 1005006000000000,
    "sku": 12000030000000000,
    "feed": 200000000000,
    "order": 8100000000000000,
    "child": 8100000000100000,
}


class SandboxState:
    """All mutable sandbox data. Thread-safe: every public method holds the lock."""

    def __init__(self, path: str | None = None, **settings: Any) -> None:
        unknown = set(settings) - set(DEFAULT_SETTINGS) - {"app_key", "app_secret"}
        if unknown:
            raise TypeError(f"unknown sandbox settings: {', '.join(sorted(unknown))}")
        self.path = path or ":memory:"
        self.initial_settings = {**DEFAULT_SETTINGS, **settings}
        self.app_key = str(self.initial_settings.pop("app_key", DEFAULT_APP_KEY))
        self.app_secret = str(self.initial_settings.pop("app_secret", DEFAULT_APP_SECRET))
        self.lock = threading.RLock()
        self.db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self.db.row_factory = sqlite3.Row
        self._rate_windows: dict[str, deque[float]] = {}
        self._banned_until: dict[str, float] = {}
        with self.lock:
            self.db.executescript(_SCHEMA)
            if self.db.execute("SELECT COUNT(*) FROM apps").fetchone()[0] == 0:
                self._seed()
            else:
                # An existing state file keeps its data; explicitly passed settings still win.
                self.add_app(self.app_key, self.app_secret, "Alimento (sandbox)")
                explicit = {k: v for k, v in settings.items() if k in DEFAULT_SETTINGS}
                if explicit:
                    self.update_settings(**explicit)

    # -- lifecycle --------------------------------------------------------------------------

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            try:
                yield self.db
                self.db.commit()
            except BaseException:
                self.db.rollback()
                raise

    def _seed(self) -> None:
        with self.tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO apps VALUES (?, ?, ?)",
                (self.app_key, self.app_secret, "Alimento (sandbox)"),
            )
            for key, value in self.initial_settings.items():
                db.execute(
                    "INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, json.dumps(value))
                )
            for name, start in _COUNTER_START.items():
                db.execute("INSERT OR REPLACE INTO counters VALUES (?, ?)", (name, start))

    def reset(self) -> None:
        with self.tx() as db:
            for table in (
                "settings",
                "apps",
                "codes",
                "tokens",
                "products",
                "skus",
                "feeds",
                "orders",
                "faults",
                "calls",
                "counters",
            ):
                db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            self._rate_windows.clear()
            self._banned_until.clear()
        self._seed()

    def close(self) -> None:
        with self.lock:
            self.db.close()

    # -- settings, apps, counters -----------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        with self.lock:
            rows = self.db.execute("SELECT key, value FROM settings").fetchall()
        return {**DEFAULT_SETTINGS, **{r["key"]: json.loads(r["value"]) for r in rows}}

    def setting(self, key: str) -> Any:
        return self.settings()[key]

    def update_settings(self, **values: Any) -> dict[str, Any]:
        unknown = set(values) - set(DEFAULT_SETTINGS)
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        with self.tx() as db:
            for key, value in values.items():
                db.execute(
                    "INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, json.dumps(value))
                )
        return self.settings()

    def app_secret_for(self, app_key: str) -> str | None:
        with self.lock:
            row = self.db.execute(
                "SELECT app_secret FROM apps WHERE app_key = ?", (app_key,)
            ).fetchone()
        return row["app_secret"] if row else None

    def add_app(self, app_key: str, app_secret: str, name: str = "Other app") -> None:
        with self.tx() as db:
            db.execute("INSERT OR REPLACE INTO apps VALUES (?, ?, ?)", (app_key, app_secret, name))

    def app_name(self, app_key: str) -> str | None:
        with self.lock:
            row = self.db.execute("SELECT name FROM apps WHERE app_key = ?", (app_key,)).fetchone()
        return row["name"] if row else None

    def next_id(self, name: str) -> int:
        with self.tx() as db:
            db.execute("UPDATE counters SET value = value + 1 WHERE name = ?", (name,))
            return int(
                db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()[0]
            )

    # -- calls, rate limit, faults ----------------------------------------------------------

    def count_call(self, api: str) -> None:
        with self.tx() as db:
            db.execute(
                "INSERT INTO calls VALUES (?, 1) ON CONFLICT(api) DO UPDATE SET count = count + 1",
                (api,),
            )

    def call_counts(self) -> dict[str, int]:
        with self.lock:
            rows = self.db.execute("SELECT api, count FROM calls ORDER BY api").fetchall()
        return {r["api"]: r["count"] for r in rows}

    def check_rate(self, app_key: str, now: float) -> float | None:
        """Return the ban length in seconds when ``app_key`` exceeds the configured rate."""
        settings = self.settings()
        limit = settings["rate_limit"]
        if not limit:
            return None
        ban = float(settings["rate_limit_ban"])
        with self.lock:
            if self._banned_until.get(app_key, 0) > now:
                return ban
            window = self._rate_windows.setdefault(app_key, deque())
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= float(limit):
                self._banned_until[app_key] = now + ban
                return ban
            window.append(now)
        return None

    def add_fault(
        self,
        kind: str,
        *,
        count: int | None = None,
        probability: float | None = None,
        method: str | None = None,
        seconds: float | None = None,
        status: int | None = None,
    ) -> int:
        if count is None and probability is None:
            count = 1
        with self.tx() as db:
            cursor = db.execute(
                "INSERT INTO faults (kind, remaining, probability, method, seconds, status) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (kind, count, probability, method, seconds, status),
            )
            return int(cursor.lastrowid or 0)

    def clear_faults(self) -> None:
        with self.tx() as db:
            db.execute("DELETE FROM faults")

    def faults(self) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(r) for r in self.db.execute("SELECT * FROM faults ORDER BY id")]

    def take_fault(self, api: str) -> dict[str, Any] | None:
        """Consume and return the first fault that applies to this call, if any."""
        with self.tx() as db:
            for row in db.execute("SELECT * FROM faults ORDER BY id").fetchall():
                if row["method"] and row["method"] != api:
                    continue
                if row["remaining"] is not None:
                    if row["remaining"] <= 0:
                        continue
                    db.execute(
                        "UPDATE faults SET remaining = remaining - 1 WHERE id = ?", (row["id"],)
                    )
                    return dict(row)
                if row["probability"] is not None and (
                    secrets.randbelow(1_000_000) < float(row["probability"]) * 1_000_000
                ):
                    return dict(row)
        return None

    # -- OAuth codes and tokens -------------------------------------------------------------

    def issue_code(self, app_key: str, seller_id: str, redirect_uri: str | None) -> str:
        code = f"3_{app_key}_{secrets.token_urlsafe(18)}"
        with self.tx() as db:
            db.execute(
                "INSERT INTO codes VALUES (?, ?, ?, ?, ?, 0)",
                (code, app_key, seller_id, redirect_uri, time.time() + self.setting("code_ttl")),
            )
        return code

    def consume_code(self, code: str, app_key: str) -> str | None:
        """Mark the code used and return its seller id; ``None`` when unknown, used, expired or
        issued to another app."""
        with self.tx() as db:
            row = db.execute("SELECT * FROM codes WHERE code = ?", (code,)).fetchone()
            if row is None or row["used"] or row["app_key"] != app_key:
                return None
            db.execute("UPDATE codes SET used = 1 WHERE code = ?", (code,))
            if row["expires_at"] <= time.time():
                return None
            return str(row["seller_id"])

    def issue_token(self, app_key: str, seller_id: str) -> dict[str, Any]:
        settings = self.settings()
        now = time.time()
        row = {
            "access_token": f"50000{secrets.token_hex(20)}",
            "refresh_token": f"50001{secrets.token_hex(20)}",
            "app_key": app_key,
            "seller_id": seller_id,
            "expires_at": now + float(settings["access_token_ttl"]),
            "refresh_expires_at": now + float(settings["refresh_token_ttl"]),
        }
        with self.tx() as db:
            db.execute(
                "INSERT INTO tokens (access_token, refresh_token, app_key, seller_id, expires_at,"
                " refresh_expires_at) VALUES (:access_token, :refresh_token, :app_key,"
                " :seller_id, :expires_at, :refresh_expires_at)",
                row,
            )
        return row

    def token_seller(self, access_token: str, app_key: str) -> str | None:
        with self.lock:
            row = self.db.execute(
                "SELECT * FROM tokens WHERE access_token = ?", (access_token,)
            ).fetchone()
        if (
            row is None
            or row["revoked"]
            or row["app_key"] != app_key
            or row["expires_at"] <= time.time()
        ):
            return None
        return str(row["seller_id"])

    def rotate_refresh_token(self, refresh_token: str, app_key: str) -> dict[str, Any] | None:
        with self.tx() as db:
            row = db.execute(
                "SELECT * FROM tokens WHERE refresh_token = ?", (refresh_token,)
            ).fetchone()
            if (
                row is None
                or row["refresh_revoked"]
                or row["app_key"] != app_key
                or row["refresh_expires_at"] <= time.time()
            ):
                return None
            db.execute(
                "UPDATE tokens SET refresh_revoked = 1 WHERE refresh_token = ?", (refresh_token,)
            )
        return self.issue_token(app_key, str(row["seller_id"]))

    def expire_tokens(self, access_token: str | None = None) -> int:
        """Make access tokens (all, or one) invalid, as if they had expired."""
        with self.tx() as db:
            if access_token:
                cursor = db.execute(
                    "UPDATE tokens SET expires_at = 0 WHERE access_token = ?", (access_token,)
                )
            else:
                cursor = db.execute("UPDATE tokens SET expires_at = 0")
            return cursor.rowcount

    # -- documents --------------------------------------------------------------------------

    def save_product(self, product: dict[str, Any]) -> None:
        with self.tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO products VALUES (?, ?, ?, ?)",
                (
                    product["product_id"],
                    product["seller_id"],
                    product["status"],
                    json.dumps(product),
                ),
            )
            db.execute("DELETE FROM skus WHERE product_id = ?", (product["product_id"],))
            db.executemany(
                "INSERT OR REPLACE INTO skus VALUES (?, ?, ?)",
                [
                    (product["seller_id"], s["sku_code"], product["product_id"])
                    for s in product["skus"]
                ],
            )

    def sku_owners(self, seller_id: str, sku_codes: list[str]) -> dict[str, int]:
        """Which product holds each of ``sku_codes`` (SKU codes are unique per seller)."""
        owners: dict[str, int] = {}
        with self.lock:
            for code in sku_codes:
                row = self.db.execute(
                    "SELECT product_id FROM skus WHERE seller_id = ? AND sku_code = ?",
                    (seller_id, code),
                ).fetchone()
                if row:
                    owners[code] = int(row["product_id"])
        return owners

    def products_page(
        self, seller_id: str, status: str, offset: int, limit: int
    ) -> tuple[int, list[dict[str, Any]]]:
        """One page of a seller's products in a status, by id, plus the total count."""
        with self.lock:
            total = self.db.execute(
                "SELECT COUNT(*) FROM products WHERE seller_id = ? AND status = ?",
                (seller_id, status),
            ).fetchone()[0]
            rows = self.db.execute(
                "SELECT data FROM products WHERE seller_id = ? AND status = ?"
                " ORDER BY product_id LIMIT ? OFFSET ?",
                (seller_id, status, limit, offset),
            ).fetchall()
        return int(total), [json.loads(r["data"]) for r in rows]

    def product(self, product_id: Any, seller_id: str) -> dict[str, Any] | None:
        try:
            pid = int(product_id)
        except (TypeError, ValueError):
            return None
        with self.lock:
            row = self.db.execute(
                "SELECT data FROM products WHERE product_id = ? AND seller_id = ?",
                (pid, seller_id),
            ).fetchone()
        return json.loads(row["data"]) if row else None

    def products(self, seller_id: str, status: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT data FROM products WHERE seller_id = ?"
        args: list[Any] = [seller_id]
        if status:
            sql += " AND status = ?"
            args.append(status)
        with self.lock:
            rows = self.db.execute(sql + " ORDER BY product_id", args).fetchall()
        return [json.loads(r["data"]) for r in rows]

    def delete_product(self, product_id: int, seller_id: str) -> bool:
        with self.tx() as db:
            cursor = db.execute(
                "DELETE FROM products WHERE product_id = ? AND seller_id = ?",
                (product_id, seller_id),
            )
            if cursor.rowcount:
                db.execute("DELETE FROM skus WHERE product_id = ?", (product_id,))
            return cursor.rowcount > 0

    def save_feed(self, feed: dict[str, Any]) -> None:
        with self.tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO feeds VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    feed["job_id"],
                    feed["seller_id"],
                    feed["operation_type"],
                    feed["submitted"],
                    1 if feed.get("applied") else 0,
                    json.dumps(feed["items"]),
                    json.dumps(feed["results"]) if feed.get("results") is not None else None,
                ),
            )

    def feeds(self, seller_id: str, *, pending_only: bool = False) -> list[dict[str, Any]]:
        sql = "SELECT * FROM feeds WHERE seller_id = ?"
        if pending_only:
            sql += " AND applied = 0"
        with self.lock:
            rows = self.db.execute(sql + " ORDER BY job_id", (seller_id,)).fetchall()
        return [
            {
                "job_id": r["job_id"],
                "seller_id": r["seller_id"],
                "operation_type": r["operation_type"],
                "submitted": r["submitted"],
                "applied": bool(r["applied"]),
                "items": json.loads(r["items"]),
                "results": json.loads(r["results"]) if r["results"] else None,
            }
            for r in rows
        ]

    def save_order(self, order: dict[str, Any]) -> None:
        with self.tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO orders VALUES (?, ?, ?)",
                (order["order_id"], order["seller_id"], json.dumps(order)),
            )

    def order(self, order_id: Any, seller_id: str | None = None) -> dict[str, Any] | None:
        try:
            oid = int(order_id)
        except (TypeError, ValueError):
            return None
        with self.lock:
            row = self.db.execute("SELECT * FROM orders WHERE order_id = ?", (oid,)).fetchone()
        if row is None or (seller_id is not None and row["seller_id"] != seller_id):
            return None
        return json.loads(row["data"])

    def orders(self, seller_id: str) -> list[dict[str, Any]]:
        with self.lock:
            rows = self.db.execute(
                "SELECT data FROM orders WHERE seller_id = ? ORDER BY order_id", (seller_id,)
            ).fetchall()
        return [json.loads(r["data"]) for r in rows]
