"""Inventory policy: how a Magento stock figure becomes an AliExpress quantity.

Seed 004 fields: default quantity (sent when Magento has no stock figure or does not manage
stock), threshold buffer (kept back for Magento: 18 in stock, buffer 5 -> 13 listed), the
threshold rule (threshold value, quantity above, quantity below) and the MSI settings (use MSI,
source, salable stock). The rule itself is applied in :mod:`webapp.policies.engine`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from webapp.policies.base import (
    EMPTY_CONTEXT,
    Problem,
    Reader,
    ValidationContext,
    check_non_negative,
    check_title,
)

# AliExpress SKU stock is 0..999999 (``inventory`` of product.post accepts 1-999999; stock
# updates accept 0 to take a SKU off sale).
MAX_ALIEXPRESS_QUANTITY = 999_999
DEFAULT_SOURCE_CODE = "default"
# Magento source codes: letters, digits, dashes and underscores.
_SOURCE_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")


@dataclass(frozen=True, slots=True)
class InventorySettings:
    """Settings of an inventory policy; the defaults are the "Default Inventory Policy".

    ``default_quantity`` is a choice of ours (the seeds give no number): 10 keeps products that
    do not manage stock on sale without offering an unlimited amount.
    """

    TYPE_CODE: ClassVar[str] = "inventory"

    title: str = "Default Inventory Policy"
    default_quantity: int = 10
    threshold_buffer: int = 0
    use_threshold: bool = False
    threshold_value: int | None = None
    quantity_above_threshold: int | None = None
    quantity_below_threshold: int | None = None
    use_msi: bool = False
    source_code: str = DEFAULT_SOURCE_CODE
    use_salable_stock: bool = True

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> InventorySettings:
        read = Reader(data)
        d = cls()
        settings = cls(
            title=read.text("title", d.title),
            default_quantity=read.integer("default_quantity", d.default_quantity),
            threshold_buffer=read.integer("threshold_buffer", d.threshold_buffer),
            use_threshold=read.flag("use_threshold", d.use_threshold),
            threshold_value=read.opt_integer("threshold_value", d.threshold_value),
            quantity_above_threshold=read.opt_integer(
                "quantity_above_threshold", d.quantity_above_threshold
            ),
            quantity_below_threshold=read.opt_integer(
                "quantity_below_threshold", d.quantity_below_threshold
            ),
            use_msi=read.flag("use_msi", d.use_msi),
            source_code=read.text("source_code", d.source_code),
            use_salable_stock=read.flag("use_salable_stock", d.use_salable_stock),
        )
        read.finish()
        return settings

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "default_quantity": self.default_quantity,
            "threshold_buffer": self.threshold_buffer,
            "use_threshold": self.use_threshold,
            "threshold_value": self.threshold_value,
            "quantity_above_threshold": self.quantity_above_threshold,
            "quantity_below_threshold": self.quantity_below_threshold,
            "use_msi": self.use_msi,
            "source_code": self.source_code,
            "use_salable_stock": self.use_salable_stock,
        }

    def validate(self, context: ValidationContext | None = None) -> list[Problem]:
        return validate_inventory(self, context)


def validate_inventory(
    settings: InventorySettings, context: ValidationContext | None = None
) -> list[Problem]:
    context = context or EMPTY_CONTEXT
    problems: list[Problem] = []
    check_title(problems, settings.title)
    check_non_negative(problems, "default_quantity", settings.default_quantity, "Default quantity")
    if settings.default_quantity > MAX_ALIEXPRESS_QUANTITY:
        problems.append(
            Problem(
                "default_quantity", f"Default quantity can be at most {MAX_ALIEXPRESS_QUANTITY}."
            )
        )
    check_non_negative(problems, "threshold_buffer", settings.threshold_buffer, "Threshold buffer")

    threshold_fields = (
        ("threshold_value", settings.threshold_value, "Threshold value"),
        (
            "quantity_above_threshold",
            settings.quantity_above_threshold,
            "Inventory above the threshold",
        ),
        (
            "quantity_below_threshold",
            settings.quantity_below_threshold,
            "Inventory below the threshold",
        ),
    )
    for field, value, label in threshold_fields:
        if settings.use_threshold and value is None:
            problems.append(
                Problem(field, f"{label} is required when inventory is set by threshold.")
            )
        check_non_negative(problems, field, value, label)
        if value is not None and value > MAX_ALIEXPRESS_QUANTITY:
            problems.append(Problem(field, f"{label} can be at most {MAX_ALIEXPRESS_QUANTITY}."))
    above, below = settings.quantity_above_threshold, settings.quantity_below_threshold
    if settings.use_threshold and above is not None and below is not None and below > above:
        problems.append(
            Problem(
                "quantity_below_threshold",
                "Inventory below the threshold cannot be greater than inventory above the "
                "threshold.",
            )
        )

    if settings.use_msi and not settings.use_salable_stock:
        if not settings.source_code:
            problems.append(
                Problem("source_code", "Source is required when MSI source stock is used.")
            )
        elif not _SOURCE_CODE_RE.fullmatch(settings.source_code):
            problems.append(
                Problem(
                    "source_code",
                    "Source code may contain only letters, digits, dashes and underscores.",
                )
            )
        elif context.msi_sources is not None and settings.source_code not in context.msi_sources:
            problems.append(
                Problem(
                    "source_code", f"The store has no inventory source '{settings.source_code}'."
                )
            )
    return problems
