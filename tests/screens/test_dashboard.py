"""The Dashboard: accounts and tokens, listings by state, pending changes, orders, the charts'
series, links to the filtered grids behind every figure, and the empty state."""

import html
import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from webapp.extensions import db
from webapp.models import Account, ApiCall, Instruction, Listing, Order
from webapp.services.dashboard import api_calls_per_hour, dashboard_data, orders_per_day


def _account(title, status="connected", **extra):
    account = Account(title=title, title_key=title.lower(), region="EU", status=status, **extra)
    db.session.add(account)
    db.session.flush()
    return account


def _listings(account, state, count, prefix):
    rows = [
        Listing(account_id=account.id, sku=f"{prefix}-{i}", name=f"{prefix} {i}", state=state)
        for i in range(count)
    ]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def _order(account, number, placed_at, state="imported"):
    db.session.add(
        Order(
            account_id=account.id,
            ae_order_id=str(number),
            import_state=state,
            placed_at=placed_at,
        )
    )


def _call(created_at, ok=True):
    db.session.add(
        ApiCall(
            system="aliexpress",
            api="aliexpress.solution.product.list.get",
            ok=ok,
            error=None if ok else "ServiceUnavailable",
            created_at=created_at,
        )
    )


def _chart(page, chart_id):
    match = re.search(
        rf'<script type="application/json" id="{chart_id}">(.*?)</script>', page, re.S
    )
    assert match, f"no {chart_id} on the page"
    return json.loads(match.group(1))


def _element(page, element_id, tag="div"):
    match = re.search(rf'<{tag}[^>]*id="{element_id}".*?</{tag}>', page, re.S)
    assert match, f"no #{element_id} on the page"
    return match.group(0)


def _hrefs(fragment):
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', fragment)]


def _query(href):
    return {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}


def _midday_yesterday(now):
    return now.replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=1)


@pytest.fixture
def shop(app):
    """Two accounts with listings, pending changes, orders and API calls."""
    now = datetime.now(UTC)
    hour = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    with app.app_context():
        main = _account(
            "Main Store",
            access_expires_at=now + timedelta(hours=5, minutes=10),
            refresh_expires_at=now + timedelta(days=40, hours=1),
        )
        old = _account(
            "Old Store",
            status="expired",
            access_expires_at=now - timedelta(days=3),
            refresh_expires_at=now - timedelta(days=2),
        )
        live = _listings(main, "live", 3, "MAIN-LIVE")
        _listings(main, "error", 1, "MAIN-ERR")
        _listings(old, "live", 2, "OLD-LIVE")
        _listings(old, "queued", 1, "OLD-Q")
        db.session.add_all(
            [
                Instruction(listing_id=live[0].id, aspect="price"),
                Instruction(listing_id=live[0].id, aspect="quantity"),
                Instruction(listing_id=live[1].id, aspect="content"),
            ]
        )
        yesterday = _midday_yesterday(now)
        _order(main, 1, yesterday)
        _order(main, 2, yesterday + timedelta(hours=1), state="failed")
        _order(old, 3, yesterday + timedelta(hours=2))
        _order(main, 4, now - timedelta(seconds=30))
        _order(main, 5, now - timedelta(days=9), state="failed")  # outside the chart
        _call(hour + timedelta(minutes=5), ok=False)
        _call(hour + timedelta(minutes=40), ok=False)
        _call(hour + timedelta(minutes=50))
        _call(now - timedelta(days=8))  # outside the chart
        db.session.commit()
        return {"main": main.id, "old": old.id, "now": now, "hour": hour, "yesterday": yesterday}


