"""Failed Orders in the browser: an order the policy cannot create shows with its reason ->
fix the policy -> Retry creates it in Magento (toast, the detail with the Magento order number,
gone from the failed grid); Ignore asks in the confirm dialog first. Per row and as mass actions."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.conftest import TEST_PASSWORD
from tests.orders.conftest import Shop, open_shop
from tests.support.world import build_world
from webapp.extensions import db
from webapp.jobs.runner import run_job
from webapp.models import Order

pytestmark = pytest.mark.browser

REASON = "The order policy's customer nobody@example.com does not exist in Magento."


@pytest.fixture
def shop(make_live_app, make_user) -> Shop:
    app = make_live_app(MOUNT_SANDBOXES=True, AE_BACKOFF=0.01, MAGENTO_BACKOFF=0.01)
    shop = open_shop(build_world(app))
    make_user(email="admin@example.com", role="admin")
    return shop


def fail_orders(shop: Shop, *skus: str) -> list[str]:
    """Buyer orders that the order import cannot create: the policy's customer is unknown."""
    shop.policy(customer_mode="fixed", customer_email="nobody@example.com")
    ae_ids = [shop.order((sku, 1)) for sku in skus]
    run_job(shop.app, "order_import", trigger="manual")
    with shop.app.app_context():
        for ae_id in ae_ids:
            order = db.session.scalar(select(Order).where(Order.ae_order_id == ae_id))
            assert order is not None and order.import_state == "failed", ae_id
    return ae_ids


def order_of(shop: Shop, ae_id: str) -> Order:
    with shop.app.app_context():
        order = db.session.scalar(select(Order).where(Order.ae_order_id == ae_id))
        assert order is not None
        db.session.expunge(order)
        return order


def open_failed_orders(page, base: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.locator("nav summary", has_text="Orders").click()
    page.get_by_role("link", name="Failed Orders", exact=True).click()
    expect(page.get_by_role("heading", name="Failed Orders", exact=True)).to_be_visible()


def test_row_retry_after_fixing_the_policy(shop, page):
    [ae_id] = fail_orders(shop, "24-MB01")
    open_failed_orders(page, shop.world.base)
    grid = page.locator("#grid-failed-orders")
    rows = grid.locator("tbody tr")
    expect(rows).to_have_count(1)
    row = rows.filter(has_text=ae_id)
    expect(row.locator(".failure-reason")).to_have_text(REASON)
    expect(row).to_contain_text("Demo seller")
    expect(row).to_contain_text("WAIT_SELLER_SEND_GOODS")

    shop.policy(customer_mode="guest", customer_email=None)  # the fix
    row.get_by_role("button", name="Retry").click()

    toast = page.locator(".toast")
    expect(toast).to_contain_text(re.compile(r"Created in Magento as #\S+\."))
    order = order_of(shop, ae_id)
    assert order.import_state == "imported", order.failure_reason
    assert order.magento_increment_id
    expect(toast).to_contain_text(f"Created in Magento as #{order.magento_increment_id}.")
    # The retry lands on the order's detail page, with its Magento order.
    expect(page).to_have_url(re.compile(rf"/orders/{order.id}$"))
    expect(page.get_by_role("heading", name=f"AliExpress order {ae_id}")).to_be_visible()
    expect(page.locator("#magento-order")).to_contain_text(f"#{order.magento_increment_id}")

    page.locator("nav summary", has_text="Orders").click()
    page.get_by_role("link", name="Failed Orders", exact=True).click()
    expect(grid).to_contain_text("No failed order.")
    expect(grid.locator("tbody tr", has_text=ae_id)).to_have_count(0)

    page.goto(shop.world.base + f"/orders/{order.id}")
    expect(page.locator("#magento-order")).to_contain_text(f"#{order.magento_increment_id}")


def test_row_ignore_asks_in_the_confirm_dialog(shop, page):
    first, second = fail_orders(shop, "24-MB01", "24-MB02")
    open_failed_orders(page, shop.world.base)
    grid = page.locator("#grid-failed-orders")
    expect(grid.locator("tbody tr")).to_have_count(2)
    row = grid.locator("tbody tr", has_text=second)
    expect(row.locator(".failure-reason")).to_have_text(REASON)

    # Cancel first: nothing happens.
    row.get_by_role("button", name="Ignore").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"Ignore order {second}? It will not be created in Magento.")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert order_of(shop, second).import_state == "failed"

    row.get_by_role("button", name="Ignore").click()
    expect(dialog).to_be_visible()
    page.locator("#confirm-ok").click()
    expect(page.locator(".toast")).to_contain_text(
        "Order ignored: it will not be created in Magento."
    )
    order = order_of(shop, second)
    assert order.import_state == "ignored"
    expect(page).to_have_url(re.compile(rf"/orders/{order.id}$"))
    expect(page.get_by_role("heading", name=f"AliExpress order {second}")).to_be_visible()
    expect(page.locator("#magento-order")).to_have_text("—")

    page.go_back()
    page.reload()
    rows = grid.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(first)
    expect(grid.locator("tbody tr", has_text=second)).to_have_count(0)
    assert order_of(shop, first).import_state == "failed"


