"""Synchronization policy: which background jobs run for an account, and how often.

Seed 004's cron settings (product upload, product update, inventory/price sync, product assign)
each get a switch and an interval in minutes; the older manual's order crons (order import,
order status sync) are kept the same way because the jobs honour the account's switches. Product
settings: sync "Not Visible Individually" products, and the optional list of attribute codes
whose changes alone trigger an update. Activity log and synchronization feed log switches.

Default intervals follow the design target: a price or stock change reaches AliExpress within
60 seconds, so inventory/price sync runs every minute.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from webapp.policies.base import (
    ATTRIBUTE_CODE_RE,
    EMPTY_CONTEXT,
    Problem,
    Reader,
    ValidationContext,
    check_title,
)

MIN_INTERVAL_MINUTES = 1
MAX_INTERVAL_MINUTES = 24 * 60


@dataclass(frozen=True, slots=True)
class Schedule:
    """One cron switch: whether the job runs, and every how many minutes."""

    enabled: bool = True
    interval_minutes: int = 15

    def to_dict(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "interval_minutes": self.interval_minutes}


# (field, label) of every schedule, in form order.
SCHEDULE_FIELDS: tuple[tuple[str, str], ...] = (
    ("product_upload", "Product upload"),
    ("product_update", "Product update"),
    ("inventory_price_sync", "Inventory/price sync"),
    ("product_assign", "Product assign"),
    ("order_import", "Order import"),
    ("order_status_sync", "Order status sync"),
)


@dataclass(frozen=True, slots=True)
class SynchronizationSettings:
    """Settings of a synchronization policy.

    The defaults are the "Default Synchronization Policy".
    """

    TYPE_CODE: ClassVar[str] = "synchronization"

    title: str = "Default Synchronization Policy"
    product_upload: Schedule = field(default=Schedule(True, 10))
    product_update: Schedule = field(default=Schedule(True, 10))
    inventory_price_sync: Schedule = field(default=Schedule(True, 1))
    product_assign: Schedule = field(default=Schedule(True, 30))
    order_import: Schedule = field(default=Schedule(True, 5))
    order_status_sync: Schedule = field(default=Schedule(True, 10))
    sync_not_visible_individually: bool = False
    only_specific_attributes: bool = False
    specific_attributes: tuple[str, ...] = ()
    activity_log: bool = True
    feed_log: bool = True

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> SynchronizationSettings:
        read = Reader(data)
        d = cls()
        schedules: dict[str, Schedule] = {}
        for name, _label in SCHEDULE_FIELDS:
            default: Schedule = getattr(d, name)
            sub = read.child(name)
            schedules[name] = Schedule(
                enabled=sub.flag("enabled", default.enabled),
                interval_minutes=sub.integer("interval_minutes", default.interval_minutes),
            )
            read.absorb(sub)
        settings = cls(
            title=read.text("title", d.title),
            product_upload=schedules["product_upload"],
            product_update=schedules["product_update"],
            inventory_price_sync=schedules["inventory_price_sync"],
            product_assign=schedules["product_assign"],
            order_import=schedules["order_import"],
            order_status_sync=schedules["order_status_sync"],
            sync_not_visible_individually=read.flag(
                "sync_not_visible_individually", d.sync_not_visible_individually
            ),
            only_specific_attributes=read.flag(
                "only_specific_attributes", d.only_specific_attributes
            ),
            specific_attributes=read.texts("specific_attributes", d.specific_attributes),
            activity_log=read.flag("activity_log", d.activity_log),
            feed_log=read.flag("feed_log", d.feed_log),
        )
        read.finish()
        return settings

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"title": self.title}
        for name, _label in SCHEDULE_FIELDS:
            data[name] = getattr(self, name).to_dict()
        data.update(
            {
                "sync_not_visible_individually": self.sync_not_visible_individually,
                "only_specific_attributes": self.only_specific_attributes,
                "specific_attributes": list(self.specific_attributes),
                "activity_log": self.activity_log,
                "feed_log": self.feed_log,
            }
        )
        return data

    def validate(self, context: ValidationContext | None = None) -> list[Problem]:
        return validate_synchronization(self, context)

    def schedule(self, name: str) -> Schedule:
        """The schedule of one job by its field name (``"inventory_price_sync"``)."""
        if name not in dict(SCHEDULE_FIELDS):
            raise KeyError(name)
        result: Schedule = getattr(self, name)
        return result

    def triggers_update(self, changed_attributes: set[str] | frozenset[str]) -> bool:
        """Whether a Magento change to these attributes should update the AliExpress product."""
        if not self.only_specific_attributes:
            return bool(changed_attributes)
        return not changed_attributes.isdisjoint(self.specific_attributes)


def validate_synchronization(
    settings: SynchronizationSettings, context: ValidationContext | None = None
) -> list[Problem]:
    context = context or EMPTY_CONTEXT
    problems: list[Problem] = []
    check_title(problems, settings.title)
    for name, label in SCHEDULE_FIELDS:
        schedule: Schedule = getattr(settings, name)
        interval = schedule.interval_minutes
        if interval < MIN_INTERVAL_MINUTES or interval > MAX_INTERVAL_MINUTES:
            problems.append(
                Problem(
                    f"{name}.interval_minutes",
                    f"{label} interval must be between {MIN_INTERVAL_MINUTES} and "
                    f"{MAX_INTERVAL_MINUTES} minutes.",
                )
            )
    if settings.only_specific_attributes and not settings.specific_attributes:
        problems.append(
            Problem(
                "specific_attributes",
                "Choose at least one attribute, or turn off specific attribute syncing.",
            )
        )
    seen: set[str] = set()
    for index, code in enumerate(settings.specific_attributes):
        name = f"specific_attributes[{index}]"
        if not ATTRIBUTE_CODE_RE.fullmatch(code):
            problems.append(Problem(name, f"'{code}' is not a Magento attribute code."))
        elif code in seen:
            problems.append(Problem(name, f"Attribute '{code}' is listed twice."))
        elif context.magento_attributes is not None and code not in context.magento_attributes:
            problems.append(Problem(name, f"The store has no attribute '{code}'."))
        seen.add(code)
    return problems
