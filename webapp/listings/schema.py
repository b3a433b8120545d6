"""Read an AliExpress category schema (``aliexpress.solution.product.schema.get``).

The schema is a JSON Schema: ``properties.category_attributes.properties`` holds one object per
common attribute (``title``, ``x-attribute-id``, ``properties.value.oneOf`` with ``const`` value
ids and ``title`` names; no ``oneOf`` means free input), ``required`` names the mandatory ones;
``properties.sku_info_list.items.properties.sku_attributes`` does the same for SKU attributes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AttributeDef:
    id: str
    name: str
    required: bool
    options: dict[str, str] = field(default_factory=dict)  # value id -> name

    @property
    def free_input(self) -> bool:
        return not self.options

    def option_for(self, label: str | None) -> str | None:
        """The value id whose name matches ``label`` (case and spacing ignored)."""
        if not label:
            return None
        wanted = " ".join(str(label).split()).lower()
        for value_id, name in self.options.items():
            if " ".join(name.split()).lower() == wanted:
                return value_id
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "required": self.required,
            "options": self.options,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AttributeDef:
        return cls(
            str(data["id"]), str(data["name"]), bool(data["required"]), dict(data["options"])
        )


@dataclass(frozen=True)
class CategorySchema:
    category_id: str
    attributes: tuple[AttributeDef, ...]
    sku_attributes: tuple[AttributeDef, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "category_id": self.category_id,
            "attributes": [a.to_dict() for a in self.attributes],
            "sku_attributes": [a.to_dict() for a in self.sku_attributes],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CategorySchema:
        return cls(
            str(data["category_id"]),
            tuple(AttributeDef.from_dict(a) for a in data.get("attributes", [])),
            tuple(AttributeDef.from_dict(a) for a in data.get("sku_attributes", [])),
        )


def _attributes(block: dict[str, Any]) -> tuple[AttributeDef, ...]:
    required = set(block.get("required") or [])
    out = []
    for name, spec in (block.get("properties") or {}).items():
        value = (spec.get("properties") or {}).get("value") or {}
        options = {
            str(o["const"]): str(o.get("title", o["const"])) for o in value.get("oneOf") or []
        }
        out.append(
            AttributeDef(
                id=str(spec.get("x-attribute-id", name)),
                name=str(spec.get("title") or name),
                required=name in required,
                options=options,
            )
        )
    return tuple(out)


def parse_schema(category_id: str | int, schema: dict[str, Any]) -> CategorySchema:
    properties = schema.get("properties") or {}
    common = properties.get("category_attributes") or {}
    sku_items = ((properties.get("sku_info_list") or {}).get("items") or {}).get("properties") or {}
    return CategorySchema(
        category_id=str(category_id),
        attributes=_attributes(common),
        sku_attributes=_attributes(sku_items.get("sku_attributes") or {}),
    )
