"""AliExpress orders into Magento, exactly once; shipments and cancellations back.

Import
    Per account, ``aliexpress.solution.order.get`` is read by *modification* time from the last
    watermark minus an overlap (the platform's times are US Pacific wall-clock strings; see
    :func:`window_start` for daylight saving). A new or changed order costs one detail call.

Exactly once
    An AliExpress order is one row per account (unique ``account_id, ae_order_id``). Magento
    orders are created through the cart flow (the only REST route that makes MSI reserve the
    salable quantity, see :meth:`OrderAdapter.place_order`). The cart id is committed here
    *before* the cart is placed, and Magento keeps it on the order (``quote_id``). Any later
    attempt first asks Magento for an order with that ``quote_id``: a crash between "placed in
    Magento" and "recorded here" is repaired by recording the order found, never by placing a
    second one. :func:`~webapp.services.crashpoints.crashpoint` names every step boundary; the
    crash test kills the process at each one and restarts the import.

Order policy
    :class:`~webapp.policies.order.OrderSettings`: create when the status reaches "create order
    when", SKU matching (alternate SKU attribute), missing products (placeholder or fail), out of
    stock or disabled products (allowed or refused), customer mode, payment and shipping method,
    invoice, status mapping, notification, order id prefix (the reference written on the
    Magento order: the cart flow lets Magento number the order itself).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import String, cast, func, select

from webapp.database import utcnow
from webapp.extensions import db
from webapp.integrations.aliexpress import adapters as ae
from webapp.integrations.aliexpress import errors as ae_errors
from webapp.integrations.magento import errors as mage_errors
from webapp.integrations.magento.adapters import Magento
from webapp.integrations.magento.errors import MappingError
from webapp.integrations.magento.mappers import parse_datetime
from webapp.models.accounts import Account
from webapp.models.orders import Order, OrderEvent, OrderItem, OrderShipment
from webapp.models.policies import Policy
from webapp.models.store import CatalogProduct
from webapp.policies import settings_from_dict
from webapp.policies.order import OTHER_CARRIER, CustomerMode, MissingProductAction, OrderSettings
from webapp.services import listings as listing_svc
from webapp.services.accounts import carriers, require_connected
from webapp.services.activity import log_activity
from webapp.services.aliexpress_app import aliexpress_client
from webapp.services.catalog import get_watermark, set_watermark
from webapp.services.crashpoints import crashpoint
from webapp.services.errors import ServiceError
from webapp.services.mail import send_mail
from webapp.services.store import get_store, magento

log = logging.getLogger(__name__)

STREAM = "orders:modified"
SHIPMENT_STREAM = "magento:shipments"
#: re-read this much before the watermark: AliExpress times have second precision and an
#: order's modification may become visible a little after it happened
OVERLAP = timedelta(minutes=10)
#: the first import of an account looks this far back
FIRST_FETCH = timedelta(days=30)
#: transient failures retried by the job before the order is failed and someone is told
MAX_AUTO_ATTEMPTS = 5

#: the main life of an order; "create order when" a status means that status or any later one
FLOW = (
    "PLACE_ORDER_SUCCESS",
    "PAYMENT_PROCESSING",
    "WAIT_SELLER_EXAMINE_MONEY",
    "WAIT_GROUP_SUCCESS",
    "WAIT_SELLER_SEND_GOODS",
    "SELLER_PART_SEND_GOODS",
    "WAIT_BUYER_ACCEPT_GOODS",
    "FUND_PROCESSING",
    "FINISH",
)
#: AliExpress statuses that mean the buyer cancels
CANCEL_STATUSES = ("IN_CANCEL",)


class OrderProblem(Exception):
    """A reason an order cannot be created that a person must fix (shown in Failed Orders)."""


# -- policy and helpers -------------------------------------------------------------------------


def order_settings(account: Account) -> OrderSettings:
    policy = db.session.get(Policy, account.order_policy_id) if account.order_policy_id else None
    settings = settings_from_dict("order", policy.settings if policy else {})
    assert isinstance(settings, OrderSettings)
    return settings


def status_reached(status: str, wanted: str) -> bool:
    """Whether an order in ``status`` is at or past ``wanted`` on the main flow."""
    if status == wanted:
        return True
    if status in FLOW and wanted in FLOW:
        return FLOW.index(status) >= FLOW.index(wanted)
    return False


def window_start(moment: datetime) -> datetime:
    """The start of a modification window, safe across daylight-saving changes.

    The window goes to AliExpress as Pacific wall-clock time. In the hour that repeats when
    daylight saving ends, a wall time names two instants and the platform may read the later
    one, which would skip up to an hour of changes; starting one hour earlier makes whichever
    instant it reads no later than ``moment``."""
    local = moment.astimezone(ae.PACIFIC)
    other = local.replace(fold=1 - local.fold)
    if other.utcoffset() != local.utcoffset():
        return moment - timedelta(hours=1)
    return moment


def _event(order: Order, message: str, level: str = "info") -> None:
    order.events.append(OrderEvent(message=message[:4000], level=level))


def _money(value: Any) -> float:
    if isinstance(value, dict):
        value = value.get("amount")
    try:
        return round(float(value or 0), 2)
    except (TypeError, ValueError):
        return 0.0


def _explain(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    if isinstance(error, mage_errors.MagentoError):
        return f"Magento: {text}"
    if isinstance(error, ae_errors.AliExpressError):
        return f"AliExpress: {text}"
    return text


def _find(account_id: int, ae_order_id: str) -> Order | None:
    return db.session.scalar(
        select(Order).where(Order.account_id == account_id, Order.ae_order_id == ae_order_id)
    )


# -- reading AliExpress -------------------------------------------------------------------------


def _apply_summary(order: Order, summary: dict[str, Any]) -> None:
    order.ae_status = str(summary.get("order_status") or order.ae_status or "")
    order.buyer_login_id = summary.get("buyer_login_id") or order.buyer_login_id
    order.buyer_name = summary.get("buyer_signer_fullname") or order.buyer_name or ""
    order.ae_modified_at = ae.parse_pacific(summary.get("gmt_update")) or order.ae_modified_at
    order.placed_at = ae.parse_pacific(summary.get("gmt_create")) or order.placed_at
    order.paid_at = ae.parse_pacific(summary.get("gmt_pay_time")) or order.paid_at
    pay = summary.get("pay_amount") or {}
    if pay:
        order.total = _money(pay)
        order.currency = pay.get("currency_code") or order.currency
    if not order.items:
        for line in summary.get("items") or []:
            order.items.append(
                OrderItem(
                    child_id=str(line.get("child_id") or ""),
                    ae_product_id=str(line.get("product_id") or ""),
                    sku_code=str(line.get("sku_code") or ""),
                    name=str(line.get("product_name") or "")[:255],
                    quantity=int(line.get("product_count") or 1),
                    unit_price=_money(line.get("product_unit_price")),
                    total=_money(line.get("total_product_amount")),
                )
            )
        order.item_count = sum(i.quantity for i in order.items)


def _apply_detail(order: Order, detail: dict[str, Any]) -> None:
    order.ae_status = str(detail.get("order_status") or order.ae_status)
    buyer = detail.get("buyer_info") or {}
    name = " ".join(p for p in (buyer.get("first_name"), buyer.get("last_name")) if p)
    order.buyer_name = name or detail.get("buyer_signer_fullname") or order.buyer_name
    order.buyer_login_id = buyer.get("login_id") or detail.get("buyerloginid")
    order.buyer_email = buyer.get("email") or None
    order.buyer_country = buyer.get("country")
    order.address = dict(detail.get("receipt_address") or {})
    order.memo = detail.get("memo") or None
    order.placed_at = ae.parse_pacific(detail.get("gmt_create")) or order.placed_at
    order.paid_at = ae.parse_pacific(detail.get("gmt_pay_success")) or order.paid_at
    order.ae_modified_at = ae.parse_pacific(detail.get("gmt_modified")) or order.ae_modified_at
    amount = detail.get("order_amount") or {}
    order.total = _money(amount)
    order.currency = amount.get("currency_code") or detail.get("settlement_currency") or "USD"
    order.shipping_amount = _money(detail.get("logistics_amount"))
    existing = {item.child_id: item for item in order.items}
    seen = set()
    for line in detail.get("items") or []:
        child_id = str(line.get("child_order_id") or line.get("id") or "")
        seen.add(child_id)
        item = existing.get(child_id)
        if item is None:
            item = OrderItem(child_id=child_id)
            order.items.append(item)
        item.ae_product_id = str(line.get("product_id") or "")
        item.sku_code = str(line.get("sku_code") or "")
        item.name = str(line.get("product_name") or "")[:255]
        item.quantity = int(line.get("product_count") or 1)
        item.unit_price = _money(line.get("product_price"))
        item.total = _money(line.get("init_order_amt")) or round(item.unit_price * item.quantity, 2)
        order.logistics_service = line.get("logistics_type") or order.logistics_service
    for child_id, item in existing.items():
        if child_id not in seen and seen:
            order.items.remove(item)
    order.item_count = sum(i.quantity for i in order.items)


@dataclass
class ImportResult:
    seen: int = 0
    new: int = 0
    created_in_magento: int = 0
    failed: int = 0
    status_changes: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "seen": self.seen,
            "new": self.new,
            "created_in_magento": self.created_in_magento,
            "failed": self.failed,
            "status_changes": self.status_changes,
            **({"errors": self.errors[:10]} if self.errors else {}),
        }


def import_orders(
    account: Account,
    *,
    window: dict[str, Any] | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> ImportResult:
    """Read new and changed orders of ``account`` and act on each.

    Without ``window`` this is the scheduled incremental read (watermark minus overlap); with
    one (the manual fetch: statuses, create/modified dates, page size, buyer login id) the
    watermark is left alone."""
    token = require_connected(account)
    client = aliexpress_client(account)
    result = ImportResult()
    incremental = window is None
    started = utcnow()
    if incremental:
        last = get_watermark(STREAM, account.id)
        start = (last - OVERLAP) if last else started - FIRST_FETCH
        window = {"modified_from": window_start(start)}
    highest: datetime | None = None
    mage: Magento | None = None
    handled: set[int] = set()
    for summary in ae.iter_orders(client, token, **(window or {})):
        result.seen += 1
        ae_id = str(summary.get("order_id"))
        modified = ae.parse_pacific(summary.get("gmt_update"))
        if modified is not None and (highest is None or modified > highest):
            highest = modified
        order = _find(account.id, ae_id)
        unchanged = (
            order is not None
            and modified is not None
            and order.ae_modified_at == modified
            # AliExpress times have second precision: a change in the same second as the
            # last read keeps the time, so the status is compared too.
            and order.ae_status == summary.get("order_status")
            and order.import_state not in ("pending", "creating")
            and order.buyer_name
        )
        if unchanged:
            continue  # unfinished ones are resumed below
        if order is None:
            order = Order(account_id=account.id, ae_order_id=ae_id, import_state="waiting")
            order.attempts = 0
            db.session.add(order)
            result.new += 1
            new = True
        else:
            new = False
        previous_status = order.ae_status
        _apply_summary(order, summary)
        if new:
            # AliExpress took the sold units off its own stock: push ours again.
            listing_svc.sold_on_aliexpress(account, (i.ae_product_id or "" for i in order.items))
        db.session.flush()
        handled.add(order.id)  # one attempt per run: the resume pass below skips it
        if not _read_detail(order, client, token):
            result.failed += order.import_state == "failed"
            continue
        if previous_status and previous_status != order.ae_status:
            _event(order, f"AliExpress status {previous_status} -> {order.ae_status}")
            result.status_changes += 1
        elif not previous_status:
            _event(order, f"Imported from AliExpress ({order.ae_status})")
        db.session.commit()
        crashpoint("order_saved")
        if mage is None:
            mage = magento()
        outcome = process_order(order, mage)
        if outcome == "imported":
            result.created_in_magento += 1
        elif outcome == "failed":
            result.failed += 1
        if progress:
            progress(result.seen, None)
    # Resume what an earlier run left half-done (a crash, a transient error) even when
    # AliExpress has nothing new to say about those orders.
    for order in unfinished(account):
        if order.id in handled:
            continue
        if not order.detail_read and not _read_detail(order, client, token):
            continue
        if mage is None:
            mage = magento()
        before = order.import_state
        if process_order(order, mage) == "imported" and before != "imported":
            result.created_in_magento += 1
    if incremental and highest is not None:
        set_watermark(STREAM, highest, account.id)
    db.session.commit()
    if result.new or result.failed:
        log_activity(
            "order",
            "import",
            f"{account.title}: {result.seen} orders read, {result.new} new, "
            f"{result.created_in_magento} created in Magento, {result.failed} failed.",
            level="warning" if result.failed else "info",
            obj=account,
        )
        db.session.commit()
    return result


def unfinished(account: Account) -> list[Order]:
    """Orders of the last 30 days that still have a step to do: waiting for the status,
    pending or mid-creation, or created in Magento without the comment or invoice step."""
    since = utcnow() - FIRST_FETCH
    return list(
        db.session.scalars(
            select(Order)
            .where(
                Order.account_id == account.id,
                Order.created_at >= since,
                (Order.import_state.in_(("waiting", "pending", "creating")))
                | (
                    (Order.import_state == "imported")
                    & (Order.commented.is_(False) | Order.invoiced.is_(False))
                ),
            )
            .order_by(Order.id)
        )
    )


def _read_detail(order: Order, client: Any, token: str) -> bool:
    """Read the order detail; on failure record why. A transient failure is retried by the
    next runs (up to :data:`MAX_AUTO_ATTEMPTS`), a permanent one fails the order."""
    try:
        _apply_detail(order, ae.get_order(client, token, order.ae_order_id))
    except ae_errors.AliExpressError as exc:
        reason = f"Could not read the order details from AliExpress: {exc}"
        order.attempts = (order.attempts or 0) + 1
        order.last_attempt_at = utcnow()
        transient = isinstance(exc, ae_errors.RETRY_LATER)
        if order.import_state in ("waiting", "pending"):
            if transient and order.attempts < MAX_AUTO_ATTEMPTS:
                reason += "; will be retried"
            else:
                order.import_state = "failed"
        order.failure_reason = reason
        _event(order, reason, "error" if order.import_state == "failed" else "warning")
        db.session.commit()
        return False
    order.detail_read = True
    if order.import_state in ("waiting", "pending"):
        order.failure_reason = None
    return True


# -- creating the Magento order -----------------------------------------------------------------


def process_order(order: Order, mage: Magento, *, manual: bool = False) -> str:
    """Move one order as far as its state and the policy allow; returns its import state.
    ``manual`` (Retry): failed and ignored orders too, and without waiting for the status.

    Never raises for a problem of this order: it is recorded on the order (Failed Orders)."""
    settings = order_settings(order.account)
    if not order.detail_read:
        return order.import_state  # never created from a summary alone
    if order.import_state in ("failed", "ignored") and not manual:
        if order.magento_order_id:
            _follow_up(order, settings, mage)
        return order.import_state
    if order.import_state == "imported":
        _follow_up(order, settings, mage)
        return order.import_state
    if not settings.create_order_in_magento:
        if order.import_state != "not_created":
            order.import_state = "not_created"
            _event(order, "The order policy does not create Magento orders.")
            db.session.commit()
        return order.import_state
    creating = order.import_state == "creating" or order.magento_quote_id is not None
    # A manual retry creates the order now, even before AliExpress reaches the status.
    if not (creating or manual) and not status_reached(order.ae_status, settings.create_order_when):
        if order.import_state != "waiting":
            order.import_state = "waiting"
            db.session.commit()
        return order.import_state
    order.attempts += 1
    order.last_attempt_at = utcnow()
    db.session.commit()  # counted even when a failure rolls the attempt's changes back
    try:
        _create_in_magento(order, settings, mage)
    except OrderProblem as exc:
        _fail(order, str(exc))
        return order.import_state
    except (mage_errors.RetryableError, ae_errors.RetryableError) as exc:
        db.session.rollback()
        reason = _explain(exc)
        if order.attempts >= MAX_AUTO_ATTEMPTS:
            _fail(order, f"{reason} (after {order.attempts} attempts)")
            _notify_critical(
                f"Order {order.ae_order_id} failed {order.attempts} times",
                f"The AliExpress order {order.ae_order_id} of account {order.account.title} "
                f"could not be created in Magento: {reason}",
            )
        else:
            order.failure_reason = f"{reason}; will be retried"
            order.import_state = "creating" if order.magento_quote_id else "pending"
            _event(order, order.failure_reason, "warning")
            db.session.commit()
        return order.import_state
    except mage_errors.MagentoError as exc:
        db.session.rollback()
        _fail(order, _explain(exc), drop_cart=True)
        return order.import_state
    _follow_up(order, settings, mage)
    return order.import_state


def _fail(order: Order, reason: str, *, drop_cart: bool = False) -> None:
    order.import_state = "failed"
    order.failure_reason = reason
    if drop_cart and order.magento_quote_id is not None and order.magento_order_id is None:
        # Magento refused the cart (checked: no order holds it); a retry builds a fresh one.
        order.magento_quote_id = None
    _event(order, f"Not created in Magento: {reason}", "error")
    db.session.commit()


def _create_in_magento(order: Order, settings: OrderSettings, mage: Magento) -> None:
    if order.magento_order_id is not None:
        return
    store_code = order.account.store_view_code or None
    if order.magento_quote_id is not None:
        found = mage.orders.find_by_quote_id(order.magento_quote_id)
        if found is not None and _owned_by_other(order, found):
            found = None
            order.magento_quote_id = None
        if found is not None:
            _record(order, found, "Found the Magento order placed by an earlier attempt")
            return
    if order.magento_quote_id is None:
        plan = _plan(order, settings, mage)
        order.magento_quote_id = mage.orders.prepare_cart(
            plan["items"],
            plan["address"],
            customer_id=plan["customer_id"],
            email=plan["email"],
            shipping_carrier_code=plan["carrier"],
            shipping_method_code=plan["method"],
            store_code=store_code,
        )
        order.import_state = "creating"
        _event(order, f"Magento cart {order.magento_quote_id} prepared")
        db.session.commit()
        crashpoint("cart_prepared")

    def place() -> int:
        assert order.magento_quote_id is not None
        return mage.orders.place_cart(
            order.magento_quote_id,
            payment_method=settings.magento_payment_method,
            store_code=store_code,
        )

    try:
        order_id = place()
    except mage_errors.ValidationError as exc:
        # The stock moved between filling the cart and placing it (a placement that failed
        # earlier is retried on a later run): when the policy allows short orders, top up
        # again and place the same cart once more.
        if not (settings.allow_out_of_stock_or_disabled and "qty" in str(exc)):
            raise
        lines = [{"sku": i.magento_sku, "qty": i.quantity} for i in order.items if i.magento_sku]
        topped = _top_up(lines, mage)
        if not topped:
            raise
        _event(order, f"Stock added in Magento for the order (short): {', '.join(topped)}")
        order_id = place()
    crashpoint("order_placed")
    _record(order, mage.orders.get(order_id), "Created in Magento")
    if not settings.use_magento_taxes and order.magento_total is not None:
        difference = round(order.magento_total - order.total, 2)
        if abs(difference) >= 0.01:
            _event(
                order,
                f"Magento's total {order.magento_total:.2f} differs from the AliExpress total "
                f"{order.total:.2f} {order.currency} by {difference:+.2f} (Magento prices, "
                "taxes and shipping method); the AliExpress totals are in the order comment.",
                "warning",
            )
            db.session.commit()


def _owned_by_other(order: Order, found: dict[str, Any]) -> bool:
    """A customer's cart is reused by Magento: the order found for our cart id may be another
    AliExpress order's (placed from the same customer cart)."""
    other = db.session.scalar(
        select(Order.id).where(
            Order.magento_order_id == int(found["entity_id"]), Order.id != order.id
        )
    )
    return other is not None


