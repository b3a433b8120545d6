"""Policies screen in the browser: create, edit and delete one policy of each type."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

LABELS = {
    "image": "Image Policy",
    "inventory": "Inventory Policy",
    "pricing": "Pricing Policy",
    "order": "Order Policy",
    "synchronization": "Synchronization Policy",
}


def _login(page, base):
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def test_create_edit_delete_one_policy_of_each_type(live_app, page):
    from webapp.extensions import db
    from webapp.services.users import create_user

    with live_app.app_context():
        create_user("admin@example.com", TEST_PASSWORD, "admin")
        db.session.commit()
    base = live_app.config["LIVE_URL"]
    _login(page, base)
    page.get_by_text("Configuration").click()
    page.get_by_role("link", name="Policies").click()
    expect(page.get_by_text("No policies yet")).to_be_visible()

    for code, label in LABELS.items():
        page.goto(base + "/policies/")
        page.get_by_text("Add Policy", exact=True).click()
        page.get_by_role("link", name=label).click()
        page.get_by_label("Title", exact=True).fill(f"My {label}")
        if code == "pricing":
            page.get_by_label("Price Change By").select_option("percentage_increment")
            page.get_by_label("Amount").fill("10")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".toast")).to_contain_text(f"Policy 'My {label}' saved.")
        expect(page.locator("#policy-status")).to_have_text("VALID")

    # Edit one: a threshold rule with "below" above "above" is refused with a field message.
    page.goto(base + "/policies/")
    page.get_by_role("link", name="My Inventory Policy").click()
    page.get_by_label("Set Inventory on Basis of Threshold").check()
    page.get_by_label("Threshold Value", exact=True).fill("10")
    page.get_by_label("Inventory for Greater Than Threshold Value").fill("2")
    page.get_by_label("Inventory for Lesser Than Threshold Value").fill("20")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".error").first).to_be_visible()
    page.get_by_label("Inventory for Greater Than Threshold Value").fill("20")
    page.get_by_label("Inventory for Lesser Than Threshold Value").fill("2")
    page.get_by_label("Title", exact=True).fill("Warehouse stock")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".toast")).to_contain_text("Policy 'Warehouse stock' saved.")

    page.goto(base + "/policies/")
    grid = page.locator("#grid-policies")
    expect(grid.locator("tbody tr")).to_have_count(5)
    expect(grid).to_contain_text("Warehouse stock")
    grid.locator("[data-select-all]").check()
    grid.locator('select[name="action"]').select_option("delete")
    grid.get_by_role("button", name="Apply to selected").click()
    expect(page.locator("#confirm-dialog")).to_be_visible()
    page.locator("#confirm-ok").click()
    expect(page.locator(".toast")).to_contain_text("5 policy(ies) deleted.")
    expect(page.get_by_text("No policies yet")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/policies/$"))
