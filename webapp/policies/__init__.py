"""Policies: typed settings of the five policy types, their validation, and the pure engine.

Standard library only; nothing here knows Flask, SQLAlchemy or the network. Services store
``settings.to_dict()`` in the policy's JSON column, read it back with ``settings_from_dict``,
and record ``validate(...)`` as the policy's VALID / INVALID status with its reasons.
"""

from webapp.policies.base import Problem, SettingsError, ValidationContext
from webapp.policies.engine import (
    CatalogItem,
    ImageSelection,
    ListingValues,
    MagentoProduct,
    ProductImage,
    ProductStatus,
    ProductVariant,
    SkuValues,
    Visibility,
    apply_threshold,
    compute_discount_price,
    compute_listing_values,
    compute_price,
    compute_quantity,
    is_syncable,
    select_images,
)
from webapp.policies.image import ImageSettings
from webapp.policies.inventory import InventorySettings
from webapp.policies.order import (
    CarrierMapping,
    CustomerMode,
    MissingProductAction,
    OrderSettings,
    StatusMapping,
)
from webapp.policies.pricing import PriceChangeMode, PricingSettings, Rounding, round_price
from webapp.policies.registry import (
    POLICY_TYPES,
    AssignedTo,
    PolicySettings,
    PolicyStatus,
    PolicyType,
    check,
    default_settings,
    policy_type,
    settings_from_dict,
    status_of,
    validate,
)
from webapp.policies.synchronization import Schedule, SynchronizationSettings

__all__ = [
    "POLICY_TYPES",
    "AssignedTo",
    "CarrierMapping",
    "CatalogItem",
    "CustomerMode",
    "ImageSelection",
    "ImageSettings",
    "InventorySettings",
    "ListingValues",
    "MagentoProduct",
    "MissingProductAction",
    "OrderSettings",
    "PolicySettings",
    "PolicyStatus",
    "PolicyType",
    "PriceChangeMode",
    "PricingSettings",
    "Problem",
    "ProductImage",
    "ProductStatus",
    "ProductVariant",
    "Rounding",
    "Schedule",
    "SettingsError",
    "SkuValues",
    "StatusMapping",
    "SynchronizationSettings",
    "ValidationContext",
    "Visibility",
    "apply_threshold",
    "check",
    "compute_discount_price",
    "compute_listing_values",
    "compute_price",
    "compute_quantity",
    "default_settings",
    "is_syncable",
    "policy_type",
    "round_price",
    "select_images",
    "settings_from_dict",
    "status_of",
    "validate",
]