def test_create_a_failed_order_from_its_detail_after_fixing_the_policy(shop, page):
    [ae_id] = fail_orders(shop, "24-MB01")
    open_failed_orders(page, shop.world.base)
    grid = page.locator("#grid-failed-orders")
    row = grid.locator("tbody tr", has_text=ae_id)
    expect(row.locator(".failure-reason")).to_have_text(REASON)

    shop.policy(customer_mode="guest", customer_email=None)  # the fix
    row.get_by_role("link", name=ae_id).click()
    expect(page.get_by_role("heading", name=f"AliExpress order {ae_id}")).to_be_visible()
    expect(page.locator("#magento-order")).to_have_text("—")
    expect(page.get_by_text(REASON).first).to_be_visible()
    page.get_by_role("button", name="Create Magento order").click()

    toast = page.locator(".toast")
    expect(toast).to_contain_text(re.compile(r"Created in Magento as #\S+\."))
    order = order_of(shop, ae_id)
    assert order.import_state == "imported", order.failure_reason
    assert order.magento_increment_id
    expect(toast).to_contain_text(f"Created in Magento as #{order.magento_increment_id}.")
    expect(page.locator("#magento-order")).to_contain_text(f"#{order.magento_increment_id}")
    expect(page.get_by_role("button", name="Create Magento order")).to_have_count(0)
    assert [o["increment_id"] for o in shop.magento_orders()] == [order.magento_increment_id]

    page.locator("nav summary", has_text="Orders").click()
    page.get_by_role("link", name="Failed Orders", exact=True).click()
    expect(grid).to_contain_text("No failed order.")


def test_mass_ignore_with_the_confirm_dialog_then_mass_retry(shop, page):
    first, second = fail_orders(shop, "24-MB01", "24-MB02")
    open_failed_orders(page, shop.world.base)
    grid = page.locator("#grid-failed-orders")
    expect(grid.locator("tbody tr")).to_have_count(2)
    for ae_id in (first, second):
        expect(grid.locator("tbody tr", has_text=ae_id).locator(".failure-reason")).to_have_text(
            REASON
        )

    # Ignore the second through the mass bar: the confirm dialog asks first; Cancel keeps it.
    ignored = order_of(shop, second)
    grid.get_by_label(f"Select row {ignored.id}").check()
    expect(grid.locator(".selection-count")).to_have_text("1 selected")
    grid.get_by_label("Mass action").select_option("ignore")
    grid.get_by_role("button", name="Apply to selected").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Ignore the selected orders?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert order_of(shop, second).import_state == "failed"
    grid.get_by_role("button", name="Apply to selected").click()
    expect(dialog).to_be_visible()
    page.locator("#confirm-ok").click()
    expect(page.locator(".toast")).to_contain_text("1 order(s) ignored.")
    expect(page).to_have_url(re.compile(r"/orders/failed$"))
    rows = grid.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(first)
    assert order_of(shop, second).import_state == "ignored"

    # Fix the policy and retry the first through the mass bar: a job with progress.
    shop.policy(customer_mode="guest", customer_email=None)
    retried = order_of(shop, first)
    grid.get_by_label(f"Select row {retried.id}").check()
    grid.get_by_label("Mass action").select_option("retry")
    grid.get_by_role("button", name="Apply to selected").click()
    expect(page.locator(".toast")).to_contain_text("Retry started for 1 order(s).")
    progress = page.locator("#orders-progress .progress-box")
    expect(progress).to_have_attribute("data-status", "success", timeout=30_000)
    expect(progress).to_contain_text("Retry failed orders: done")
    # The grid refreshes itself on the job-finished event.
    expect(grid).to_contain_text("No failed order.")
    order = order_of(shop, first)
    assert order.import_state == "imported", order.failure_reason

    page.goto(shop.world.base + f"/orders/{order.id}")
    expect(page.get_by_role("heading", name=f"AliExpress order {first}")).to_be_visible()
    expect(page.locator("#magento-order")).to_contain_text(f"#{order.magento_increment_id}")