def test_dashboard_counts_links_and_chart_series(app, login, shop):
    user = login("operator")
    response = user.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)

    # Accounts: one of two connected, one needing re-authorization; tokens with expiry.
    tile = _element(page, "tile-accounts")
    assert "1 of 2" in tile
    assert "1 needs re-authorization" in tile
    assert "/accounts/" in _hrefs(tile)
    table = _element(page, "accounts-table", "table")
    rows = re.findall(r'<tr data-account-id="(\d+)">(.*?)</tr>', table, re.S)
    by_id = {int(i): body for i, body in rows}
    main_row, old_row = by_id[shop["main"]], by_id[shop["old"]]
    assert f'href="/accounts/{shop["main"]}"' in main_row
    assert "status-connected" in main_row and "status-expired" in old_row
    assert "expires in 5 h" in main_row and "token-soon" in main_row
    assert "expires in 40 days" in main_row and "token-ok" in main_row
    assert "expired 3 days ago" in old_row and "expired 2 days ago" in old_row

    # Listings by state per account, each count linking to the products grid filtered by it.
    links = {html.unescape(a): n for a, n in re.findall(r'href="([^"]*)"[^>]*>(\d+)</a>', main_row)}
    by_state = {_query(href).get("f_state"): int(n) for href, n in links.items()}
    assert by_state["live"] == 3 and by_state["error"] == 1
    assert by_state[None] == 3  # the pending changes, linking to the whole grid
    old_links = re.findall(r'href="([^"]*)"[^>]*>(\d+)</a>', old_row)
    assert {_query(html.unescape(h)).get("f_state"): int(n) for h, n in old_links} == {
        "live": 2,
        "queued": 1,
    }

    # Tiles: live listings across accounts, errors, pending changes.
    live_tile = _element(page, "tile-live")
    live_href = next(h for h in _hrefs(live_tile) if _query(h).get("f_state") == "live")
    assert urlsplit(live_href).path == "/products/"
    assert re.search(r">\s*5\s*</a>", live_tile)
    assert "1 with errors" in live_tile
    pending_tile = _element(page, "tile-pending")
    assert re.search(r'href="/products/\?f_pending=1">3</a>', pending_tile)
    # The per-account links narrow the grid to that account.
    main_live = next(h for h, n in links.items() if _query(h).get("f_state") == "live")
    assert _query(main_live).get("f_account_id") == str(shop["main"])
    main_grid = user.get(main_live).get_data(as_text=True)
    assert "MAIN-LIVE-0" in main_grid and "OLD-LIVE-1" not in main_grid
    pending_grid = user.get("/products/?f_pending=1").get_data(as_text=True)
    assert "MAIN-LIVE-0" in pending_grid and "MAIN-LIVE-1" in pending_grid
    assert "MAIN-LIVE-2" not in pending_grid and "price, quantity" in pending_grid

    # Following a tile's link lands on the grid showing exactly those listings.
    grid = user.get(live_href).get_data(as_text=True)
    assert "MAIN-LIVE-0" in grid and "OLD-LIVE-1" in grid
    assert "MAIN-ERR-0" not in grid and "OLD-Q-0" not in grid

    # Orders: failed (all time) and placed today, linked once the orders screens exist.
    failed_tile = _element(page, "tile-failed-orders")
    assert re.search(r">\s*2\s*<", failed_tile)
    today_tile = _element(page, "tile-orders-today")
    assert re.search(r">\s*1\s*<", today_tile)
    if "orders.failed" in app.view_functions:
        with app.test_request_context():
            from flask import url_for

            assert url_for("orders.failed") in _hrefs(failed_tile)
            assert url_for("orders.index") in _hrefs(today_tile)
    else:
        assert "href" not in failed_tile and "href" not in today_tile

    # Chart series: 7 UTC days of orders, 168 UTC hours of calls and errors.
    orders = _chart(page, "orders-chart-data")
    assert len(orders["days"]) == 7 and orders["days"][-1] == shop["now"].strftime("%Y-%m-%d")
    assert dict(zip(orders["days"], orders["orders"], strict=True)) == {
        **dict.fromkeys(orders["days"], 0),
        shop["yesterday"].strftime("%Y-%m-%d"): 3,
        shop["now"].strftime("%Y-%m-%d"): 1,
    }
    api = _chart(page, "api-chart-data")
    assert len(api["hours"]) == 168
    index = api["hours"].index(shop["hour"].strftime("%Y-%m-%dT%H:00:00Z"))
    assert api["calls"][index] == 3 and api["errors"][index] == 2
    assert sum(api["calls"]) == 3 and sum(api["errors"]) == 2

    # The text version of the charts.
    assert "4 orders in the last 7 days." in page
    assert "3 calls, " in page and "2 errors</span> in the last 7 days." in page
    orders_table = _element(page, "orders-chart-table", "table")
    assert f'<td>{shop["yesterday"]:%Y-%m-%d}</td><td class="num">3</td>' in orders_table
    assert "errors in the activity log" in page

    # The jobs table and its Run now buttons are still there.
    assert 'id="jobs-table"' in page and "Run now" in page


