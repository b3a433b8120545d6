"""Every worked example of the manuals (seeds 001, 002, 004), literally."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.policies.factories import gallery, product
from webapp.policies import (
    POLICY_TYPES,
    AssignedTo,
    CustomerMode,
    ImageSettings,
    InventorySettings,
    OrderSettings,
    PolicyStatus,
    PriceChangeMode,
    PricingSettings,
    ProductImage,
    SynchronizationSettings,
    compute_price,
    compute_quantity,
    default_settings,
    select_images,
    status_of,
    validate,
)

# --- seed 002: Aliexpress Product Advanced Price Settings ----------------------------------


def test_seed_002_increase_by_fixed_percentage_100_plus_5_percent_is_105():
    pricing = PricingSettings(change_mode=PriceChangeMode.PERCENTAGE_INCREMENT, amount=Decimal(5))
    assert compute_price(product(price=100), pricing) == Decimal("105")


def test_seed_002_decrease_by_fixed_percentage_100_minus_5_percent_is_95():
    pricing = PricingSettings(change_mode=PriceChangeMode.PERCENTAGE_DECREMENT, amount=Decimal(5))
    assert compute_price(product(price=100), pricing) == Decimal("95")


# The manual names "Increase/Decrease by Fixed Price" ("Modify by Fix Price") without numbers;
# these are its percentage examples with a fixed amount of 5 instead.
def test_seed_002_increase_by_fixed_price_adds_the_amount():
    pricing = PricingSettings(change_mode=PriceChangeMode.FIXED_INCREMENT, amount=Decimal(5))
    assert compute_price(product(price=100), pricing) == Decimal("105")


def test_seed_002_decrease_by_fixed_price_subtracts_the_amount():
    pricing = PricingSettings(change_mode=PriceChangeMode.FIXED_DECREMENT, amount=Decimal(5))
    assert compute_price(product(price=100), pricing) == Decimal("95")


def test_seed_002_order_id_prefix_example_wm_is_valid():
    settings = OrderSettings(order_id_prefix="WM-")
    assert validate(settings) == []
    assert settings.magento_increment_id("8123456789012345") == "WM-8123456789012345"


def test_seed_002_customer_email_for_aliexpress_orders_is_the_fixed_customer_mode():
    settings = OrderSettings(customer_mode=CustomerMode.FIXED, customer_email="owner@example.com")
    assert validate(settings) == []


def test_seed_002_cron_switches_exist_for_orders_status_inventory_and_price():
    settings = SynchronizationSettings()
    assert settings.order_import.enabled
    assert settings.order_status_sync.enabled
    assert settings.inventory_price_sync.enabled


# --- seed 004: Image policy ----------------------------------------------------------------


def test_seed_004_twenty_gallery_images_limited_to_five_counts_the_main_image():
    images = gallery(20)
    selection = select_images(product(images=images), ImageSettings(gallery_image_count=5))
    assert len(selection.urls) == 5
    assert selection.main == images[0].url
    assert selection.urls == tuple(image.url for image in images[:5])


def test_seed_004_main_image_from_custom_marketplace_image_attribute():
    images = (
        ProductImage("https://cdn.example/base.jpg", roles=frozenset({"image", "thumbnail"})),
        ProductImage("https://cdn.example/market.jpg", roles=frozenset({"marketplace_image"})),
    )
    policy = ImageSettings(main_image_attribute="marketplace_image")
    selection = select_images(product(images=images), policy)
    assert selection.main == "https://cdn.example/market.jpg"
    assert selection.gallery == ("https://cdn.example/base.jpg",)


def test_seed_004_default_image_used_when_the_product_has_no_images():
    policy = ImageSettings(default_image="https://cdn.example/placeholder.png")
    selection = select_images(product(images=()), policy)
    assert selection.main == "https://cdn.example/placeholder.png"
    assert selection.gallery == ()
    assert selection.used_default


def test_seed_004_default_image_may_be_an_image_of_the_magento_gallery():
    assert validate(ImageSettings(default_image="/p/l/placeholder.jpg")) == []


# --- seed 004: Inventory policy ------------------------------------------------------------


def test_seed_004_buffer_5_on_18_in_stock_lists_13():
    assert compute_quantity(product(qty=18), InventorySettings(threshold_buffer=5)) == 13


THRESHOLD_EXAMPLE = InventorySettings(
    use_threshold=True, threshold_value=10, quantity_above_threshold=20, quantity_below_threshold=2
)


@pytest.mark.parametrize(
    ("magento_qty", "aliexpress_qty"),
    [
        (11, 20),  # "AliExpress will show 20 until Magento stock falls to 10"
        (15, 20),
        (500, 20),
        (10, 10),  # "then sync 10"
        (9, 2),  # "and finally sync 2 if stock drops to 9"
    ],
)
def test_seed_004_threshold_10_above_20_below_2(magento_qty, aliexpress_qty):
    assert compute_quantity(product(qty=magento_qty), THRESHOLD_EXAMPLE) == aliexpress_qty


def test_seed_004_default_quantity_when_manage_stock_is_no():
    policy = InventorySettings(default_quantity=7)
    assert compute_quantity(product(qty=0, manage_stock=False), policy) == 7


def test_seed_004_default_quantity_when_magento_has_no_stock_figure():
    policy = InventorySettings(default_quantity=7)
    assert compute_quantity(product(qty=None), policy) == 7


def test_seed_004_msi_salable_stock_is_synchronized():
    policy = InventorySettings(use_msi=True, use_salable_stock=True)
    item = product(qty=50, salable_qty=12, source_quantities={"default": 50})
    assert compute_quantity(item, policy) == 12


def test_seed_004_msi_source_stock_is_synchronized():
    policy = InventorySettings(use_msi=True, use_salable_stock=False, source_code="eu_warehouse")
    item = product(qty=50, salable_qty=12, source_quantities={"default": 50, "eu_warehouse": 8})
    assert compute_quantity(item, policy) == 8


# --- seed 004: Pricing policy --------------------------------------------------------------


def test_seed_004_percent_increment_10_increases_all_prices_by_10_percent():
    pricing = PricingSettings(change_mode=PriceChangeMode.PERCENTAGE_INCREMENT, amount=Decimal(10))
    assert compute_price(product(price=100), pricing) == Decimal("110")
    assert compute_price(product(price="24.90"), pricing) == Decimal("27.39")


def test_seed_004_price_attribute_minimum_advertised_price_instead_of_price():
    pricing = PricingSettings(price_attribute="msrp")
    item = product(price=100, attributes={"msrp": "129.99"})
    assert compute_price(item, pricing) == Decimal("129.99")


# --- seed 004: Order policy ----------------------------------------------------------------


def test_seed_004_order_id_prefix_example_aliexp():
    settings = OrderSettings(order_id_prefix="ALIEXP-")
    assert validate(settings) == []
    assert settings.magento_increment_id("000001") == "ALIEXP-000001"


@pytest.mark.parametrize("mode", list(CustomerMode))
def test_seed_004_three_customer_modes(mode):
    settings = OrderSettings(customer_mode=mode, customer_email="buyer@example.com")
    assert validate(settings) == []


# --- seed 004: Synchronization policy ------------------------------------------------------


def test_seed_004_only_color_selected_syncs_color_but_not_size_or_quantity():
    settings = SynchronizationSettings(
        only_specific_attributes=True, specific_attributes=("color",)
    )
    assert validate(settings) == []
    assert settings.triggers_update({"color"})
    assert not settings.triggers_update({"size"})
    assert not settings.triggers_update({"qty"})


def test_seed_004_activity_and_feed_logs_can_be_disabled():
    settings = SynchronizationSettings(activity_log=False, feed_log=False)
    assert validate(settings) == []


# --- seed 004: assignment; seed 001: the five default policies ------------------------------


def test_seed_004_order_and_sync_on_accounts_image_price_inventory_on_templates():
    assigned = {code: kind.assigned_to for code, kind in POLICY_TYPES.items()}
    assert assigned == {
        "image": AssignedTo.LISTING_TEMPLATE,
        "inventory": AssignedTo.LISTING_TEMPLATE,
        "pricing": AssignedTo.LISTING_TEMPLATE,
        "order": AssignedTo.ACCOUNT,
        "synchronization": AssignedTo.ACCOUNT,
    }


@pytest.mark.parametrize(
    ("code", "title"),
    [
        ("image", "Default Image Policy"),
        ("inventory", "Default Inventory Policy"),
        ("pricing", "Default Pricing Policy"),
        ("order", "Default Order Policy"),
        ("synchronization", "Default Synchronization Policy"),
    ],
)
def test_seed_001_default_policies_are_created_valid(code, title):
    settings = default_settings(code)
    assert settings.title == title
    assert POLICY_TYPES[code].default_title == title
    assert status_of(validate(settings)) is PolicyStatus.VALID
