"""Products in the browser: filter the grid by state -> select rows -> a mass action runs as a
job with progress (Price Update on live listings, Validate only and Validate & Upload on the
not-uploaded ones) -> the grid refreshes; a product's detail with its payload preview; the
Quality report."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.conftest import TEST_PASSWORD
from tests.orders.conftest import Shop, open_shop
from tests.support.world import build_world
from webapp import demo_data
from webapp.extensions import db
from webapp.models import Listing
from webapp.services import listings as listing_svc

pytestmark = pytest.mark.browser

LIVE = ("24-MB01", "24-MB02", "24-MG01", "MS-AUR")
NOT_UPLOADED = ("24-MB03", "24-WG01")


@pytest.fixture
def shop(make_live_app, make_user) -> Shop:
    """Four live listings (open_shop) and two more assigned to the goods template, not uploaded."""
    app = make_live_app(MOUNT_SANDBOXES=True, AE_BACKOFF=0.01, MAGENTO_BACKOFF=0.01)
    shop = open_shop(build_world(app), skus=LIVE)
    with app.app_context():
        goods = demo_data.goods_template(shop.world.account())
        listing_svc.assign_products(goods, list(NOT_UPLOADED))
        db.session.commit()
    make_user(email="admin@example.com", role="admin")
    return shop


def listings(shop: Shop) -> dict[str, Listing]:
    with shop.app.app_context():
        rows = db.session.scalars(select(Listing)).all()
        for row in rows:
            db.session.expunge(row)
        return {row.sku: row for row in rows}


def log_in(page, base: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def grid_skus(grid) -> list[str]:
    return [s.strip() for s in grid.locator("tbody tr td:nth-child(3) code").all_inner_texts()]


def filter_state(page, grid, label: str, count: int) -> None:
    grid.get_by_label("Filter State").select_option(label=label)
    expect(page).to_have_url(re.compile(r"f_state="))
    expect(grid.locator("tbody tr")).to_have_count(count)


def run_mass_action(page, grid, label: str, toast: str, messages: str | None = None) -> None:
    grid.locator("[data-select-all]").check()
    grid.get_by_label("Mass action").select_option(label=label)
    grid.get_by_role("button", name="Apply to selected").click()
    expect(page.locator(".toast")).to_contain_text(toast)
    progress = page.locator("#products-progress .progress-box")
    expect(progress).to_have_attribute("data-status", "success", timeout=30_000)
    expect(progress).to_contain_text("Products mass action: done")
    expect(progress.locator(".progress-bar")).to_have_attribute("data-width", "100")
    if messages:
        expect(progress.locator(".progress-messages")).to_contain_text(messages)


def test_filter_by_state_and_run_mass_actions_with_progress(shop, page):
    base = shop.world.base
    log_in(page, base)
    page.get_by_role("link", name="Products", exact=True).first.click()
    expect(page.get_by_role("heading", name="Products", exact=True)).to_be_visible()
    grid = page.locator("#grid-products")
    expect(grid.locator("tbody tr")).to_have_count(6)

    # Live listings: Price Update pushes their prices to AliExpress as a job.
    filter_state(page, grid, "Live", 4)
    assert sorted(grid_skus(grid)) == sorted(LIVE)
    expect(grid.locator(".status-live")).to_have_count(4)
    grid.locator("[data-select-all]").check()
    expect(grid.locator(".selection-count")).to_have_text("4 selected")
    grid.locator("[data-select-all]").uncheck()
    run_mass_action(page, grid, "Price Update", "Price Update started for 4 product(s).")

    # The not-uploaded ones: Validate only, then Validate & Upload makes them live.
    filter_state(page, grid, "Not uploaded", 2)
    assert sorted(grid_skus(grid)) == sorted(NOT_UPLOADED)
    for sku in NOT_UPLOADED:
        row = grid.locator("tbody tr", has_text=sku)
        expect(row.locator(".status")).to_have_text("Not uploaded")
        expect(row.locator("td").nth(6)).to_have_text("")  # no AliExpress id yet
    run_mass_action(
        page,
        grid,
        "Validate only",
        "Validate only started for 2 product(s).",
        "validate: 2 done, 0 failed, 0 skipped",
    )
    assert {s: listings(shop)[s].state for s in NOT_UPLOADED} == dict.fromkeys(
        NOT_UPLOADED, "not_uploaded"
    )

    filter_state(page, grid, "Not uploaded", 2)
    run_mass_action(
        page,
        grid,
        "Validate & Upload",
        "Validate & Upload started for 2 product(s).",
        "validate_upload: 2 done, 0 failed, 0 skipped",
    )
    # The grid refreshes itself when the job finishes: all six are live now.
    expect(grid.locator(".status-live")).to_have_count(6)
    now = listings(shop)
    for sku in NOT_UPLOADED:
        assert now[sku].state == "live" and now[sku].ae_product_id, now[sku].last_error
        expect(grid.locator("tbody tr", has_text=sku)).to_contain_text(now[sku].ae_product_id)
    filter_state(page, grid, "Not uploaded", 1)
    expect(grid).to_contain_text("No rows match the filter.")
    filter_state(page, grid, "Live", 6)


def test_product_detail_payload_preview_and_quality_report(shop, page):
    base = shop.world.base
    listing = listings(shop)["MS-AUR"]
    log_in(page, base)
    page.get_by_role("link", name="Products", exact=True).first.click()
    grid = page.locator("#grid-products")
    grid.get_by_role("link", name="MS-AUR", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/products/{listing.id}$"))
    expect(page.get_by_role("heading", name="Aurora Tee MS-AUR")).to_be_visible()
    expect(page.locator(".page-head .status")).to_have_text("Live")
    preview = page.locator("#payload-preview")
    expect(preview).to_contain_text('"aliexpress_category_id": 200000785')
    expect(preview).to_contain_text('"subject": "Aurora Tee"')
    for child in ("MS-AUR-M-Black", "MS-AUR-M-Red", "MS-AUR-S-Black", "MS-AUR-S-Red"):
        expect(preview).to_contain_text(f'"sku_code": "{child}"')
    expect(page.locator("#listing-issues")).to_contain_text("Only 2 image(s).")
    expect(
        page.locator("#listing-issues").get_by_role("link", name="fix in the template")
    ).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(listing.ae_product_id)
    expect(facts).to_contain_text("MS-AUR-S-Red 25.00")

    page.get_by_role("link", name="Back to products").click()
    page.get_by_role("link", name="Quality report").click()
    expect(page.get_by_role("heading", name="Quality report")).to_be_visible()
    expect(page.locator(".page-head")).to_contain_text("6 product(s) checked")
    group = page.locator(".quality-group").first
    expect(group.get_by_role("heading")).to_have_text("Optional · Only 2 image(s).")
    expect(group).to_contain_text("6 product(s):")
    for sku in LIVE + NOT_UPLOADED:
        expect(group.get_by_role("link", name=sku, exact=True)).to_be_visible()
    expect(group.get_by_role("link", name=re.compile(r"Fix in the template"))).to_be_visible()

    group.get_by_role("link", name="24-MB03", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(r"24-MB03"))).to_be_visible()
    expect(page.locator(".page-head .status")).to_have_text("Not uploaded")
    expect(page.locator("#payload-preview")).to_contain_text('"sku_code": "24-MB03"')
