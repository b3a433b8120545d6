"""The whole setup wizard on the sandboxes, from an empty install to the summary."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_wizard_from_empty_install_to_summary(make_live_app, page):
    app = make_live_app(MOUNT_SANDBOXES=True)
    base = app.config["LIVE_URL"]
    page.goto(base + "/")
    # 1 User Registration
    expect(page).to_have_url(re.compile(r"/wizard/register$"))
    page.get_by_label("E-mail").fill("owner@example.com")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_label("Confirm password").fill(TEST_PASSWORD)
    page.get_by_label("I accept the terms and conditions").check()
    page.get_by_role("button", name="Create admin account").click()
    # 2 Store Connection (pre-filled with the Magento sandbox in demo mode)
    expect(page.get_by_role("heading", name="Step 2 · Store Connection")).to_be_visible()
    page.get_by_role("button", name="Test connection and continue").click()
    # 3 Marketplace Onboarding
    expect(page.get_by_role("heading", name="Step 3 · Marketplace Onboarding")).to_be_visible()
    expect(page.get_by_text("The region cannot be changed after saving.")).to_be_visible()
    page.get_by_label("Account Title").fill("My AliExpress")
    page.get_by_label("Region").select_option("IT")
    page.get_by_label("Store View").select_option("default")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Authorize")).to_be_visible()  # sandbox consent
    page.get_by_role("button", name="Authorize").click()
    # 4 Default Policies
    expect(page.get_by_role("heading", name="Step 4 · Default Policies")).to_be_visible()
    table = page.locator("#wizard-policies")
    for title in (
        "Default Image Policy",
        "Default Inventory Policy",
        "Default Pricing Policy",
        "Default Order Policy",
        "Default Synchronization Policy",
    ):
        expect(table).to_contain_text(title)
    expect(table.locator(".status-valid")).to_have_count(5)
    page.get_by_role("button", name="Next").click()
    # 5 System Requirement Check
    expect(page.get_by_role("heading", name="Step 5 · System Requirement Check")).to_be_visible()
    checks = page.locator("#system-check")
    expect(checks).to_contain_text("Database migrated")
    expect(checks.locator("tr", has_text="Magento store")).to_contain_text("Pass")
    expect(checks.locator("tr", has_text="AliExpress account")).to_contain_text("Pass")
    page.locator("#system-check ~ .actions button").click()
    # 6 Summary
    expect(page.get_by_role("heading", name="Step 6 · Summary")).to_be_visible()
    expect(page.locator("#wizard-summary")).to_contain_text("My AliExpress — Connected")
    page.get_by_role("button", name="Finish").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    # The wizard can be reopened from the menu and shows every step done.
    page.get_by_role("link", name="Setup Wizard").click()
    expect(page.locator("#wizard-steps .step-done")).to_have_count(5)
