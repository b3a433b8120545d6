"""Shared building blocks of the policy settings: problems, validation context, parsing.

Policy settings live in a JSON column, and the same rules feed the web forms, so every
settings class reads a plain dict (``from_dict``), writes a JSON-able dict (``to_dict``) and
reports what is wrong as :class:`Problem` rows with user-facing messages.

Two kinds of failure are kept apart:

* a value that cannot be read at all (``"abc"`` for a quantity) makes ``from_dict`` raise
  :class:`SettingsError`, which carries the problems of every unreadable field at once;
* a value that is readable but wrong (a negative quantity, a threshold rule with a missing
  number, a carrier the account does not offer) is reported by ``validate`` and makes the
  policy INVALID.

Missing keys always fall back to the defaults, so settings stored by an older version load.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, TypeVar

E = TypeVar("E", bound=Enum)

# Magento attribute codes: a letter first, then letters, digits or underscores, at most 60.
ATTRIBUTE_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
# Deliberately loose: the web form runs the full e-mail validator; this catches typos.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_TRUE_STRINGS = frozenset({"1", "true", "yes", "on", "y"})
_FALSE_STRINGS = frozenset({"0", "false", "no", "off", "n", ""})


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a policy: the field it concerns and a message for the user."""

    field: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Problem:
        return cls(field=str(data["field"]), message=str(data["message"]))


class SettingsError(ValueError):
    """Raised by ``from_dict`` when some values cannot be read; ``problems`` lists them all."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in self.problems))


@dataclass(frozen=True, slots=True)
class ValidationContext:
    """What the account and the store offer, when known; ``None`` means "do not check".

    ``aliexpress_carriers`` are the ``service_name`` keys of the account's logistics
    services (onboarding data); ``magento_carriers`` the store's carrier codes;
    ``*_order_statuses`` the status codes of each side; ``magento_attributes`` the
    product attribute codes; ``msi_sources`` the MSI source codes.
    """

    aliexpress_carriers: frozenset[str] | None = None
    magento_carriers: frozenset[str] | None = None
    aliexpress_order_statuses: frozenset[str] | None = None
    magento_order_statuses: frozenset[str] | None = None
    magento_attributes: frozenset[str] | None = None
    msi_sources: frozenset[str] | None = None


EMPTY_CONTEXT = ValidationContext()


class Reader:
    """Reads one settings dict field by field, collecting problems instead of stopping."""

    def __init__(self, data: Mapping[str, Any] | None, prefix: str = "") -> None:
        if data is not None and not isinstance(data, Mapping):
            raise SettingsError(
                [Problem(prefix.rstrip(".") or "settings", "Expected a set of fields.")]
            )
        self.data: Mapping[str, Any] = data or {}
        self.prefix = prefix
        self.problems: list[Problem] = []

    def _name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def _fail(self, key: str, message: str) -> None:
        self.problems.append(Problem(self._name(key), message))

    def raw(self, key: str) -> Any:
        return self.data.get(key)

    def has(self, key: str) -> bool:
        return key in self.data

    def text(self, key: str, default: str) -> str:
        value = self.data.get(key, default)
        if value is None:
            return ""
        if not isinstance(value, str):
            self._fail(key, "Enter text.")
            return default
        return value.strip()

    def opt_text(self, key: str, default: str | None = None) -> str | None:
        value = self.data.get(key, default)
        if value is None:
            return None
        if not isinstance(value, str):
            self._fail(key, "Enter text.")
            return default
        return value.strip() or None

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in _TRUE_STRINGS:
                return True
            if lowered in _FALSE_STRINGS:
                return False
        if value is None:
            return False
        self._fail(key, "Choose yes or no.")
        return default

    def opt_integer(self, key: str, default: int | None = None) -> int | None:
        value = self.data.get(key, default)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        parsed = parse_int(value)
        if parsed is None:
            self._fail(key, "Enter a whole number.")
            return default
        return parsed

    def integer(self, key: str, default: int) -> int:
        value = self.opt_integer(key, default)
        if value is None:
            if self.has(key):
                self._fail(key, "This field is required.")
            return default
        return value

    def opt_number(self, key: str, default: Decimal | None = None) -> Decimal | None:
        value = self.data.get(key, default)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        parsed = parse_decimal(value)
        if parsed is None:
            self._fail(key, "Enter a number.")
            return default
        return parsed

    def number(self, key: str, default: Decimal) -> Decimal:
        value = self.opt_number(key, default)
        if value is None:
            if self.has(key):
                self._fail(key, "This field is required.")
            return default
        return value

    def choice(
        self, key: str, enum_cls: type[E], default: E, aliases: Mapping[str, E] | None = None
    ) -> E:
        value = self.data.get(key, default)
        if value is None:
            return default
        if isinstance(value, enum_cls):
            return value
        if isinstance(value, str):
            text = value.strip().lower()
            if aliases and text in aliases:
                return aliases[text]
            for member in enum_cls:
                if member.value == text:
                    return member
        choices = ", ".join(str(m.value) for m in enum_cls)
        self._fail(key, f"Choose one of: {choices}.")
        return default

    def texts(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = self.data.get(key, default)
        if value is None:
            return ()
        if isinstance(value, str):
            # A form may post "color, size" in one text box.
            value = [part for part in re.split(r"[,\s]+", value) if part]
        if not isinstance(value, list | tuple):
            self._fail(key, "Enter a list of values.")
            return default
        items: list[str] = []
        for item in value:
            if not isinstance(item, str):
                self._fail(key, "Enter a list of values.")
                return default
            if item.strip():
                items.append(item.strip())
        return tuple(items)

    def rows(self, key: str) -> list[tuple[str, Mapping[str, Any]]]:
        """The rows of a list-of-objects field, each with its field-name prefix."""
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            self._fail(key, "Expected a list of rows.")
            return []
        rows: list[tuple[str, Mapping[str, Any]]] = []
        for index, row in enumerate(value):
            if not isinstance(row, Mapping):
                self._fail(f"{key}[{index}]", "Expected a row of fields.")
                continue
            rows.append((f"{self._name(key)}[{index}].", row))
        return rows

    def child(self, key: str) -> Reader:
        value = self.data.get(key)
        if value is not None and not isinstance(value, Mapping):
            self._fail(key, "Expected a set of fields.")
            value = None
        return Reader(value, prefix=f"{self._name(key)}.")

    def absorb(self, other: Reader) -> None:
        self.problems.extend(other.problems)

    def finish(self) -> None:
        if self.problems:
            raise SettingsError(self.problems)


def parse_int(value: Any) -> int | None:
    """An integer from JSON or form input, or ``None`` when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, Decimal):
        return int(value) if value.is_finite() and value == value.to_integral_value() else None
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        decimal = parse_decimal(text)
        if decimal is not None and decimal == decimal.to_integral_value():
            return int(decimal)
    return None


