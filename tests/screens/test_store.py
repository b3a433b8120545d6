"""Configuration > Magento Store and the catalog cache, against the Magento sandbox over HTTP."""

import pytest
import requests
from sqlalchemy import func, select, text

from tests.conftest import Browserless, csrf_token_from
from webapp.extensions import db
from webapp.models import ActivityLog, ApiCall, CatalogProduct, Store
from webapp.services.catalog import STREAM, get_watermark, import_catalog, scan_stock
from webapp.services.errors import ServiceError
from webapp.services.store import demo_defaults, magento, store_view_choices


@pytest.fixture
def shop(make_live_app, make_user):
    """The app served on loopback with the sandboxes mounted, and a logged-in operator."""
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


def _save(app, user, **overrides):
    with app.app_context():
        data = demo_defaults()
    data.update(overrides)
    return user.post("/store/", data=data)


def _store(app):
    with app.app_context():
        return db.session.scalar(select(Store))


def test_demo_form_is_prefilled_and_connects(shop):
    app, user, _ = shop
    page = user.get("/store/").get_data(as_text=True)
    assert app.config["LIVE_URL"] + "/sandbox/magento" in page
    response = _save(app, user)
    assert response.status_code == 303
    store = _store(app)
    assert store.status == "connected", store.last_error
    assert store.product_count and store.product_count > 40
    # Secrets are ciphertext in the database.
    with app.app_context():
        raw = db.session.execute(text("SELECT consumer_secret, access_token FROM stores")).one()
        plain = demo_defaults()
    assert plain["consumer_secret"] not in raw[0] and plain["access_token"] not in raw[1]
    assert plain["consumer_secret"] not in user.get("/store/").get_data(as_text=True)
    # Every call is in the API call log, without credentials.
    with app.app_context():
        calls = db.session.scalars(select(ApiCall).where(ApiCall.system == "magento")).all()
    assert calls and all(plain["access_token"] not in str(c.request) + c.url for c in calls)


def test_htmx_test_connection_shows_store_views(shop):
    app, user, _ = shop
    _save(app, user)
    result = user.post("/store/test", htmx=True).get_data(as_text=True)
    assert "Connected" in result and "<code>es</code>" in result


@pytest.mark.parametrize(
    ("overrides", "setup", "expected"),
    [
        ({"base_url": "http://127.0.0.1:9"}, None, "Cannot reach"),
        ({"consumer_secret": "wrong-secret"}, None, "refused the credentials"),
        (
            {},
            ("settings", {"denied_resources": ["Magento_Backend::store"]}),
            "Magento_Backend::store",
        ),
        ({}, ("faults", {"mode": "not_json", "count": 5}), "not JSON"),
    ],
)
def test_connection_failures_give_exact_messages(shop, overrides, setup, expected):
    app, user, control = shop
    if setup:
        control("POST", setup[0], setup[1])
    response = _save(app, user, **overrides)
    assert response.status_code == 303
    store = _store(app)
    assert store.status == "error"
    assert expected in store.last_error
    assert expected in user.get("/store/").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(
            select(ActivityLog).where(ActivityLog.type == "store", ActivityLog.level == "error")
        )


def test_invalid_form_saves_nothing(shop):
    app, user, _ = shop
    bad_url = _save(app, user, base_url="not a url")
    assert bad_url.status_code == 422
    missing = _save(app, user, consumer_key="", consumer_secret="")
    assert missing.status_code == 422
    assert _store(app) is None


def test_refresh_cache_lists_store_views(shop):
    app, user, _ = shop
    _save(app, user)
    assert user.post("/store/refresh").status_code == 303
    with app.app_context():
        codes = [code for code, _ in store_view_choices()]
        store = db.session.scalar(select(Store))
        assert {"default", "es"} <= set(codes)
        assert store.base_currency and store.base_media_url
        assert store.cache["attributes"] and store.cache["categories"]