def test_series_buckets_and_zero_fill(app):
    """The series on a fixed clock: UTC buckets, window edges, zeros where nothing happened."""
    now = datetime(2025, 3, 10, 14, 30, tzinfo=UTC)
    with app.app_context():
        account = _account("Shop")
        _order(account, 1, datetime(2025, 3, 4, 0, 0, tzinfo=UTC))  # first day, first second
        _order(account, 2, datetime(2025, 3, 3, 23, 59, 59, tzinfo=UTC))  # just outside
        _order(account, 3, datetime(2025, 3, 9, 23, 59, tzinfo=UTC))
        _order(account, 4, datetime(2025, 3, 9, 22, 0, tzinfo=UTC))
        _order(account, 5, datetime(2025, 3, 9, 21, 0, tzinfo=UTC))
        _order(account, 6, None)  # never placed: not charted
        _call(datetime(2025, 3, 10, 14, 29, tzinfo=UTC), ok=False)
        _call(datetime(2025, 3, 10, 13, 59, tzinfo=UTC), ok=False)
        _call(datetime(2025, 3, 10, 13, 0, tzinfo=UTC), ok=False)
        _call(datetime(2025, 3, 3, 15, 0, tzinfo=UTC))  # first hour of the window
        _call(datetime(2025, 3, 3, 14, 59, tzinfo=UTC))  # just outside
        db.session.commit()

        orders = orders_per_day(now)
        assert orders == {
            "days": [f"2025-03-{d:02d}" for d in range(4, 11)],
            "orders": [1, 0, 0, 0, 0, 3, 0],
        }
        api = api_calls_per_hour(now)
        assert api["hours"][0] == "2025-03-03T15:00:00Z"
        assert api["hours"][-1] == "2025-03-10T14:00:00Z"
        assert (api["calls"][0], api["errors"][0]) == (1, 0)
        assert (api["calls"][-2], api["errors"][-2]) == (2, 2)
        assert (api["calls"][-1], api["errors"][-1]) == (1, 1)
        assert sum(api["calls"]) == 4

        data = dashboard_data(now)
        assert data["orders"] == {"failed": 0, "today": 0}
        assert data["api_days"][-1] == {"day": "2025-03-10", "calls": 3, "errors": 3}
        assert len(data["api_days"]) == 8  # 168 hours starting mid-day span eight UTC days


def test_viewer_sees_the_dashboard_without_run_now(login, shop):
    viewer = login("viewer")
    response = viewer.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Main Store" in page and 'id="orders-chart-data"' in page
    assert "Run now" not in page
    # A viewer cannot add accounts, so the empty-state link is never the add form for them.
    assert "/accounts/new" not in page


def test_empty_state(login):
    user = login("admin")
    page = user.get("/").get_data(as_text=True)
    assert "No account connected yet" in page
    empty = re.findall(
        r"No account connected yet — <a href=\"([^\"]+)\">Connect an account</a>", page
    )
    assert empty and set(empty) == {"/accounts/new"}
    assert 'id="accounts-table"' not in page
    assert _chart(page, "orders-chart-data")["orders"] == [0] * 7
    api = _chart(page, "api-chart-data")
    assert api["calls"] == [0] * 168 and api["errors"] == [0] * 168
    assert "0 orders in the last 7 days." in page
    assert "Busiest hour" not in page


def test_empty_state_for_a_viewer_links_to_the_accounts_list(login):
    viewer = login("viewer")
    page = viewer.get("/").get_data(as_text=True)
    assert 'No account connected yet — <a href="/accounts/">Connect an account</a>' in page


def test_optional_url_is_none_for_a_missing_screen(app):
    from webapp.blueprints.main import optional_url

    with app.test_request_context():
        assert optional_url("main.dashboard") == "/"
        assert optional_url("nowhere.index") is None