def parse_decimal(value: Any) -> Decimal | None:
    """A finite decimal from JSON, form or Magento input, or ``None`` when it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        # Through str() so 0.1 stays 0.1 instead of its binary expansion.
        result = Decimal(str(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    return result if result.is_finite() else None


def decimal_to_json(value: Decimal | None) -> str | None:
    """Decimals are stored as strings so the JSON column never rounds them through floats."""
    if value is None:
        return None
    return format(value, "f")


def check_non_negative(
    problems: list[Problem], field: str, value: int | Decimal | None, label: str
) -> None:
    if value is not None and value < 0:
        problems.append(Problem(field, f"{label} cannot be negative."))


def check_required(problems: list[Problem], field: str, value: object, label: str) -> bool:
    if value is None or value == "":
        problems.append(Problem(field, f"{label} is required."))
        return False
    return True


def check_title(problems: list[Problem], title: str) -> None:
    if not title.strip():
        problems.append(Problem("title", "Title is required."))
    elif len(title) > 255:
        problems.append(Problem("title", "Title must be at most 255 characters."))


def check_attribute_code(
    problems: list[Problem],
    field: str,
    code: str | None,
    label: str,
    context: ValidationContext,
    *,
    required: bool = True,
) -> None:
    if not code:
        if required:
            problems.append(Problem(field, f"{label} is required."))
        return
    if not ATTRIBUTE_CODE_RE.fullmatch(code):
        problems.append(
            Problem(
                field,
                f"{label} must be a Magento attribute code: lowercase letters, digits and "
                "underscores, starting with a letter.",
            )
        )
    elif context.magento_attributes is not None and code not in context.magento_attributes:
        problems.append(Problem(field, f"{label}: the store has no attribute '{code}'."))