def _record(order: Order, found: dict[str, Any], message: str) -> None:
    order.magento_order_id = int(found["entity_id"])
    order.magento_increment_id = str(found.get("increment_id") or "")
    order.magento_status = found.get("status")
    order.magento_total = _money(found.get("grand_total"))
    order.import_state = "imported"
    order.failure_reason = None
    _event(order, f"{message}: Magento order #{order.magento_increment_id}", "success")
    db.session.commit()
    crashpoint("order_recorded")


def _split_name(full: str) -> tuple[str, str]:
    parts = full.strip().split()
    if not parts:
        return "", ""
    if len(parts) == 1:
        return parts[0], parts[0]
    return " ".join(parts[:-1]), parts[-1]


def magento_address(order: Order) -> dict[str, Any]:
    """The AliExpress receipt address as a Magento quote address."""
    a = order.address or {}
    first, last = _split_name(str(a.get("contact_person") or order.buyer_name or ""))
    phone = str(a.get("mobile_no") or "").strip() or "".join(
        str(a.get(k) or "") for k in ("phone_country", "phone_area", "phone_number")
    )
    street = [s for s in (a.get("address"), a.get("address2")) if s]
    return {
        "firstname": first,
        "lastname": last,
        "street": street,
        "city": a.get("city") or "",
        "postcode": a.get("zip") or "",
        "country_id": a.get("country") or order.buyer_country or "",
        "region": a.get("province") or "",
        "region_id": 0,
        "region_code": "",
        "telephone": re.sub(r"[^\d+]", "", phone),
        "email": order.buyer_email or "",
    }


