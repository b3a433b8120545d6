"""The policy engine: from a Magento product to the values AliExpress gets, per SKU.

Pure functions over plain dataclasses: the Magento mappers build a :class:`MagentoProduct`
(with its :class:`ProductVariant` children for a configurable), the engine applies the image,
pricing and inventory policies, and the sync compares the resulting :class:`ListingValues`
with what was pushed last (see the ``*_fingerprint`` methods).

Quantity (:func:`compute_quantity`), in this order:

1. a disabled product (or a child of a disabled parent) gets 0;
2. a product that does not manage stock, or that Magento gives no stock figure for, gets the
   policy's default quantity as is (seed 004: "Quantity synced to AliExpress if no stock is
   available in Magento or if Manage Stock is No"). "No stock available" is read as "no stock
   figure", not as zero: a sold-out product must not be offered. A product whose stock status
   is "out of stock" gets 0;
3. the stock figure: with MSI, the salable quantity or the quantity of the chosen source (a
   source the product is not assigned to counts as 0); without MSI, the legacy stock item qty.
   Fractional quantities are rounded down;
4. the threshold buffer is kept back for Magento: available = max(0, stock - buffer)
   (seed 004: 18 in stock, buffer 5 -> 13);
5. the threshold rule, on the available quantity, when enabled (see :func:`apply_threshold`);
6. the result is capped at AliExpress' maximum of 999,999 and is never negative.

Callers pass ``None`` for a stock figure only when Magento has none; a product Magento knows
but cannot sell (not assigned to the stock) must be passed as 0.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from enum import IntEnum
from typing import Any

from webapp.policies.base import parse_decimal
from webapp.policies.image import DEFAULT_MAIN_IMAGE_ATTRIBUTE, MAX_GALLERY_IMAGES, ImageSettings
from webapp.policies.inventory import MAX_ALIEXPRESS_QUANTITY, InventorySettings
from webapp.policies.pricing import PricingSettings, apply_pricing
from webapp.policies.synchronization import SynchronizationSettings

CONFIGURABLE = "configurable"
# Magento's value of an image role that has no image.
_NO_SELECTION = "no_selection"


class ProductStatus(IntEnum):
    """Magento's ``status`` attribute values."""

    ENABLED = 1
    DISABLED = 2


class Visibility(IntEnum):
    """Magento's ``visibility`` attribute values."""

    NOT_VISIBLE_INDIVIDUALLY = 1
    CATALOG = 2
    SEARCH = 3
    CATALOG_SEARCH = 4


@dataclass(frozen=True, slots=True)
class ProductImage:
    """One media gallery entry, in gallery order.

    ``url`` is what AliExpress downloads; ``file`` is Magento's media path (``/m/y/my.jpg``),
    used to match image-role attributes that hold a path; ``roles`` are the image roles
    (``image``, ``small_image``, ``thumbnail``, custom ones such as ``marketplace_image``);
    ``is_main`` marks the base image when roles are not given.
    """

    url: str
    is_main: bool = False
    roles: frozenset[str] = frozenset()
    file: str | None = None
    disabled: bool = False

    def has_role(self, role: str) -> bool:
        if role == DEFAULT_MAIN_IMAGE_ATTRIBUTE and self.is_main:
            return True
        return role in self.roles


@dataclass(frozen=True, kw_only=True)
class CatalogItem:
    """What the engine needs of one Magento product or configurable child.

    Stock: ``manage_stock`` and ``in_stock`` from the stock item; ``qty`` the legacy stock item
    quantity; ``source_quantities`` the MSI source items by source code; ``salable_qty`` the
    salable quantity of the selling website's stock. ``None`` means Magento gave no figure.
    """

    sku: str
    price: Decimal
    special_price: Decimal | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    images: tuple[ProductImage, ...] = ()
    status: ProductStatus = ProductStatus.ENABLED
    manage_stock: bool = True
    in_stock: bool = True
    qty: Decimal | int | None = None
    source_quantities: Mapping[str, Decimal | int] | None = None
    salable_qty: Decimal | int | None = None

    @property
    def enabled(self) -> bool:
        return self.status == ProductStatus.ENABLED


@dataclass(frozen=True, kw_only=True)
class ProductVariant(CatalogItem):
    """A child of a configurable product: one AliExpress SKU."""


@dataclass(frozen=True, kw_only=True)
class MagentoProduct(CatalogItem):
    """A Magento product; a configurable one carries its children in ``variants``."""

    type_id: str = "simple"
    visibility: Visibility = Visibility.CATALOG_SEARCH
    variants: tuple[ProductVariant, ...] = ()

    @property
    def is_configurable(self) -> bool:
        return self.type_id == CONFIGURABLE


@dataclass(frozen=True, slots=True)
class ImageSelection:
    """The images for AliExpress: ``main`` first, then ``gallery``; ``urls`` is both in order.

    ``len(urls)`` never exceeds the policy's gallery image count (the main image counts).
    """

    main: str | None
    gallery: tuple[str, ...] = ()
    used_default: bool = False

    @property
    def urls(self) -> tuple[str, ...]:
        return () if self.main is None else (self.main, *self.gallery)


