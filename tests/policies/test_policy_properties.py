"""Property tests: what must hold for every product and every policy."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.policies.factories import product
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
    ProductImage,
    ProductStatus,
    Rounding,
    Schedule,
    StatusMapping,
    SynchronizationSettings,
    apply_threshold,
    compute_price,
    compute_quantity,
    round_price,
    select_images,
    settings_from_dict,
)

# No example database: the suite must not leave files behind.
PROPERTY = settings(database=None, deadline=None, max_examples=300)

quantities = st.integers(min_value=0, max_value=10_000)
maybe_quantities = st.none() | quantities
stock = st.none() | st.decimals(
    min_value=-50, max_value=2_000_000, places=2, allow_nan=False, allow_infinity=False
)
money = st.decimals(
    min_value=0, max_value=1_000_000, places=4, allow_nan=False, allow_infinity=False
)
any_money = st.decimals(
    min_value=-1_000, max_value=1_000_000, places=6, allow_nan=False, allow_infinity=False
)
text = st.text(alphabet=st.characters(codec="utf-8"), max_size=20).map(str.strip)
# Optional text fields read a blank as "not set".
optional_text = st.none() | text.filter(bool)
codes = st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True)

inventory_policies = st.builds(
    InventorySettings,
    default_quantity=st.integers(min_value=-10, max_value=2_000_000),
    threshold_buffer=st.integers(min_value=-10, max_value=1_000),
    use_threshold=st.booleans(),
    threshold_value=maybe_quantities,
    quantity_above_threshold=maybe_quantities,
    quantity_below_threshold=maybe_quantities,
    use_msi=st.booleans(),
    source_code=st.sampled_from(["default", "eu"]),
    use_salable_stock=st.booleans(),
)
pricing_policies = st.builds(
    PricingSettings,
    title=text,
    price_attribute=codes,
    change_mode=st.sampled_from(PriceChangeMode),
    amount=st.none() | any_money,
    conversion_rate=st.decimals(min_value=Decimal("0.0001"), max_value=1000, places=4),
    rounding=st.sampled_from(Rounding),
)
image_policies = st.builds(
    ImageSettings,
    title=text,
    main_image_attribute=codes,
    default_image=st.none() | st.just("https://cdn.example/default.png"),
    gallery_image_count=st.integers(min_value=-2, max_value=10),
)
schedules = st.builds(Schedule, enabled=st.booleans(), interval_minutes=st.integers(-5, 2000))
order_policies = st.builds(
    OrderSettings,
    title=text,
    create_order_in_magento=st.booleans(),
    create_order_when=st.sampled_from(["WAIT_SELLER_SEND_GOODS", "FINISH"]),
    alternate_sku_attribute=st.none() | codes,
    if_product_not_exist=st.sampled_from(MissingProductAction),
    order_notification=st.booleans(),
    notification_email=st.none() | st.emails(),
    order_id_prefix=text,
    carrier_mappings=st.lists(
        st.builds(
            CarrierMapping,
            magento_carrier=codes,
            aliexpress_carrier=text,
            tracking_url=optional_text,
        )
    ).map(tuple),
    customer_mode=st.sampled_from(CustomerMode),
    customer_email=st.none() | st.emails(),
    customer_id=st.none() | st.integers(-5, 10**9),
    status_mappings=st.lists(
        st.builds(StatusMapping, aliexpress_status=text, magento_status=text)
    ).map(tuple),
)
sync_policies = st.builds(
    SynchronizationSettings,
    title=text,
    product_upload=schedules,
    product_update=schedules,
    inventory_price_sync=schedules,
    product_assign=schedules,
    order_import=schedules,
    order_status_sync=schedules,
    sync_not_visible_individually=st.booleans(),
    only_specific_attributes=st.booleans(),
    specific_attributes=st.lists(codes, max_size=5).map(tuple),
    activity_log=st.booleans(),
    feed_log=st.booleans(),
)
any_policy = st.one_of(
    inventory_policies, pricing_policies, image_policies, order_policies, sync_policies
)


def stock_items():
    return st.builds(
        lambda qty, salable, sources, managed, in_stock, enabled: product(
            qty=qty,
            salable_qty=salable,
            source_quantities=sources,
            manage_stock=managed,
            in_stock=in_stock,
            status=ProductStatus.ENABLED if enabled else ProductStatus.DISABLED,
        ),
        stock,
        stock,
        st.none()
        | st.dictionaries(
            st.sampled_from(["default", "eu"]), stock.filter(lambda v: v is not None)
        ),
        st.booleans(),
        st.booleans(),
        st.booleans(),
    )


def sellable(item, policy: InventorySettings) -> int | None:
    """What Magento can sell after the buffer, or None when the default quantity applies."""
    if policy.use_msi:
        if policy.use_salable_stock:
            figure = item.salable_qty
        else:
            figure = (
                None
                if item.source_quantities is None
                else item.source_quantities.get(policy.source_code, 0)
            )
    else:
        figure = item.qty
    if figure is None:
        return None
    return max(0, int(Decimal(figure) // 1) - max(0, policy.threshold_buffer))


@PROPERTY
@given(stock_items(), inventory_policies)
def test_quantity_is_never_negative_nor_above_the_aliexpress_maximum(item, policy):
    assert 0 <= compute_quantity(item, policy) <= 999_999


@PROPERTY
@given(stock_items(), inventory_policies)
def test_quantity_never_exceeds_what_magento_can_sell_unless_the_threshold_rule_says_so(
    item, policy
):
    result = compute_quantity(item, policy)
    if not item.enabled or (item.manage_stock and not item.in_stock):
        assert result == 0
        return
    available = sellable(item, policy)
    if not item.manage_stock or available is None:
        assert result == min(max(0, policy.default_quantity), 999_999)
        return
    rule = policy.use_threshold and None not in (
        policy.threshold_value,
        policy.quantity_above_threshold,
        policy.quantity_below_threshold,
    )
    if rule and available > policy.threshold_value:
        assert result == min(policy.quantity_above_threshold, 999_999)
    else:
        assert result <= available


@PROPERTY
@given(quantities, quantities, quantities, quantities)
def test_threshold_rule_is_monotonic_when_the_policy_is_valid(available, threshold, above, below):
    below = min(below, above)
    if above < threshold:
        above = threshold
    results = [
        apply_threshold(q, threshold, above, below)
        for q in range(max(0, available - 3), available + 3)
    ]
    assert results == sorted(results)


@PROPERTY
@given(any_money, pricing_policies)
def test_price_is_never_below_zero_and_has_whole_cents(price, policy):
    result = compute_price(product(price=price), policy)
    assert result >= 0
    assert result == result.quantize(Decimal("0.01"))


@PROPERTY
@given(any_money, st.sampled_from(Rounding))
def test_rounding_is_idempotent(price, rounding):
    once = round_price(price, rounding)
    assert round_price(once, rounding) == once


@PROPERTY
@given(money.filter(lambda p: p >= Decimal("0.005")))
def test_rounding_stays_close(price):
    cents = round_price(price, Rounding.CENTS)
    assert abs(cents - price) <= Decimal("0.005")
    assert abs(round_price(price, Rounding.WHOLE) - price) <= Decimal("0.5")
    ending = round_price(price, Rounding.ENDING_99)
    assert cents <= ending < cents + 1
    assert ending % 1 == Decimal("0.99")


@PROPERTY
@given(money, st.decimals(min_value=0, max_value=100, places=2))
def test_increments_never_lower_and_decrements_never_raise(price, amount):
    item = product(price=price)
    base = compute_price(item, PricingSettings())
    for mode in (PriceChangeMode.FIXED_INCREMENT, PriceChangeMode.PERCENTAGE_INCREMENT):
        assert compute_price(item, PricingSettings(change_mode=mode, amount=amount)) >= base
    for mode in (PriceChangeMode.FIXED_DECREMENT, PriceChangeMode.PERCENTAGE_DECREMENT):
        assert compute_price(item, PricingSettings(change_mode=mode, amount=amount)) <= base


@PROPERTY
@given(st.integers(0, 30), st.integers(0, 30), image_policies)
def test_image_selection_respects_the_count_and_never_repeats(count, duplicates, policy):
    images = tuple(
        ProductImage(f"https://cdn.example/{n % max(1, count - duplicates)}.jpg")
        for n in range(count)
    )
    selection = select_images(product(images=images), policy)
    limit = min(max(1, policy.gallery_image_count), 6)
    assert len(selection.urls) <= limit
    assert len(set(selection.urls)) == len(selection.urls)
    if images:
        assert selection.main == images[0].url
    else:
        assert selection.main == policy.default_image


@PROPERTY
@given(any_policy)
def test_to_dict_from_dict_round_trip(policy):
    stored = json.loads(json.dumps(policy.to_dict()))
    code = policy.TYPE_CODE
    assert code in POLICY_TYPES
    assert settings_from_dict(code, stored) == policy