def _match_sku(item: OrderItem, settings: OrderSettings) -> CatalogProduct | None:
    sku = item.sku_code
    if settings.alternate_sku_attribute:
        # The cache keeps each attribute as {"value", "label"}: asked of the database, not by
        # loading the catalog.
        value = cast(
            CatalogProduct.attributes[settings.alternate_sku_attribute]["value"].as_string(),
            String,
        )
        product = db.session.scalar(
            select(CatalogProduct)
            .where(value == sku, CatalogProduct.deleted_in_magento.is_(False))
            .order_by(CatalogProduct.id)
            .limit(1)
        )
        if product is not None:
            return product
    return db.session.scalar(
        select(CatalogProduct).where(
            CatalogProduct.sku == sku, CatalogProduct.deleted_in_magento.is_(False)
        )
    )


def _plan(order: Order, settings: OrderSettings, mage: Magento) -> dict[str, Any]:
    """Check the order against the policy and the store; raises :class:`OrderProblem`."""
    store = get_store()
    if store is None:
        raise OrderProblem("Connect the Magento store first.")
    if not order.items:
        raise OrderProblem("The order has no items.")
    if store.base_currency and order.currency and order.currency != store.base_currency:
        raise OrderProblem(
            f"The order is in {order.currency} but the store's base currency is "
            f"{store.base_currency}; Magento would charge other amounts."
        )
    lines = []
    for item in order.items:
        product = _match_sku(item, settings)
        if product is None:
            if settings.if_product_not_exist is MissingProductAction.DO_NOT_CREATE:
                how = (
                    f" or attribute '{settings.alternate_sku_attribute}'"
                    if settings.alternate_sku_attribute
                    else ""
                )
                raise OrderProblem(
                    f"SKU '{item.sku_code}' matches no Magento product (by SKU{how}); the "
                    "order policy says not to create the order."
                )
            _create_placeholder(item, mage)
            item.magento_sku = item.sku_code
        else:
            item.magento_sku = product.sku
            _check_stock(item, product, settings, mage)
        lines.append({"sku": item.magento_sku, "qty": item.quantity})
    if settings.allow_out_of_stock_or_disabled:
        topped = _top_up(lines, mage)
        if topped:
            _event(order, f"Stock added in Magento for the order (short): {', '.join(topped)}")
    address = magento_address(order)
    email = order.buyer_email
    customer_id: int | None = None
    if settings.customer_mode is CustomerMode.FIXED:
        customer_id = settings.customer_id
        if customer_id is None:
            found = mage.customers.find_by_email(settings.customer_email or "")
            if found is None:
                raise OrderProblem(
                    f"The order policy's customer {settings.customer_email} does not exist in "
                    "Magento."
                )
            customer_id = int(found["id"])
        email = settings.customer_email or email
    elif settings.customer_mode is CustomerMode.REAL:
        if not email:
            raise OrderProblem(
                "AliExpress gives no e-mail for this buyer; the 'Real customer' mode needs one. "
                "Use the guest or fixed customer mode in the order policy, then retry."
            )
        found = mage.customers.find_by_email(email)
        if found is None:
            found = mage.customers.create(
                {
                    "email": email,
                    "firstname": address["firstname"] or order.buyer_name,
                    "lastname": address["lastname"] or order.buyer_name,
                    "website_id": 1,
                    "group_id": 1,
                }
            )
            _event(order, f"Magento customer {email} created")
        customer_id = int(found["id"])
    elif not email:
        # A guest order needs an address for Magento's e-mails; AliExpress may hide the buyer's.
        email = f"{order.buyer_login_id or order.ae_order_id}@buyer.aliexpress.invalid"
    address["email"] = email
    carrier, _, method = settings.magento_shipping_method.partition("_")
    return {
        "items": lines,
        "address": address,
        "email": email,
        "customer_id": customer_id,
        "carrier": carrier,
        "method": method or carrier,
    }


