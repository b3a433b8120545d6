"""Magento Store screen in the browser: connect the demo store, import, browse the catalog."""

import pytest
from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_connect_store_import_and_browse_catalog(make_live_app, make_user, page):
    app = make_live_app(MOUNT_SANDBOXES=True)
    make_user(email="admin@example.com", role="admin")
    base = app.config["LIVE_URL"]
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_text("Configuration").click()
    page.get_by_role("link", name="Magento Store").click()
    expect(page.get_by_label("Base URL")).to_have_value(base + "/sandbox/magento")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".toast")).to_contain_text("Store saved. Connected")
    expect(page.locator("#store-status")).to_have_text("Connected")

    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#test-result")).to_contain_text("es")
    page.get_by_role("button", name="Refresh cached data").click()
    expect(page.locator("#store-views")).to_contain_text("default")

    page.get_by_role("link", name="Catalog").click()
    expect(page.get_by_text("The catalog cache is empty")).to_be_visible()
    page.get_by_role("button", name="Full import").click()
    expect(page.locator("#catalog-progress .progress-box")).to_have_attribute(
        "data-status", "success", timeout=30_000
    )
    # The grid reloads itself when the job finishes.
    expect(page.locator("#grid-catalog tbody tr").first).not_to_contain_text(
        "empty", timeout=10_000
    )
    page.locator("#grid-catalog").get_by_label("Filter Type").select_option("configurable")
    expect(page.locator("#grid-catalog tbody tr").first).to_contain_text("configurable")
