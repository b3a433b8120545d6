"""Small builders for engine inputs, so each test states only what it is about."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from webapp.policies import MagentoProduct, ProductImage, ProductVariant


def product(sku: str = "SKU-1", price: str | int = "100", **kwargs: Any) -> MagentoProduct:
    kwargs.setdefault("qty", Decimal(100))
    return MagentoProduct(sku=sku, price=Decimal(price), **kwargs)


def variant(sku: str, price: str | int = "100", **kwargs: Any) -> ProductVariant:
    kwargs.setdefault("qty", Decimal(100))
    return ProductVariant(sku=sku, price=Decimal(price), **kwargs)


def gallery(count: int, *, main_index: int = 0, prefix: str = "img") -> tuple[ProductImage, ...]:
    """``count`` images ``https://cdn.example/{prefix}{n}.jpg``, the one at ``main_index`` main."""
    return tuple(
        ProductImage(
            url=f"https://cdn.example/{prefix}{n}.jpg",
            file=f"/{prefix[0]}/{prefix}{n}.jpg",
            roles=frozenset({"image"}) if n == main_index else frozenset(),
        )
        for n in range(count)
    )
