"""The Dashboard in the browser: uPlot draws both charts under the CSP, tiles lead to the grids."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD
from webapp.extensions import db
from webapp.models import Account, ApiCall, Listing, Order

pytestmark = pytest.mark.browser


def _seed(app):
    now = datetime.now(UTC)
    with app.app_context():
        account = Account(
            title="Main Store",
            title_key="main store",
            region="EU",
            status="connected",
            access_expires_at=now + timedelta(days=2),
            refresh_expires_at=now + timedelta(days=60),
        )
        db.session.add(account)
        db.session.flush()
        db.session.add_all(
            [Listing(account_id=account.id, sku=f"LIVE-{i}", state="live") for i in range(2)]
            + [Listing(account_id=account.id, sku="BROKEN-1", state="error")]
            + [
                Order(
                    account_id=account.id,
                    ae_order_id=str(n),
                    import_state="imported",
                    placed_at=now - timedelta(days=n % 3),
                )
                for n in range(1, 6)
            ]
            + [
                ApiCall(
                    system="aliexpress", api="x", ok=n % 4 != 0, created_at=now - timedelta(hours=n)
                )
                for n in range(1, 30)
            ]
        )
        db.session.commit()


def test_dashboard_charts_and_tile_links(live_app, make_user, page):
    _seed(live_app)
    make_user(email="admin@example.com", role="admin")
    problems = []

    def on_console(msg):
        # the browser asks for /favicon.ico on its own; the app has none
        if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico"):
            problems.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    base = live_app.config["LIVE_URL"]
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    # uPlot replaced each placeholder with its own chart (a .uplot root holding a canvas).
    for chart in ("#orders-chart", "#api-chart"):
        drawn = page.locator(f"{chart} .chart-canvas .uplot")
        expect(drawn).to_have_count(1)
        expect(drawn.locator("canvas")).to_have_count(1)
        assert drawn.locator("canvas").bounding_box()["width"] > 200
    expect(page.locator("#api-chart .u-legend")).to_contain_text("Errors")
    # The text fallback stays available under the chart.
    page.get_by_text("Orders per day as a table").click()
    expect(page.locator("#orders-chart-table tbody tr")).to_have_count(7)
    assert problems == [], problems  # no CSP violation, no script error

    # A tile leads to the grid behind it, filtered.
    page.locator("#tile-live .big a").click()
    expect(page).to_have_url(re.compile(r"/products/\?(.*&)?f_state=live"))
    expect(page.locator("#grid-products")).to_contain_text("LIVE-1")
    expect(page.locator("#grid-products")).not_to_contain_text("BROKEN-1")
