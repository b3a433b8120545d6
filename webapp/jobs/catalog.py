"""Catalog cache jobs: incremental import, full import, stock scan."""

from __future__ import annotations

from typing import Any

from webapp.jobs.registry import job
from webapp.jobs.runner import JobContext
from webapp.services.catalog import import_catalog, scan_stock
from webapp.services.store import get_store


def _no_store(ctx: JobContext) -> dict[str, Any] | None:
    store = get_store()
    if store is None or (store.status == "error" and not store.cache):
        ctx.log("No working Magento store connection yet; nothing to do.")
        return {"skipped": "no store"}
    return None


@job("catalog_import", "Catalog import (changes)", interval_seconds=5 * 60)
def catalog_import(ctx: JobContext) -> dict[str, Any]:
    """Read products changed in Magento since the last run (with an overlap) into the cache."""
    skipped = _no_store(ctx)
    if skipped:
        return skipped
    result = import_catalog(full=bool(ctx.params.get("full")), progress=ctx.progress)
    ctx.log(f"Imported {result.imported} product(s) in {result.pages} page(s).")
    return result.as_dict()


@job("catalog_full_import", "Catalog import (full)")
def catalog_full_import(ctx: JobContext) -> dict[str, Any]:
    """Re-read the whole catalog and mark products deleted in Magento."""
    skipped = _no_store(ctx)
    if skipped:
        return skipped
    result = import_catalog(full=True, progress=ctx.progress)
    ctx.log(f"Imported {result.imported} product(s); {result.deleted} marked deleted in Magento.")
    return result.as_dict()


@job("stock_scan", "Stock scan", interval_seconds=15 * 60)
def stock_scan(ctx: JobContext) -> dict[str, Any]:
    """Full scan of source and salable quantities."""
    skipped = _no_store(ctx)
    if skipped:
        return skipped
    result = scan_stock(progress=ctx.progress)
    ctx.log(f"Scanned {result['scanned']} product(s); {result['changed']} changed.")
    return result
