"""Orders in the browser: Simulate order (demo mode) -> Fetch latest with progress -> the grid
refreshes with the order -> its detail -> Ship with a carrier and tracking number."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.conftest import ARTIFACTS, TEST_PASSWORD
from tests.orders.conftest import open_shop
from tests.support.world import build_world
from webapp.extensions import db
from webapp.models import Order
from webapp.services.accounts import fetch_onboarding_data

pytestmark = pytest.mark.browser

TRACKING = "1Z999AA10123456784"


def test_simulate_fetch_and_ship_an_order(make_live_app, make_user, page):
    # Demo mode (the test config's default) with the sandboxes mounted: "Simulate order" shows.
    app = make_live_app(MOUNT_SANDBOXES=True, AE_BACKOFF=0.01, MAGENTO_BACKOFF=0.01)
    assert app.config["DEMO_MODE"] and "sandboxes" in app.extensions
    shop = open_shop(build_world(app))
    with app.app_context():
        fetch_onboarding_data(shop.world.account())  # the carriers of the Ship form
        db.session.commit()
    make_user(email="admin@example.com", role="admin")
    base = shop.world.base
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.locator("nav summary", has_text="Orders").click()
    page.get_by_role("link", name="All Orders", exact=True).click()
    expect(page.get_by_role("heading", name="Orders", exact=True)).to_be_visible()
    grid = page.locator("#grid-orders")
    expect(grid).to_contain_text("No AliExpress order yet")

    page.get_by_role("button", name="Simulate order").click()
    expect(page.locator(".toast")).to_contain_text(
        "1 buyer order(s) placed on the AliExpress sandbox."
    )
    expect(grid).to_contain_text("No AliExpress order yet")  # placed, not imported yet

    page.get_by_role("button", name="Fetch latest AliExpress orders").click()
    progress = page.locator("#orders-progress .progress-box")
    expect(progress).to_have_attribute("data-status", "success", timeout=30_000)
    expect(progress).to_contain_text("Fetch latest AliExpress orders: done")
    # The grid refreshes itself on the job-finished event: no reload.
    rows = grid.locator("tbody tr")
    expect(rows).to_have_count(1)
    with app.app_context():
        order = db.session.scalar(select(Order))
        order_id, ae_id, state = order.id, order.ae_order_id, order.state_label
    expect(rows.first).to_contain_text(ae_id)
    expect(rows.first).to_contain_text(state)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "orders_grid_after_fetch.png"), full_page=True)

    rows.first.get_by_role("link", name="View").click()
    expect(page.get_by_role("heading", name=f"AliExpress order {ae_id}")).to_be_visible()
    expect(page.locator("#order-items tbody tr").first).to_be_visible()
    expect(page.locator("#order-shipments")).to_contain_text("Not shipped yet.")
    ship = page.locator("#ship-form")
    ship.get_by_label("AliExpress carrier").select_option("UPS")
    ship.get_by_label("Tracking number").fill(TRACKING)
    ship.get_by_role("button", name="Ship").click()

    expect(page.locator(".toast")).to_contain_text(f"Tracking {TRACKING} sent to AliExpress.")
    shipment = page.locator("#order-shipments tbody tr").first
    expect(shipment).to_contain_text(TRACKING)
    expect(shipment).to_contain_text("UPS")
    expect(shipment.locator(".status")).to_have_text("pushed")
    expect(page.locator("#ae-status")).to_have_text("WAIT_BUYER_ACCEPT_GOODS")
    expect(page.locator("#ship-form")).to_have_count(0)
    expect(page).to_have_url(re.compile(rf"/orders/{order_id}$"))

    [sent] = shop.ae_order(ae_id)["shipments"]
    assert (sent["logistics_no"], sent["logistics_service_name"]) == (TRACKING, "UPS")
