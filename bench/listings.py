"""Listing and sync benchmarks (issue 6): counts and ratios against baselines of the same run.

- calls per N changed SKUs against ceil(N / 20), the batch limit;
- AliExpress calls for a sync cycle with no change (must be 0);
- full catalog import of BENCH_PRODUCTS generated products against merely fetching and decoding
  the same Magento pages, and the import's peak traced memory;
- reconcile throughput (listings per second) against decoding throughput;
- products grid median response at BENCH_LISTINGS rows against the /health endpoint.
"""

from __future__ import annotations

import math
import os
import statistics
import tempfile
import time
import tracemalloc
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import insert, select

N_CHANGED = 45
BATCH_LIMIT = 20


def _app() -> Any:
    from tests.support.liveserver import start
    from webapp import create_app
    from webapp.extensions import db

    folder = tempfile.mkdtemp(prefix="alimento-bench-")
    app = create_app(
        {
            "INSTANCE_PATH": folder,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
            "SECRET_KEY": "bench",
            "ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
            "SCHEDULER_ENABLED": False,
            "DEMO_MODE": True,
            "AE_BACKOFF": 0.01,
            "MAGENTO_BACKOFF": 0.01,
            "LOG_LEVEL": "WARNING",
        }
    )
    with app.app_context():
        db.create_all()
    live = start(app)
    app.config.update(LIVE_URL=live.url, PUBLIC_URL=live.url, PUBLIC_URL_EXPLICIT=True)
    return app, live


def _template(account: Any, default_image: str) -> Any:
    from webapp.extensions import db
    from webapp.models.listings import ListingTemplate
    from webapp.services import listings as svc
    from webapp.services.policies import create_policy

    image = create_policy(
        "image", {"title": "Bench images", "default_image": default_image, "gallery_image_count": 1}
    )
    template = ListingTemplate(
        code="bench",
        name="Bench",
        account_id=account.id,
        category_id="100004985",
        attribute_mapping={
            "2": {"mode": "static", "value": "200658765"},
            "219": {"mode": "static", "value": "9441741844"},
            "200001031": {"mode": "static", "value": "1402"},
        },
        sku_attribute_mapping={"14": {"mode": "static", "value": "29"}},
        image_policy_id=image.id,
        freight_template_id="1000",
        service_template_id="0",
        shipping_lead_time=3,
        weight=0.5,
        package_length=10,
        package_width=10,
        package_height=10,
    )
    db.session.add(template)
    db.session.flush()
    svc.fetch_category_schema(template)
    return template


def _calls(world: Any) -> int:
    return int(world.ae_control("GET", "calls")["total"])


