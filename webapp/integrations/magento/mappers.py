"""Pure mappers from Magento REST JSON to the connector's product model.

Magento facts the mapping relies on (reference notes §3; CW = AdobeDocs/commerce-webapi):

- ``status`` 1 = enabled, 2 = disabled; ``visibility`` 1 not visible individually, 2 catalog,
  3 search, 4 catalog+search; ``type_id`` simple | configurable | virtual | bundle | grouped |
  downloadable (``giftcard`` exists only on Adobe Commerce and is refused here).
- ``custom_attributes`` values are strings: select values are option ids (``"color": "52"``),
  multiselect values are comma-joined ids; labels come from the attribute's ``options``.
  Categories come from ``extension_attributes.category_links`` (``category_ids`` in
  ``custom_attributes`` is an array of strings, accepted as a fallback).
- A configurable parent's own price is 0; prices live on the children. The parent lists its
  axes in ``extension_attributes.configurable_product_options`` (``attribute_id`` as a string)
  and the children carry the chosen option ids in their ``custom_attributes``.
- Image URL = ``base_media_url`` + ``catalog/product/`` + ``file`` without its leading ``/``
  (M2 ``Catalog/Model/Product/Media/Config.php``); disabled gallery entries are skipped.
- Timestamps are UTC ``YYYY-MM-DD HH:MM:SS`` whatever the store timezone (magento/magento2#24985).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from .errors import MappingError

JSON = Mapping[str, Any]

KNOWN_TYPES = frozenset({"simple", "configurable", "virtual", "bundle", "grouped", "downloadable"})
OPTION_INPUTS = frozenset({"select", "multiselect", "swatch_visual", "swatch_text"})


class Status(enum.IntEnum):
    ENABLED = 1
    DISABLED = 2


class Visibility(enum.IntEnum):
    NOT_VISIBLE = 1
    CATALOG = 2
    SEARCH = 3
    CATALOG_SEARCH = 4


@dataclass(frozen=True)
class AttributeDef:
    code: str
    attribute_id: int | None
    label: str
    frontend_input: str
    options: Mapping[str, str] = field(default_factory=dict)  # option id -> label


@dataclass(frozen=True)
class AttributeValue:
    code: str
    value: Any  # raw Magento value (string, or list for category_ids)
    label: str | None  # option label(s) for select/multiselect, else the value as text


@dataclass(frozen=True)
class Image:
    url: str
    file: str
    label: str
    position: int
    roles: tuple[str, ...]  # image, small_image, thumbnail, swatch_image


@dataclass(frozen=True)
class SourceStock:
    source_code: str
    quantity: float
    in_stock: bool


@dataclass(frozen=True)
class Product:
    entity_id: int | None
    sku: str
    name: str
    type_id: str
    status: Status
    visibility: Visibility
    price: float
    attribute_set_id: int
    updated_at: datetime
    created_at: datetime | None = None
    weight: float | None = None
    description: str | None = None
    attributes: Mapping[str, AttributeValue] = field(default_factory=dict)
    category_ids: tuple[int, ...] = ()
    website_ids: tuple[int, ...] = ()
    images: tuple[Image, ...] = ()
    configurable_attributes: tuple[str, ...] = ()  # axis attribute codes, parents only
    options: Mapping[str, AttributeValue] = field(default_factory=dict)  # axis values, variants
    variants: tuple[Product, ...] = ()
    sources: tuple[SourceStock, ...] = ()
    salable_qty: float | None = None

    @property
    def enabled(self) -> bool:
        return self.status is Status.ENABLED

    @property
    def is_configurable(self) -> bool:
        return self.type_id == "configurable"


def attribute_defs(attributes: Iterable[JSON]) -> dict[str, AttributeDef]:
    """Index ``GET /V1/products/attributes`` items by code (blank ``" "`` options dropped)."""
    defs: dict[str, AttributeDef] = {}
    for item in attributes:
        try:
            code = item["attribute_code"]
        except KeyError as exc:
            raise MappingError("attribute without attribute_code") from exc
        options = {
            str(opt["value"]): str(opt["label"])
            for opt in item.get("options") or []
            if str(opt.get("value", "")) != ""
        }
        attribute_id = item.get("attribute_id")
        defs[code] = AttributeDef(
            code=code,
            attribute_id=int(attribute_id) if attribute_id is not None else None,
            label=str(item.get("default_frontend_label") or code),
            frontend_input=str(item.get("frontend_input") or "text"),
            options=options,
        )
    return defs


def media_url(base_media_url: str, file: str) -> str:
    return f"{base_media_url.rstrip('/')}/catalog/product/{file.lstrip('/')}"


def parse_datetime(value: Any, *, what: str, sku: str) -> datetime:
    try:
        return datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError as exc:
        raise MappingError(f"product {sku!r}: {what} {value!r} is not a Magento timestamp") from exc


def _require(data: JSON, key: str, sku: str) -> Any:
    value = data.get(key)
    if value is None:
        raise MappingError(f"product {sku!r}: missing field {key!r}")
    return value


def _attribute_value(code: str, value: Any, defs: Mapping[str, AttributeDef]) -> AttributeValue:
    definition = defs.get(code)
    if definition is None or definition.frontend_input not in OPTION_INPUTS:
        return AttributeValue(code, value, None if value is None else str(value))
    ids = [part for part in str(value).split(",") if part != ""]
    labels = [definition.options.get(option_id, option_id) for option_id in ids]
    return AttributeValue(code, value, ", ".join(labels) if labels else None)


def map_product(
    data: JSON,
    *,
    attributes: Mapping[str, AttributeDef],
    base_media_url: str,
    children: Iterable[JSON] = (),
    source_items: Iterable[JSON] = (),
    salable_qty: Mapping[str, float] | None = None,
) -> Product:
    """Map one product (and, for a configurable, its children) to :class:`Product`.

    ``source_items`` and ``salable_qty`` may cover more SKUs than this product; each product and
    variant picks its own rows.
    """
    sku = data.get("sku")
    if not sku:
        raise MappingError("product without sku")
    type_id = _require(data, "type_id", sku)
    if type_id not in KNOWN_TYPES:
        raise MappingError(f"product {sku!r}: unknown product type {type_id!r}")
    source_rows = list(source_items)
    salable = salable_qty or {}
    product = _map_one(data, sku, type_id, attributes, base_media_url, source_rows, salable)
    if type_id != "configurable":
        return product

    extension = data.get("extension_attributes") or {}
    axes_by_id = {str(d.attribute_id): d.code for d in attributes.values()}
    axes: list[str] = []
    for option in extension.get("configurable_product_options") or []:
        attribute_id = str(_require(option, "attribute_id", sku))
        code = axes_by_id.get(attribute_id)
        if code is None:
            raise MappingError(f"product {sku!r}: configurable attribute {attribute_id} unknown")
        axes.append(code)
    variants = []
    for child in children:
        child_sku = child.get("sku") or ""
        child_type = child.get("type_id")
        if child_type not in ("simple", "virtual"):
            raise MappingError(f"product {sku!r}: child {child_sku!r} has type {child_type!r}")
        variant = _map_one(
            child, child_sku, child_type, attributes, base_media_url, source_rows, salable
        )
        missing = [code for code in axes if code not in variant.attributes]
        if missing:
            raise MappingError(f"product {sku!r}: child {child_sku!r} lacks {missing}")
        options = {code: variant.attributes[code] for code in axes}
        variants.append(replace(variant, options=options))
    return replace(product, configurable_attributes=tuple(axes), variants=tuple(variants))


def _map_one(
    data: JSON,
    sku: str,
    type_id: str,
    defs: Mapping[str, AttributeDef],
    base_media_url: str,
    source_rows: list[JSON],
    salable: Mapping[str, float],
) -> Product:
    try:
        status = Status(int(_require(data, "status", sku)))
        visibility = Visibility(int(_require(data, "visibility", sku)))
    except ValueError as exc:
        raise MappingError(f"product {sku!r}: {exc}") from exc
    custom = {}
    for entry in data.get("custom_attributes") or []:
        code = entry.get("attribute_code")
        if code:
            custom[code] = _attribute_value(code, entry.get("value"), defs)
    extension = data.get("extension_attributes") or {}
    links = extension.get("category_links")
    if links is not None:
        category_ids = tuple(int(link["category_id"]) for link in links)
    else:
        raw = custom.get("category_ids")
        values = raw.value if raw else []
        values = values if isinstance(values, list) else str(values).split(",")
        category_ids = tuple(int(v) for v in values if str(v) != "")
    images = tuple(
        Image(
            url=media_url(base_media_url, entry["file"]),
            file=entry["file"],
            label=entry.get("label") or "",
            position=int(entry.get("position") or 0),
            roles=tuple(entry.get("types") or ()),
        )
        for entry in sorted(
            data.get("media_gallery_entries") or [], key=lambda e: e.get("position") or 0
        )
        if not entry.get("disabled")
        and entry.get("media_type", "image") == "image"
        and entry.get("file")
    )
    sources = tuple(
        SourceStock(
            source_code=str(row["source_code"]),
            quantity=float(row.get("quantity") or 0),
            in_stock=int(row.get("status") or 0) == 1,
        )
        for row in source_rows
        if row.get("sku") == sku
    )
    description = custom.get("description")
    weight = data.get("weight")
    created = data.get("created_at")
    return Product(
        entity_id=int(data["id"]) if data.get("id") is not None else None,
        sku=sku,
        name=str(_require(data, "name", sku)),
        type_id=type_id,
        status=status,
        visibility=visibility,
        price=float(data.get("price") or 0)
        if type_id == "configurable"
        else float(_require(data, "price", sku)),
        attribute_set_id=int(_require(data, "attribute_set_id", sku)),
        updated_at=parse_datetime(_require(data, "updated_at", sku), what="updated_at", sku=sku),
        created_at=parse_datetime(created, what="created_at", sku=sku) if created else None,
        weight=float(weight) if weight is not None else None,
        description=description.label if description else None,
        attributes=custom,
        category_ids=category_ids,
        website_ids=tuple(int(w) for w in extension.get("website_ids") or ()),
        images=images,
        sources=sources,
        salable_qty=salable.get(sku),
    )
