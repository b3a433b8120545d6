"""Settings: defaults, the type registry, to_dict/from_dict for the JSON column and forms."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from webapp.policies import (
    POLICY_TYPES,
    CarrierMapping,
    CustomerMode,
    ImageSettings,
    InventorySettings,
    MissingProductAction,
    OrderSettings,
    PriceChangeMode,
    PricingSettings,
    Problem,
    Rounding,
    Schedule,
    SettingsError,
    StatusMapping,
    SynchronizationSettings,
    default_settings,
    policy_type,
    settings_from_dict,
)

CUSTOM = {
    "image": ImageSettings(
        title="Marketplace images",
        main_image_attribute="marketplace_image",
        default_image="https://cdn.example/placeholder.png",
        gallery_image_count=5,
    ),
    "inventory": InventorySettings(
        title="Low stock",
        default_quantity=3,
        threshold_buffer=5,
        use_threshold=True,
        threshold_value=10,
        quantity_above_threshold=20,
        quantity_below_threshold=2,
        use_msi=True,
        source_code="eu_warehouse",
        use_salable_stock=False,
    ),
    "pricing": PricingSettings(
        title="Spain +10 %",
        price_attribute="msrp",
        change_mode=PriceChangeMode.PERCENTAGE_INCREMENT,
        amount=Decimal("10.5"),
        conversion_rate=Decimal("0.9214"),
        rounding=Rounding.ENDING_99,
    ),
    "order": OrderSettings(
        title="Orders to one customer",
        create_order_in_magento=True,
        create_order_when="WAIT_SELLER_SEND_GOODS",
        alternate_sku_attribute="aliexpress_sku",
        if_product_not_exist=MissingProductAction.CREATE_PRODUCT_AND_ORDER,
        allow_out_of_stock_or_disabled=True,
        use_magento_taxes=True,
        order_notification=True,
        notification_email="orders@example.com",
        order_id_prefix="ALIEXP-",
        invoice_creation=False,
        shipment_creation=True,
        carrier_mappings=(
            CarrierMapping("ups", "UPS", "https://www.ups.com/track?tracknum={number}"),
            CarrierMapping("custom", "other", "https://track.example/"),
        ),
        customer_mode=CustomerMode.FIXED,
        customer_email="aliexpress@example.com",
        customer_id=17,
        status_mappings=(StatusMapping("WAIT_SELLER_SEND_GOODS", "processing"),),
    ),
    "synchronization": SynchronizationSettings(
        title="Nightly",
        product_upload=Schedule(False, 60),
        product_update=Schedule(True, 120),
        inventory_price_sync=Schedule(True, 5),
        product_assign=Schedule(False, 1440),
        order_import=Schedule(True, 2),
        order_status_sync=Schedule(False, 30),
        sync_not_visible_individually=True,
        only_specific_attributes=True,
        specific_attributes=("color", "size"),
        activity_log=False,
        feed_log=False,
    ),
}


def test_registry_codes_labels_and_classes():
    assert {code: (t.label, t.settings_class) for code, t in POLICY_TYPES.items()} == {
        "image": ("Image Policy", ImageSettings),
        "inventory": ("Inventory Policy", InventorySettings),
        "pricing": ("Pricing Policy", PricingSettings),
        "order": ("Order Policy", OrderSettings),
        "synchronization": ("Synchronization Policy", SynchronizationSettings),
    }
    for code, kind in POLICY_TYPES.items():
        assert kind.code == code
        assert code == kind.settings_class.TYPE_CODE


def test_unknown_type_code():
    with pytest.raises(KeyError, match="unknown policy type"):
        policy_type("shipping")


@pytest.mark.parametrize("code", sorted(POLICY_TYPES))
@pytest.mark.parametrize("which", ["default", "custom"])
def test_round_trip_through_json(code, which):
    settings = default_settings(code) if which == "default" else CUSTOM[code]
    stored = json.loads(json.dumps(settings.to_dict()))
    assert settings_from_dict(code, stored) == settings
    assert settings_from_dict(code, stored).to_dict() == stored


@pytest.mark.parametrize("code", sorted(POLICY_TYPES))
def test_missing_keys_fall_back_to_defaults(code):
    assert settings_from_dict(code, {}) == default_settings(code)
    assert settings_from_dict(code, None) == default_settings(code)


def test_unknown_keys_are_ignored():
    assert ImageSettings.from_dict({"gallery_image_count": 3, "legacy": True}) == ImageSettings(
        gallery_image_count=3
    )


def test_default_values():
    assert ImageSettings() == ImageSettings(
        title="Default Image Policy",
        main_image_attribute="image",
        default_image=None,
        gallery_image_count=6,
    )
    inventory = InventorySettings()
    assert (inventory.default_quantity, inventory.threshold_buffer, inventory.use_threshold) == (
        10,
        0,
        False,
    )
    assert (inventory.use_msi, inventory.source_code, inventory.use_salable_stock) == (
        False,
        "default",
        True,
    )
    pricing = PricingSettings()
    assert (pricing.price_attribute, pricing.change_mode, pricing.amount) == (
        "price",
        PriceChangeMode.NONE,
        None,
    )
    assert (pricing.conversion_rate, pricing.rounding) == (Decimal(1), Rounding.CENTS)
    order = OrderSettings()
    assert order.create_order_when == "WAIT_SELLER_SEND_GOODS"
    assert order.customer_mode is CustomerMode.GUEST
    assert order.if_product_not_exist is MissingProductAction.DO_NOT_CREATE
    sync = SynchronizationSettings()
    assert sync.inventory_price_sync == Schedule(True, 1)


def test_decimals_are_stored_as_strings():
    data = CUSTOM["pricing"].to_dict()
    assert data["amount"] == "10.5"
    assert data["conversion_rate"] == "0.9214"


def test_form_strings_are_read():
    form = {
        "title": " Spain ",
        "change_mode": "percentage_decrement",
        "amount": "5",
        "conversion_rate": "0.92",
        "rounding": "whole",
    }
    assert PricingSettings.from_dict(form) == PricingSettings(
        title="Spain",
        change_mode=PriceChangeMode.PERCENTAGE_DECREMENT,
        amount=Decimal(5),
        conversion_rate=Decimal("0.92"),
        rounding=Rounding.WHOLE,
    )
    inventory = InventorySettings.from_dict(
        {"use_threshold": "on", "threshold_value": "10", "use_msi": "0"}
    )
    assert inventory.use_threshold and inventory.threshold_value == 10 and not inventory.use_msi
    sync = SynchronizationSettings.from_dict({"specific_attributes": "color, size"})
    assert sync.specific_attributes == ("color", "size")


def test_json_numbers_are_read():
    pricing = PricingSettings.from_dict({"amount": 2.5, "conversion_rate": 1})
    assert (pricing.amount, pricing.conversion_rate) == (Decimal("2.5"), Decimal(1))
    assert ImageSettings.from_dict({"gallery_image_count": 5.0}).gallery_image_count == 5


@pytest.mark.parametrize(
    ("alias", "mode"),
    [("percent_increment", PriceChangeMode.PERCENTAGE_INCREMENT), ("", PriceChangeMode.NONE)],
)
def test_change_mode_aliases(alias, mode):
    assert PricingSettings.from_dict({"change_mode": alias}).change_mode is mode


def test_rounding_none_means_cents():
    assert PricingSettings.from_dict({"rounding": "none"}).rounding is Rounding.CENTS


def test_unreadable_values_raise_with_every_problem():
    with pytest.raises(SettingsError) as caught:
        PricingSettings.from_dict(
            {"amount": "five", "conversion_rate": "NaN", "change_mode": "double"}
        )
    assert set(caught.value.problems) == {
        Problem("amount", "Enter a number."),
        Problem("conversion_rate", "Enter a number."),
        Problem(
            "change_mode",
            "Choose one of: none, fixed_increment, fixed_decrement, percentage_increment, "
            "percentage_decrement.",
        ),
    }


def test_unreadable_nested_values_name_their_row():
    data = {
        "carrier_mappings": [{"magento_carrier": "ups", "aliexpress_carrier": 5}, "oops"],
        "product_upload": {"interval_minutes": "soon"},
    }
    with pytest.raises(SettingsError) as order_error:
        OrderSettings.from_dict(data)
    assert {p.field for p in order_error.value.problems} == {
        "carrier_mappings[0].aliexpress_carrier",
        "carrier_mappings[1]",
    }
    with pytest.raises(SettingsError) as sync_error:
        SynchronizationSettings.from_dict(data)
    assert [p.field for p in sync_error.value.problems] == ["product_upload.interval_minutes"]


@pytest.mark.parametrize("value", ["maybe", 2, [True]])
def test_unreadable_booleans(value):
    with pytest.raises(SettingsError, match="Choose yes or no"):
        InventorySettings.from_dict({"use_msi": value})


def test_required_integer_left_blank():
    with pytest.raises(SettingsError) as caught:
        ImageSettings.from_dict({"gallery_image_count": ""})
    assert caught.value.problems == (Problem("gallery_image_count", "This field is required."),)


def test_settings_must_be_a_mapping():
    with pytest.raises(SettingsError):
        ImageSettings.from_dict(["image"])  # type: ignore[arg-type]


def test_problem_round_trip():
    problem = Problem("amount", "Enter a number.")
    assert Problem.from_dict(json.loads(json.dumps(problem.to_dict()))) == problem


def test_order_lookups_both_ways():
    order = CUSTOM["order"]
    assert isinstance(order, OrderSettings)
    assert order.aliexpress_carrier_for("ups") == CarrierMapping(
        "ups", "UPS", "https://www.ups.com/track?tracknum={number}"
    )
    assert order.magento_carrier_for("UPS") is not None
    assert order.aliexpress_carrier_for("fedex") is None
    default = OrderSettings()
    assert default.magento_status_for("FINISH") == "complete"
    assert default.aliexpress_status_for("complete") == "WAIT_BUYER_ACCEPT_GOODS"
    assert default.aliexpress_status_for("canceled") is None


def test_sync_schedule_by_name():
    sync = SynchronizationSettings()
    assert sync.schedule("inventory_price_sync") == Schedule(True, 1)
    with pytest.raises(KeyError):
        sync.schedule("title")
    assert sync.triggers_update({"price"})
    assert not sync.triggers_update(set())
