"""The policy forms: every field of seed 004 with its label and help text, per policy type.

Forms are described once here and rendered by ``templates/policies/form.html``; posted values
are read back into the dict the policy engine's ``from_dict`` understands.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from webapp.policies.order import ALIEXPRESS_ORDER_STATUSES

ROW_RE = re.compile(r"^(?P<group>[a-z_]+)-(?P<index>\d{1,3})-(?P<field>[a-z_]+)$")
EXTRA_ROWS = 3


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str = "text"  # text, int, decimal, bool, select, email, image, attributes, schedule, rows
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    #: for "rows": the columns of one row as (key, label, kind, choices)
    columns: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = ()
    section: str = ""


@dataclass(frozen=True)
class FormSpec:
    type: str
    fields: tuple[FieldSpec, ...] = field(default_factory=tuple)

    def sections(self) -> list[tuple[str, list[FieldSpec]]]:
        out: list[tuple[str, list[FieldSpec]]] = []
        for spec in self.fields:
            if not out or out[-1][0] != spec.section:
                out.append((spec.section, []))
            out[-1][1].append(spec)
        return out


TITLE = FieldSpec(
    "title", "Title", help="Enter the name of the policy for internal identification."
)
_STATUSES = tuple((s, s.replace("_", " ").title()) for s in ALIEXPRESS_ORDER_STATUSES)

FORMS: dict[str, FormSpec] = {
    "image": FormSpec(
        "image",
        (
            TITLE,
            FieldSpec(
                "main_image_attribute",
                "Main Image",
                help="Magento attribute holding the image to use as the main image on AliExpress "
                "(for example marketplace_image); 'image' is Magento's base image.",
            ),
            FieldSpec(
                "default_image",
                "Default Image URL",
                "image",
                help="Used when a product has no images in Magento: an existing image URL or "
                "gallery path, or upload a JPG/PNG image (max size 2 MB).",
            ),
            FieldSpec(
                "gallery_image_count",
                "Gallery Images",
                "int",
                help="Maximum number of product images uploaded to AliExpress (1-6). The main "
                "image is counted within this limit.",
            ),
        ),
    ),
    "inventory": FormSpec(
        "inventory",
        (
            TITLE,
            FieldSpec(
                "default_quantity",
                "Default Quantity",
                "int",
                help="Quantity synced to AliExpress if no stock is available in Magento or if "
                "'Manage Stock' is set to 'No'.",
                section="Inventory Threshold Settings",
            ),
            FieldSpec(
                "threshold_buffer",
                "Threshold Buffer",
                "int",
                help="Quantity reserved for Magento only. Example: with 18 in stock and a buffer "
                "of 5, AliExpress gets 13.",
                section="Inventory Threshold Settings",
            ),
            FieldSpec(
                "use_threshold",
                "Set Inventory on Basis of Threshold",
                "bool",
                help="Manage AliExpress inventory with the threshold values below.",
                section="Inventory Threshold Settings",
            ),
            FieldSpec(
                "threshold_value",
                "Threshold Value",
                "int",
                help="Quantity in Magento that triggers the rules.",
                section="Inventory Threshold Settings",
            ),
            FieldSpec(
                "quantity_above_threshold",
                "Inventory for Greater Than Threshold Value",
                "int",
                help="Quantity synced when the Magento quantity is above the threshold. Example: "
                "threshold 10, greater 20, lesser 2: AliExpress shows 20 until stock falls to "
                "10, then 10, then 2 at 9.",
                section="Inventory Threshold Settings",
            ),
            FieldSpec(
                "quantity_below_threshold",
                "Inventory for Lesser Than Threshold Value",
                "int",
                help="Quantity synced when the Magento quantity falls below the threshold.",
                section="Inventory Threshold Settings",
            ),
            FieldSpec(
                "use_msi",
                "Use MSI",
                "bool",
                help="Enable if Multi-Source Inventory (MSI) is active in Magento.",
                section="MSI Setting",
            ),
            FieldSpec(
                "source_code",
                "Source",
                help="Inventory source code to synchronize (for example 'default').",
                section="MSI Setting",
            ),
            FieldSpec(
                "use_salable_stock",
                "Salable Stock",
                "bool",
                help="Sync the salable quantity (stock minus reservations) instead of the "
                "source quantity.",
                section="MSI Setting",
            ),
        ),
    ),
    "pricing": FormSpec(
        "pricing",
        (
            TITLE,
            FieldSpec(
                "price_attribute",
                "Price Attribute",
                help="Magento attribute used as the AliExpress price, for example 'msrp' for the "
                "Minimum Advertised Price instead of 'price'.",
            ),
            FieldSpec(
                "change_mode",
                "Price Change By",
                "select",
                help="Markup or markdown rule: a fixed amount or a percentage.",
                choices=(
                    ("none", "No change"),
                    ("fixed_increment", "Fixed Increment"),
                    ("fixed_decrement", "Fixed Decrement"),
                    ("percentage_increment", "Percent Increment"),
                    ("percentage_decrement", "Percent Decrement"),
                ),
            ),
            FieldSpec(
                "amount",
                "Amount",
                "decimal",
                help="Example: 'Percent Increment' and 10 raises all prices by 10 %.",
            ),
            FieldSpec(
                "conversion_rate",
                "Currency Conversion Rate",
                "decimal",
                help="Multiplies the Magento price into the AliExpress account's currency "
                "(1 when they are the same).",
            ),
            FieldSpec(
                "rounding",
                "Rounding",
                "select",
                help="How the final price is rounded.",
                choices=(
                    ("cents", "To the cent"),
                    ("whole", "To a whole number"),
                    ("ending_99", "Up to .99"),
                ),
            ),
        ),
    ),
    "order": FormSpec(
        "order",
        (
            TITLE,
            FieldSpec(
                "create_order_in_magento",
                "Create Order in Magento",
                "bool",
                help="Create AliExpress orders in Magento.",
            ),
            FieldSpec(
                "create_order_when",
                "Create Order When",
                "select",
                help="The AliExpress order status at which orders sync into Magento.",
                choices=_STATUSES,
                section="Order Settings",
            ),
            FieldSpec(
                "alternate_sku_attribute",
                "Alternate SKU Attribute",
                help="Magento attribute holding the AliExpress SKU when SKUs differ.",
                section="Order Settings",
            ),
            FieldSpec(
                "if_product_not_exist",
                "If Product Not Exist",
                "select",
                choices=(
                    ("create_product_and_order", "Create Product and Order"),
                    ("do_not_create", "Do Not Create Order"),
                ),
                help="Create a placeholder product and the order, or do not create the order.",
                section="Order Settings",
            ),
            FieldSpec(
                "allow_out_of_stock_or_disabled",
                "Order for OutOfStock/Disabled Product",
                "bool",
                help="Create the order even if the product is out of stock or disabled.",
                section="Order Settings",
            ),
            FieldSpec(
                "use_magento_taxes",
                "Use Magento Taxes",
                "bool",
                help=(
                    "On: Magento's tax rules and totals stand. Off: the AliExpress totals are "
                    "written on the Magento order, and a Magento total that differs is flagged in "
                    "the order's history. (Orders go through Magento's cart flow, the only REST "
                    "route that reserves stock, so Magento always computes the amounts itself.)"
                ),
                section="Order Settings",
            ),
            FieldSpec(
                "order_notification",
                "Allow Order Notification",
                "bool",
                help="Send an e-mail when an AliExpress order is created in Magento.",
                section="Order Settings",
            ),
            FieldSpec(
                "notification_email",
                "Notification E-mail",
                "email",
                help="Where order notifications go (the settings' notification address if empty).",
                section="Order Settings",
            ),
            FieldSpec(
                "order_id_prefix",
                "Order ID Prefix",
                help="Prefix identifying AliExpress orders in the Magento order grid, for "
                "example ALIEXP- gives ALIEXP-000001.",
                section="Order Settings",
            ),
            FieldSpec(
                "magento_payment_method",
                "Magento Payment Method",
                help="An offline payment method enabled in the store (for example checkmo).",
                section="Order Settings",
            ),
            FieldSpec(
                "magento_shipping_method",
                "Magento Shipping Method",
                help="carrier_method code enabled in the store (for example flatrate_flatrate).",
                section="Order Settings",
            ),
            FieldSpec(
                "invoice_creation",
                "Invoice Creation",
                "bool",
                help="Create Magento invoices for AliExpress orders automatically.",
                section="Invoice Settings",
            ),
            FieldSpec(
                "shipment_creation",
                "Shipment Creation",
                "bool",
                help="Fulfil orders on AliExpress when a Magento shipment is created.",
                section="Shipment Settings",
            ),
            FieldSpec(
                "carrier_mappings",
                "Carrier Mapping",
                "rows",
                help="Map Magento carriers to AliExpress carriers (logistics services); the "
                "tracking URL is needed for 'other' carriers.",
                columns=(
                    ("magento_carrier", "Magento carrier", "text", ()),
                    ("aliexpress_carrier", "AliExpress carrier", "text", ()),
                    ("tracking_url", "Tracking URL", "text", ()),
                ),
                section="Shipment Settings",
            ),
            FieldSpec(
                "customer_mode",
                "Customer",
                "select",
                choices=(
                    ("guest", "Guest Customer"),
                    ("real", "Real Customer (from the buyer's e-mail)"),
                    ("fixed", "Same Customer for every order"),
                ),
                help="Guest checkout, one Magento customer per AliExpress buyer, or one fixed "
                "customer account for all orders.",
                section="Customer Settings",
            ),
            FieldSpec(
                "customer_email",
                "Customer E-mail",
                "email",
                help="The Magento customer used with 'Same Customer'.",
                section="Customer Settings",
            ),
            FieldSpec(
                "status_mappings",
                "Order Status Mapping",
                "rows",
                help="Map AliExpress order statuses to Magento order statuses (both directions).",
                columns=(
                    ("aliexpress_status", "AliExpress status", "select", _STATUSES),
                    ("magento_status", "Magento status", "text", ()),
                ),
                section="Order Status Mapping",
            ),
        ),
    ),
    "synchronization": FormSpec(
        "synchronization",
        (
            TITLE,
            FieldSpec(
                "product_upload",
                "Product Upload",
                "schedule",
                help="Upload new products from Magento to AliExpress automatically.",
                section="Cron Settings",
            ),
            FieldSpec(
                "product_update",
                "Product Update",
                "schedule",
                help="Update product details on AliExpress when they change in Magento.",
                section="Cron Settings",
            ),
            FieldSpec(
                "inventory_price_sync",
                "Inventory/Price Sync",
                "schedule",
                help="Update price and stock when they change in Magento.",
                section="Cron Settings",
            ),
            FieldSpec(
                "product_assign",
                "Product Assign",
                "schedule",
                help="Assign products to listing templates whose query conditions match.",
                section="Cron Settings",
            ),
            FieldSpec(
                "order_import",
                "Order Import",
                "schedule",
                help="Fetch new AliExpress orders.",
                section="Cron Settings",
            ),
            FieldSpec(
                "order_status_sync",
                "Order Status Sync",
                "schedule",
                help="Send shipments to AliExpress and bring status changes back.",
                section="Cron Settings",
            ),
            FieldSpec(
                "sync_not_visible_individually",
                "Sync Not Visible Individually Products",
                "bool",
                help="Also sync products whose visibility is 'Not Visible Individually'.",
                section="Product Settings",
            ),
            FieldSpec(
                "only_specific_attributes",
                "Only Specific Attributes Syncing",
                "bool",
                help="Sync only when one of the chosen attributes changes in Magento. Example: "
                "with 'color' chosen, Color updates sync but not Size or Quantity.",
                section="Product Settings",
            ),
            FieldSpec(
                "specific_attributes",
                "Attributes",
                "attributes",
                help="Magento attribute codes, separated by commas.",
                section="Product Settings",
            ),
            FieldSpec(
                "activity_log",
                "Activity Log",
                "bool",
                help="Record all synchronization activity.",
                section="Logs",
            ),
            FieldSpec(
                "feed_log",
                "Synchronization Feed Log",
                "bool",
                help="Keep a detailed log of all data exchanges with AliExpress.",
                section="Logs",
            ),
        ),
    ),
}


def _rows(form: Mapping[str, Any], group: str, columns: tuple[Any, ...]) -> list[dict[str, str]]:
    rows: dict[int, dict[str, str]] = {}
    for key in form:
        match = ROW_RE.match(key)
        if match and match["group"] == group:
            rows.setdefault(int(match["index"]), {})[match["field"]] = str(form[key]).strip()
    wanted = [c[0] for c in columns]
    out = []
    for index in sorted(rows):
        row = {name: rows[index].get(name, "") for name in wanted}
        if any(row.values()):
            out.append(row)
    return out


def read_form(type_: str, form: Mapping[str, Any]) -> dict[str, Any]:
    """The posted form as the engine's settings dict (strings are parsed by ``from_dict``)."""
    data: dict[str, Any] = {}
    for spec in FORMS[type_].fields:
        if spec.kind == "bool":
            data[spec.name] = spec.name in form and form.get(spec.name) not in ("", "0")
        elif spec.kind == "schedule":
            data[spec.name] = {
                "enabled": f"{spec.name}.enabled" in form,
                "interval_minutes": str(form.get(f"{spec.name}.interval_minutes", "")).strip(),
            }
        elif spec.kind == "attributes":
            raw = str(form.get(spec.name, ""))
            data[spec.name] = [part for part in re.split(r"[\s,]+", raw) if part]
        elif spec.kind == "rows":
            data[spec.name] = _rows(form, spec.name, spec.columns)
        else:
            value = str(form.get(spec.name, "")).strip()
            data[spec.name] = value if value != "" else None
    return data


def form_values(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Stored settings as the form shows them (rows padded with blank ones to add more)."""
    values = dict(settings)
    for spec_list in FORMS.values():
        for spec in spec_list.fields:
            if spec.kind == "rows" and spec.name in values:
                values[spec.name] = list(values.get(spec.name) or []) + [{}] * EXTRA_ROWS
            if spec.kind == "attributes" and isinstance(values.get(spec.name), list):
                values[spec.name] = ", ".join(values[spec.name])
    return values
