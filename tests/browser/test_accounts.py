"""AliExpress Accounts in the browser: add account -> sandbox consent page -> back, Connected;
then fetch onboarding data with the progress bar."""

import pytest
from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_add_account_through_the_consent_page(make_live_app, make_user, page):
    app = make_live_app(MOUNT_SANDBOXES=True)
    make_user(email="admin@example.com", role="admin")
    base = app.config["LIVE_URL"]
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_text("Configuration").click()
    page.get_by_role("link", name="AliExpress Accounts").click()
    expect(page.get_by_text("No AliExpress account yet")).to_be_visible()
    page.get_by_role("link", name="Add Account").click()
    page.get_by_label("Account Title").fill("Spain shop")
    page.get_by_label("Region").select_option("ES")
    page.get_by_role("button", name="Save and authorize").click()

    # The AliExpress sandbox's consent page.
    expect(page.get_by_role("heading", name="Authorize")).to_be_visible()
    page.get_by_role("button", name="Authorize").click()

    expect(page.locator("#account-status")).to_have_text("Verified / Connected")
    expect(page.locator(".toast")).to_contain_text("Account 'Spain shop' is connected.")
    page.get_by_role("button", name="Fetch Onboarding Data").click()
    expect(page.locator("#onboarding-progress .progress-box")).to_have_attribute(
        "data-status", "success", timeout=30_000
    )
    page.reload()
    expect(page.locator("#onboarding-table")).not_to_contain_text("never")
    page.goto(base + "/accounts/")
    expect(page.locator("#grid-accounts")).to_contain_text("Connected")
