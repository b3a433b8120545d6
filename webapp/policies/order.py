"""Order policy: how AliExpress orders become Magento orders, and how shipments flow back.

Seed 004 fields, grouped as on its form: order settings (create order in Magento, create when
the AliExpress order reaches a status, alternate SKU attribute, what to do when the product does
not exist, orders for out-of-stock or disabled products, Magento taxes, notification, order id
prefix), invoice creation, shipment creation with carrier mapping, customer mode and the order
status mapping. From the older manual (seed 002): the notification e-mail, the tracking URL of a
carrier mapping, and the Magento payment and shipping methods the orders are placed with (the
app installs nothing in Magento, so it must use methods the store already has).

AliExpress order statuses and the fulfilment rule come from ``aliexpress.solution.order.*``:
only ``WAIT_SELLER_SEND_GOODS`` and ``SELLER_PART_SEND_GOODS`` accept tracking, and the carrier is
a ``service_name`` of the account's logistics services, or ``other`` with a tracking website.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from webapp.policies.base import (
    EMAIL_RE,
    EMPTY_CONTEXT,
    Problem,
    Reader,
    ValidationContext,
    check_attribute_code,
    check_title,
)

ALIEXPRESS_ORDER_STATUSES: tuple[str, ...] = (
    "PLACE_ORDER_SUCCESS",
    "PAYMENT_PROCESSING",
    "RISK_CONTROL",
    "RISK_CONTROL_HOLD",
    "WAIT_SELLER_EXAMINE_MONEY",
    "WAIT_GROUP_SUCCESS",
    "WAIT_SELLER_SEND_GOODS",
    "SELLER_PART_SEND_GOODS",
    "WAIT_BUYER_ACCEPT_GOODS",
    "FUND_PROCESSING",
    "IN_CANCEL",
    "IN_ISSUE",
    "IN_FROZEN",
    "FINISH",
    "ARCHIVE",
)
# The AliExpress carrier key that needs a tracking website instead of a known service.
OTHER_CARRIER = "other"
ORDER_ID_PREFIX_MAX_LENGTH = 12
# Magento keeps increment ids in a varchar(32); the AliExpress order id (16 digits) follows the
# prefix, so the prefix stays short and in a charset safe in URLs and grids.
_PREFIX_RE = re.compile(r"^[A-Za-z0-9_-]*$")
_CARRIER_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_STATUS_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_URL_RE = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)


class MissingProductAction(StrEnum):
    CREATE_PRODUCT_AND_ORDER = "create_product_and_order"
    DO_NOT_CREATE = "do_not_create"

    @property
    def label(self) -> str:
        if self is MissingProductAction.CREATE_PRODUCT_AND_ORDER:
            return "Create product and order"
        return "Do not create order"


class CustomerMode(StrEnum):
    GUEST = "guest"
    REAL = "real"
    FIXED = "fixed"

    @property
    def label(self) -> str:
        return {
            CustomerMode.GUEST: "Guest customer",
            CustomerMode.REAL: "Real customer (from the buyer's e-mail)",
            CustomerMode.FIXED: "Same customer for every order",
        }[self]


@dataclass(frozen=True, slots=True)
class CarrierMapping:
    """A Magento carrier code and the AliExpress logistics ``service_name`` it stands for."""

    magento_carrier: str
    aliexpress_carrier: str
    tracking_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "magento_carrier": self.magento_carrier,
            "aliexpress_carrier": self.aliexpress_carrier,
            "tracking_url": self.tracking_url,
        }


@dataclass(frozen=True, slots=True)
class StatusMapping:
    """An AliExpress order status and the Magento order status it corresponds to."""

    aliexpress_status: str
    magento_status: str

    def to_dict(self) -> dict[str, Any]:
        return {"aliexpress_status": self.aliexpress_status, "magento_status": self.magento_status}


DEFAULT_STATUS_MAPPINGS: tuple[StatusMapping, ...] = (
    StatusMapping("WAIT_SELLER_SEND_GOODS", "processing"),
    StatusMapping("SELLER_PART_SEND_GOODS", "processing"),
    StatusMapping("WAIT_BUYER_ACCEPT_GOODS", "complete"),
    StatusMapping("FINISH", "complete"),
)


@dataclass(frozen=True, slots=True)
class OrderSettings:
    """Settings of an order policy; the defaults are the "Default Order Policy".

    Orders are created once paid and waiting for shipment (``WAIT_SELLER_SEND_GOODS``), as
    guests, invoiced at once (AliExpress has collected the money) and shipments are pushed back.
    """

    TYPE_CODE: ClassVar[str] = "order"

    title: str = "Default Order Policy"
    create_order_in_magento: bool = True
    create_order_when: str = "WAIT_SELLER_SEND_GOODS"
    alternate_sku_attribute: str | None = None
    if_product_not_exist: MissingProductAction = MissingProductAction.DO_NOT_CREATE
    allow_out_of_stock_or_disabled: bool = False
    use_magento_taxes: bool = False
    order_notification: bool = False
    notification_email: str | None = None
    order_id_prefix: str = "ALIEXP-"
    magento_payment_method: str = "checkmo"
    magento_shipping_method: str = "flatrate_flatrate"
    invoice_creation: bool = True
    shipment_creation: bool = True
    carrier_mappings: tuple[CarrierMapping, ...] = ()
    customer_mode: CustomerMode = CustomerMode.GUEST
    customer_email: str | None = None
    customer_id: int | None = None
    status_mappings: tuple[StatusMapping, ...] = field(default=DEFAULT_STATUS_MAPPINGS)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> OrderSettings:
        read = Reader(data)
        d = cls()
        carriers: list[CarrierMapping] = []
        for prefix, row in read.rows("carrier_mappings"):
            row_read = Reader(row, prefix)
            carriers.append(
                CarrierMapping(
                    magento_carrier=row_read.text("magento_carrier", ""),
                    aliexpress_carrier=row_read.text("aliexpress_carrier", ""),
                    tracking_url=row_read.opt_text("tracking_url"),
                )
            )
            read.absorb(row_read)
        statuses: list[StatusMapping] = []
        for prefix, row in read.rows("status_mappings"):
            row_read = Reader(row, prefix)
            statuses.append(
                StatusMapping(
                    aliexpress_status=row_read.text("aliexpress_status", ""),
                    magento_status=row_read.text("magento_status", ""),
                )
            )
            read.absorb(row_read)
        settings = cls(
            title=read.text("title", d.title),
            create_order_in_magento=read.flag("create_order_in_magento", d.create_order_in_magento),
            create_order_when=read.text("create_order_when", d.create_order_when),
            alternate_sku_attribute=read.opt_text(
                "alternate_sku_attribute", d.alternate_sku_attribute
            ),
            if_product_not_exist=read.choice(
                "if_product_not_exist", MissingProductAction, d.if_product_not_exist
            ),
            allow_out_of_stock_or_disabled=read.flag(
                "allow_out_of_stock_or_disabled", d.allow_out_of_stock_or_disabled
            ),
            use_magento_taxes=read.flag("use_magento_taxes", d.use_magento_taxes),
            order_notification=read.flag("order_notification", d.order_notification),
            notification_email=read.opt_text("notification_email", d.notification_email),
            order_id_prefix=read.text("order_id_prefix", d.order_id_prefix),
            magento_payment_method=read.text("magento_payment_method", d.magento_payment_method),
            magento_shipping_method=read.text("magento_shipping_method", d.magento_shipping_method),
            invoice_creation=read.flag("invoice_creation", d.invoice_creation),
            shipment_creation=read.flag("shipment_creation", d.shipment_creation),
            carrier_mappings=tuple(carriers)
            if read.has("carrier_mappings")
            else d.carrier_mappings,
            customer_mode=read.choice("customer_mode", CustomerMode, d.customer_mode),
            customer_email=read.opt_text("customer_email", d.customer_email),
            customer_id=read.opt_integer("customer_id", d.customer_id),
            status_mappings=tuple(statuses) if read.has("status_mappings") else d.status_mappings,
        )
        read.finish()
        return settings

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "create_order_in_magento": self.create_order_in_magento,
            "create_order_when": self.create_order_when,
            "alternate_sku_attribute": self.alternate_sku_attribute,
            "if_product_not_exist": self.if_product_not_exist.value,
            "allow_out_of_stock_or_disabled": self.allow_out_of_stock_or_disabled,
            "use_magento_taxes": self.use_magento_taxes,
            "order_notification": self.order_notification,
            "notification_email": self.notification_email,
            "order_id_prefix": self.order_id_prefix,
            "magento_payment_method": self.magento_payment_method,
            "magento_shipping_method": self.magento_shipping_method,
            "invoice_creation": self.invoice_creation,
            "shipment_creation": self.shipment_creation,
            "carrier_mappings": [m.to_dict() for m in self.carrier_mappings],
            "customer_mode": self.customer_mode.value,
            "customer_email": self.customer_email,
            "customer_id": self.customer_id,
            "status_mappings": [m.to_dict() for m in self.status_mappings],
        }

    def validate(self, context: ValidationContext | None = None) -> list[Problem]:
        return validate_order(self, context)

    def aliexpress_carrier_for(self, magento_carrier: str) -> CarrierMapping | None:
        """The mapping for a Magento carrier code, if any."""
        for mapping in self.carrier_mappings:
            if mapping.magento_carrier == magento_carrier:
                return mapping
        return None

    def magento_carrier_for(self, aliexpress_carrier: str) -> CarrierMapping | None:
        """The mapping for an AliExpress ``service_name``; the first row wins."""
        for mapping in self.carrier_mappings:
            if mapping.aliexpress_carrier == aliexpress_carrier:
                return mapping
        return None

    def magento_status_for(self, aliexpress_status: str) -> str | None:
        for mapping in self.status_mappings:
            if mapping.aliexpress_status == aliexpress_status:
                return mapping.magento_status
        return None

    def aliexpress_status_for(self, magento_status: str) -> str | None:
        """Several AliExpress statuses may share a Magento status; the first row wins."""
        for mapping in self.status_mappings:
            if mapping.magento_status == magento_status:
                return mapping.aliexpress_status
        return None

    def magento_increment_id(self, aliexpress_order_id: str) -> str:
        return f"{self.order_id_prefix}{aliexpress_order_id}"


def _known_aliexpress_statuses(context: ValidationContext) -> frozenset[str]:
    if context.aliexpress_order_statuses is not None:
        return context.aliexpress_order_statuses
    return frozenset(ALIEXPRESS_ORDER_STATUSES)


def validate_order(
    settings: OrderSettings, context: ValidationContext | None = None
) -> list[Problem]:
    context = context or EMPTY_CONTEXT
    problems: list[Problem] = []
    check_title(problems, settings.title)
    ae_statuses = _known_aliexpress_statuses(context)

    if not settings.create_order_when:
        problems.append(
            Problem("create_order_when", "Choose the AliExpress status that creates the order.")
        )
    elif settings.create_order_when not in ae_statuses:
        problems.append(
            Problem(
                "create_order_when",
                f"'{settings.create_order_when}' is not an AliExpress order status.",
            )
        )
    check_attribute_code(
        problems,
        "alternate_sku_attribute",
        settings.alternate_sku_attribute,
        "Alternate SKU attribute",
        context,
        required=False,
    )
    if settings.notification_email is not None and not EMAIL_RE.fullmatch(
        settings.notification_email
    ):
        problems.append(Problem("notification_email", "Enter a valid notification e-mail address."))

    prefix = settings.order_id_prefix
    if len(prefix) > ORDER_ID_PREFIX_MAX_LENGTH:
        problems.append(
            Problem(
                "order_id_prefix",
                f"Order ID prefix can be at most {ORDER_ID_PREFIX_MAX_LENGTH} characters.",
            )
        )
    if not _PREFIX_RE.fullmatch(prefix):
        problems.append(
            Problem(
                "order_id_prefix",
                "Order ID prefix may contain only letters, digits, dashes and underscores.",
            )
        )
    if settings.create_order_in_magento:
        if not settings.magento_payment_method:
            problems.append(
                Problem("magento_payment_method", "Magento payment method is required.")
            )
        if not settings.magento_shipping_method:
            problems.append(
                Problem("magento_shipping_method", "Magento shipping method is required.")
            )

    _validate_carriers(problems, settings.carrier_mappings, context)

    if settings.customer_mode is CustomerMode.FIXED:
        if not settings.customer_email:
            problems.append(
                Problem(
                    "customer_email", "Enter the e-mail of the customer that receives every order."
                )
            )
        elif not EMAIL_RE.fullmatch(settings.customer_email):
            problems.append(Problem("customer_email", "Enter a valid customer e-mail address."))
        if settings.customer_id is not None and settings.customer_id <= 0:
            problems.append(Problem("customer_id", "Customer ID must be a positive number."))

    _validate_statuses(problems, settings.status_mappings, ae_statuses, context)
    return problems


def _validate_carriers(
    problems: list[Problem], mappings: tuple[CarrierMapping, ...], context: ValidationContext
) -> None:
    seen: set[str] = set()
    for index, mapping in enumerate(mappings):
        name = f"carrier_mappings[{index}]"
        if not mapping.magento_carrier:
            problems.append(Problem(f"{name}.magento_carrier", "Choose the Magento carrier."))
        elif not _CARRIER_CODE_RE.fullmatch(mapping.magento_carrier):
            problems.append(
                Problem(
                    f"{name}.magento_carrier",
                    "Magento carrier code may contain only letters, digits, "
                    "dashes and underscores.",
                )
            )
        elif mapping.magento_carrier in seen:
            problems.append(
                Problem(
                    f"{name}.magento_carrier",
                    f"Magento carrier '{mapping.magento_carrier}' is mapped twice.",
                )
            )
        elif (
            context.magento_carriers is not None
            and mapping.magento_carrier not in context.magento_carriers
        ):
            problems.append(
                Problem(
                    f"{name}.magento_carrier",
                    f"The store has no carrier '{mapping.magento_carrier}'.",
                )
            )
        seen.add(mapping.magento_carrier)

        if not mapping.aliexpress_carrier:
            problems.append(Problem(f"{name}.aliexpress_carrier", "Choose the AliExpress carrier."))
        elif (
            mapping.aliexpress_carrier != OTHER_CARRIER
            and context.aliexpress_carriers is not None
            and mapping.aliexpress_carrier not in context.aliexpress_carriers
        ):
            problems.append(
                Problem(
                    f"{name}.aliexpress_carrier",
                    f"AliExpress carrier '{mapping.aliexpress_carrier}' is not offered by this "
                    "account; "
                    "fetch the onboarding data or choose another carrier.",
                )
            )
        if mapping.tracking_url is not None and not _URL_RE.fullmatch(mapping.tracking_url):
            problems.append(
                Problem(f"{name}.tracking_url", "Tracking URL must start with http:// or https://.")
            )
        elif mapping.aliexpress_carrier == OTHER_CARRIER and mapping.tracking_url is None:
            problems.append(
                Problem(
                    f"{name}.tracking_url",
                    "A tracking URL is required when the AliExpress carrier is 'other'.",
                )
            )


def _validate_statuses(
    problems: list[Problem],
    mappings: tuple[StatusMapping, ...],
    ae_statuses: frozenset[str],
    context: ValidationContext,
) -> None:
    seen: set[str] = set()
    for index, mapping in enumerate(mappings):
        name = f"status_mappings[{index}]"
        if not mapping.aliexpress_status:
            problems.append(
                Problem(f"{name}.aliexpress_status", "Choose the AliExpress order status.")
            )
        elif mapping.aliexpress_status not in ae_statuses:
            problems.append(
                Problem(
                    f"{name}.aliexpress_status",
                    f"'{mapping.aliexpress_status}' is not an AliExpress order status.",
                )
            )
        elif mapping.aliexpress_status in seen:
            problems.append(
                Problem(
                    f"{name}.aliexpress_status",
                    f"AliExpress status '{mapping.aliexpress_status}' is mapped twice.",
                )
            )
        seen.add(mapping.aliexpress_status)
        if not mapping.magento_status:
            problems.append(Problem(f"{name}.magento_status", "Choose the Magento order status."))
        elif not _STATUS_CODE_RE.fullmatch(mapping.magento_status):
            problems.append(
                Problem(
                    f"{name}.magento_status",
                    "Magento status code may contain only letters, digits, dashes and underscores.",
                )
            )
        elif (
            context.magento_order_statuses is not None
            and mapping.magento_status not in context.magento_order_statuses
        ):
            problems.append(
                Problem(
                    f"{name}.magento_status",
                    f"The store has no order status '{mapping.magento_status}'.",
                )
            )


__all__ = [
    "ALIEXPRESS_ORDER_STATUSES",
    "DEFAULT_STATUS_MAPPINGS",
    "OTHER_CARRIER",
    "CarrierMapping",
    "CustomerMode",
    "MissingProductAction",
    "OrderSettings",
    "StatusMapping",
    "validate_order",
]
