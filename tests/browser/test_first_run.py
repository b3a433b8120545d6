"""The first browser test: register the first admin, log out, log in, see the dashboard."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_register_logout_login_dashboard(live_app, page):
    base = live_app.config["LIVE_URL"]
    page.goto(base + "/")
    expect(page).to_have_url(re.compile(r"/wizard/register$"))
    page.get_by_label("E-mail").fill("owner@example.com")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_label("Confirm password").fill(TEST_PASSWORD)
    page.get_by_label("I accept the terms and conditions").check()
    page.get_by_role("button", name="Create admin account").click()
    expect(page.get_by_role("heading", name="Setup Wizard")).to_be_visible()
    expect(page.locator(".toast")).to_contain_text("Welcome")

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.get_by_label("E-mail").fill("owner@example.com")
    page.get_by_label("Password").fill("wrong-password-1")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Wrong e-mail or password.")).to_be_visible()

    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_text("Demo mode")).to_be_visible()
    # Run a job from the dashboard and watch the progress component finish.
    page.locator("#jobs-table tr", has_text="Log purge").get_by_role(
        "button", name="Run now"
    ).click()
    expect(page.locator("#run-log_purge .progress-box")).to_have_attribute("data-status", "success")


def test_users_grid_add_and_deactivate(live_app, page):
    from webapp.extensions import db
    from webapp.services.users import create_user

    with live_app.app_context():
        create_user("admin@example.com", TEST_PASSWORD, "admin")
        db.session.commit()
    base = live_app.config["LIVE_URL"]
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Users", exact=True).click()
    page.get_by_role("link", name="Add user").click()
    page.get_by_label("E-mail").fill("clerk@example.com")
    page.get_by_label("Initial password").fill(TEST_PASSWORD)
    page.get_by_label("Role").select_option("operator")
    page.get_by_role("button", name="Add user").click()
    row = page.locator("tr", has_text="clerk@example.com")
    expect(row).to_be_visible()
    row.get_by_role("button", name="Deactivate").click()
    expect(page.locator("#confirm-dialog")).to_be_visible()
    page.locator("#confirm-ok").click()
    expect(page.locator("tr", has_text="clerk@example.com")).to_contain_text("Inactive")
