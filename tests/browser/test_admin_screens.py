"""Settings, Cron Logs and Activity Logs in the browser."""

import pytest
from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_settings_cron_and_activity_logs(live_app, make_user, page):
    make_user(email="admin@example.com", role="admin")
    base = live_app.config["LIVE_URL"]
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Log retention (days)").fill("0")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".error").first).to_be_visible()
    page.get_by_label("Log retention (days)").fill("14")
    page.get_by_label("Notification e-mail").fill("ops@example.com")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".toast")).to_contain_text("Settings saved.")

    page.get_by_role("link", name="Dashboard").click()
    page.locator("#jobs-table tr", has_text="Log purge").get_by_role(
        "button", name="Run now"
    ).click()
    expect(page.locator("#run-log_purge .progress-box")).to_have_attribute("data-status", "success")

    page.get_by_text("Developer").click()
    page.get_by_role("link", name="Cron Logs").click()
    grid = page.locator("#grid-cron")
    expect(grid).to_contain_text("log_purge")
    grid.get_by_label("Filter Status").select_option("success")
    expect(grid.locator("tbody tr").first).to_contain_text("success")

    page.get_by_text("Developer").click()
    page.get_by_role("link", name="Activity Logs").click()
    activity = page.locator("#grid-activity")
    expect(activity).to_contain_text("Settings saved.")
    page.get_by_placeholder("Search…").fill("logged in")
    expect(activity.locator("tbody tr")).to_have_count(1)
    activity.locator('input[name="ids"]').first.check()
    activity.locator('select[name="action"]').select_option("delete")
    activity.get_by_role("button", name="Apply to selected").click()
    page.locator("#confirm-ok").click()
    expect(page.locator(".toast")).to_contain_text("Deleted 1 activity log rows.")
