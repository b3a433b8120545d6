"""The engine: prices, quantities, images and per-SKU listing values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.policies.factories import gallery, product, variant
from webapp.policies import (
    ImageSettings,
    InventorySettings,
    PriceChangeMode,
    PricingSettings,
    ProductImage,
    ProductStatus,
    Rounding,
    SynchronizationSettings,
    Visibility,
    apply_threshold,
    compute_discount_price,
    compute_listing_values,
    compute_price,
    compute_quantity,
    is_syncable,
    round_price,
    select_images,
)

D = Decimal

# --- price ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rounding", "price", "expected"),
    [
        (Rounding.CENTS, "104.275", "104.28"),
        (Rounding.CENTS, "104.274", "104.27"),
        (Rounding.WHOLE, "104.50", "105.00"),
        (Rounding.WHOLE, "104.49", "104.00"),
        (Rounding.ENDING_99, "104.00", "104.99"),
        (Rounding.ENDING_99, "104.50", "104.99"),
        (Rounding.ENDING_99, "104.99", "104.99"),
        (Rounding.ENDING_99, "104.995", "105.99"),
        (Rounding.ENDING_99, "0.10", "0.99"),
        (Rounding.ENDING_99, "0", "0.00"),
        (Rounding.CENTS, "-3", "0.00"),
    ],
)
def test_round_price(rounding, price, expected):
    assert round_price(D(price), rounding) == D(expected)


def test_price_change_then_conversion_then_rounding():
    pricing = PricingSettings(
        change_mode=PriceChangeMode.FIXED_INCREMENT,
        amount=D(10),
        conversion_rate=D("0.5"),
        rounding=Rounding.ENDING_99,
    )
    # (100 + 10) x 0.5 = 55 -> 55.99
    assert compute_price(product(price=100), pricing) == D("55.99")


def test_fixed_decrement_never_below_zero():
    pricing = PricingSettings(change_mode=PriceChangeMode.FIXED_DECREMENT, amount=D(150))
    assert compute_price(product(price=100), pricing) == D(0)


def test_percentage_decrement_100_is_free():
    pricing = PricingSettings(change_mode=PriceChangeMode.PERCENTAGE_DECREMENT, amount=D(100))
    assert compute_price(product(price=100), pricing) == D(0)


def test_price_attribute_missing_falls_back_to_price():
    pricing = PricingSettings(price_attribute="msrp")
    assert compute_price(product(price=100, attributes={}), pricing) == D(100)
    assert compute_price(product(price=100, attributes={"msrp": ""}), pricing) == D(100)


def test_price_attribute_special_price():
    pricing = PricingSettings(price_attribute="special_price")
    assert compute_price(product(price=100, special_price=D(80)), pricing) == D(80)
    assert compute_price(product(price=100), pricing) == D(100)


def test_discount_price_from_special_price():
    pricing = PricingSettings(change_mode=PriceChangeMode.PERCENTAGE_INCREMENT, amount=D(10))
    item = product(price=100, special_price=D(80))
    assert compute_price(item, pricing) == D(110)
    assert compute_discount_price(item, pricing) == D(88)


def test_no_discount_when_special_price_is_not_lower():
    pricing = PricingSettings()
    assert compute_discount_price(product(price=100), pricing) is None
    assert compute_discount_price(product(price=100, special_price=D(100)), pricing) is None
    assert compute_discount_price(product(price=100, special_price=D(120)), pricing) is None
    # Rounded to the same whole number: not a discount on AliExpress.
    whole = PricingSettings(rounding=Rounding.WHOLE)
    assert compute_discount_price(product(price="100.2", special_price=D("99.9")), whole) is None


# --- quantity ------------------------------------------------------------------------------


def test_disabled_product_gets_zero():
    item = product(qty=50, status=ProductStatus.DISABLED)
    assert compute_quantity(item, InventorySettings()) == 0
    assert compute_quantity(item, InventorySettings(default_quantity=5)) == 0


def test_disabled_parent_makes_children_zero():
    assert compute_quantity(variant("C-1", qty=50), InventorySettings(), parent_enabled=False) == 0


def test_out_of_stock_status_gets_zero():
    assert compute_quantity(product(qty=50, in_stock=False), InventorySettings()) == 0


def test_buffer_larger_than_stock_gives_zero():
    assert compute_quantity(product(qty=3), InventorySettings(threshold_buffer=5)) == 0


def test_fractional_quantities_round_down():
    assert compute_quantity(product(qty=D("4.7")), InventorySettings()) == 4


def test_negative_magento_quantity_gives_zero():
    assert compute_quantity(product(qty=-2), InventorySettings()) == 0


def test_quantity_capped_at_aliexpress_maximum():
    assert compute_quantity(product(qty=5_000_000), InventorySettings()) == 999_999


def test_msi_source_not_assigned_is_zero_but_no_source_data_is_default():
    policy = InventorySettings(
        use_msi=True, use_salable_stock=False, source_code="eu", default_quantity=4
    )
    assert compute_quantity(product(source_quantities={"default": 9}), policy) == 0
    assert compute_quantity(product(source_quantities=None), policy) == 4


def test_msi_salable_missing_uses_default_quantity():
    policy = InventorySettings(use_msi=True, default_quantity=4)
    assert compute_quantity(product(qty=50, salable_qty=None), policy) == 4
    assert compute_quantity(product(qty=50, salable_qty=0), policy) == 0


def test_buffer_applies_before_the_threshold():
    policy = InventorySettings(
        threshold_buffer=5,
        use_threshold=True,
        threshold_value=10,
        quantity_above_threshold=20,
        quantity_below_threshold=2,
    )
    # 16 - 5 = 11 > 10 -> 20; 15 - 5 = 10 -> 10; 14 - 5 = 9 -> 2
    assert [compute_quantity(product(qty=q), policy) for q in (16, 15, 14)] == [20, 10, 2]


@pytest.mark.parametrize(
    ("available", "expected"), [(11, 20), (10, 10), (9, 2), (2, 2), (1, 1), (0, 0)]
)
def test_threshold_rule_below_never_offers_more_than_available(available, expected):
    assert apply_threshold(available, 10, 20, 2) == expected


def test_incomplete_threshold_rule_is_skipped():
    policy = InventorySettings(use_threshold=True, threshold_value=10, quantity_above_threshold=20)
    assert compute_quantity(product(qty=50), policy) == 50


# --- images --------------------------------------------------------------------------------


def test_main_image_is_the_marked_one_even_when_not_first():
    images = gallery(4, main_index=2)
    selection = select_images(product(images=images), ImageSettings(gallery_image_count=3))
    assert selection.main == images[2].url
    assert selection.gallery == (images[0].url, images[1].url)


def test_is_main_flag_marks_the_main_image():
    images = (
        ProductImage("https://cdn.example/a.jpg"),
        ProductImage("https://cdn.example/b.jpg", is_main=True),
    )
    assert select_images(product(images=images), ImageSettings()).urls == (
        "https://cdn.example/b.jpg",
        "https://cdn.example/a.jpg",
    )


def test_first_image_when_none_is_marked():
    images = (ProductImage("https://cdn.example/a.jpg"), ProductImage("https://cdn.example/b.jpg"))
    assert (
        select_images(product(images=images), ImageSettings()).main == "https://cdn.example/a.jpg"
    )


def test_duplicates_and_disabled_images_are_skipped():
    images = (
        ProductImage("https://cdn.example/a.jpg", is_main=True),
        ProductImage("https://cdn.example/a.jpg"),
        ProductImage("https://cdn.example/hidden.jpg", disabled=True),
        ProductImage("https://cdn.example/b.jpg", file="/b/b.jpg"),
        ProductImage("https://cdn2.example/b.jpg", file="/b/b.jpg"),
        ProductImage(" "),
        ProductImage("https://cdn.example/c.jpg"),
    )
    assert select_images(product(images=images), ImageSettings()).urls == (
        "https://cdn.example/a.jpg",
        "https://cdn.example/b.jpg",
        "https://cdn.example/c.jpg",
    )


def test_main_image_attribute_holding_a_gallery_path():
    images = gallery(3)
    policy = ImageSettings(main_image_attribute="marketplace_image")
    item = product(images=images, attributes={"marketplace_image": images[1].file})
    selection = select_images(item, policy)
    assert selection.urls == (images[1].url, images[0].url, images[2].url)


def test_main_image_attribute_holding_an_outside_url():
    images = gallery(2)
    policy = ImageSettings(main_image_attribute="marketplace_image", gallery_image_count=2)
    item = product(images=images, attributes={"marketplace_image": "https://other.example/m.jpg"})
    assert select_images(item, policy).urls == ("https://other.example/m.jpg", images[0].url)


def test_main_image_attribute_empty_falls_back_to_base_image():
    images = gallery(3, main_index=1)
    policy = ImageSettings(main_image_attribute="marketplace_image")
    item = product(images=images, attributes={"marketplace_image": "no_selection"})
    assert select_images(item, policy).main == images[1].url


def test_no_images_and_no_default_image():
    selection = select_images(product(images=()), ImageSettings())
    assert selection.main is None
    assert selection.urls == ()
    assert not selection.used_default


def test_gallery_count_one_sends_only_the_main_image():
    assert (
        len(select_images(product(images=gallery(5)), ImageSettings(gallery_image_count=1)).urls)
        == 1
    )


def test_configurable_without_own_images_uses_childrens():
    parent = product(
        "PARENT",
        type_id="configurable",
        images=(),
        variants=(
            variant("C-1", images=gallery(2, prefix="red")),
            variant("C-2", images=gallery(2, prefix="blue")),
        ),
    )
    selection = select_images(parent, ImageSettings(gallery_image_count=3))
    assert selection.urls == (
        "https://cdn.example/red0.jpg",
        "https://cdn.example/red1.jpg",
        "https://cdn.example/blue0.jpg",
    )


# --- listing values ------------------------------------------------------------------------


PRICING = PricingSettings(change_mode=PriceChangeMode.PERCENTAGE_INCREMENT, amount=D(5))
INVENTORY = InventorySettings(threshold_buffer=5)
IMAGES = ImageSettings(gallery_image_count=5)


def test_simple_product_gives_one_sku():
    item = product("SIMPLE-1", price=100, qty=18, images=gallery(20))
    values = compute_listing_values(item, IMAGES, PRICING, INVENTORY)
    assert values.sku == "SIMPLE-1"
    assert len(values.skus) == 1
    entry = values.skus[0]
    assert (entry.sku, entry.price, entry.quantity, entry.discount_price) == (
        "SIMPLE-1",
        D(105),
        13,
        None,
    )
    assert len(values.images.urls) == 5


def test_configurable_gives_one_sku_per_child():
    parent = product(
        "TSHIRT",
        type_id="configurable",
        price=0,
        images=gallery(3),
        variants=(
            variant("TSHIRT-RED", price=100, qty=18, images=gallery(1, prefix="red")),
            variant("TSHIRT-BLUE", price=200, qty=3, special_price=D(150)),
            variant("TSHIRT-GREEN", price=100, qty=50, status=ProductStatus.DISABLED),
            variant("TSHIRT-RED", price=999, qty=999),
        ),
    )
    values = compute_listing_values(parent, IMAGES, PRICING, INVENTORY)
    assert [v.sku for v in values.skus] == ["TSHIRT-RED", "TSHIRT-BLUE", "TSHIRT-GREEN"]
    assert values.prices == {"TSHIRT-RED": D(105), "TSHIRT-BLUE": D(210), "TSHIRT-GREEN": D(105)}
    assert values.quantities == {"TSHIRT-RED": 13, "TSHIRT-BLUE": 0, "TSHIRT-GREEN": 0}
    blue = values.for_sku("TSHIRT-BLUE")
    assert blue is not None and blue.discount_price == D("157.50")
    red = values.for_sku("TSHIRT-RED")
    assert red is not None and red.image == "https://cdn.example/red0.jpg"
    assert values.for_sku("NOPE") is None
    assert values.images.main == "https://cdn.example/img0.jpg"


def test_disabled_configurable_parent_zeroes_every_child():
    parent = product(
        "P",
        type_id="configurable",
        status=ProductStatus.DISABLED,
        variants=(variant("P-1", qty=40),),
    )
    assert compute_listing_values(parent, IMAGES, PRICING, INVENTORY).quantities == {"P-1": 0}


def test_configurable_without_children_has_no_skus():
    parent = product("P", type_id="configurable")
    assert compute_listing_values(parent, IMAGES, PRICING, INVENTORY).skus == ()


def test_fingerprints_change_only_with_their_aspect():
    item = product("S", price=100, qty=18, images=gallery(2))
    before = compute_listing_values(item, IMAGES, PRICING, INVENTORY)
    restocked = compute_listing_values(
        product("S", price=100, qty=30, images=gallery(2)), IMAGES, PRICING, INVENTORY
    )
    assert restocked.price_fingerprint() == before.price_fingerprint()
    assert restocked.images_fingerprint() == before.images_fingerprint()
    assert restocked.quantity_fingerprint() != before.quantity_fingerprint()
    repriced = compute_listing_values(
        product("S", price=101, qty=18, images=gallery(2)), IMAGES, PRICING, INVENTORY
    )
    assert repriced.price_fingerprint() != before.price_fingerprint()
    assert repriced.quantity_fingerprint() == before.quantity_fingerprint()


def test_not_visible_individually_needs_the_sync_switch():
    hidden = product(visibility=Visibility.NOT_VISIBLE_INDIVIDUALLY)
    assert not is_syncable(hidden, SynchronizationSettings())
    assert is_syncable(hidden, SynchronizationSettings(sync_not_visible_individually=True))
    assert is_syncable(product(), SynchronizationSettings())
