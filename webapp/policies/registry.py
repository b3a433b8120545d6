"""The five policy types by code, and the type-independent entry points.

Seed 001: onboarding creates one default policy of each type ("Default Image Policy", ...), and
the policy grid shows each policy as VALID or INVALID. Seed 004: order and synchronization
policies are assigned to an account; image, pricing and inventory policies to a listing template.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from webapp.policies.base import Problem, SettingsError, ValidationContext
from webapp.policies.image import ImageSettings, validate_image
from webapp.policies.inventory import InventorySettings, validate_inventory
from webapp.policies.order import OrderSettings, validate_order
from webapp.policies.pricing import PricingSettings, validate_pricing
from webapp.policies.synchronization import SynchronizationSettings, validate_synchronization

PolicySettings = (
    ImageSettings | InventorySettings | PricingSettings | OrderSettings | SynchronizationSettings
)


class PolicyStatus(StrEnum):
    VALID = "VALID"
    INVALID = "INVALID"


class AssignedTo(StrEnum):
    ACCOUNT = "account"
    LISTING_TEMPLATE = "listing_template"


@dataclass(frozen=True, slots=True)
class PolicyType:
    code: str
    label: str
    settings_class: type[PolicySettings]
    assigned_to: AssignedTo

    @property
    def default_title(self) -> str:
        return f"Default {self.label}"

    def default_settings(self) -> PolicySettings:
        return self.settings_class()

    def from_dict(self, data: Mapping[str, Any] | None) -> PolicySettings:
        return self.settings_class.from_dict(data)


POLICY_TYPES: dict[str, PolicyType] = {
    "image": PolicyType("image", "Image Policy", ImageSettings, AssignedTo.LISTING_TEMPLATE),
    "inventory": PolicyType(
        "inventory", "Inventory Policy", InventorySettings, AssignedTo.LISTING_TEMPLATE
    ),
    "pricing": PolicyType(
        "pricing", "Pricing Policy", PricingSettings, AssignedTo.LISTING_TEMPLATE
    ),
    "order": PolicyType("order", "Order Policy", OrderSettings, AssignedTo.ACCOUNT),
    "synchronization": PolicyType(
        "synchronization", "Synchronization Policy", SynchronizationSettings, AssignedTo.ACCOUNT
    ),
}


def policy_type(code: str) -> PolicyType:
    """The policy type for a code; raises ``KeyError`` for an unknown one."""
    try:
        return POLICY_TYPES[code]
    except KeyError:
        raise KeyError(f"unknown policy type {code!r}") from None


def type_code_of(settings: PolicySettings) -> str:
    return settings.TYPE_CODE


def default_settings(code: str) -> PolicySettings:
    """The settings of the "Default X Policy" that onboarding creates for this type."""
    return policy_type(code).default_settings()


def settings_from_dict(code: str, data: Mapping[str, Any] | None) -> PolicySettings:
    """Settings of type ``code`` from a stored or posted dict; raises :class:`SettingsError`."""
    return policy_type(code).from_dict(data)


def validate(settings: PolicySettings, context: ValidationContext | None = None) -> list[Problem]:
    """Everything wrong with these settings; an empty list means the policy is VALID."""
    if isinstance(settings, ImageSettings):
        return validate_image(settings, context)
    if isinstance(settings, InventorySettings):
        return validate_inventory(settings, context)
    if isinstance(settings, PricingSettings):
        return validate_pricing(settings, context)
    if isinstance(settings, OrderSettings):
        return validate_order(settings, context)
    if isinstance(settings, SynchronizationSettings):
        return validate_synchronization(settings, context)
    raise TypeError(f"not policy settings: {type(settings).__name__}")


def status_of(problems: list[Problem]) -> PolicyStatus:
    return PolicyStatus.INVALID if problems else PolicyStatus.VALID


def check(
    code: str, data: Mapping[str, Any] | None, context: ValidationContext | None = None
) -> tuple[PolicySettings | None, list[Problem]]:
    """Read and validate in one step, as a form or a stored row needs it.

    Returns the settings (``None`` when some value could not be read) and every problem found;
    the policy is VALID exactly when the list is empty.
    """
    try:
        settings = settings_from_dict(code, data)
    except SettingsError as error:
        return None, list(error.problems)
    return settings, validate(settings, context)
