"""The Magento store connection (one per install). Placeholder until the Store screen lands."""

from __future__ import annotations


def store_view_choices() -> list[tuple[str, str]]:
    """(store code, label) of the connected store's views; empty when no store is connected."""
    return []
