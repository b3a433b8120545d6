"""Builder for Magento's ``searchCriteria`` query parameters.

Shape (CW ``rest/use-rest/performing-searches.md``)::

    searchCriteria[filter_groups][G][filters][F][field|value|condition_type]
    searchCriteria[sortOrders][S][field|direction]
    searchCriteria[pageSize]=N  searchCriteria[currentPage]=P   (1-based)

Filters inside one group are ORed, groups are ANDed. Two signing rules from the reference notes
(§1.2) shape this builder: Magento sorts OAuth parameters in PHP *natural* order while RFC 5849
clients sort bytewise, so any index >= 10 breaks the signature -- the builder refuses an 11th
group, filter or sort order; and a bare ``searchCriteria`` key is dropped by Magento but signed by
clients, so ``pageSize`` is always sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

CONDITION_TYPES = frozenset(
    {
        "eq",
        "finset",
        "from",
        "gt",
        "gteq",
        "in",
        "like",
        "lt",
        "lteq",
        "moreq",
        "neq",
        "nfinset",
        "nin",
        "nlike",
        "notnull",
        "null",
        "to",
    }
)
MAX_INDEX = 10  # indexes 0..9 sign identically in natural and byte order
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 300  # webapi/validation/maximum_page_size when input limits are on


def format_datetime(value: datetime) -> str:
    """Magento compares timestamps as UTC strings ``YYYY-MM-DD HH:MM:SS``."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class Filter:
    field: str
    value: str
    condition_type: str = "eq"


def _value(value: object) -> str:
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(str(v) for v in value)
    return str(value)


@dataclass
class SearchCriteria:
    """Immutable-feeling builder: every method returns ``self`` for chaining."""

    filter_groups: list[list[Filter]] = field(default_factory=list)
    sort_orders: list[tuple[str, str]] = field(default_factory=list)
    page_size: int = DEFAULT_PAGE_SIZE
    current_page: int = 1

    def where(self, field_name: str, value: object, condition_type: str = "eq") -> SearchCriteria:
        """Add a group with one filter (ANDed with the other groups)."""
        return self.any_of((field_name, value, condition_type))

    def any_of(self, *filters: tuple[str, object] | tuple[str, object, str]) -> SearchCriteria:
        """Add a group whose filters are ORed: ``any_of(("sku", "a"), ("name", "%x%", "like"))``."""
        if not filters:
            raise ValueError("a filter group needs at least one filter")
        if len(self.filter_groups) >= MAX_INDEX or len(filters) > MAX_INDEX:
            raise ValueError("at most 10 filter groups and 10 filters per group (OAuth signing)")
        group = []
        for spec in filters:
            name, value, *rest = spec
            condition = rest[0] if rest else "eq"
            if condition not in CONDITION_TYPES:
                raise ValueError(f"unknown condition type {condition!r}")
            group.append(Filter(str(name), _value(value), str(condition)))
        self.filter_groups.append(group)
        return self

    def order_by(self, field_name: str, direction: str = "ASC") -> SearchCriteria:
        direction = direction.upper()
        if direction not in ("ASC", "DESC"):
            raise ValueError("direction must be ASC or DESC")
        if len(self.sort_orders) >= MAX_INDEX:
            raise ValueError("at most 10 sort orders (OAuth signing)")
        self.sort_orders.append((field_name, direction))
        return self

    def page(self, current_page: int, page_size: int | None = None) -> SearchCriteria:
        if current_page < 1:
            raise ValueError("current_page is 1-based")
        self.current_page = current_page
        if page_size is not None:
            self.limit(page_size)
        return self

    def limit(self, page_size: int) -> SearchCriteria:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        self.page_size = page_size
        return self

    def to_params(self) -> list[tuple[str, str]]:
        """Query parameters in a stable order (a list keeps the order ``requests`` sends)."""
        params: list[tuple[str, str]] = []
        for g, group in enumerate(self.filter_groups):
            for f, flt in enumerate(group):
                prefix = f"searchCriteria[filter_groups][{g}][filters][{f}]"
                params.append((f"{prefix}[field]", flt.field))
                params.append((f"{prefix}[value]", flt.value))
                params.append((f"{prefix}[condition_type]", flt.condition_type))
        for s, (name, direction) in enumerate(self.sort_orders):
            params.append((f"searchCriteria[sortOrders][{s}][field]", name))
            params.append((f"searchCriteria[sortOrders][{s}][direction]", direction))
        params.append(("searchCriteria[pageSize]", str(self.page_size)))
        params.append(("searchCriteria[currentPage]", str(self.current_page)))
        return params
