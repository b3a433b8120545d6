"""The grid building block every list screen uses.

Server-side filtering on declared columns, a whitelisted sort with a stable tiebreaker, bounded
page sizes, mass actions on the selected rows or on everything matching the filter, and CSV export
streamed in chunks. The query string holds the whole state, so every view can be bookmarked; any
garbage in it falls back to the defaults instead of failing.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from flask import Response, render_template, request, stream_with_context
from sqlalchemy import Select, func, or_, select

from webapp.extensions import db

PAGE_SIZES = (20, 50, 100, 200)
EXPORT_CHUNK = 1000


@dataclass
class Column:
    key: str
    label: str
    expr: Any = None
    sortable: bool = True
    #: None, "text" (contains), "exact", "select" (choices), "number" (from/to), "date" (from/to)
    filter: str | None = None
    choices: Sequence[tuple[str, str]] = ()
    #: value for CSV export; defaults to the attribute of the same key
    export: Callable[[Any], Any] | None = None
    exportable: bool = True
    #: custom filter condition built from the (validated) query value
    where: Callable[[str], Any] | None = None

    def value(self, row: Any) -> Any:
        if self.export is not None:
            return self.export(row)
        value = getattr(row, self.key, "")
        return getattr(value, "value", value)


@dataclass
class GridState:
    page: int = 1
    per_page: int = PAGE_SIZES[0]
    sort: str = ""
    direction: str = "asc"
    filters: dict[str, str] = field(default_factory=dict)

    def query_args(self, **overrides: Any) -> dict[str, Any]:
        args: dict[str, Any] = {f"f_{k}": v for k, v in self.filters.items() if v != ""}
        args.update(
            {"sort": self.sort, "dir": self.direction, "per_page": self.per_page, "page": self.page}
        )
        args.update(overrides)
        return {k: v for k, v in args.items() if v not in (None, "")}

    def url(self, base: str, **overrides: Any) -> str:
        return base + "?" + urlencode(self.query_args(**overrides))

    @property
    def filtered(self) -> bool:
        return any(v != "" for v in self.filters.values())


@dataclass
class Page:
    items: list[Any]
    total: int
    state: GridState

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.state.per_page))

    @property
    def first_index(self) -> int:
        return 0 if self.total == 0 else (self.state.page - 1) * self.state.per_page + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.state.page * self.state.per_page)


def _parse_int(value: str | None, default: int) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default


def _parse_number(value: str) -> Decimal | None:
    try:
        number = Decimal(value.strip())
    except (InvalidOperation, AttributeError):
        return None
    return number if number.is_finite() else None


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        return None


class Grid:
    def __init__(
        self,
        name: str,
        query: Select[Any],
        columns: Sequence[Column],
        *,
        id_column: Any,
        default_sort: str | None = None,
        default_direction: str = "asc",
        search: Sequence[Any] = (),
        per_page: int = PAGE_SIZES[0],
    ) -> None:
        self.name = name
        self.query = query
        self.columns = list(columns)
        self.by_key = {c.key: c for c in self.columns}
        self.id_column = id_column
        self.default_sort = default_sort or ""
        self.default_direction = default_direction
        self.search = list(search)
        self.default_per_page = per_page

    @property
    def dom_id(self) -> str:
        return f"grid-{self.name}"

    # -- state -------------------------------------------------------------------------------
    def parse(self, args: Mapping[str, str]) -> GridState:
        sort = args.get("sort", self.default_sort)
        column = self.by_key.get(sort)
        if column is None or not column.sortable or column.expr is None:
            sort = self.default_sort
        direction = args.get("dir", self.default_direction)
        if direction not in ("asc", "desc"):
            direction = self.default_direction
        per_page = _parse_int(args.get("per_page"), self.default_per_page)
        if per_page not in PAGE_SIZES:
            per_page = self.default_per_page
        page = max(1, _parse_int(args.get("page"), 1))
        filters: dict[str, str] = {}
        if self.search:
            filters["q"] = str(args.get("f_q", "")).strip()[:200]
        for col in self.columns:
            if col.filter in ("number", "date"):
                for suffix in ("from", "to"):
                    key = f"{col.key}_{suffix}"
                    filters[key] = str(args.get(f"f_{key}", "")).strip()[:50]
            elif col.filter:
                value = str(args.get(f"f_{col.key}", "")).strip()[:200]
                if col.filter == "select" and value not in {c[0] for c in col.choices}:
                    value = ""
                filters[col.key] = value
        return GridState(
            page=page, per_page=per_page, sort=sort, direction=direction, filters=filters
        )

    # -- queries -----------------------------------------------------------------------------
    def _apply_filters(self, query: Select[Any], state: GridState) -> Select[Any]:
        text = state.filters.get("q", "")
        if text and self.search:
            pattern = f"%{text}%"
            query = query.where(or_(*(expr.ilike(pattern) for expr in self.search)))
        for col in self.columns:
            if not col.filter or (col.expr is None and col.where is None):
                continue
            if col.filter in ("number", "date"):
                low = state.filters.get(f"{col.key}_from", "")
                high = state.filters.get(f"{col.key}_to", "")
                parse = _parse_number if col.filter == "number" else _parse_date
                low_v, high_v = parse(low) if low else None, parse(high) if high else None
                if col.filter == "date":
                    if low_v is not None:
                        low_v = datetime.combine(low_v, time.min).astimezone()
                    if high_v is not None:
                        high_v = datetime.combine(high_v, time.max).astimezone()
                if low_v is not None:
                    query = query.where(col.expr >= low_v)
                if high_v is not None:
                    query = query.where(col.expr <= high_v)
                continue
            value = state.filters.get(col.key, "")
            if value == "":
                continue
            if col.where is not None:
                query = query.where(col.where(value))
            elif col.filter == "text":
                query = query.where(col.expr.ilike(f"%{value}%"))
            else:
                query = query.where(col.expr == value)
        return query

    def filtered(self, state: GridState) -> Select[Any]:
        return self._apply_filters(self.query, state)

    def _ordered(self, query: Select[Any], state: GridState) -> Select[Any]:
        column = self.by_key.get(state.sort)
        order = []
        if column is not None and column.expr is not None:
            expr = column.expr
            order.append(expr.desc() if state.direction == "desc" else expr.asc())
        # A stable tiebreaker so paging never repeats or skips a row.
        order.append(self.id_column.desc() if state.direction == "desc" else self.id_column.asc())
        return query.order_by(*order)

    def count(self, state: GridState) -> int:
        subquery = self.filtered(state).order_by(None).subquery()
        return db.session.scalar(select(func.count()).select_from(subquery)) or 0

    def page(self, state: GridState) -> Page:
        total = self.count(state)
        pages = max(1, math.ceil(total / state.per_page))
        state.page = min(state.page, pages)
        query = self._ordered(self.filtered(state), state)
        query = query.limit(state.per_page).offset((state.page - 1) * state.per_page)
        items = (
            list(db.session.scalars(query))
            if _single_entity(query)
            else list(db.session.execute(query))
        )
        return Page(items=items, total=total, state=state)

    def iter_rows(self, state: GridState) -> Iterator[Any]:
        """Every matching row in grid order, fetched by keyset chunks (bounded memory)."""
        query = self._ordered(self.filtered(state), state)
        offset = 0
        while True:
            chunk_query = query.limit(EXPORT_CHUNK).offset(offset)
            chunk = (
                list(db.session.scalars(chunk_query))
                if _single_entity(chunk_query)
                else list(db.session.execute(chunk_query))
            )
            yield from chunk
            if len(chunk) < EXPORT_CHUNK:
                return
            offset += EXPORT_CHUNK

    def selected_ids(
        self, form: Mapping[str, Any], getlist: Callable[[str], list[str]]
    ) -> Select[Any]:
        """The ids a mass action applies to: the ticked rows, or all matching the filter."""
        if form.get("all_matching") == "1":
            state = self.parse(form)
            return self.filtered(state).with_only_columns(self.id_column).order_by(None)
        # Database integers are 64-bit: a longer number is no row id (and would overflow).
        ids = [int(v) for v in getlist("ids") if str(v).isdigit() and len(str(v)) < 19]
        return select(self.id_column).where(self.id_column.in_(ids or [-1]))

    # -- export ------------------------------------------------------------------------------
    def csv_response(self, state: GridState, filename: str) -> Response:
        columns = [c for c in self.columns if c.exportable]

        def generate() -> Iterator[str]:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow([c.label for c in columns])
            for row in self.iter_rows(state):
                writer.writerow([_csv_value(c.value(row)) for c in columns])
                if buffer.tell() > 64 * 1024:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
            yield buffer.getvalue()

        return Response(
            stream_with_context(generate()),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if value is None:
        return ""
    text = str(value)
    # Defuse spreadsheet formulas in exported cells.
    if text[:1] in ("=", "+", "-", "@") and not _parse_number(text):
        return "'" + text
    return text


def _single_entity(query: Select[Any]) -> bool:
    descriptions = query.column_descriptions
    return (
        len(descriptions) == 1
        and descriptions[0].get("entity") is not None
        and descriptions[0].get("expr") is descriptions[0].get("entity")
    )


def render_grid_page(
    page_template: str, grid_template: str, grid: Grid, page: Page, **context: Any
) -> str:
    """The whole page, or only the grid when htmx asks for the grid's element."""
    partial = (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Target") == grid.dom_id
    )
    return render_template(
        grid_template if partial else page_template, grid=grid, page=page, **context
    )
