"""Orders and Failed Orders screens through real form posts, against a live app whose sandboxes
hold live listings: the grids and their filters, Fetch latest and the manual fetch, Retry and
Ignore, the detail page with Ship and Cancel, the viewer's read-only access, Simulate order."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import time

import pytest
from sqlalchemy import func, select

from tests.conftest import Browserless
from tests.orders.conftest import Shop, open_shop
from tests.support.world import build_world
from webapp.extensions import db
from webapp.models import CronLog, Order
from webapp.sandbox.aliexpress.seed import BUYERS
from webapp.services.accounts import fetch_onboarding_data
from webapp.services.users import create_user

JANE, LUCIA = BUYERS[0], BUYERS[1]  # the sandbox's seed buyers (Jane is the default one)
FULFILL = "aliexpress.solution.order.fulfill"


# -- fixtures and helpers -----------------------------------------------------------------------


def _client(app, role: str) -> Browserless:
    email = f"{role}@example.com"
    with app.app_context():
        create_user(email, "correct-horse-42", role)
        db.session.commit()
    client = Browserless(app.test_client())
    client.login(email)
    return client


@pytest.fixture
def shop(make_live_app) -> Shop:
    app = make_live_app(MOUNT_SANDBOXES=True, AE_BACKOFF=0.01, MAGENTO_BACKOFF=0.01)
    shop = open_shop(build_world(app))
    with app.app_context():
        fetch_onboarding_data(shop.world.account())  # the carriers of the Ship form
        db.session.commit()
    shop.user = _client(app, "operator")  # type: ignore[attr-defined]
    return shop


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def order_row(shop: Shop, ae_id: str) -> Order:
    """The Order row (detached: read its columns only)."""
    with shop.app.app_context():
        order = db.session.scalar(select(Order).where(Order.ae_order_id == ae_id))
        assert order is not None, f"AliExpress order {ae_id} was not imported"
        db.session.expunge(order)
        return order


def order_count(shop: Shop) -> int:
    with shop.app.app_context():
        return int(db.session.scalar(select(func.count(Order.id))) or 0)


def lucia_order(shop: Shop, sku: str = "24-MB01") -> str:
    buyer = {k: v for k, v in LUCIA.items() if k != "address"}
    return shop.order((sku, 1), buyer=buyer, address=LUCIA["address"])


def fail_with_unknown_customer(shop: Shop) -> None:
    """An order policy that makes every creation fail with a reason a person can fix."""
    shop.policy(customer_mode="fixed", customer_email="nobody@example.com")


REASON = "The order policy's customer nobody@example.com does not exist in Magento."


def fix_customer(shop: Shop) -> None:
    shop.policy(customer_mode="guest", customer_email=None)


def wait_run(user: Browserless, run_id: int, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = user.get(f"/jobs/runs/{run_id}")
        page = response.get_data(as_text=True)
        if 'data-status="success"' in page or 'data-status="error"' in page:
            trigger = json.loads(response.headers["HX-Trigger"])
            assert trigger["job-finished"]["id"] == run_id
            return page
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish")


def started_run(response) -> int:
    assert response.status_code == 202, response.get_data(as_text=True)[:2000]
    match = re.search(r'id="progress-(\d+)"', response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)
    return int(match.group(1))


def grid_rows(page: str, grid_id: str) -> list[str]:
    """The body rows of one grid, as text."""
    grid = page.split(f'id="{grid_id}"', 1)[1]
    body = grid.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return [r for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def row_for(page: str, grid_id: str, ae_id: str) -> str | None:
    return next((r for r in grid_rows(page, grid_id) if f"<code>{ae_id}</code>" in r), None)


# -- Orders grid --------------------------------------------------------------------------------


def test_empty_orders_grid_says_how_to_get_orders(login):
    user = login("operator")
    page = text(user.get("/orders/"))
    assert "No AliExpress order yet: Fetch latest orders reads them." in page
    assert "Fetch latest AliExpress orders" in page
    failed = text(user.get("/orders/failed"))
    assert "No failed order." in failed


def test_orders_grid_lists_filters_searches_and_exports(shop):
    user = shop.user
    jane = shop.order(("24-MB02", 2))
    shop.import_orders()
    fail_with_unknown_customer(shop)
    lucia = lucia_order(shop)
    shop.import_orders()
    imported, failed = order_row(shop, jane), order_row(shop, lucia)
    assert imported.import_state == "imported", imported.failure_reason
    assert failed.import_state == "failed"

    page = text(user.get("/orders/"))
    row = row_for(page, "grid-orders", jane)
    assert row is not None, page
    assert f"{imported.magento_increment_id}" in row and imported.magento_increment_id
    assert "Jane Doe" in row and "Demo seller" in row
    assert f"{imported.total:.2f} USD" in row and imported.total > 0
    assert "WAIT_SELLER_SEND_GOODS" in row
    assert "Imported" in row and (imported.magento_status or "—") in row
    assert f"/orders/{imported.id}" in row
    lucia_row = row_for(page, "grid-orders", lucia)
    assert lucia_row is not None and "Lucía García" in lucia_row and "Failed" in lucia_row
    assert "1 failed order(s)" in page

    only_failed = text(user.get("/orders/?f_import_state=failed"))
    assert row_for(only_failed, "grid-orders", lucia) and not row_for(
        only_failed, "grid-orders", jane
    )
    by_status = text(user.get("/orders/?f_ae_status=WAIT_SELLER_SEND_GOODS"))
    assert row_for(by_status, "grid-orders", jane) and row_for(by_status, "grid-orders", lucia)
    finished = text(user.get("/orders/?f_ae_status=FINISH"))
    assert not row_for(finished, "grid-orders", jane)
    assert "No rows match the filter." in finished
    by_buyer = text(user.get("/orders/?f_q=Luc"))
    assert row_for(by_buyer, "grid-orders", lucia) and not row_for(by_buyer, "grid-orders", jane)
    by_id = text(user.get(f"/orders/?f_q={jane}"))
    assert row_for(by_id, "grid-orders", jane) and not row_for(by_id, "grid-orders", lucia)
    by_increment = text(user.get(f"/orders/?f_q={imported.magento_increment_id}"))
    assert row_for(by_increment, "grid-orders", jane)
    assert not row_for(by_increment, "grid-orders", lucia)
    # The htmx refresh of the grid answers the grid alone.
    partial = user.get(
        "/orders/?f_import_state=failed",
        headers={"HX-Request": "true", "HX-Target": "grid-orders"},
    )
    assert partial.status_code == 200
    assert "<html" not in partial.get_data(as_text=True)
    assert row_for(text(partial), "grid-orders", lucia)

    export = user.get("/orders/?export=csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert "orders.csv" in export.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert sorted(r["AliExpress order"] for r in rows) == sorted([jane, lucia])
    jane_csv = next(r for r in rows if r["AliExpress order"] == jane)
    assert jane_csv["Magento order"] == imported.magento_increment_id
    assert jane_csv["Buyer"] == "Jane Doe"
    filtered = user.get("/orders/?export=csv&f_import_state=failed").get_data(as_text=True)
    assert lucia in filtered and jane not in filtered


# -- Fetch latest and the manual fetch ---------------------------------------------------------


def test_fetch_latest_starts_a_job_and_the_order_appears(shop):
    user = shop.user
    ae_id = shop.order(("24-MB02", 1))
    assert row_for(text(user.get("/orders/")), "grid-orders", ae_id) is None
    response = user.post("/orders/fetch", htmx=True)
    run_id = started_run(response)
    assert "progress-box" in response.get_data(as_text=True)
    assert "Fetch latest AliExpress orders" in response.get_data(as_text=True)
    assert 'data-status="success"' in wait_run(user, run_id)
    with shop.app.app_context():
        run = db.session.get(CronLog, run_id)
        assert (run.job_code, run.trigger, run.status) == ("order_fetch", "manual", "success")
        assert run.result["Demo seller"]["new"] == 1
    row = row_for(text(user.get("/orders/")), "grid-orders", ae_id)
    assert row is not None and "Imported" in row


def test_manual_fetch_refuses_bad_settings(shop):
    user = shop.user
    for size in ("0", "51", "ten"):
        response = user.post("/orders/fetch", data={"manual": "1", "page_size": size}, htmx=True)
        assert response.status_code == 422
        assert "Page size: a number from 1 to 50 (the AliExpress maximum)." in text(response)
    bad_date = user.post(
        "/orders/fetch", data={"manual": "1", "created_from": "yesterday"}, htmx=True
    )
    assert bad_date.status_code == 422
    assert "Created from: enter a date and time like" in text(bad_date)
    nothing = user.post("/orders/fetch", data={"manual": "1"}, htmx=True)
    assert nothing.status_code == 422
    assert "Set at least one fetch setting, or use Fetch latest." in text(nothing)
    with shop.app.app_context():
        assert db.session.scalar(select(func.count(CronLog.id))) == 0  # nothing started


def test_manual_fetch_by_buyer_imports_only_that_buyers_orders(shop):
    user = shop.user
    jane = shop.order(("24-MB02", 1))
    lucia = lucia_order(shop)
    response = user.post(
        "/orders/fetch",
        data={"manual": "1", "buyer_login_id": LUCIA["login_id"], "page_size": "1"},
        htmx=True,
    )
    assert 'data-status="success"' in wait_run(user, started_run(response))
    with shop.app.app_context():
        ids = set(db.session.scalars(select(Order.ae_order_id)))
        run = db.session.scalar(select(CronLog).order_by(CronLog.id.desc()))
        assert run.params["buyer_login_id"] == LUCIA["login_id"]
    assert ids == {lucia}
    assert order_row(shop, lucia).buyer_login_id == LUCIA["login_id"]
    page = text(user.get("/orders/"))
    assert row_for(page, "grid-orders", lucia) and not row_for(page, "grid-orders", jane)


def test_manual_fetch_pages_through_with_a_small_page_size(shop):
    user = shop.user
    ids = {shop.order(("24-MB02", 1)), shop.order(("24-MG01", 1)), lucia_order(shop)}
    response = user.post(
        "/orders/fetch",
        data={"manual": "1", "page_size": "1", "statuses": ["WAIT_SELLER_SEND_GOODS"]},
        htmx=True,
    )
    assert 'data-status="success"' in wait_run(user, started_run(response))
    with shop.app.app_context():
        assert set(db.session.scalars(select(Order.ae_order_id))) == ids


# -- Failed Orders ------------------------------------------------------------------------------


def test_failed_orders_show_the_reason_and_retry_after_the_fix_imports(shop):
    user = shop.user
    fail_with_unknown_customer(shop)
    ae_id = shop.order(("24-MB02", 1))
    shop.import_orders()
    order = order_row(shop, ae_id)
    assert order.import_state == "failed" and order.failure_reason == REASON

    page = text(user.get("/orders/failed"))
    row = row_for(page, "grid-failed-orders", ae_id)
    assert row is not None, page
    assert REASON in row
    assert re.search(r"<td>1</td>", row), row  # attempts
    assert order.last_attempt_at.strftime("%Y-%m-%d %H:%M") in row
    assert f"/orders/{order.id}/retry" in row and f"/orders/{order.id}/ignore" in row

    # Retry before the fix: still failed, attempts counted, the reason shown.
    again = user.post(f"/orders/{order.id}/retry")
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/orders/{order.id}")
    detail = text(user.get(f"/orders/{order.id}"))
    assert f"Not created: {REASON}" in detail
    assert order_row(shop, ae_id).attempts == 2
    assert "Create Magento order</button>" in detail and "Cancel Magento order" not in detail
    user.post(f"/orders/{order.id}/cancel")
    assert "This order has no Magento order to cancel." in text(user.get(f"/orders/{order.id}"))

    fix_customer(shop)
    done = user.post(f"/orders/{order.id}/retry")
    assert done.status_code == 303
    order = order_row(shop, ae_id)
    assert order.import_state == "imported" and order.magento_increment_id
    detail = text(user.get(f"/orders/{order.id}"))
    assert f"Created in Magento as #{order.magento_increment_id}." in detail
    assert len(shop.magento_orders()) == 1
    page = text(user.get("/orders/failed"))
    assert row_for(page, "grid-failed-orders", ae_id) is None
    assert "No failed order." in page
    # Retrying an imported order changes nothing.
    user.post(f"/orders/{order.id}/retry")
    assert "This order is already in Magento." in text(user.get(f"/orders/{order.id}"))
    assert len(shop.magento_orders()) == 1


def test_ignore_moves_a_failed_order_out(shop):
    user = shop.user
    fail_with_unknown_customer(shop)
    ae_id = shop.order(("24-MB02", 1))
    shop.import_orders()
    order = order_row(shop, ae_id)
    response = user.post(f"/orders/{order.id}/ignore")
    assert response.status_code == 303
    detail = text(user.get(f"/orders/{order.id}"))
    assert "Order ignored: it will not be created in Magento." in detail
    assert order_row(shop, ae_id).import_state == "ignored"
    assert row_for(text(user.get("/orders/failed")), "grid-failed-orders", ae_id) is None
    row = row_for(text(user.get("/orders/?f_import_state=ignored")), "grid-orders", ae_id)
    assert row is not None and "Ignored" in row
    # Ignoring twice is refused with the reason.
    user.post(f"/orders/{order.id}/ignore")
    assert "Only failed, pending or waiting orders can be ignored." in text(
        user.get(f"/orders/{order.id}")
    )
    assert shop.magento_orders() == []


def test_mass_retry_starts_a_job_and_mass_ignore_ignores(shop):
    user = shop.user
    fail_with_unknown_customer(shop)
    first, second, third = (
        shop.order(("24-MB02", 1)),
        shop.order(("24-MG01", 1)),
        lucia_order(shop),
    )
    shop.import_orders()
    ids = {ae: order_row(shop, ae).id for ae in (first, second, third)}
    assert {order_row(shop, ae).import_state for ae in ids} == {"failed"}

    nothing = user.post("/orders/mass?src=failed", data={"action": "retry"})
    assert nothing.status_code == 303 and nothing.headers["Location"].endswith("/orders/failed")
    assert "Select at least one order." in text(user.get("/orders/failed"))
    no_action = user.post("/orders/mass?src=failed", data={"ids": [str(ids[first])]})
    assert no_action.status_code == 303
    assert "Choose an action." in text(user.get("/orders/failed"))

    fix_customer(shop)
    started = user.post(
        "/orders/mass?src=failed",
        data={"action": "retry", "ids": [str(ids[first]), str(ids[second])]},
    )
    assert started.status_code == 303
    location = started.headers["Location"]
    assert "/orders/failed?run=" in location
    run_id = int(re.search(r"run=(\d+)", location).group(1))
    page = text(user.get(location))
    assert "Retry started for 2 order(s)." in page
    assert f"/jobs/runs/{run_id}" in page  # the progress polls the run
    assert 'data-status="success"' in wait_run(user, run_id)
    with shop.app.app_context():
        run = db.session.get(CronLog, run_id)
        assert run.job_code == "order_retry" and run.result["imported"] == 2
    assert order_row(shop, first).import_state == "imported"
    assert order_row(shop, second).import_state == "imported"
    assert order_row(shop, third).import_state == "failed"
    assert len(shop.magento_orders()) == 2

    ignored = user.post(
        "/orders/mass?src=failed", data={"action": "ignore", "ids": [str(ids[third])]}
    )
    assert ignored.status_code == 303
    page = text(user.get("/orders/failed"))
    assert "1 order(s) ignored." in page
    assert "No failed order." in page
    assert order_row(shop, third).import_state == "ignored"
    # "All matching the filter" from the main grid: only the filtered rows.
    fail_with_unknown_customer(shop)
    fourth = shop.order(("24-MB02", 1))
    shop.import_orders()
    assert order_row(shop, fourth).import_state == "failed"
    everything = user.post(
        "/orders/mass", data={"action": "ignore", "all_matching": "1", "f_import_state": "failed"}
    )
    assert everything.status_code == 303 and everything.headers["Location"].endswith("/orders/")
    assert "1 order(s) ignored." in text(user.get("/orders/"))
    assert order_row(shop, fourth).import_state == "ignored"
    assert order_row(shop, first).import_state == "imported"


# -- detail, Ship and Cancel --------------------------------------------------------------------


def test_detail_shows_items_address_totals_and_history(shop):
    user = shop.user
    ae_id = shop.order(("24-MB02", 2), ("24-MG01", 1), shipping_amount="4.50", memo="Gift wrap")
    shop.import_orders()
    order = order_row(shop, ae_id)
    assert order.import_state == "imported", order.failure_reason
    page = text(user.get(f"/orders/{order.id}"))
    assert f"AliExpress order {ae_id}" in page
    items = page.split('id="order-items"', 1)[1].split("</table>", 1)[0]
    assert "<code>24-MB02</code>" in items and "<code>24-MG01</code>" in items
    assert "<td>2</td>" in items and "<td>1</td>" in items
    assert "Shipping</th><td>4.50</td>" in items
    assert f"Total (AliExpress)</th><td>{order.total:.2f} USD</td>" in items
    assert "Total (Magento)" in items
    address = page.split("<address>", 1)[1].split("</address>", 1)[0]
    for part in ("Jane", "Doe", "1600 Amphitheatre Pkwy", "94043", "Mountain View", "US"):
        assert part in address, address
    assert "jane.doe@example.com" in page and JANE["login_id"] in page
    assert "Gift wrap" in page and "CAINIAO_STANDARD" in page
    assert f"#{order.magento_increment_id}" in page
    history = page.split('id="order-history"', 1)[1].split("</table>", 1)[0]
    assert "Imported from AliExpress (WAIT_SELLER_SEND_GOODS)" in history
    assert 'id="ship-form"' in page and '<option value="UPS"' in page
    assert user.get("/orders/999999").status_code == 404


def test_ship_sends_the_tracking_to_aliexpress(shop):
    user = shop.user
    ae_id = shop.order(("24-MB02", 1))
    shop.import_orders()
    order = order_row(shop, ae_id)
    response = user.post(
        f"/orders/{order.id}/ship",
        data={"ae_service": "UPS", "tracking_number": "1Z999AA10123456784", "send_type": "all"},
    )
    assert response.status_code == 303
    page = text(user.get(f"/orders/{order.id}"))
    assert "Tracking 1Z999AA10123456784 sent to AliExpress." in page
    shipments = page.split('id="order-shipments"', 1)[1].split("</table>", 1)[0]
    assert "<code>1Z999AA10123456784</code>" in shipments
    assert "status-success" in shipments and ">pushed</span>" in shipments
    assert 'id="ship-form"' not in page  # no longer waiting for shipment
    assert "WAIT_BUYER_ACCEPT_GOODS" in page

    detail = shop.ae_order(ae_id)
    assert detail["order_status"] == "WAIT_BUYER_ACCEPT_GOODS"
    [sent] = detail["shipments"]
    assert (sent["logistics_no"], sent["logistics_service_name"]) == ("1Z999AA10123456784", "UPS")
    with shop.app.app_context():
        row = db.session.scalar(select(Order).where(Order.ae_order_id == ae_id))
        [shipment] = row.shipments
        assert (shipment.state, shipment.source, shipment.send_type) == ("pushed", "manual", "all")
        assert shipment.magento_shipment_id  # the policy creates Magento shipments


def test_ship_without_a_tracking_number_sends_nothing(shop):
    user = shop.user
    ae_id = shop.order(("24-MB02", 1))
    shop.import_orders()
    order = order_row(shop, ae_id)
    before = shop.world.ae_calls().get(FULFILL, 0)
    response = user.post(
        f"/orders/{order.id}/ship",
        data={"ae_service": "UPS", "tracking_number": "  ", "send_type": "all"},
    )
    assert response.status_code == 303
    page = text(user.get(f"/orders/{order.id}"))
    assert "Enter the tracking number (at most 128 characters)." in page
    assert "toast-error" in page
    assert "Not shipped yet." in page
    unknown = user.post(
        f"/orders/{order.id}/ship",
        data={"ae_service": "NOPE", "tracking_number": "X1", "send_type": "all"},
    )
    assert unknown.status_code == 303
    assert "Choose the AliExpress carrier" in text(user.get(f"/orders/{order.id}"))
    bad_site = user.post(
        f"/orders/{order.id}/ship",
        data={"ae_service": "other", "tracking_number": "X1", "tracking_url": "ftp://x"},
    )
    assert bad_site.status_code == 303
    assert "The tracking website must start with http:// or https://." in text(
        user.get(f"/orders/{order.id}")
    )
    user.post(f"/orders/{order.id}/ship", data={"ae_service": "other", "tracking_number": "X1"})
    assert "The carrier 'other' needs a tracking website." in text(user.get(f"/orders/{order.id}"))
    assert shop.world.ae_calls().get(FULFILL, 0) == before
    assert shop.ae_order(ae_id)["shipments"] == []
    with shop.app.app_context():
        row = db.session.scalar(select(Order).where(Order.ae_order_id == ae_id))
        assert row.shipments == [] and row.ae_status == "WAIT_SELLER_SEND_GOODS"


def test_cancel_an_uninvoiced_magento_order(shop):
    user = shop.user
    shop.policy(invoice_creation=False)
    ae_id = shop.order(("24-MB02", 1))
    shop.import_orders()
    order = order_row(shop, ae_id)
    assert order.import_state == "imported", order.failure_reason
    page = text(user.get(f"/orders/{order.id}"))
    assert "Cancel Magento order" in page
    response = user.post(f"/orders/{order.id}/cancel")
    assert response.status_code == 303
    page = text(user.get(f"/orders/{order.id}"))
    assert "The Magento order is cancelled." in page
    assert "Cancel Magento order</button>" not in page
    assert "(canceled)" in page
    [doc] = shop.magento_orders()
    assert doc["status"] == "canceled"
    assert order_row(shop, ae_id).magento_status == "canceled"


def test_cancel_an_invoiced_magento_order_is_refused(shop):
    user = shop.user
    ae_id = shop.order(("24-MB02", 1))  # the default policy invoices at once
    shop.import_orders()
    order = order_row(shop, ae_id)
    assert order.import_state == "imported", order.failure_reason
    response = user.post(f"/orders/{order.id}/cancel")
    assert response.status_code == 303
    page = text(user.get(f"/orders/{order.id}"))
    assert "Magento refused to cancel the order (it is invoiced or shipped)" in page
    [doc] = shop.magento_orders()
    assert doc["status"] != "canceled"
    assert order_row(shop, ae_id).magento_status != "canceled"


# -- viewer -------------------------------------------------------------------------------------


def test_a_viewer_sees_the_orders_but_changes_nothing(shop):
    fail_with_unknown_customer(shop)
    ae_id = shop.order(("24-MB02", 1))
    shop.import_orders()
    order = order_row(shop, ae_id)
    viewer = _client(shop.app, "viewer")
    index = text(viewer.get("/orders/"))
    assert row_for(index, "grid-orders", ae_id)
    assert "Fetch latest AliExpress orders" not in index and "Simulate order" not in index
    failed = text(viewer.get("/orders/failed"))
    row = row_for(failed, "grid-failed-orders", ae_id)
    assert row is not None and REASON in row and "Retry</button>" not in row
    detail = viewer.get(f"/orders/{order.id}")
    assert detail.status_code == 200 and 'id="order-actions"' not in text(detail)
    posts = [
        ("/orders/fetch", {}),
        ("/orders/fetch", {"manual": "1", "page_size": "5"}),
        ("/orders/simulate", {"count": "1"}),
        ("/orders/mass?src=failed", {"action": "retry", "ids": [str(order.id)]}),
        ("/orders/mass?src=failed", {"action": "ignore", "ids": [str(order.id)]}),
        (f"/orders/{order.id}/retry", {}),
        (f"/orders/{order.id}/ignore", {}),
        (f"/orders/{order.id}/cancel", {}),
        (
            f"/orders/{order.id}/ship",
            {"ae_service": "UPS", "tracking_number": "1Z1", "send_type": "all"},
        ),
    ]
    for url, data in posts:
        assert viewer.post(url, data=data).status_code == 403, url
    assert order_row(shop, ae_id).import_state == "failed"
    with shop.app.app_context():
        assert db.session.scalar(select(func.count(CronLog.id))) == 1  # the test's own import
    assert shop.world.ae_calls().get(FULFILL, 0) == 0


# -- demo mode ----------------------------------------------------------------------------------


def test_simulate_order_places_a_sandbox_order(shop):
    user = shop.user
    page = text(user.get("/orders/"))
    assert "Simulate order" in page
    response = user.post("/orders/simulate", data={"count": "2"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/orders/")
    page = text(user.get("/orders/"))
    assert "2 buyer order(s) placed on the AliExpress sandbox." in page
    assert order_count(shop) == 0  # placed on AliExpress, not imported yet
    from webapp.jobs.runner import run_job

    run_job(shop.app, "order_fetch", trigger="manual")
    assert order_count(shop) == 2
    buyers = {b["login_id"] for b in BUYERS}
    with shop.app.app_context():
        assert set(db.session.scalars(select(Order.buyer_login_id))) <= buyers


def test_simulate_order_without_live_products_says_why(make_live_app):
    app = make_live_app(MOUNT_SANDBOXES=True)
    build_world(app)  # connected, but nothing listed on AliExpress
    user = _client(app, "operator")
    response = user.post("/orders/simulate", data={"count": "1"})
    assert response.status_code == 303
    page = text(user.get("/orders/"))
    [flash] = re.findall(r'class="toast toast-error"[^>]*>([^<]*)<', page)
    assert flash.startswith("Could not simulate an order:")
    assert "the seller has no live product in stock to order" in flash
    with app.app_context():
        assert db.session.scalar(select(func.count(Order.id))) == 0


@pytest.mark.parametrize("config", [{"DEMO_MODE": True}, {"DEMO_MODE": False}])
def test_simulate_order_is_404_without_mounted_sandboxes(make_app, config):
    app = make_app(MOUNT_SANDBOXES=False, **config)
    user = _client(app, "admin")
    assert "Simulate order" not in text(user.get("/orders/"))
    assert user.post("/orders/simulate", data={"count": "1"}).status_code == 404