def _check_stock(
    item: OrderItem, product: CatalogProduct, settings: OrderSettings, mage: Magento
) -> None:
    """Refuse a disabled or short product per the policy (the cache is a first look; Magento
    itself refuses a short cart line when the cache is behind)."""
    disabled = product.status != 1
    short = (
        product.manage_stock
        and product.salable_qty is not None
        and product.salable_qty < item.quantity
    )
    if disabled:
        if not settings.allow_out_of_stock_or_disabled:
            raise OrderProblem(
                f"Magento product {product.sku} is disabled; the order policy refuses such orders."
            )
        raise OrderProblem(
            f"Magento product {product.sku} is disabled and Magento refuses disabled products "
            "in an order placed through its API; enable it, then retry."
        )
    if short and not settings.allow_out_of_stock_or_disabled:
        raise OrderProblem(
            f"Magento product {product.sku} is out of stock ({product.salable_qty:g} salable, "
            f"{item.quantity} ordered); the order policy refuses such orders."
        )


def _top_up(lines: list[dict[str, Any]], mage: Magento) -> list[str]:
    """Orders for short products are allowed: add each shortfall to the product's source, read
    live from Magento, so Magento accepts the order; its reservation then brings the salable
    quantity back to where it was (what was sold was not there). Returns the SKUs topped up.

    An out-of-stock product reports a salable quantity of 0 even when earlier reservations
    are pending, so the quantity is read again after each top-up (three rounds at most)."""
    store = get_store()
    assert store is not None
    from webapp.integrations.magento.criteria import SearchCriteria

    wanted: dict[str, float] = {}
    for line in lines:
        wanted[line["sku"]] = wanted.get(line["sku"], 0) + float(line["qty"])
    topped: set[str] = set()
    for _round in range(3):
        salable = {
            row["sku"]: float(row.get("qty") or 0)
            for row in mage.inventory.iter_salable_qty(
                store.website_code, SearchCriteria().where("sku", sorted(wanted), "in")
            )
        }
        short = {sku: qty - salable.get(sku, 0.0) for sku, qty in wanted.items()}
        short = {sku: gap for sku, gap in short.items() if gap > 0}
        if not short:
            break
        sources: dict[str, dict[str, Any]] = {}
        for row in mage.inventory.source_items(skus=sorted(short)):
            if row["sku"] not in sources or row.get("source_code") == "default":
                sources[row["sku"]] = row
        mage.inventory.save_source_items(
            [
                {
                    "sku": sku,
                    "source_code": (sources.get(sku) or {}).get("source_code") or "default",
                    "quantity": max(0.0, float((sources.get(sku) or {}).get("quantity") or 0))
                    + gap,
                    "status": 1,
                }
                for sku, gap in short.items()
            ]
        )
        topped.update(short)
    return sorted(topped)


