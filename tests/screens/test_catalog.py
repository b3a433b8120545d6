"""The catalog cache and the Magento Catalog grid, against the Magento sandbox over HTTP."""

import re

import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import Browserless
from webapp.extensions import db
from webapp.jobs.runner import run_job
from webapp.models import ActivityLog, CatalogProduct, CronLog
from webapp.services.catalog import STREAM, get_watermark, import_catalog
from webapp.services.errors import ServiceError
from webapp.services.store import check_connection, demo_defaults, save_store


@pytest.fixture
def shop(make_live_app, make_user):
    """The live app with the sandboxes mounted, a logged-in operator and a sandbox controller."""
    app = make_live_app(MOUNT_SANDBOXES=True, MAGENTO_BACKOFF=0.01, MAGENTO_RETRIES=1)
    make_user(email="operator@example.com", role="operator")
    user = Browserless(app.test_client())
    user.login("operator@example.com")
    base = app.config["LIVE_URL"] + "/sandbox/magento"

    def control(method, path, payload=None):
        answer = requests.request(method, f"{base}/_control/{path}", json=payload, timeout=30)
        answer.raise_for_status()
        return answer.json()

    return app, user, control


def _connect(app):
    with app.app_context():
        store = save_store(demo_defaults())
        assert check_connection(store).ok
        db.session.commit()


def _skus(app):
    with app.app_context():
        return set(db.session.scalars(select(CatalogProduct.sku)))


def test_empty_state_points_to_the_store_screen(shop):
    app, user, _ = shop
    page = user.get("/catalog/").get_data(as_text=True)
    assert "No Magento store is connected" in page and 'href="/store/"' in page
    _connect(app)
    page = user.get("/catalog/").get_data(as_text=True)
    assert "The catalog cache is empty" in page and "Full import" in page


def test_grid_filters_sort_paging_and_csv(shop):
    app, user, _ = shop
    _connect(app)
    with app.app_context():
        import_catalog(full=True)
        db.session.commit()
        total = db.session.scalar(select(func.count()).select_from(CatalogProduct))
        cheapest = db.session.scalar(
            select(CatalogProduct.sku).order_by(CatalogProduct.price, CatalogProduct.id).limit(1)
        )
        dearest = db.session.scalar(
            select(CatalogProduct.sku)
            .order_by(CatalogProduct.price.desc(), CatalogProduct.id.desc())
            .limit(1)
        )
    configurable = user.get("/catalog/?f_type_id=configurable").get_data(as_text=True)
    simple_only = user.get("/catalog/?f_type_id=simple&per_page=200").get_data(as_text=True)
    assert "<td>configurable</td>" in configurable
    assert "<td>simple</td>" not in configurable
    assert "<td>configurable</td>" not in simple_only

    def first_sku(query):
        html = user.get(f"/catalog/?{query}").get_data(as_text=True)
        return re.search(r"<td><code>([^<]+)</code>", html).group(1)

    assert first_sku("sort=price") == cheapest
    assert first_sku("sort=price&dir=desc") == dearest
    found = user.get(f"/catalog/?f_sku={cheapest}").get_data(as_text=True)
    assert cheapest in found
    assert user.get("/catalog/?f_price_from=0&f_price_to=1&f_status=1").status_code == 200
    assert user.get("/catalog/?f_visibility=4&page=2&per_page=10").status_code == 200
    csv = user.get("/catalog/?export=csv").get_data(as_text=True).splitlines()
    assert csv[0].startswith("SKU,Name,Type")
    assert len(csv) == total + 1


