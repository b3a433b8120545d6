"""Pricing policy: which Magento price is sent and how it is changed on the way.

The price is computed in this order (see :func:`apply_pricing`):

1. the base price from the price attribute (``price`` by default; e.g. ``msrp``);
2. the price change of seed 002, in the store's currency: fixed increment / decrement adds or
   subtracts ``amount``; percentage increment / decrement adds or subtracts ``amount`` % of the
   base ("Magento Price = 100, increase by 5 % -> 105", "decrease by 5 % -> 95");
3. the currency conversion rate (AliExpress price = changed price x rate);
4. rounding, never below zero.

Rounding choices (AliExpress takes prices with at most two decimals, so every choice ends on
whole cents; "none" is read as ``cents``):

* ``cents``: round half up to two decimals (104.275 -> 104.28);
* ``whole``: round half up to a whole number (104.50 -> 105, 104.49 -> 104);
* ``ending_99``: the smallest price ending in .99 that is not below the cent-rounded price
  (104.00 -> 104.99, 104.50 -> 104.99, 104.99 -> 104.99); it never lowers the price. Zero stays
  zero.

Every choice is idempotent: rounding a rounded price changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any, ClassVar

from webapp.policies.base import (
    EMPTY_CONTEXT,
    Problem,
    Reader,
    ValidationContext,
    check_attribute_code,
    check_title,
    decimal_to_json,
)

# Bounds that keep every computation well inside Decimal's default 28-digit precision.
MAX_AMOUNT = Decimal(1_000_000)
MAX_CONVERSION_RATE = Decimal(1_000_000)
CENT = Decimal("0.01")
ONE = Decimal(1)
HUNDRED = Decimal(100)


class PriceChangeMode(StrEnum):
    NONE = "none"
    FIXED_INCREMENT = "fixed_increment"
    FIXED_DECREMENT = "fixed_decrement"
    PERCENTAGE_INCREMENT = "percentage_increment"
    PERCENTAGE_DECREMENT = "percentage_decrement"

    @property
    def label(self) -> str:
        return _CHANGE_LABELS[self]

    @property
    def is_percentage(self) -> bool:
        return self in (PriceChangeMode.PERCENTAGE_INCREMENT, PriceChangeMode.PERCENTAGE_DECREMENT)


_CHANGE_LABELS = {
    PriceChangeMode.NONE: "No change",
    PriceChangeMode.FIXED_INCREMENT: "Increase by fixed amount",
    PriceChangeMode.FIXED_DECREMENT: "Decrease by fixed amount",
    PriceChangeMode.PERCENTAGE_INCREMENT: "Increase by percentage",
    PriceChangeMode.PERCENTAGE_DECREMENT: "Decrease by percentage",
}

# Spellings seen in the manuals and older stored settings.
_CHANGE_ALIASES = {
    "": PriceChangeMode.NONE,
    "percent_increment": PriceChangeMode.PERCENTAGE_INCREMENT,
    "percent_decrement": PriceChangeMode.PERCENTAGE_DECREMENT,
    "fixed_percentage_increment": PriceChangeMode.PERCENTAGE_INCREMENT,
    "fixed_percentage_decrement": PriceChangeMode.PERCENTAGE_DECREMENT,
}


class Rounding(StrEnum):
    CENTS = "cents"
    WHOLE = "whole"
    ENDING_99 = "ending_99"

    @property
    def label(self) -> str:
        return _ROUNDING_LABELS[self]


_ROUNDING_LABELS = {
    Rounding.CENTS: "Round to 2 decimals",
    Rounding.WHOLE: "Round to a whole number",
    Rounding.ENDING_99: "Round up to .99",
}

_ROUNDING_ALIASES = {"": Rounding.CENTS, "none": Rounding.CENTS, "two_decimals": Rounding.CENTS}


@dataclass(frozen=True, slots=True)
class PricingSettings:
    """Settings of a pricing policy; the defaults are the "Default Pricing Policy" (price as is)."""

    TYPE_CODE: ClassVar[str] = "pricing"

    title: str = "Default Pricing Policy"
    price_attribute: str = "price"
    change_mode: PriceChangeMode = PriceChangeMode.NONE
    amount: Decimal | None = None
    conversion_rate: Decimal = ONE
    rounding: Rounding = Rounding.CENTS

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> PricingSettings:
        read = Reader(data)
        d = cls()
        settings = cls(
            title=read.text("title", d.title),
            price_attribute=read.text("price_attribute", d.price_attribute),
            change_mode=read.choice("change_mode", PriceChangeMode, d.change_mode, _CHANGE_ALIASES),
            amount=read.opt_number("amount", d.amount),
            conversion_rate=read.number("conversion_rate", d.conversion_rate),
            rounding=read.choice("rounding", Rounding, d.rounding, _ROUNDING_ALIASES),
        )
        read.finish()
        return settings

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "price_attribute": self.price_attribute,
            "change_mode": self.change_mode.value,
            "amount": decimal_to_json(self.amount),
            "conversion_rate": decimal_to_json(self.conversion_rate),
            "rounding": self.rounding.value,
        }

    def validate(self, context: ValidationContext | None = None) -> list[Problem]:
        return validate_pricing(self, context)


def validate_pricing(
    settings: PricingSettings, context: ValidationContext | None = None
) -> list[Problem]:
    context = context or EMPTY_CONTEXT
    problems: list[Problem] = []
    check_title(problems, settings.title)
    check_attribute_code(
        problems, "price_attribute", settings.price_attribute, "Price attribute", context
    )
    amount = settings.amount
    if settings.change_mode is not PriceChangeMode.NONE:
        if amount is None:
            problems.append(Problem("amount", "Enter the amount to change prices by."))
        elif amount < 0:
            problems.append(
                Problem("amount", "Amount cannot be negative; choose a decrement to lower prices.")
            )
        elif amount > MAX_AMOUNT:
            problems.append(Problem("amount", f"Amount can be at most {MAX_AMOUNT:,}."))
        elif settings.change_mode is PriceChangeMode.PERCENTAGE_DECREMENT and amount > HUNDRED:
            problems.append(Problem("amount", "A percentage decrement cannot be more than 100 %."))
        elif _decimals(amount) > 4:
            problems.append(Problem("amount", "Amount can have at most 4 decimals."))
    elif amount is not None and amount < 0:
        problems.append(Problem("amount", "Amount cannot be negative."))
    rate = settings.conversion_rate
    if rate <= 0:
        problems.append(
            Problem("conversion_rate", "Currency conversion rate must be greater than 0.")
        )
    elif rate > MAX_CONVERSION_RATE:
        problems.append(
            Problem("conversion_rate", f"Conversion rate can be at most {MAX_CONVERSION_RATE:,}.")
        )
    elif _decimals(rate) > 6:
        problems.append(Problem("conversion_rate", "Conversion rate can have at most 6 decimals."))
    return problems


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def apply_change(base: Decimal, mode: PriceChangeMode, amount: Decimal | None) -> Decimal:
    """The base price after the policy's increment or decrement, before conversion and rounding."""
    if mode is PriceChangeMode.NONE or amount is None:
        return base
    if mode is PriceChangeMode.FIXED_INCREMENT:
        return base + amount
    if mode is PriceChangeMode.FIXED_DECREMENT:
        return base - amount
    if mode is PriceChangeMode.PERCENTAGE_INCREMENT:
        return base + base * amount / HUNDRED
    return base - base * amount / HUNDRED


def round_price(price: Decimal, rounding: Rounding) -> Decimal:
    """Round a price as the policy says; negative prices become zero."""
    if price <= 0:
        return Decimal("0.00")
    cents = price.quantize(CENT, rounding=ROUND_HALF_UP)
    if rounding is Rounding.WHOLE:
        # From the raw price: 0.495 is nearer 0 than 1, though its cents round to 0.50.
        return price.quantize(ONE, rounding=ROUND_HALF_UP).quantize(CENT)
    if rounding is Rounding.ENDING_99 and cents > 0:
        # The smallest x.99 that is >= cents: ceil(cents + 0.01) - 0.01.
        return (cents + CENT).to_integral_value(rounding=ROUND_CEILING) - CENT
    return cents


def apply_pricing(base: Decimal, settings: PricingSettings) -> Decimal:
    """The AliExpress price for a Magento base price under ``settings``."""
    changed = apply_change(base, settings.change_mode, settings.amount)
    return round_price(changed * settings.conversion_rate, settings.rounding)