def _create_placeholder(item: OrderItem, mage: Magento) -> None:
    """A disabled-from-search simple product standing for an AliExpress SKU Magento lacks."""
    try:
        mage.products.create(
            {
                "sku": item.sku_code,
                "name": item.name or item.sku_code,
                "attribute_set_id": 4,
                "price": item.unit_price,
                "status": 1,
                "visibility": 1,
                "type_id": "simple",
                "weight": 1,
            }
        )
    except mage_errors.ValidationError as exc:
        if "already exists" not in str(exc):
            raise
    mage.inventory.save_source_items(
        [{"sku": item.sku_code, "source_code": "default", "quantity": item.quantity, "status": 1}]
    )
    item.order.events.append(
        OrderEvent(message=f"Placeholder product {item.sku_code} created in Magento")
    )


# -- after creation -----------------------------------------------------------------------------


def _follow_up(order: Order, settings: OrderSettings, mage: Magento) -> None:
    """Comment, invoice, status mapping, cancellation and notification, each step once."""
    if order.magento_order_id is None:
        return
    try:
        if not order.commented:
            reference = settings.magento_increment_id(order.ae_order_id)
            # The status mapping rides on the same comment: one call, not two.
            mapped = (
                settings.magento_status_for(order.ae_status)
                if order.ae_status not in CANCEL_STATUSES
                else None
            )
            mage.orders.add_comment(
                order.magento_order_id,
                f"AliExpress order {reference} (account {order.account.title}). "
                f"AliExpress total {order.total:.2f} {order.currency}, shipping "
                f"{order.shipping_amount:.2f}. Imported by Alimento.",
                status=mapped,
            )
            order.commented = True
            if mapped:
                order.magento_status = mapped
                order.status_applied = order.ae_status
            db.session.commit()
            crashpoint("commented")
        if not order.invoiced:
            if settings.invoice_creation:
                try:
                    mage.orders.invoice(order.magento_order_id)
                    _event(order, "Invoice created in Magento", "success")
                except mage_errors.ValidationError as exc:
                    if "does not allow an invoice" not in str(exc):
                        raise
            order.invoiced = True
            db.session.commit()
            crashpoint("invoiced")
        _apply_status(order, settings, mage)
    except mage_errors.MagentoError as exc:
        db.session.rollback()
        _event(order, f"Follow-up in Magento failed, retried next run: {_explain(exc)}", "warning")
        db.session.commit()
    if settings.order_notification and not order.notified:
        order.notified = True
        db.session.commit()
        _notify_new_order(order, settings)