@dataclass(frozen=True, slots=True)
class SkuValues:
    """The AliExpress values of one SKU."""

    sku: str
    price: Decimal
    discount_price: Decimal | None
    quantity: int
    image: str | None = None


@dataclass(frozen=True, slots=True)
class ListingValues:
    """Everything the policies decide for one listing: images and one entry per SKU."""

    sku: str
    images: ImageSelection
    skus: tuple[SkuValues, ...]

    def for_sku(self, sku: str) -> SkuValues | None:
        for values in self.skus:
            if values.sku == sku:
                return values
        return None

    @property
    def prices(self) -> dict[str, Decimal]:
        return {v.sku: v.price for v in self.skus}

    @property
    def quantities(self) -> dict[str, int]:
        return {v.sku: v.quantity for v in self.skus}

    def price_fingerprint(self) -> str:
        return _fingerprint(
            [[v.sku, format(v.price, "f"), _json_decimal(v.discount_price)] for v in self.skus]
        )

    def quantity_fingerprint(self) -> str:
        return _fingerprint([[v.sku, v.quantity] for v in self.skus])

    def images_fingerprint(self) -> str:
        return _fingerprint([list(self.images.urls), [[v.sku, v.image] for v in self.skus]])


def _json_decimal(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _fingerprint(data: Any) -> str:
    encoded = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    return hashlib.sha256(encoded).hexdigest()


# --- price -------------------------------------------------------------------------------


def base_price(item: CatalogItem, price_attribute: str) -> Decimal:
    """The Magento price the policy starts from.

    ``price`` and ``special_price`` come from their fields; any other attribute (``msrp``, a
    custom one) from ``attributes``. When that attribute is empty or not a number the regular
    price is used, so a product missing e.g. its MSRP is still priced.
    """
    if price_attribute == "special_price" and item.special_price is not None:
        return item.special_price
    if price_attribute not in ("price", "special_price"):
        value = parse_decimal(item.attributes.get(price_attribute))
        if value is not None:
            return value
    return _decimal(item.price)


def compute_price(item: CatalogItem, pricing: PricingSettings) -> Decimal:
    """The AliExpress price of a product or variant; never below zero, rounded per policy."""
    return apply_pricing(base_price(item, pricing.price_attribute), pricing)


def compute_discount_price(item: CatalogItem, pricing: PricingSettings) -> Decimal | None:
    """The AliExpress discount price from Magento's special price, when it is a real discount.

    The special price goes through the same change, conversion and rounding as the price. No
    discount when the policy already sends the special price, when there is none, or when it is
    not below the price. Whether the special price is active today is for the caller to decide.
    """
    special = item.special_price
    if special is None or pricing.price_attribute == "special_price":
        return None
    base = base_price(item, pricing.price_attribute)
    if special >= base:
        return None
    discounted = apply_pricing(_decimal(special), pricing)
    return discounted if discounted < apply_pricing(base, pricing) else None


def _decimal(value: Decimal | int | float) -> Decimal:
    parsed = parse_decimal(value)
    return parsed if parsed is not None else Decimal(0)


# --- quantity ----------------------------------------------------------------------------


def stock_figure(item: CatalogItem, inventory: InventorySettings) -> Decimal | None:
    """The Magento quantity the policy reads, or ``None`` when Magento gave none."""
    if inventory.use_msi:
        if inventory.use_salable_stock:
            value: Decimal | int | None = item.salable_qty
        elif item.source_quantities is None:
            value = None
        else:
            value = item.source_quantities.get(inventory.source_code, 0)
    else:
        value = item.qty
    if value is None:
        return None
    return parse_decimal(value)


def apply_threshold(available: int, threshold: int, above: int, below: int) -> int:
    """Seed 004's threshold rule on the quantity available to AliExpress.

    "Threshold = 10, greater than = 20, lesser than = 2 -> AliExpress shows 20 until Magento
    stock falls to 10, then syncs 10, and finally syncs 2 if stock drops to 9":

    * above the threshold (11 and up): the "greater than" quantity (20), even when that is more
      than Magento has - the seller chose to show a steady figure;
    * at the threshold (10): the real quantity (10);
    * below it (9 and down): the "lesser than" quantity (2), but never more than is really
      there, so 1 in stock shows 1 and 0 shows 0 (selling what is not there would oversell).
    """
    if available > threshold:
        return above
    if available == threshold:
        return available
    return min(below, available)


def compute_quantity(
    item: CatalogItem, inventory: InventorySettings, *, parent_enabled: bool = True
) -> int:
    """The AliExpress quantity of a product or variant (see the module docstring)."""
    if not item.enabled or not parent_enabled:
        return 0
    if not item.manage_stock:
        return _cap(inventory.default_quantity)
    if not item.in_stock:
        return 0
    stock = stock_figure(item, inventory)
    if stock is None:
        return _cap(inventory.default_quantity)
    whole = int(stock.to_integral_value(rounding=ROUND_FLOOR))
    available = max(0, whole - max(0, inventory.threshold_buffer))
    threshold = inventory.threshold_value
    above = inventory.quantity_above_threshold
    below = inventory.quantity_below_threshold
    if (
        inventory.use_threshold
        and threshold is not None
        and above is not None
        and below is not None
    ):
        available = apply_threshold(available, threshold, above, below)
    return _cap(available)


def _cap(quantity: int) -> int:
    return min(max(0, quantity), MAX_ALIEXPRESS_QUANTITY)


# --- images ------------------------------------------------------------------------------


def select_images(item: CatalogItem, image_policy: ImageSettings) -> ImageSelection:
    """The main image and the gallery for a product, per the image policy.

    Main image: the first image carrying the policy's main image role; else the image (or the
    path or URL) held by that attribute; else the base image (``image`` role); else the first
    image. Disabled images and duplicates (same URL or media file) are skipped. The gallery
    follows in Magento's order, capped so main + gallery fit the policy's count. With no image
    at all, the policy's default image is the main one. A configurable product with no image of
    its own uses its children's images.
    """
    limit = min(max(1, image_policy.gallery_image_count), MAX_GALLERY_IMAGES)
    images = _usable_images(item.images)
    if not images and isinstance(item, MagentoProduct) and item.is_configurable:
        images = _usable_images(image for child in item.variants for image in child.images)
    main = _main_image(item, images, image_policy.main_image_attribute)
    if main is None:
        if image_policy.default_image:
            return ImageSelection(main=image_policy.default_image, gallery=(), used_default=True)
        return ImageSelection(main=None)
    main_keys = {main.url, *(() if main.file is None else (main.file,))}
    gallery: list[str] = []
    for image in images:
        if len(gallery) >= limit - 1:
            break
        if image.url in main_keys or (image.file is not None and image.file in main_keys):
            continue
        gallery.append(image.url)
    return ImageSelection(main=main.url, gallery=tuple(gallery))


def sku_image(item: CatalogItem, image_policy: ImageSettings) -> str | None:
    """The image of one SKU (AliExpress ``sku_image_url``): the item's own main image, if any."""
    main = _main_image(item, _usable_images(item.images), image_policy.main_image_attribute)
    return None if main is None else main.url


def _usable_images(images: Iterable[ProductImage]) -> list[ProductImage]:
    seen: set[str] = set()
    result: list[ProductImage] = []
    for image in images:
        url = image.url.strip()
        if image.disabled or not url:
            continue
        keys = {url} if image.file is None else {url, image.file}
        if keys & seen:
            continue
        seen |= keys
        result.append(
            image if url == image.url else ProductImage(url, image.is_main, image.roles, image.file)
        )
    return result


def _main_image(
    item: CatalogItem, images: list[ProductImage], attribute: str
) -> ProductImage | None:
    for image in images:
        if image.has_role(attribute):
            return image
    if attribute != DEFAULT_MAIN_IMAGE_ATTRIBUTE:
        value = item.attributes.get(attribute)
        if isinstance(value, str) and value.strip() and value.strip() != _NO_SELECTION:
            reference = value.strip()
            for image in images:
                if reference in (image.url, image.file):
                    return image
            return ProductImage(url=reference, is_main=True, file=reference)
        for image in images:
            if image.has_role(DEFAULT_MAIN_IMAGE_ATTRIBUTE):
                return image
    return images[0] if images else None


# --- listing -----------------------------------------------------------------------------


def sku_items(product: MagentoProduct) -> tuple[CatalogItem, ...]:
    """The items that become AliExpress SKUs: a configurable's children, else the product."""
    if not product.is_configurable:
        return (product,)
    seen: set[str] = set()
    children: list[CatalogItem] = []
    for child in product.variants:
        if child.sku not in seen:
            seen.add(child.sku)
            children.append(child)
    return tuple(children)


def compute_listing_values(
    product: MagentoProduct,
    image_policy: ImageSettings,
    pricing_policy: PricingSettings,
    inventory_policy: InventorySettings,
) -> ListingValues:
    """The AliExpress values of a product: its images and one :class:`SkuValues` per SKU.

    A configurable product yields one entry per child (a configurable without children yields
    none: it cannot be listed); any other product yields one entry, its own.
    """
    entries = []
    for item in sku_items(product):
        is_child = item is not product
        entries.append(
            SkuValues(
                sku=item.sku,
                price=compute_price(item, pricing_policy),
                discount_price=compute_discount_price(item, pricing_policy),
                quantity=compute_quantity(item, inventory_policy, parent_enabled=product.enabled),
                image=sku_image(item, image_policy) if is_child else None,
            )
        )
    return ListingValues(
        sku=product.sku, images=select_images(product, image_policy), skus=tuple(entries)
    )


def is_syncable(product: MagentoProduct, sync_policy: SynchronizationSettings) -> bool:
    """Whether a product may be listed on its own under the synchronization policy.

    "Not Visible Individually" products (usually configurable children) are listed on their own
    only when the policy's switch is on; as children they are synced through their parent.
    """
    if product.visibility == Visibility.NOT_VISIBLE_INDIVIDUALLY:
        return sync_policy.sync_not_visible_individually
    return True
