"""Listing template with mapping -> Validate & Upload with progress -> the feed detail."""

import pytest
from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD
from tests.support.world import build_world
from webapp.extensions import db
from webapp.services.accounts import fetch_onboarding_data

pytestmark = pytest.mark.browser


def test_template_mapping_upload_and_feed(make_live_app, make_user, page):
    app = make_live_app(MOUNT_SANDBOXES=True)
    world = build_world(app)
    with app.app_context():
        fetch_onboarding_data(world.account())
        db.session.commit()
    make_user(email="admin@example.com", role="admin")
    base = world.base
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Listing Templates").click()
    page.get_by_role("link", name="Add Template").click()
    page.get_by_label("Code").fill("mugs")
    page.get_by_label("Name").fill("Mugs")
    page.get_by_label("AliExpress category").fill(
        "Home & Garden > Kitchen, Dining & Bar > Mugs (100004985)"
    )
    page.get_by_label("Freight template").select_option("1000")
    page.get_by_label("Length (cm)").fill("12")
    page.get_by_label("Width (cm)").fill("12")
    page.get_by_label("Height (cm)").fill("10")
    page.get_by_label("Package weight (kg)").fill("0.4")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".toast")).to_contain_text("Template 'Mugs' saved.")

    mapping = page.locator("#attribute-mapping")
    expect(mapping).to_contain_text("Brand Name")
    mapping.get_by_label("Brand Name source").select_option("static")
    mapping.get_by_label("Brand Name static value").select_option(label="Alimento Demo")
    mapping.get_by_label("Origin source").select_option("static")
    mapping.get_by_label("Origin static value").select_option(label="Mainland China")
    mapping.get_by_label("Material source").select_option("static")
    mapping.get_by_label("Material static value").select_option(label="Ceramic")
    mapping.get_by_label("Color source").select_option("attribute")
    mapping.get_by_label("Color Magento attribute").select_option("color")
    page.get_by_label("Rule 1 field").select_option("sku")
    page.get_by_label("Rule 1 condition").select_option("like")
    page.get_by_label("Rule 1 value").fill("24-MG*")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".toast")).to_contain_text("saved")

    page.get_by_role("button", name="Apply assignment rules").click()
    expect(page.locator(".toast")).to_contain_text("product(s) assigned by the rules")
    page.get_by_role("button", name="Validate & Upload all").click()
    expect(page.locator("#template-progress .progress-box")).to_have_attribute(
        "data-status", "success", timeout=30_000
    )
    page.get_by_role("link", name="Products", exact=True).first.click()
    grid = page.locator("#grid-products")
    expect(grid.locator(".status-live").first).to_be_visible()

    page.get_by_text("Developer").click()
    page.get_by_role("link", name="API Feeds").click()
    page.locator("#grid-feeds").get_by_role("link", name="View").first.click()
    expect(page.locator("#feed-results")).to_contain_text("OK")
    expect(page.get_by_text("aliexpress.solution.product.post")).to_be_visible()