def _apply_status(order: Order, settings: OrderSettings, mage: Magento) -> None:
    assert order.magento_order_id is not None
    if order.ae_status in CANCEL_STATUSES:
        if order.magento_status == "canceled" or order.status_applied == order.ae_status:
            return
        shipped = any(s.state == "pushed" for s in order.shipments)
        if not shipped and mage.orders.cancel(order.magento_order_id):
            order.magento_status = "canceled"
            _event(order, "The buyer cancelled on AliExpress: Magento order cancelled", "warning")
        else:
            why = "it is already shipped" if shipped else "Magento refused (invoiced or shipped)"
            order.attention = (
                f"The buyer asked AliExpress to cancel, but the Magento order was not cancelled: "
                f"{why}. Refund or cancel it in Magento."
            )
            _event(order, order.attention, "warning")
        order.status_applied = order.ae_status
        db.session.commit()
        return
    mapped = settings.magento_status_for(order.ae_status)
    if not mapped or order.status_applied == order.ae_status or mapped == order.magento_status:
        order.status_applied = order.ae_status if mapped else order.status_applied
        return
    mage.orders.add_comment(
        order.magento_order_id, f"AliExpress status: {order.ae_status}", status=mapped
    )
    order.magento_status = mapped
    order.status_applied = order.ae_status
    _event(order, f"Magento status set to {mapped} (AliExpress {order.ae_status})")
    db.session.commit()


