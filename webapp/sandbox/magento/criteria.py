"""``searchCriteria`` parsing and its translation to SQL for the sandbox.

Accepts both spellings Magento accepts (``filter_groups``/``filterGroups``,
``condition_type``/``conditionType``, ``sort_orders``/``sortOrders``); echoes the criteria back in
snake_case as ``search_criteria`` does. Filters in a group are ORed, groups ANDed; no
``pageSize`` means every match (input limits off), a page past the end is empty (2.4 behaviour,
magento/magento2#26986).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError

_KEY = re.compile(r"^searchCriteria\[(\w+)\](.*)$")
_INDEXED = re.compile(r"^\[(\d+)\]\[(\w+)\](?:\[(\d+)\]\[(\w+)\])?$")
_ALIASES = {
    "filterGroups": "filter_groups",
    "sortOrders": "sort_orders",
    "pageSize": "page_size",
    "currentPage": "current_page",
    "conditionType": "condition_type",
}


@dataclass
class Criteria:
    filter_groups: list[list[dict[str, str]]] = field(default_factory=list)
    sort_orders: list[dict[str, str]] = field(default_factory=list)
    page_size: int | None = None
    current_page: int = 1

    def echo(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "filter_groups": [{"filters": group} for group in self.filter_groups]
        }
        if self.sort_orders:
            out["sort_orders"] = self.sort_orders
        if self.page_size is not None:
            out["page_size"] = self.page_size
        out["current_page"] = self.current_page
        return out


def _int(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ApiError(400, 'The "%1" value is not a valid integer.', [name]) from None


def parse(args: list[tuple[str, str]]) -> Criteria:
    groups: dict[int, dict[int, dict[str, str]]] = {}
    sorts: dict[int, dict[str, str]] = {}
    criteria = Criteria()
    for key, value in args:
        match = _KEY.match(key)
        if not match:
            continue
        name = _ALIASES.get(match.group(1), match.group(1))
        rest = match.group(2)
        if name == "page_size" and not rest:
            criteria.page_size = _int(value, "pageSize")
        elif name == "current_page" and not rest:
            criteria.current_page = max(1, _int(value, "currentPage"))
        elif name in ("filter_groups", "sort_orders"):
            indexed = _INDEXED.match(rest)
            if not indexed:
                continue
            index, sub, f_index, f_key = indexed.groups()
            if name == "sort_orders":
                sorts.setdefault(int(index), {})[_ALIASES.get(sub, sub)] = value
            elif sub == "filters" and f_index is not None:
                flt = groups.setdefault(int(index), {}).setdefault(int(f_index), {})
                flt[_ALIASES.get(f_key, f_key)] = value
    for g in sorted(groups):
        group = []
        for f in sorted(groups[g]):
            flt = groups[g][f]
            if "field" not in flt:
                continue
            group.append(
                {
                    "field": flt["field"],
                    "value": flt.get("value", ""),
                    "condition_type": flt.get("condition_type") or "eq",
                }
            )
        if group:
            criteria.filter_groups.append(group)
    for s in sorted(sorts):
        if "field" in sorts[s]:
            direction = (sorts[s].get("direction") or "DESC").upper()
            criteria.sort_orders.append({"field": sorts[s]["field"], "direction": direction})
    return criteria


def _condition(expr: str, numeric: bool, condition: str, value: str) -> tuple[str, list[Any]]:
    def conv(v: str) -> Any:
        if numeric:
            try:
                return float(v)
            except ValueError:
                return v
        return v

    simple = {
        "eq": "=",
        "neq": "!=",
        "gt": ">",
        "gteq": ">=",
        "moreq": ">=",
        "from": ">=",
        "lt": "<",
        "lteq": "<=",
        "to": "<=",
        "like": "LIKE",
        "nlike": "NOT LIKE",
    }
    if condition in simple:
        return f"{expr} {simple[condition]} ?", [conv(value)]
    if condition in ("in", "nin"):
        values = [conv(v.strip()) for v in value.split(",") if v.strip() != ""]
        if not values:
            return ("0" if condition == "in" else "1"), []
        marks = ",".join("?" * len(values))
        return f"{expr} {'IN' if condition == 'in' else 'NOT IN'} ({marks})", values
    if condition == "null":
        return f"{expr} IS NULL", []
    if condition == "notnull":
        return f"{expr} IS NOT NULL", []
    if condition in ("finset", "nfinset"):
        test = f"(',' || {expr} || ',') LIKE ?"
        return (test if condition == "finset" else f"NOT {test}"), [f"%,{value},%"]
    raise ApiError(
        400,
        'Invalid value of "%value" provided for the %fieldName field.',
        {"value": condition, "fieldName": "condition_type"},
    )


@dataclass(frozen=True)
class Column:
    expr: str
    numeric: bool = False


def to_sql(
    criteria: Criteria,
    columns: dict[str, Column],
    *,
    fallback=None,
    tiebreak: str,
) -> tuple[str, list[Any], str]:
    """-> (WHERE clause, params, ORDER BY clause). ``fallback(field)`` may map unknown fields."""

    def column(name: str) -> Column:
        col = columns.get(name) or (fallback(name) if fallback else None)
        if col is None:
            raise ApiError(400, "Invalid attribute name: %1", [name])
        return col

    clauses: list[str] = []
    params: list[Any] = []
    for group in criteria.filter_groups:
        parts = []
        for flt in group:
            col = column(flt["field"])
            sql, values = _condition(col.expr, col.numeric, flt["condition_type"], flt["value"])
            parts.append(sql)
            params.extend(values)
        clauses.append("(" + " OR ".join(parts) + ")")
    where = " AND ".join(clauses) if clauses else "1"
    order = [f"{column(s['field']).expr} {s['direction']}" for s in criteria.sort_orders]
    order.append(tiebreak)
    return where, params, ", ".join(order)


def page_clause(criteria: Criteria) -> str:
    if criteria.page_size is None:
        return ""
    offset = (criteria.current_page - 1) * criteria.page_size
    return f" LIMIT {int(criteria.page_size)} OFFSET {int(offset)}"