def run() -> dict[str, float | int]:
    from tests.support.world import build_world
    from webapp.extensions import db
    from webapp.jobs.runner import run_job
    from webapp.models.listings import Listing
    from webapp.models.store import CatalogProduct
    from webapp.services import listings as svc
    from webapp.services.catalog import import_catalog
    from webapp.services.store import magento

    products = int(os.environ.get("BENCH_PRODUCTS", "100000"))
    listings_n = int(os.environ.get("BENCH_LISTINGS", "100000"))
    figures: dict[str, float | int] = {}
    app, live = _app()
    try:
        world = build_world(app)
        world.magento_control("POST", "generate", {"n": 300})
        with app.app_context():
            import_catalog(full=True)
            template = _template(world.account(), world.base + "/static/placeholder.png")
            skus = list(
                db.session.scalars(
                    select(CatalogProduct.sku)
                    .where(CatalogProduct.sku.like("GEN-%"))
                    .order_by(CatalogProduct.sku)
                    .limit(60)
                )
            )
            svc.assign_products(template, skus)
            db.session.commit()
            for listing in db.session.scalars(select(Listing)).all():
                svc.upload_listing(listing)
            db.session.commit()
            template_id = template.id
        # P1: N changed SKUs -> ceil(N / 20) calls.
        for index, sku in enumerate(skus[:N_CHANGED]):
            world.magento_control("POST", f"products/{sku}", {"price": 100 + index})
        before = _calls(world)
        run_job(app, "sync_cycle", trigger="manual")
        figures["changed_skus"] = N_CHANGED
        figures["calls_for_changes"] = _calls(world) - before
        figures["calls_expected"] = math.ceil(N_CHANGED / BATCH_LIMIT)
        before = _calls(world)
        run_job(app, "sync_cycle", trigger="manual")
        figures["calls_no_change"] = _calls(world) - before

        # P3: import of the generated catalog against fetching + decoding the same pages.
        world.magento_control("POST", "generate", {"n": products})
        with app.app_context():
            from webapp.models.listings import ListingTemplate

            template = db.session.get(ListingTemplate, template_id)
            started = time.perf_counter()
            pages = sum(1 for _ in magento(record=False).products.iter_products(page_size=100))
            decode_seconds = time.perf_counter() - started
            tracemalloc.start()
            started = time.perf_counter()
            result = import_catalog(full=True)
            db.session.commit()
            import_seconds = time.perf_counter() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            figures["catalog_products"] = result.imported
            figures["import_vs_decode_ratio"] = round(import_seconds / decode_seconds, 2)
            figures["import_products_per_second"] = round(result.imported / import_seconds)
            figures["decode_products_per_second"] = round(pages / decode_seconds)
            figures["import_peak_memory_mib"] = round(peak / 2**20, 1)

            # Reconcile throughput on listed generated products (pushed fingerprints unknown).
            sample = list(
                db.session.scalars(
                    select(CatalogProduct.sku).where(CatalogProduct.sku.like("GEN-%")).limit(2000)
                )
            )
            svc.assign_products(template, sample)
            db.session.commit()
            db.session.execute(
                Listing.__table__.update()
                .where(Listing.state == "not_uploaded")
                .values(state="live", ae_product_id="1", last_synced_at=None)
            )
            db.session.commit()
            account = world.account()
            started = time.perf_counter()
            counts = svc.reconcile(account, full=True)
            reconcile_seconds = time.perf_counter() - started
            db.session.rollback()
            figures["reconcile_listings"] = counts["checked"]
            figures["reconcile_listings_per_second"] = round(counts["checked"] / reconcile_seconds)
            figures["reconcile_vs_decode_ratio"] = round(
                figures["decode_products_per_second"] / figures["reconcile_listings_per_second"], 2
            )

            # P4: products grid at BENCH_LISTINGS rows.
            rows = [
                {
                    "account_id": account.id,
                    "template_id": template.id,
                    "sku": f"BENCH-{i:07d}",
                    "name": f"Bench product {i}",
                    "state": "live" if i % 3 else "not_uploaded",
                    "magento_price": 10 + i % 90,
                    "magento_qty": i % 50,
                    "assigned_by": "manual",
                    "fingerprints": {},
                    "pushed": {},
                    "issues": [],
                }
                for i in range(listings_n)
            ]
            for start in range(0, len(rows), 10_000):
                db.session.execute(insert(Listing), rows[start : start + 10_000])
            db.session.commit()
        client = app.test_client()
        from webapp.services.users import create_user

        with app.app_context():
            create_user("bench@example.com", "bench-password-1", "viewer")
            db.session.commit()
        page = client.get("/login").get_data(as_text=True)
        import re

        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post(
            "/login",
            data={
                "email": "bench@example.com",
                "password": "bench-password-1",
                "csrf_token": token,
            },
        )

        def median_ms(url: str) -> float:
            samples = []
            for _ in range(7):
                started = time.perf_counter()
                assert client.get(url).status_code == 200
                samples.append((time.perf_counter() - started) * 1000)
            return statistics.median(samples)

        health = median_ms("/health")
        grid = median_ms("/products/?f_state=live&sort=name&page=50")
        figures["grid_rows"] = listings_n
        figures["grid_median_ms"] = round(grid, 1)
        figures["grid_vs_health_ratio"] = round(grid / health, 1)
    finally:
        live.stop()
    return figures