def _notify_new_order(order: Order, settings: OrderSettings) -> None:
    to = settings.notification_email or ""
    if not to:
        from webapp.services.mail import notification_address

        to = notification_address()
    lines = "\n".join(f"- {i.quantity} x {i.sku_code} {i.name}" for i in order.items)
    send_mail(
        to,
        f"[Alimento] New AliExpress order {order.ae_order_id}",
        f"Account: {order.account.title}\nBuyer: {order.buyer_name}\n"
        f"Total: {order.total:.2f} {order.currency}\n"
        f"Magento order: {order.magento_increment_id or 'not created'}\n\n{lines}\n",
    )


def _notify_critical(subject: str, body: str) -> None:
    from webapp.services.mail import notify

    notify(subject, body)


# -- screen actions -----------------------------------------------------------------------------


def retry(orders: Iterable[Order]) -> dict[str, int]:
    """Re-read each order from AliExpress and try again to create it in Magento."""
    counts = {"imported": 0, "failed": 0, "other": 0}
    mage = magento()
    for order in orders:
        if order.import_state == "imported":
            counts["other"] += 1
            continue
        account = order.account
        try:
            token = require_connected(account)
            detail = ae.get_order(aliexpress_client(account), token, order.ae_order_id)
        except (ServiceError, ae_errors.AliExpressError) as exc:
            order.failure_reason = f"Could not read the order details from AliExpress: {exc}"
            order.import_state = "failed"
            order.attempts += 1
            order.last_attempt_at = utcnow()
            _event(order, order.failure_reason, "error")
            db.session.commit()
            counts["failed"] += 1
            continue
        _apply_detail(order, detail)
        order.detail_read = True
        if order.import_state in ("failed", "ignored"):
            order.import_state = "pending" if order.magento_quote_id is None else "creating"
        order.failure_reason = None
        _event(order, "Retry requested")
        db.session.commit()
        state = process_order(order, mage, manual=True)
        counts[state if state in counts else "other"] += 1
    return counts


def ignore(orders: Iterable[Order]) -> int:
    count = 0
    for order in orders:
        if order.import_state in ("failed", "pending", "waiting"):
            order.import_state = "ignored"
            _event(order, "Ignored by a user")
            count += 1
    db.session.commit()
    return count


def cancel_in_magento(order: Order) -> str:
    """Cancel the Magento order (AliExpress offers sellers no cancel method: the buyer or the
    Seller Center cancels there)."""
    if order.magento_order_id is None:
        raise ServiceError("This order has no Magento order to cancel.")
    if not magento().orders.cancel(order.magento_order_id):
        raise ServiceError(
            "Magento refused to cancel the order (it is invoiced or shipped); create a credit "
            "memo in Magento instead."
        )
    order.magento_status = "canceled"
    _event(order, "Magento order cancelled by a user", "warning")
    db.session.commit()
    return "canceled"


def ship(
    order: Order,
    *,
    ae_service: str,
    tracking_number: str,
    tracking_url: str | None = None,
    send_type: str = "all",
) -> OrderShipment:
    """Ship from the screen: a Magento shipment (when the order exists there and the policy
    creates shipments) and the tracking on AliExpress."""
    settings = order_settings(order.account)
    known = {c.get("service_name") for c in carriers(order.account_id)} | {OTHER_CARRIER}
    if ae_service not in known:
        raise ServiceError(
            "Choose the AliExpress carrier (fetch the onboarding data if none shows)."
        )
    tracking_number = tracking_number.strip()
    if not tracking_number or len(tracking_number) > 128:
        raise ServiceError("Enter the tracking number (at most 128 characters).")
    if tracking_url and not tracking_url.lower().startswith(("http://", "https://")):
        raise ServiceError("The tracking website must start with http:// or https://.")
    if send_type not in ("all", "part"):
        raise ServiceError("Choose a full or partial shipment.")
    if ae_service == OTHER_CARRIER and not tracking_url:
        mapping = settings.magento_carrier_for(OTHER_CARRIER)
        tracking_url = mapping.tracking_url if mapping else None
        if not tracking_url:
            raise ServiceError("The carrier 'other' needs a tracking website.")
    if order.ae_status not in ae.FULFILLABLE_STATUSES:
        raise ServiceError(
            f"AliExpress accepts tracking only while the order waits for shipment; this order is "
            f"{order.ae_status}."
        )
    mapping = settings.magento_carrier_for(ae_service)
    magento_carrier = mapping.magento_carrier if mapping else "custom"
    shipment = OrderShipment(
        tracking_number=tracking_number,
        ae_service=ae_service,
        magento_carrier=magento_carrier,
        tracking_url=tracking_url,
        send_type=send_type,
        source="manual",
    )
    order.shipments.append(shipment)
    if order.magento_order_id is not None and settings.shipment_creation:
        try:
            shipment.magento_shipment_id = magento().orders.ship(
                order.magento_order_id,
                tracks=[
                    {
                        "track_number": tracking_number,
                        "title": ae_service,
                        "carrier_code": magento_carrier,
                    }
                ],
            )
            _event(order, f"Magento shipment {shipment.magento_shipment_id} created")
        except mage_errors.MagentoError as exc:
            _event(order, f"No Magento shipment: {_explain(exc)}", "warning")
    db.session.commit()
    push_shipment(shipment)
    if shipment.state != "pushed":
        raise ServiceError(shipment.error or "AliExpress did not accept the tracking.")
    return shipment