def test_a_page_failing_half_way_applies_nothing_and_keeps_the_watermark(shop):
    app, _, control = shop
    _connect(app)
    armed = []

    def progress(done, total):
        # As the job context does: commit the pages done so far. Then break the next page
        # after its products were read (its source items read fails).
        db.session.commit()
        if not armed:
            armed.append(done)
            control(
                "POST",
                "faults",
                {"mode": "5xx", "count": 10, "route": "GET inventory/source-items"},
            )

    with app.app_context():
        with pytest.raises(ServiceError, match="stopped after 10 products"):
            import_catalog(progress=progress, page_size=10)
        db.session.rollback()
        assert get_watermark(STREAM) is None
        assert db.session.scalar(select(func.count()).select_from(CatalogProduct)) == 10
    control("DELETE", "faults")
    with app.app_context():
        result = import_catalog(page_size=10)
        db.session.commit()
        assert get_watermark(STREAM) is not None
        assert result.imported == db.session.scalar(
            select(func.count()).select_from(CatalogProduct)
        )
        assert result.imported > 10


def test_full_import_marks_products_deleted_in_magento(shop):
    app, user, _ = shop
    _connect(app)
    with app.app_context():
        db.session.add(CatalogProduct(sku="GONE-1", name="Removed in Magento"))
        db.session.commit()
        import_catalog()  # incremental: cannot know about deletions
        db.session.commit()
        gone = db.session.scalar(select(CatalogProduct).where(CatalogProduct.sku == "GONE-1"))
        assert not gone.deleted_in_magento
        result = import_catalog(full=True)
        db.session.commit()
        assert result.deleted == 1
        db.session.refresh(gone)
        assert gone.deleted_in_magento
        assert db.session.scalar(
            select(ActivityLog).where(
                ActivityLog.type == "catalog", ActivityLog.subtype == "deleted"
            )
        )
    page = user.get("/catalog/?f_deleted_in_magento=1").get_data(as_text=True)
    assert "GONE-1" in page


def test_unknown_product_type_is_skipped_and_logged(shop):
    app, _, _ = shop
    sandbox = app.extensions["sandboxes"]["magento"].extensions["magento_sandbox"]
    with sandbox.state.transaction() as conn:
        sku = conn.execute(
            "SELECT sku FROM product WHERE type_id = 'simple' AND parent_id IS NULL LIMIT 1"
        ).fetchone()[0]
        conn.execute("UPDATE product SET type_id = 'giftcard' WHERE sku = ?", (sku,))
    _connect(app)
    with app.app_context():
        result = import_catalog(full=True)
        db.session.commit()
        assert sku in result.skipped
        assert result.imported > 10
        entry = db.session.scalar(
            select(ActivityLog).where(
                ActivityLog.type == "catalog", ActivityLog.subtype == "skipped"
            )
        )
        assert entry and "giftcard" in entry.comment
    assert sku not in _skus(app)


def test_jobs_record_progress_in_the_cron_log(shop):
    app, user, control = shop
    _connect(app)
    page = user.get("/catalog/").get_data(as_text=True)
    for job_id in ("catalog_import", "catalog_full_import", "stock_scan"):
        assert f"/jobs/{job_id}/run" in page
    full_id = run_job(app, "catalog_full_import", trigger="manual")
    with app.app_context():
        run = db.session.get(CronLog, full_id)
        assert run.status == "success", run.messages
        assert run.progress_done and run.progress_done == run.progress_total
        sku = db.session.scalar(
            select(CatalogProduct.sku).where(CatalogProduct.type_id == "simple").limit(1)
        )
    control("POST", f"products/{sku}", {"qty": 7})
    scan_id = run_job(app, "stock_scan", trigger="manual")
    changes_id = run_job(app, "catalog_import", trigger="manual")
    with app.app_context():
        assert db.session.get(CronLog, scan_id).status == "success"
        assert db.session.get(CronLog, changes_id).status == "success"
        row = db.session.scalar(select(CatalogProduct).where(CatalogProduct.sku == sku))
        assert row.sources["default"]["quantity"] == 7
        # The legacy quantity mirrors the default source only, as Magento's stock item does.
        assert row.qty == 7


def test_jobs_do_nothing_without_a_store(app):
    run_id = run_job(app, "catalog_import", trigger="manual")
    with app.app_context():
        run = db.session.get(CronLog, run_id)
        assert run.status == "success" and "nothing to do" in run.messages
