"""Orders (seed 002's View Orders and Failed Orders, seed 004's order policy at work).

All Orders: every AliExpress order read, with its Magento order; Fetch latest (a job with
progress), a manual fetch with the older manual's settings, and in demo mode "Simulate order".
Failed Orders: the reason, attempts and last try, with Retry and Ignore. The detail page shows
items, addresses, totals and the history of syncs, with Create Magento order, Ship and Cancel.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click
from flask import Blueprint, abort, current_app, flash, render_template, request, url_for
from sqlalchemy import select

from webapp.extensions import db
from webapp.grid import Column, Grid, render_grid_page
from webapp.integrations.magento.errors import MagentoError
from webapp.jobs.runner import enqueue_run
from webapp.models.accounts import Account
from webapp.models.orders import Order
from webapp.policies.order import ALIEXPRESS_ORDER_STATUSES, OTHER_CARRIER
from webapp.responses import redirect_to, start_job
from webapp.services import orders as svc
from webapp.services.accounts import carriers
from webapp.services.activity import log_activity
from webapp.services.errors import ServiceError

bp = Blueprint("orders", __name__, url_prefix="/orders")

STATUS_CHOICES = [(s, s) for s in ALIEXPRESS_ORDER_STATUSES]
MASS_ACTIONS = [
    ("retry", "Retry (create in Magento)", None),
    ("ignore", "Ignore", "Ignore the selected orders? They will not be created in Magento."),
]


def _accounts() -> list[tuple[str, str]]:
    return [(str(a.id), a.title) for a in db.session.scalars(select(Account).order_by(Account.id))]


def orders_grid(*, failed: bool = False) -> Grid:
    query = select(Order)
    if failed:
        query = query.where(Order.import_state == "failed")
    columns = [
        Column("ae_order_id", "AliExpress order", Order.ae_order_id, filter="text"),
        Column("magento_increment_id", "Magento order", Order.magento_increment_id, filter="text"),
        Column(
            "account_id",
            "Account",
            Order.account_id,
            filter="select",
            choices=_accounts(),
            where=lambda v: Order.account_id == int(v),
        ),
        Column("buyer_name", "Buyer", Order.buyer_name, filter="text"),
        Column("item_count", "Items", Order.item_count, filter="number"),
        Column("total", "Total", Order.total, filter="number"),
        Column(
            "ae_status",
            "AliExpress status",
            Order.ae_status,
            filter="select",
            choices=STATUS_CHOICES,
        ),
    ]
    if failed:
        columns += [
            Column("failure_reason", "Reason", Order.failure_reason, filter="text"),
            Column("attempts", "Attempts", Order.attempts, filter="number"),
            Column("last_attempt_at", "Last try", Order.last_attempt_at, filter="date"),
        ]
    else:
        columns += [
            Column("magento_status", "Magento status", Order.magento_status, filter="text"),
            Column(
                "import_state",
                "Import",
                Order.import_state,
                filter="select",
                choices=Order.STATES,
            ),
        ]
    columns += [
        Column("placed_at", "Placed", Order.placed_at, filter="date"),
        Column("ae_modified_at", "Modified", Order.ae_modified_at, filter="date"),
    ]
    return Grid(
        "failed-orders" if failed else "orders",
        query,
        columns,
        id_column=Order.id,
        default_sort="placed_at",
        default_direction="desc",
        search=[Order.ae_order_id, Order.buyer_name, Order.magento_increment_id],
    )


def _page(template: str, partial: str, *, failed: bool):
    grid = orders_grid(failed=failed)
    state = grid.parse(request.args)
    if request.args.get("export") == "csv":
        return grid.csv_response(state, "failed-orders.csv" if failed else "orders.csv")
    return render_grid_page(
        template,
        partial,
        grid,
        grid.page(state),
        mass_actions=MASS_ACTIONS,
        accounts={a.id: a.title for a in db.session.scalars(select(Account))},
        statuses=ALIEXPRESS_ORDER_STATUSES,
        demo=bool(current_app.config.get("DEMO_MODE") and "sandboxes" in current_app.extensions),
        failed_count=svc.failed_count(),
        admin_base=svc.store_admin_base(),
        admin_url=svc.store_admin_url,
    )


@bp.route("/")
def index():
    return _page("orders/index.html", "orders/_grid.html", failed=False)


@bp.route("/failed")
def failed():
    return _page("orders/failed.html", "orders/_failed_grid.html", failed=True)


def _parse_date(value: str, name: str, errors: list[str]) -> str | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        errors.append(f"{name}: enter a date and time like 2026-11-25T09:30.")
        return None


@bp.route("/fetch", methods=["POST"])
def fetch():
    """Fetch latest (the incremental import now), or a manual fetch with the form's settings."""
    form = request.form
    params: dict[str, Any] = {}
    errors: list[str] = []
    if form.get("manual") == "1":
        statuses = [s for s in form.getlist("statuses") if s in ALIEXPRESS_ORDER_STATUSES]
        if statuses:
            params["statuses"] = statuses
        for key, label in (
            ("created_from", "Created from"),
            ("created_to", "Created to"),
            ("modified_from", "Modified from"),
            ("modified_to", "Modified to"),
        ):
            parsed = _parse_date(form.get(key, "").strip(), label, errors)
            if parsed:
                params[key] = parsed
        size = form.get("page_size", "").strip()
        if size:
            if not size.isdigit() or not 1 <= int(size) <= 50:
                errors.append("Page size: a number from 1 to 50 (the AliExpress maximum).")
            else:
                params["page_size"] = int(size)
        if form.get("buyer_login_id", "").strip():
            params["buyer_login_id"] = form["buyer_login_id"].strip()[:128]
        account_id = form.get("account_id", "")
        if account_id.isdigit() and len(account_id) < 10:
            params["account_id"] = int(account_id)
        if not params:
            errors.append("Set at least one fetch setting, or use Fetch latest.")
    if errors:
        return render_template("orders/_fetch_errors.html", errors=errors), 422
    return start_job("order_fetch", params or None)