def push_shipment(shipment: OrderShipment) -> None:
    order = shipment.order
    account = order.account
    shipment.attempts += 1
    try:
        token = require_connected(account)
        ae.fulfill_order(
            aliexpress_client(account),
            token,
            order.ae_order_id,
            service_name=shipment.ae_service or OTHER_CARRIER,
            tracking_number=shipment.tracking_number,
            send_type=shipment.send_type,
            tracking_website=shipment.tracking_url,
        )
    except (ServiceError, ae_errors.AliExpressError, ValueError) as exc:
        shipment.state = "failed"
        shipment.error = str(exc)
        _event(order, f"Tracking {shipment.tracking_number} not sent to AliExpress: {exc}", "error")
        db.session.commit()
        return
    shipment.state = "pushed"
    shipment.error = None
    shipment.pushed_at = utcnow()
    order.ae_status = (
        "WAIT_BUYER_ACCEPT_GOODS" if shipment.send_type == "all" else "SELLER_PART_SEND_GOODS"
    )
    _event(
        order,
        f"Tracking {shipment.tracking_number} ({shipment.ae_service}, {shipment.send_type}) "
        "sent to AliExpress",
        "success",
    )
    db.session.commit()


# -- shipments back -----------------------------------------------------------------------------


def sync_shipments(progress: Callable[[int, int | None], None] | None = None) -> dict[str, int]:
    """Magento shipments of imported orders -> AliExpress tracking, each once."""
    counts = {"shipments": 0, "pushed": 0, "failed": 0, "skipped": 0}
    if get_store() is None:
        return counts
    started = utcnow()
    last = get_watermark(SHIPMENT_STREAM)
    since = (last - OVERLAP) if last else started - FIRST_FETCH
    mage = magento()
    highest = last
    for doc in mage.orders.shipments(updated_since=since):
        counts["shipments"] += 1
        updated = _parse_magento_time(doc.get("updated_at") or doc.get("created_at"))
        if updated is not None and (highest is None or updated > highest):
            highest = updated
        order = db.session.scalar(
            select(Order).where(Order.magento_order_id == int(doc["order_id"]))
        )
        if order is None:
            continue
        outcome = _ship_back(order, doc)
        counts[outcome] += 1
        if progress:
            progress(counts["shipments"], None)
    # Retry failed pushes whose cause may have passed (token refreshed, carrier mapped).
    for shipment in db.session.scalars(
        select(OrderShipment).where(OrderShipment.state == "failed", OrderShipment.attempts < 5)
    ):
        if shipment.ae_service is None:
            settings = order_settings(shipment.order.account)
            mapping = settings.aliexpress_carrier_for(shipment.magento_carrier or "")
            if mapping is None:
                continue  # still unmapped: the reason on the shipment stands
            shipment.ae_service = mapping.aliexpress_carrier
            shipment.tracking_url = mapping.tracking_url
        push_shipment(shipment)
        counts["pushed" if shipment.state == "pushed" else "failed"] += 1
    if highest is not None:
        set_watermark(SHIPMENT_STREAM, min(highest, started))
    db.session.commit()
    return counts


def _parse_magento_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return parse_datetime(value, what="shipment time", sku="")
    except MappingError:
        return None


def _ship_back(order: Order, doc: dict[str, Any]) -> str:
    settings = order_settings(order.account)
    tracks = doc.get("tracks") or []
    if not tracks:
        return "skipped"  # tracking may be added later; the overlap reads it again
    track = tracks[-1]
    number = str(track.get("track_number") or "")
    shipment_id = int(doc["entity_id"])
    known = db.session.scalar(
        select(OrderShipment).where(
            OrderShipment.order_id == order.id,
            OrderShipment.tracking_number == number,
        )
    )
    if known is not None:
        return "skipped"
    carrier = str(track.get("carrier_code") or "")
    mapping = settings.aliexpress_carrier_for(carrier)
    shipped = _shipped_quantity(doc) + sum(s.quantity for s in order.shipments)
    send_type = "all" if shipped >= sum(i.quantity for i in order.items) else "part"
    shipment = OrderShipment(
        magento_shipment_id=shipment_id,
        tracking_number=number,
        magento_carrier=carrier,
        ae_service=mapping.aliexpress_carrier if mapping else None,
        tracking_url=mapping.tracking_url if mapping else None,
        send_type=send_type,
        quantity=_shipped_quantity(doc),
        source="magento",
    )
    order.shipments.append(shipment)
    if mapping is None:
        shipment.state = "failed"
        shipment.error = (
            f"No AliExpress carrier is mapped to the Magento carrier '{carrier}'; add it to the "
            "order policy's carrier mapping."
        )
        _event(order, shipment.error, "error")
        db.session.commit()
        return "failed"
    db.session.commit()
    push_shipment(shipment)
    return "pushed" if shipment.state == "pushed" else "failed"


def _shipped_quantity(doc: dict[str, Any]) -> float:
    return sum(float(i.get("qty") or 0) for i in doc.get("items") or [])


# -- queries for screens ------------------------------------------------------------------------


def failed_count() -> int:
    return int(
        db.session.scalar(select(func.count(Order.id)).where(Order.import_state == "failed")) or 0
    )


def store_admin_base() -> str | None:
    """The store's admin URL (``MAGENTO_ADMIN_URL``, else the base URL + ``/admin``)."""
    store = get_store()
    if store is None:
        return None
    configured = (current_app.config.get("MAGENTO_ADMIN_URL") or "").rstrip("/")
    return configured or store.base_url.rstrip("/") + "/admin"


def store_admin_url(order: Order, base: str | None = None) -> str | None:
    """A link to the order in the Magento admin."""
    base = base or store_admin_base()
    if base is None or order.magento_order_id is None:
        return None
    return f"{base}/sales/order/view/order_id/{order.magento_order_id}/"
