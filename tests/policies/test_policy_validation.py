"""Validation: a policy is VALID only when complete and consistent; messages are for users."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from webapp.policies import (
    CarrierMapping,
    CustomerMode,
    ImageSettings,
    InventorySettings,
    OrderSettings,
    PolicyStatus,
    PriceChangeMode,
    PricingSettings,
    Problem,
    Schedule,
    StatusMapping,
    SynchronizationSettings,
    ValidationContext,
    check,
    status_of,
    validate,
)


def messages(problems: list[Problem]) -> dict[str, str]:
    return {problem.field: problem.message for problem in problems}


THRESHOLD = InventorySettings(
    use_threshold=True, threshold_value=10, quantity_above_threshold=20, quantity_below_threshold=2
)

# --- common --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "settings",
    [
        ImageSettings(),
        InventorySettings(),
        PricingSettings(),
        OrderSettings(),
        SynchronizationSettings(),
    ],
)
def test_title_is_required(settings):
    problems = validate(replace(settings, title="  "))
    assert messages(problems) == {"title": "Title is required."}
    assert status_of(problems) is PolicyStatus.INVALID


def test_validate_rejects_what_is_not_policy_settings():
    with pytest.raises(TypeError):
        validate(object())  # type: ignore[arg-type]


# --- inventory -----------------------------------------------------------------------------


def test_inventory_negative_numbers():
    settings = InventorySettings(
        default_quantity=-1,
        threshold_buffer=-5,
        use_threshold=True,
        threshold_value=-10,
        quantity_above_threshold=-1,
        quantity_below_threshold=-2,
    )
    found = messages(validate(settings))
    assert found["default_quantity"] == "Default quantity cannot be negative."
    assert found["threshold_buffer"] == "Threshold buffer cannot be negative."
    assert found["threshold_value"] == "Threshold value cannot be negative."
    assert found["quantity_above_threshold"] == "Inventory above the threshold cannot be negative."
    assert found["quantity_below_threshold"] == "Inventory below the threshold cannot be negative."


def test_inventory_threshold_rule_needs_all_three_numbers():
    settings = InventorySettings(use_threshold=True)
    assert messages(validate(settings)) == {
        "threshold_value": "Threshold value is required when inventory is set by threshold.",
        "quantity_above_threshold": "Inventory above the threshold is required when inventory is "
        "set by threshold.",
        "quantity_below_threshold": "Inventory below the threshold is required when inventory is "
        "set by threshold.",
    }


def test_inventory_threshold_numbers_not_required_when_rule_is_off():
    assert validate(InventorySettings(use_threshold=False, threshold_value=10)) == []


def test_inventory_below_greater_than_above_is_invalid():
    settings = replace(THRESHOLD, quantity_above_threshold=2, quantity_below_threshold=20)
    assert messages(validate(settings)) == {
        "quantity_below_threshold": "Inventory below the threshold cannot be greater than "
        "inventory above the threshold."
    }


def test_inventory_below_equal_to_above_is_valid():
    settings = replace(THRESHOLD, quantity_above_threshold=5, quantity_below_threshold=5)
    assert validate(settings) == []


def test_inventory_quantities_capped_at_aliexpress_maximum():
    found = messages(validate(InventorySettings(default_quantity=1_000_000)))
    assert found == {"default_quantity": "Default quantity can be at most 999999."}


def test_inventory_msi_source_required_unless_salable_stock():
    settings = InventorySettings(use_msi=True, use_salable_stock=False, source_code="")
    assert messages(validate(settings)) == {
        "source_code": "Source is required when MSI source stock is used."
    }
    assert validate(replace(settings, use_salable_stock=True)) == []


def test_inventory_msi_source_must_exist_when_sources_are_known():
    settings = InventorySettings(use_msi=True, use_salable_stock=False, source_code="eu")
    context = ValidationContext(msi_sources=frozenset({"default", "us"}))
    assert messages(validate(settings, context)) == {
        "source_code": "The store has no inventory source 'eu'."
    }
    assert validate(settings) == []


# --- pricing -------------------------------------------------------------------------------


def test_pricing_percentage_decrement_over_100_is_invalid():
    settings = PricingSettings(
        change_mode=PriceChangeMode.PERCENTAGE_DECREMENT, amount=Decimal(101)
    )
    assert messages(validate(settings)) == {
        "amount": "A percentage decrement cannot be more than 100 %."
    }
    assert validate(replace(settings, amount=Decimal(100))) == []


def test_pricing_percentage_increment_over_100_is_valid():
    settings = PricingSettings(
        change_mode=PriceChangeMode.PERCENTAGE_INCREMENT, amount=Decimal(150)
    )
    assert validate(settings) == []


def test_pricing_negative_amount_is_invalid():
    settings = PricingSettings(change_mode=PriceChangeMode.FIXED_INCREMENT, amount=Decimal(-5))
    assert messages(validate(settings)) == {
        "amount": "Amount cannot be negative; choose a decrement to lower prices."
    }


def test_pricing_amount_required_for_a_change():
    settings = PricingSettings(change_mode=PriceChangeMode.FIXED_DECREMENT, amount=None)
    assert messages(validate(settings)) == {"amount": "Enter the amount to change prices by."}


def test_pricing_amount_precision():
    settings = PricingSettings(
        change_mode=PriceChangeMode.FIXED_INCREMENT, amount=Decimal("1.00001")
    )
    assert messages(validate(settings)) == {"amount": "Amount can have at most 4 decimals."}
    assert validate(replace(settings, amount=Decimal("1.5000000"))) == []


def test_pricing_amount_and_rate_bounds():
    settings = PricingSettings(
        change_mode=PriceChangeMode.FIXED_INCREMENT,
        amount=Decimal("1000001"),
        conversion_rate=Decimal("1.1234567"),
    )
    assert messages(validate(settings)) == {
        "amount": "Amount can be at most 1,000,000.",
        "conversion_rate": "Conversion rate can have at most 6 decimals.",
    }
    assert messages(validate(PricingSettings(conversion_rate=Decimal("1e7")))) == {
        "conversion_rate": "Conversion rate can be at most 1,000,000."
    }


@pytest.mark.parametrize("rate", [Decimal(0), Decimal("-1.2")])
def test_pricing_conversion_rate_must_be_positive(rate):
    assert messages(validate(PricingSettings(conversion_rate=rate))) == {
        "conversion_rate": "Currency conversion rate must be greater than 0."
    }


def test_pricing_price_attribute_required_and_known():
    assert messages(validate(PricingSettings(price_attribute=""))) == {
        "price_attribute": "Price attribute is required."
    }
    assert "price_attribute" in messages(validate(PricingSettings(price_attribute="Bad Code")))
    context = ValidationContext(magento_attributes=frozenset({"price", "special_price"}))
    assert messages(validate(PricingSettings(price_attribute="msrp"), context)) == {
        "price_attribute": "Price attribute: the store has no attribute 'msrp'."
    }


# --- image ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "valid"), [(0, False), (-1, False), (1, True), (6, True), (7, False)]
)
def test_image_gallery_count_between_1_and_6(count, valid):
    problems = validate(ImageSettings(gallery_image_count=count))
    assert (problems == []) is valid
    assert all(problem.field == "gallery_image_count" for problem in problems)


@pytest.mark.parametrize(
    ("reference", "valid"),
    [
        ("https://cdn.example/placeholder.png", True),
        ("http://cdn.example/a.JPG?v=2", True),
        ("/p/l/placeholder.jpeg", True),
        ("uploads/placeholder.jpg", True),
        ("../uploads/placeholder.jpg", False),
        ("ftp://cdn.example/placeholder.jpg", False),
        ("javascript:alert(1).png", False),
        ("https://cdn.example/placeholder.gif", False),
        ("https://cdn.example/my image.jpg", False),
    ],
)
def test_image_default_image_is_a_jpg_or_png_url_or_path(reference, valid):
    problems = validate(ImageSettings(default_image=reference))
    assert (problems == []) is valid


def test_image_main_attribute_required():
    assert messages(validate(ImageSettings(main_image_attribute=""))) == {
        "main_image_attribute": "Main image attribute is required."
    }


# --- order ---------------------------------------------------------------------------------


def test_order_fixed_customer_needs_an_email():
    settings = OrderSettings(customer_mode=CustomerMode.FIXED)
    assert messages(validate(settings)) == {
        "customer_email": "Enter the e-mail of the customer that receives every order."
    }
    assert messages(validate(replace(settings, customer_email="not-an-email"))) == {
        "customer_email": "Enter a valid customer e-mail address."
    }
    assert validate(replace(settings, customer_email="orders@example.com", customer_id=42)) == []


def test_order_guest_mode_needs_no_email():
    assert validate(OrderSettings(customer_mode=CustomerMode.GUEST)) == []


@pytest.mark.parametrize("prefix", ["", "AE-", "ALIEXP_", "ae123"])
def test_order_id_prefix_valid(prefix):
    assert validate(OrderSettings(order_id_prefix=prefix)) == []


def test_order_id_prefix_charset_and_length():
    assert messages(validate(OrderSettings(order_id_prefix="AE #"))) == {
        "order_id_prefix": "Order ID prefix may contain only letters, digits, dashes and "
        "underscores."
    }
    assert messages(validate(OrderSettings(order_id_prefix="A" * 13))) == {
        "order_id_prefix": "Order ID prefix can be at most 12 characters."
    }


def test_order_create_when_must_be_an_aliexpress_status():
    assert messages(validate(OrderSettings(create_order_when="PAID"))) == {
        "create_order_when": "'PAID' is not an AliExpress order status."
    }
    assert messages(validate(OrderSettings(create_order_when=""))) == {
        "create_order_when": "Choose the AliExpress status that creates the order."
    }


def test_order_carrier_mapping_points_at_known_carriers():
    settings = OrderSettings(
        carrier_mappings=(
            CarrierMapping("ups", "UPS", "https://www.ups.com/track?tracknum="),
            CarrierMapping("dhl", "DHL_DE"),
        )
    )
    context = ValidationContext(aliexpress_carriers=frozenset({"UPS", "CPAM"}))
    assert messages(validate(settings, context)) == {
        "carrier_mappings[1].aliexpress_carrier": "AliExpress carrier 'DHL_DE' is not offered by "
        "this account; fetch the onboarding data or choose another carrier."
    }
    assert validate(settings) == []


def test_order_carrier_mapping_magento_side_known_and_unique():
    settings = OrderSettings(
        carrier_mappings=(
            CarrierMapping("ups", "UPS"),
            CarrierMapping("ups", "CPAM"),
            CarrierMapping("x", "UPS"),
        )
    )
    context = ValidationContext(magento_carriers=frozenset({"ups", "flatrate"}))
    assert messages(validate(settings, context)) == {
        "carrier_mappings[1].magento_carrier": "Magento carrier 'ups' is mapped twice.",
        "carrier_mappings[2].magento_carrier": "The store has no carrier 'x'.",
    }


def test_order_carrier_other_needs_a_tracking_url():
    settings = OrderSettings(carrier_mappings=(CarrierMapping("custom", "other"),))
    context = ValidationContext(aliexpress_carriers=frozenset({"UPS"}))
    assert messages(validate(settings, context)) == {
        "carrier_mappings[0].tracking_url": "A tracking URL is required when the AliExpress "
        "carrier is 'other'."
    }
    fixed = OrderSettings(
        carrier_mappings=(CarrierMapping("custom", "other", "https://t.example/"),)
    )
    assert validate(fixed, context) == []


def test_order_carrier_mapping_missing_fields_and_bad_url():
    settings = OrderSettings(carrier_mappings=(CarrierMapping("", "", "ftp://x"),))
    assert messages(validate(settings)) == {
        "carrier_mappings[0].magento_carrier": "Choose the Magento carrier.",
        "carrier_mappings[0].aliexpress_carrier": "Choose the AliExpress carrier.",
        "carrier_mappings[0].tracking_url": "Tracking URL must start with http:// or https://.",
    }


def test_order_status_mapping_uses_known_statuses():
    settings = OrderSettings(
        status_mappings=(
            StatusMapping("WAIT_SELLER_SEND_GOODS", "processing"),
            StatusMapping("SHIPPED", "complete"),
            StatusMapping("WAIT_SELLER_SEND_GOODS", "pending"),
            StatusMapping("FINISH", "done"),
        )
    )
    context = ValidationContext(
        magento_order_statuses=frozenset({"processing", "complete", "pending"})
    )
    assert messages(validate(settings, context)) == {
        "status_mappings[1].aliexpress_status": "'SHIPPED' is not an AliExpress order status.",
        "status_mappings[2].aliexpress_status": "AliExpress status 'WAIT_SELLER_SEND_GOODS' is "
        "mapped twice.",
        "status_mappings[3].magento_status": "The store has no order status 'done'.",
    }


def test_order_statuses_from_context_replace_the_built_in_list():
    context = ValidationContext(aliexpress_order_statuses=frozenset({"WAIT_SELLER_SEND_GOODS"}))
    problems = validate(OrderSettings(), context)
    assert {p.field for p in problems} == {
        "status_mappings[1].aliexpress_status",
        "status_mappings[2].aliexpress_status",
        "status_mappings[3].aliexpress_status",
    }


def test_order_notification_email_format():
    assert messages(validate(OrderSettings(order_notification=True, notification_email="x@"))) == {
        "notification_email": "Enter a valid notification e-mail address."
    }


def test_order_payment_and_shipping_methods_required_when_creating_orders():
    settings = OrderSettings(magento_payment_method="", magento_shipping_method="")
    assert set(messages(validate(settings))) == {
        "magento_payment_method",
        "magento_shipping_method",
    }
    assert validate(replace(settings, create_order_in_magento=False)) == []


# --- synchronization -----------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [0, -5, 1441])
def test_sync_interval_bounds(minutes):
    settings = SynchronizationSettings(product_update=Schedule(True, minutes))
    assert messages(validate(settings)) == {
        "product_update.interval_minutes": "Product update interval must be between 1 and 1440 "
        "minutes."
    }


def test_sync_specific_attributes_required_when_enabled():
    settings = SynchronizationSettings(only_specific_attributes=True)
    assert messages(validate(settings)) == {
        "specific_attributes": "Choose at least one attribute, or turn off specific attribute "
        "syncing."
    }


def test_sync_specific_attribute_codes_checked():
    settings = SynchronizationSettings(
        only_specific_attributes=True, specific_attributes=("color", "Color!", "color", "size")
    )
    context = ValidationContext(magento_attributes=frozenset({"color"}))
    assert messages(validate(settings, context)) == {
        "specific_attributes[1]": "'Color!' is not a Magento attribute code.",
        "specific_attributes[2]": "Attribute 'color' is listed twice.",
        "specific_attributes[3]": "The store has no attribute 'size'.",
    }


# --- check(): reading and validating in one step --------------------------------------------


def test_check_reports_unreadable_values_without_settings():
    settings, problems = check("inventory", {"default_quantity": "lots", "threshold_buffer": "x"})
    assert settings is None
    assert messages(problems) == {
        "default_quantity": "Enter a whole number.",
        "threshold_buffer": "Enter a whole number.",
    }


def test_check_reports_missing_threshold_fields_from_a_form():
    form = {
        "title": "Low stock",
        "use_threshold": "on",
        "threshold_value": "10",
        "quantity_above_threshold": "",
    }
    settings, problems = check("inventory", form)
    assert isinstance(settings, InventorySettings)
    assert {p.field for p in problems} == {"quantity_above_threshold", "quantity_below_threshold"}


def test_check_valid_policy():
    settings, problems = check("pricing", {"change_mode": "percentage_increment", "amount": "10"})
    assert problems == []
    assert settings == PricingSettings(
        change_mode=PriceChangeMode.PERCENTAGE_INCREMENT, amount=Decimal(10)
    )