@bp.route("/simulate", methods=["POST"])
def simulate():
    """Demo mode only: buyers place orders for live products in the AliExpress sandbox."""
    if not (current_app.config.get("DEMO_MODE") and "sandboxes" in current_app.extensions):
        abort(404)
    from webapp.demo import simulate_orders

    count = request.form.get("count", "1")
    count_n = int(count) if count.isdigit() and len(count) < 3 else 1
    try:
        orders = simulate_orders(current_app._get_current_object(), max(1, min(count_n, 20)))  # type: ignore[attr-defined]
    except click.ClickException as exc:  # the sandbox's answer (e.g. nothing live yet)
        flash(f"Could not simulate an order: {exc.message}", "error")
        return redirect_to(url_for("orders.index"))
    flash(
        f"{len(orders)} buyer order(s) placed on the AliExpress sandbox. "
        "Fetch latest orders to import them.",
        "success",
    )
    return redirect_to(url_for("orders.index"))


@bp.route("/mass", methods=["POST"])
def mass():
    action = request.form.get("action")
    back = (
        url_for("orders.failed") if request.args.get("src") == "failed" else url_for("orders.index")
    )
    if action not in {a for a, _, _ in MASS_ACTIONS}:
        flash("Choose an action.", "error")
        return redirect_to(back)
    grid = orders_grid(failed=request.args.get("src") == "failed")
    ids = list(db.session.scalars(grid.selected_ids(request.form, request.form.getlist)))
    if not ids:
        flash("Select at least one order.", "error")
        return redirect_to(back)
    if action == "ignore":
        count = svc.ignore(db.session.scalars(select(Order).where(Order.id.in_(ids))).all())
        log_activity("order", "ignore", f"{count} order(s) ignored.")
        db.session.commit()
        flash(f"{count} order(s) ignored.", "success")
        return redirect_to(back)
    run_id = enqueue_run(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        "order_retry",
        trigger="manual",
        params={"ids": ids},
    )
    flash(f"Retry started for {len(ids)} order(s).", "info")
    return redirect_to(f"{back}?run={run_id}")


def _order(order_id: int) -> Order:
    return db.get_or_404(Order, order_id, description="No such order.")


@bp.route("/<int:order_id>")
def detail(order_id: int):
    order = _order(order_id)
    services = carriers(order.account_id)
    return render_template(
        "orders/detail.html",
        order=order,
        carriers=services,
        other=OTHER_CARRIER,
        admin_url=svc.store_admin_url(order),
        address=svc.magento_address(order) if order.address else None,
        can_ship=order.ae_status in ("WAIT_SELLER_SEND_GOODS", "SELLER_PART_SEND_GOODS"),
    )


@bp.route("/<int:order_id>/retry", methods=["POST"])
def retry(order_id: int):
    order = _order(order_id)
    if order.import_state == "imported":
        flash("This order is already in Magento.", "info")
        return redirect_to(url_for("orders.detail", order_id=order.id))
    try:
        svc.retry([order])
    except ServiceError as exc:
        flash(str(exc), "error")
        return redirect_to(url_for("orders.detail", order_id=order.id))
    db.session.refresh(order)
    if order.import_state == "imported":
        flash(f"Created in Magento as #{order.magento_increment_id}.", "success")
    else:
        flash(f"Not created: {order.failure_reason or order.state_label}", "error")
    return redirect_to(url_for("orders.detail", order_id=order.id))


@bp.route("/<int:order_id>/ignore", methods=["POST"])
def ignore(order_id: int):
    order = _order(order_id)
    if svc.ignore([order]):
        flash("Order ignored: it will not be created in Magento.", "success")
    else:
        flash("Only failed, pending or waiting orders can be ignored.", "error")
    return redirect_to(url_for("orders.detail", order_id=order.id))


@bp.route("/<int:order_id>/cancel", methods=["POST"])
def cancel(order_id: int):
    order = _order(order_id)
    try:
        svc.cancel_in_magento(order)
    except (ServiceError, MagentoError) as exc:
        flash(str(exc), "error")
        return redirect_to(url_for("orders.detail", order_id=order.id))
    log_activity("order", "cancel", f"Magento order of {order.ae_order_id} cancelled.", obj=order)
    db.session.commit()
    flash("The Magento order is cancelled.", "success")
    return redirect_to(url_for("orders.detail", order_id=order.id))


@bp.route("/<int:order_id>/ship", methods=["POST"])
def ship(order_id: int):
    order = _order(order_id)
    form = request.form
    number = form.get("tracking_number", "").strip()
    try:
        svc.ship(
            order,
            ae_service=form.get("ae_service", "").strip(),
            tracking_number=number,
            tracking_url=form.get("tracking_url", "").strip() or None,
            send_type=form.get("send_type", "all"),
        )
    except ServiceError as exc:
        flash(str(exc), "error")
        return redirect_to(url_for("orders.detail", order_id=order.id))
    log_activity("order", "ship", f"Tracking {number} sent for {order.ae_order_id}.", obj=order)
    db.session.commit()
    flash(f"Tracking {number} sent to AliExpress.", "success")
    return redirect_to(url_for("orders.detail", order_id=order.id))
