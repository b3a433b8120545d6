"""Listing Templates, Products and API Feeds screens through real form posts."""

import html
import re
import time

import pytest
from sqlalchemy import select

from tests.conftest import Browserless
from tests.support.world import build_world
from webapp.extensions import db
from webapp.models import CatalogProduct, Feed, Listing, ListingTemplate
from webapp.services.accounts import fetch_onboarding_data


@pytest.fixture
def world(make_live_app, make_user):
    app = make_live_app(MOUNT_SANDBOXES=True, AE_BACKOFF=0.01, MAGENTO_BACKOFF=0.01)
    world = build_world(app)
    with app.app_context():
        fetch_onboarding_data(world.account())
        db.session.commit()
    make_user(email="operator@example.com", role="operator")
    world.user = Browserless(app.test_client())
    world.user.login("operator@example.com")
    return world


TEES_PATH = "Apparel & Accessories > Women's Clothing > Tops & Tees > T-Shirts (200000785)"


def _template_form(account_id, **extra):
    form = {
        "code": "tees",
        "name": "Tees",
        "active": "1",
        "account_id": str(account_id),
        "category_id": TEES_PATH,
        "freight_template_id": "1000",
        "service_template_id": "0",
        "shipping_lead_time": "3",
        "weight": "0.3",
        "weight_attribute": "",
        "package_length": "30",
        "package_width": "20",
        "package_height": "3",
        "language": "en",
        "title_attribute": "name",
        "description_attribute": "description",
        "lang-0-language": "es",
        "lang-0-store_view": "es",
        "rule-0-field": "sku",
        "rule-0-op": "like",
        "rule-0-value": "MS-*",
    }
    form.update(extra)
    return form


MAPPING = {
    "map-2-mode": "static",
    "map-2-value": "200658765",
    "map-219-mode": "static",
    "map-219-value": "9441741844",
    "map-10-mode": "attribute",
    "map-10-attribute": "material",
    "skumap-14-mode": "attribute",
    "skumap-14-attribute": "color",
    "skumap-5-mode": "attribute",
    "skumap-5-attribute": "size",
}


def _wait(user, run_id, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        html = user.get(f"/jobs/runs/{run_id}").get_data(as_text=True)
        if 'data-status="success"' in html or 'data-status="error"' in html:
            return html
        time.sleep(0.2)
    raise AssertionError("job did not finish")


def test_template_with_mapping_rules_upload_and_feed(world):
    app, user = world.app, world.user
    with app.app_context():
        account_id = world.account().id
    bad = user.post("/templates/new", data=_template_form(account_id, code="9bad"))
    assert bad.status_code == 422 and "starting with a letter" in bad.get_data(as_text=True)
    created = user.post("/templates/new", data=_template_form(account_id))
    assert created.status_code == 303, created.get_data(as_text=True)[:3000]
    with app.app_context():
        template = db.session.scalar(select(ListingTemplate))
        assert template.category_id == "200000785" and template.category_schema
        assert template.extra_languages == {"es": "es"}
    page = user.get(f"/templates/{template.id}").get_data(as_text=True)
    assert "Brand Name" in page and "Color" in page
    saved = user.post(f"/templates/{template.id}", data={**_template_form(account_id), **MAPPING})
    assert saved.status_code == 303
    page = user.get(f"/templates/{template.id}").get_data(as_text=True)
    # Value map suggestions by name for the color attribute.
    assert re.search(r'value for Red"[^>]*>.*?<option value="10" selected', page, re.S)

    assert user.post(f"/templates/{template.id}/apply-rules").status_code == 303
    with app.app_context():
        skus = sorted(db.session.scalars(select(Listing.sku)))
    assert skus and all(s.startswith("MS-") for s in skus)

    report = user.get("/products/quality?revalidate=1").get_data(as_text=True)
    assert "No problem found" in report or "optional" in report.lower() or "Recommended" in report

    with app.app_context():
        ids = [str(i) for i in db.session.scalars(select(Listing.id))]
    started = user.post("/products/mass", data={"action": "validate_upload", "ids": ids})
    assert started.status_code == 303
    run_id = int(re.search(r"run=(\d+)", started.headers["Location"]).group(1))
    assert 'data-status="success"' in _wait(user, run_id)
    with app.app_context():
        states = set(db.session.scalars(select(Listing.state)))
        feed = db.session.scalar(select(Feed).where(Feed.operation == "PRODUCT_CREATE"))
    assert states == {"live"}
    grid = user.get("/products/?f_state=live").get_data(as_text=True)
    assert skus[0] in grid
    detail = user.get(f"/feeds/{feed.id}").get_data(as_text=True)
    assert "aliexpress.solution.product.post" in detail and "OK" in detail
    feeds = user.get("/feeds/?f_operation=PRODUCT_CREATE").get_data(as_text=True)
    assert "Product create" in feeds


def test_product_preview_and_quality_link_to_the_template(world):
    app, user = world.app, world.user
    with app.app_context():
        account_id = world.account().id
    user.post("/templates/new", data=_template_form(account_id, code="bare"))
    with app.app_context():
        template = db.session.scalar(select(ListingTemplate))
        from webapp.services.listings import assign_products

        assign_products(template, ["MS-AUR"])
        db.session.commit()
        listing_id, template_id = db.session.scalar(select(Listing.id)), template.id
    detail = html.unescape(user.get(f"/products/{listing_id}").get_data(as_text=True))
    assert "post_product_request" in detail and '"aliexpress_category_id": 200000785' in detail
    assert "mandatory" in detail and "is not mapped" in detail
    report = user.get("/products/quality?revalidate=1").get_data(as_text=True)
    assert "Mandatory" in report and "MS-AUR" in report and f"/templates/{template_id}" in report
    # Upload refused: nothing sent, the listing says why.
    before = world.ae_calls()
    with app.app_context():
        from webapp.services.listings import upload_listing

        listing = db.session.get(Listing, listing_id)
        assert not upload_listing(listing)
        db.session.commit()
        assert "Upload refused" in listing.last_error
    assert world.ae_calls() == before


def test_catalog_grid_assigns_to_a_template(world):
    app, user = world.app, world.user
    with app.app_context():
        account_id = world.account().id
    user.post("/templates/new", data=_template_form(account_id))
    with app.app_context():
        template_id = db.session.scalar(select(ListingTemplate.id))
        ids = [
            str(i)
            for i in db.session.scalars(
                select(CatalogProduct.id).where(CatalogProduct.sku.in_(["24-MB01", "24-MB02"]))
            )
        ]
    response = user.post("/templates/assign", data={"action": f"assign:{template_id}", "ids": ids})
    assert response.status_code == 303
    with app.app_context():
        assert sorted(db.session.scalars(select(Listing.sku))) == ["24-MB01", "24-MB02"]