def test_full_import_matches_the_store_and_links_variants(shop):
    app, user, _ = shop
    _save(app, user)
    with app.app_context():
        result = import_catalog(full=True)
        db.session.commit()
        total = magento().products.search(
            __import__("webapp.integrations.magento.criteria", fromlist=["x"])
            .SearchCriteria()
            .limit(1)
        )["total_count"]
        count = db.session.scalar(select(func.count()).select_from(CatalogProduct))
        assert result.imported == total == count
        parent = db.session.scalar(
            select(CatalogProduct).where(CatalogProduct.type_id == "configurable")
        )
        children = db.session.scalars(
            select(CatalogProduct).where(CatalogProduct.parent_sku == parent.sku)
        ).all()
        assert children and len(children) == len(parent.child_entity_ids)
        assert parent.configurable_attributes
        assert any(p.translations.get("es", {}).get("name") for p in [parent, *children])
        assert all(img["url"].startswith("http") for img in parent.images)
    grid = user.get(f"/catalog/?f_q={parent.sku}").get_data(as_text=True)
    assert parent.sku in grid


def test_incremental_import_picks_up_a_changed_product_and_survives_a_failure(shop):
    app, user, control = shop
    _save(app, user)
    with app.app_context():
        import_catalog(full=True)
        db.session.commit()
        first_mark = get_watermark(STREAM)
        sku = db.session.scalar(
            select(CatalogProduct.sku).where(CatalogProduct.type_id == "simple").limit(1)
        )
        magento().products.update(sku, {"price": 123.45})
        # A failure mid-scan: nothing half-applied, the watermark stays.
        control("POST", "faults", {"mode": "5xx", "count": 5, "route": "GET products"})
        with pytest.raises(ServiceError, match="stopped"):
            import_catalog()
        db.session.rollback()
        assert get_watermark(STREAM) == first_mark
        assert (
            db.session.scalar(select(CatalogProduct.price).where(CatalogProduct.sku == sku))
            != 123.45
        )
        control("DELETE", "faults")
        result = import_catalog()
        db.session.commit()
        assert result.imported >= 1
        assert (
            db.session.scalar(select(CatalogProduct.price).where(CatalogProduct.sku == sku))
            == 123.45
        )
        assert get_watermark(STREAM) > first_mark


def test_stock_scan_picks_up_a_stock_change(shop):
    app, user, control = shop
    _save(app, user)
    with app.app_context():
        import_catalog(full=True)
        db.session.commit()
        sku = db.session.scalar(
            select(CatalogProduct.sku).where(CatalogProduct.type_id == "simple").limit(1)
        )
    control("POST", f"products/{sku}", {"qty": 3})
    with app.app_context():
        result = scan_stock()
        db.session.commit()
        row = db.session.scalar(select(CatalogProduct).where(CatalogProduct.sku == sku))
        assert row.sources["default"]["quantity"] == 3
        assert result["changed"] >= 1


def test_viewer_cannot_save_the_store(shop, make_user):
    app, _, _ = shop
    make_user(email="v@example.com", role="viewer")
    viewer = Browserless(app.test_client())
    viewer.login("v@example.com")
    page = viewer.get("/store/").get_data(as_text=True)
    token = csrf_token_from(page)
    assert viewer.client.post("/store/", data={"csrf_token": token}).status_code == 403


def test_blank_secrets_keep_the_saved_ones(shop):
    app, user, _ = shop
    _save(app, user)
    with app.app_context():
        before = db.session.execute(text("SELECT consumer_secret, access_token FROM stores")).one()
    response = _save(
        app, user, consumer_secret="", access_token="", access_token_secret="", website_code="base"
    )
    assert response.status_code == 303
    store = _store(app)
    assert store.status == "connected", store.last_error
    with app.app_context():
        assert store.consumer_secret == demo_defaults()["consumer_secret"]
        after = db.session.execute(text("SELECT consumer_secret, access_token FROM stores")).one()
    assert tuple(before) == tuple(after)


def test_bearer_mode_needs_the_magento_setting(shop):
    app, user, control = shop
    with app.app_context():
        token = demo_defaults()["access_token"]
    _save(app, user, auth_mode="bearer", bearer_token=token)
    store = _store(app)
    assert store.status == "error"
    assert "standalone Bearer tokens" in store.last_error
    control("POST", "settings", {"integration_as_bearer": True})
    result = user.post("/store/test", htmx=True).get_data(as_text=True)
    assert "Connected" in result
    assert _store(app).status == "connected"
