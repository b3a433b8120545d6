"""The local catalog cache: incremental import by ``updated_at`` and a periodic stock scan.

Reads stream page by page (memory stays flat whatever the catalog size). Each page is mapped
completely before anything is written, so a page that fails half-way writes nothing; the
watermark is taken *before* the scan and only stored after the whole scan succeeded, and the
next run re-reads a small overlap (many rows share one second; a product saved during the scan
behind the keyset cursor is caught next time). Timestamps are UTC, as Magento's REST API gives
them (magento/magento2#24985).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import select, update

from webapp.database import utcnow
from webapp.extensions import db
from webapp.integrations.magento import errors as merr
from webapp.integrations.magento.criteria import SearchCriteria
from webapp.integrations.magento.mappers import (
    AttributeDef,
    MappingError,
    attribute_defs,
    map_product,
)
from webapp.models.store import CatalogProduct, Store
from webapp.models.sync import Watermark
from webapp.services.activity import log_activity
from webapp.services.errors import ServiceError
from webapp.services.store import explain, get_store, magento, refresh_cache

STREAM = "magento_products"
OVERLAP = timedelta(minutes=2)
PAGE_SIZE = 100
Progress = Callable[[int, int | None], None]


@dataclass
class ImportResult:
    pages: int = 0
    imported: int = 0
    skipped: list[str] = field(default_factory=list)
    deleted: int = 0
    parents: dict[str, list[int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "imported": self.imported,
            "skipped": len(self.skipped),
            "marked_deleted": self.deleted,
        }


def legacy_qty(sources: dict[str, Any]) -> float:
    """The legacy stock item quantity: with MSI it mirrors the default source only
    (magento/inventory#219); without a default source, the sum of the sources."""
    if "default" in sources:
        return float(sources["default"]["quantity"])
    return float(sum(s["quantity"] for s in sources.values()))


def get_watermark(stream: str, account_id: int | None = None) -> datetime | None:
    row = db.session.scalar(
        select(Watermark).where(Watermark.stream == stream, Watermark.account_id == account_id)
        if account_id is not None
        else select(Watermark).where(Watermark.stream == stream, Watermark.account_id.is_(None))
    )
    return row.value if row else None


def set_watermark(stream: str, value: datetime, account_id: int | None = None) -> None:
    query = select(Watermark).where(Watermark.stream == stream)
    query = query.where(
        Watermark.account_id == account_id
        if account_id is not None
        else Watermark.account_id.is_(None)
    )
    row = db.session.scalar(query)
    if row is None:
        db.session.add(Watermark(stream=stream, account_id=account_id, value=value))
    else:
        row.value = value
    db.session.flush()


def _connected_store() -> Store:
    store = get_store()
    if store is None:
        raise ServiceError("Connect the Magento store first (Configuration > Magento Store).")
    if not (store.cache or {}).get("attributes"):
        refresh_cache(store)
    return store


def _row_values(product: Any, data: dict[str, Any], translations: dict[str, Any]) -> dict[str, Any]:
    special = product.attributes.get("special_price")
    extension = data.get("extension_attributes") or {}
    return {
        "entity_id": product.entity_id,
        "name": product.name[:255],
        "type_id": product.type_id,
        "attribute_set_id": product.attribute_set_id,
        "price": product.price,
        "special_price": float(special.value)
        if special and special.value not in (None, "")
        else None,
        "status": int(product.status),
        "visibility": int(product.visibility),
        "weight": product.weight,
        "category_ids": list(product.category_ids),
        "configurable_attributes": list(product.configurable_attributes),
        "child_entity_ids": [int(i) for i in extension.get("configurable_product_links") or []],
        "attributes": {
            code: {"value": value.value, "label": value.label}
            for code, value in product.attributes.items()
        },
        "images": [
            {
                "url": i.url,
                "file": i.file,
                "label": i.label,
                "position": i.position,
                "roles": list(i.roles),
            }
            for i in product.images
        ],
        "translations": translations,
        "magento_updated_at": product.updated_at,
        "deleted_in_magento": False,
    }


def _apply_page(
    items: list[dict[str, Any]],
    store: Store,
    defs: dict[str, AttributeDef],
    result: ImportResult,
) -> None:
    api = magento(store)
    skus = [str(item["sku"]) for item in items if item.get("sku")]
    if not skus:
        result.skipped.extend("" for _ in items)
        log_activity("catalog", "skipped", "Products without sku skipped.", level="warning")
        return
    # Everything is read and mapped first; only then is anything written.
    sources: dict[str, dict[str, Any]] = {}
    for row in api.inventory.source_items(skus=skus, page_size=max(100, len(skus) * 2)):
        sources.setdefault(row["sku"], {})[row["source_code"]] = {
            "quantity": float(row.get("quantity") or 0),
            "in_stock": int(row.get("status") or 0) == 1,
        }
    salable = {
        row["sku"]: float(row.get("qty") or 0)
        for row in api.inventory.iter_salable_qty(
            store.website_code, SearchCriteria().where("sku", skus, "in")
        )
    }
    translations: dict[str, dict[str, Any]] = {}
    for view in store.store_views:
        code = view["code"]
        if code == store.default_store_code:
            continue
        page = api.products.search(SearchCriteria().where("sku", skus, "in").limit(len(skus)), code)
        for item in page.get("items") or []:
            description = next(
                (
                    a.get("value")
                    for a in item.get("custom_attributes") or []
                    if a.get("attribute_code") == "description"
                ),
                None,
            )
            translations.setdefault(item["sku"], {})[code] = {
                "name": item.get("name"),
                "description": description,
            }
    mapped: list[tuple[str, dict[str, Any]]] = []
    media = store.base_media_url or f"{store.base_url}/media/"
    for item in items:
        try:
            product = map_product(item, attributes=defs, base_media_url=media)
        except MappingError as error:
            result.skipped.append(str(item.get("sku")))
            log_activity("catalog", "skipped", f"Product skipped: {error}", level="warning")
            continue
        values = _row_values(product, item, translations.get(product.sku, {}))
        product_sources = sources.get(product.sku, {})
        values["sources"] = product_sources
        values["qty"] = legacy_qty(product_sources) if product_sources else None
        values["in_stock"] = (
            any(s["in_stock"] for s in product_sources.values()) or not product_sources
        )
        values["salable_qty"] = salable.get(product.sku)
        mapped.append((product.sku, values))
    existing = {
        row.sku: row
        for row in db.session.scalars(
            select(CatalogProduct).where(CatalogProduct.sku.in_([sku for sku, _ in mapped]))
        )
    }
    for sku, values in mapped:
        current = existing.get(sku)
        if current is None:
            db.session.add(CatalogProduct(sku=sku, **values))
        else:
            for key, value in values.items():
                setattr(current, key, value)
    db.session.flush()
    result.parents.update(
        {sku: values["child_entity_ids"] for sku, values in mapped if values["child_entity_ids"]}
    )
    result.pages += 1
    result.imported += len(mapped)


def _link_children(parents: dict[str, list[int]]) -> None:
    """Configurable parents name their children by entity id; record the parent on each child.

    Done after the whole scan: a child may come on a later page than its parent."""
    for sku, child_ids in parents.items():
        db.session.execute(
            update(CatalogProduct)
            .where(CatalogProduct.entity_id.in_(child_ids))
            .values(parent_sku=sku)
        )


def import_catalog(
    *, full: bool = False, progress: Progress | None = None, page_size: int = PAGE_SIZE
) -> ImportResult:
    """Bring the cache up to date; ``full`` re-reads everything and marks deleted products."""
    store = _connected_store()
    defs = attribute_defs(store.cache.get("attributes", []))
    scan_started = utcnow()
    last = get_watermark(STREAM)
    since = None if full or last is None else last - OVERLAP
    result = ImportResult()
    seen: set[str] = set()
    api = magento(store)
    page: list[dict[str, Any]] = []

    def flush_page() -> None:
        seen.update(str(i.get("sku")) for i in page)
        _apply_page(page, store, defs, result)
        page.clear()
        if progress:
            # The total is only known for a full import (the count of the last connection test).
            progress(len(seen), max(store.product_count or 0, len(seen)) if full else None)

    try:
        for item in api.products.iter_products(updated_since=since, page_size=page_size):
            page.append(item)
            if len(page) == page_size:
                flush_page()
        if page:
            flush_page()
        if progress:
            progress(len(seen), len(seen))
    except merr.MagentoError as error:
        message = explain(error, store)
        log_activity("catalog", "import", f"Catalog import stopped: {message}", level="error")
        raise ServiceError(
            f"Catalog import stopped after {result.imported} products: {message}"
        ) from error
    _link_children(result.parents)
    if full:
        # Compared in Python: a NOT IN with 100,000 SKUs exceeds SQLite's bound-parameter limit.
        missing_ids = [
            row_id
            for row_id, sku in db.session.execute(
                select(CatalogProduct.id, CatalogProduct.sku).where(
                    CatalogProduct.deleted_in_magento.is_(False)
                )
            )
            if sku not in seen
        ]
        missing = [
            row
            for start in range(0, len(missing_ids), 500)
            for row in db.session.scalars(
                select(CatalogProduct).where(
                    CatalogProduct.id.in_(missing_ids[start : start + 500])
                )
            )
        ]
        for row in missing:
            row.deleted_in_magento = True
            log_activity(
                "catalog",
                "deleted",
                f"{row.sku} no longer exists in Magento.",
                level="warning",
                object_type="catalog_product",
                object_id=row.id,
            )
        result.deleted = len(missing)
    set_watermark(STREAM, scan_started)
    return result


#: URL budget of one SKU filter: well under the 8 KiB request line of common proxies
SKU_FILTER_BUDGET = 3000
SKU_FILTER_MAX = 300


def sku_chunks(skus: list[str]) -> Iterator[list[str]]:
    """SKUs in groups for an ``in`` filter: as many as fit the URL budget (URL-encoded, comma
    separated), at most :data:`SKU_FILTER_MAX`: fewer calls than a fixed 100, and long SKUs
    never push the request line past what a proxy accepts."""
    chunk: list[str] = []
    size = 0
    for sku in skus:
        cost = len(quote(sku, safe="")) + 3
        if chunk and (size + cost > SKU_FILTER_BUDGET or len(chunk) >= SKU_FILTER_MAX):
            yield chunk
            chunk, size = [], 0
        chunk.append(sku)
        size += cost
    if chunk:
        yield chunk


def scan_stock(
    *, progress: Progress | None = None, skus: list[str] | None = None
) -> dict[str, int]:
    """Scan source quantities and salable quantities into the cache: every product, or only
    ``skus`` (in URL-sized groups; what the sync cycle does for listed products every tick)."""
    store = _connected_store()
    api = magento(store)
    sources: dict[str, dict[str, Any]] = {}
    salable: dict[str, float] = {}
    chunks: list[list[str] | None] = list(sku_chunks(skus)) if skus is not None else [None]
    try:
        for chunk in chunks:
            for row in api.inventory.source_items(skus=chunk, page_size=300):
                sources.setdefault(row["sku"], {})[row["source_code"]] = {
                    "quantity": float(row.get("quantity") or 0),
                    "in_stock": int(row.get("status") or 0) == 1,
                }
            criteria = SearchCriteria().where("sku", chunk, "in") if chunk else None
            for row in api.inventory.iter_salable_qty(store.website_code, criteria, page_size=300):
                salable[row["sku"]] = float(row.get("qty") or 0)
    except merr.MagentoError as error:
        message = explain(error, store)
        log_activity("catalog", "stock", f"Stock scan failed: {message}", level="error")
        raise ServiceError(message) from error
    changed = 0
    done = 0
    total = len(sources)
    query = select(CatalogProduct)
    if skus is not None:
        query = query.where(CatalogProduct.sku.in_(list(sources) or [""]))
    for row in db.session.scalars(query.execution_options(yield_per=500)):
        product_sources = sources.get(row.sku)
        if product_sources is None:
            continue
        qty = legacy_qty(product_sources)
        new_salable = salable.get(row.sku, row.salable_qty)
        if row.sources != product_sources or row.qty != qty or row.salable_qty != new_salable:
            row.sources, row.qty, row.salable_qty = product_sources, qty, new_salable
            row.in_stock = any(s["in_stock"] for s in product_sources.values())
            changed += 1
        done += 1
    db.session.flush()
    if progress:
        progress(done, total)
    return {"scanned": done, "changed": changed}
