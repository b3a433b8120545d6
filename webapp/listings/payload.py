"""Build the ``post_product_request`` for one Magento product, with its quality report.

A configurable product becomes one AliExpress product with one SKU per child; a simple product
one SKU. Every AliExpress attribute is mapped from a Magento attribute (option labels matched
to AliExpress values through the template's value map, else by name), or given a static value.
Problems come in three levels, as Channable's quality step has them: *mandatory* (the upload is
refused), *recommended* and *optional* (the upload goes ahead); each names the template field
that fixes it. An error on one variant is an error of the whole listing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from webapp.listings.schema import AttributeDef, CategorySchema
from webapp.policies.engine import ListingValues

MAX_SKU_CODE = 20
MAX_TITLE = 218
PRODUCT_UNIT_PIECE = 100000015


@dataclass(frozen=True)
class Issue:
    level: str  # mandatory | recommended | optional
    code: str
    message: str
    field: str = ""  # the template field that fixes it
    sku: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "code": self.code,
            "message": self.message,
            "field": self.field,
            "sku": self.sku,
        }


@dataclass(frozen=True)
class ProductView:
    """A Magento product as the listing sees it (from the catalog cache)."""

    sku: str
    name: str
    type_id: str = "simple"
    description: str | None = None
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> {value, label}
    weight: float | None = None
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)
    variants: tuple[ProductView, ...] = ()

    def label(self, code: str) -> str | None:
        entry = self.attributes.get(code)
        if entry is None:
            return None
        value = entry.get("label") if entry.get("label") not in (None, "") else entry.get("value")
        return None if value in (None, "") else str(value)


@dataclass(frozen=True)
class Mapping:
    """How one AliExpress attribute gets its value."""

    mode: str = ""  # attribute | static | "" (unmapped)
    attribute: str = ""
    value: str = ""
    value_map: dict[str, str] = field(default_factory=dict)  # Magento label -> AE value id

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Mapping:
        data = data or {}
        return cls(
            str(data.get("mode") or ""),
            str(data.get("attribute") or ""),
            str(data.get("value") or ""),
            {str(k): str(v) for k, v in (data.get("value_map") or {}).items() if v},
        )


@dataclass(frozen=True)
class TemplateConfig:
    category_id: str | None
    attribute_mapping: dict[str, Mapping] = field(default_factory=dict)
    sku_attribute_mapping: dict[str, Mapping] = field(default_factory=dict)
    language: str = "en"
    extra_languages: dict[str, str] = field(default_factory=dict)  # language -> store view code
    title_attribute: str = "name"
    description_attribute: str = "description"
    freight_template_id: str | None = None
    service_template_id: str | None = "0"
    shipping_lead_time: int | None = 3
    weight: float | None = None
    weight_attribute: str | None = "weight"
    package_length: int | None = None
    package_width: int | None = None
    package_height: int | None = None
    package_attributes: dict[str, str] = field(default_factory=dict)  # dimension -> attribute
    product_unit: int = PRODUCT_UNIT_PIECE


@dataclass
class BuildResult:
    payload: dict[str, Any]
    issues: list[Issue]

    @property
    def blocked(self) -> bool:
        return any(i.level == "mandatory" for i in self.issues)


def _resolve(
    definition: AttributeDef,
    mapping: Mapping,
    product: ProductView,
    where: str,
    issues: list[Issue],
    sku: str | None = None,
) -> tuple[str | None, str | None]:
    """(value id, free text) for one attribute, or (None, None) with an issue recorded."""
    level = "mandatory" if definition.required else "recommended"
    if not mapping.mode:
        if definition.required or definition.free_input is False:
            issues.append(
                Issue(
                    level,
                    "unmapped_attribute",
                    f"AliExpress attribute '{definition.name}' is not mapped.",
                    f"{where}.{definition.id}",
                    sku,
                )
            )
        return None, None
    if mapping.mode == "static":
        if not mapping.value:
            issues.append(
                Issue(
                    level,
                    "empty_static",
                    f"'{definition.name}': static value is empty.",
                    f"{where}.{definition.id}",
                    sku,
                )
            )
            return None, None
        if definition.options and mapping.value not in definition.options:
            found = definition.option_for(mapping.value)
            if found is None:
                issues.append(
                    Issue(
                        level,
                        "unknown_value",
                        f"'{definition.name}': '{mapping.value}' is not an AliExpress value.",
                        f"{where}.{definition.id}",
                        sku,
                    )
                )
                return None, None
            return found, None
        return (mapping.value, None) if definition.options else (None, mapping.value)
    label = product.label(mapping.attribute)
    if label is None:
        issues.append(
            Issue(
                level,
                "missing_value",
                f"'{definition.name}': product has no value for '{mapping.attribute}'.",
                f"{where}.{definition.id}",
                sku or product.sku,
            )
        )
        return None, None
    if definition.free_input:
        return None, label
    value_id = mapping.value_map.get(label) or definition.option_for(label)
    if value_id is None or value_id not in definition.options:
        issues.append(
            Issue(
                level,
                "unmapped_value",
                f"'{definition.name}': no AliExpress value for '{label}'; add it to the value map.",
                f"{where}.{definition.id}",
                sku or product.sku,
            )
        )
        return None, None
    return value_id, None


def _dimension(product: ProductView, attribute: str | None, static: int | None) -> int | None:
    """A package dimension in cm from the product's attribute, else the template's number."""
    if attribute:
        raw = product.label(attribute)
        with contextlib.suppress(TypeError, ValueError):
            value = round(float(raw))  # type: ignore[arg-type]
            if value > 0:
                return value
    return static


def _money(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


def build_payload(
    product: ProductView,
    values: ListingValues,
    template: TemplateConfig,
    schema: CategorySchema | None,
) -> BuildResult:
    issues: list[Issue] = []
    if not template.category_id or schema is None:
        issues.append(
            Issue(
                "mandatory", "no_category", "The template has no AliExpress category.", "category"
            )
        )
        return BuildResult({}, issues)
    title = product.label(template.title_attribute) or product.name
    if not title:
        issues.append(
            Issue("mandatory", "no_title", "The product has no title.", "title_attribute")
        )
    description = product.label(template.description_attribute) or ""
    if not description:
        issues.append(
            Issue(
                "recommended",
                "no_description",
                "The product has no description.",
                "description_attribute",
            )
        )
    images = list(values.images.urls)
    if not images:
        issues.append(
            Issue(
                "mandatory",
                "no_images",
                "The product has no images and the image policy has no default image.",
                "image_policy",
            )
        )
    elif len(images) < 3:
        issues.append(
            Issue("optional", "few_images", f"Only {len(images)} image(s).", "image_policy")
        )

    attribute_list = []
    for definition in schema.attributes:
        mapping = template.attribute_mapping.get(definition.id, Mapping())
        value_id, text = _resolve(definition, mapping, product, "attribute_mapping", issues)
        if value_id is not None:
            attribute_list.append(
                {
                    "aliexpress_attribute_name_id": int(definition.id),
                    "aliexpress_attribute_value_id": int(value_id),
                }
            )
        elif text is not None:
            attribute_list.append(
                {"aliexpress_attribute_name_id": int(definition.id), "attribute_value": text[:70]}
            )

    variants = product.variants if product.type_id == "configurable" else (product,)
    if product.type_id == "configurable" and not variants:
        issues.append(
            Issue(
                "mandatory", "no_variants", "The configurable product has no children.", "products"
            )
        )
    sku_list = []
    seen_combinations: dict[tuple[str, ...], str] = {}
    for variant in variants:
        sku_values = values.for_sku(variant.sku)
        if len(variant.sku) > MAX_SKU_CODE:
            issues.append(
                Issue(
                    "mandatory",
                    "sku_too_long",
                    f"SKU '{variant.sku}' is longer than {MAX_SKU_CODE} characters.",
                    "products",
                    variant.sku,
                )
            )
        if sku_values is None:
            issues.append(
                Issue(
                    "mandatory",
                    "no_values",
                    f"No price or stock for '{variant.sku}'.",
                    "pricing_policy",
                    variant.sku,
                )
            )
            continue
        if sku_values.price <= 0:
            issues.append(
                Issue(
                    "mandatory",
                    "zero_price",
                    f"'{variant.sku}' has no price.",
                    "pricing_policy",
                    variant.sku,
                )
            )
        sku_attributes = []
        for definition in schema.sku_attributes:
            mapping = template.sku_attribute_mapping.get(definition.id, Mapping())
            value_id, text = _resolve(
                definition, mapping, variant, "sku_attribute_mapping", issues, sku=variant.sku
            )
            if value_id is not None:
                sku_attributes.append(
                    {
                        "sku_attribute_name_id": int(definition.id),
                        "sku_attribute_value_id": int(value_id),
                    }
                )
            elif text is not None:
                sku_attributes.append(
                    {"sku_attribute_name_id": int(definition.id), "sku_attribute_value": text[:70]}
                )
        key = tuple(
            sorted(
                f"{a['sku_attribute_name_id']}={a.get('sku_attribute_value_id')}"
                for a in sku_attributes
            )
        )
        if len(variants) > 1 and key in seen_combinations:
            issues.append(
                Issue(
                    "mandatory",
                    "duplicate_variant",
                    f"'{variant.sku}' and '{seen_combinations[key]}' map to the same "
                    "AliExpress variant.",
                    "sku_attribute_mapping",
                    variant.sku,
                )
            )
        seen_combinations[key] = variant.sku
        entry: dict[str, Any] = {
            "sku_code": variant.sku,
            "price": _money(sku_values.price),
            "inventory": sku_values.quantity,
            "sku_attributes_list": sku_attributes,
        }
        if sku_values.discount_price is not None:
            entry["discount_price"] = _money(sku_values.discount_price)
        sku_list.append(entry)
    if sku_list and all(s["inventory"] < 1 for s in sku_list):
        issues.append(
            Issue(
                "mandatory",
                "no_stock",
                "No SKU has stock to sell; AliExpress refuses a new product with zero inventory.",
                "inventory_policy",
            )
        )

    weight = template.weight
    if template.weight_attribute:
        raw = product.label(template.weight_attribute)
        with contextlib.suppress(ValueError):
            weight = float(raw) if raw is not None else weight
    if weight is None and product.weight:
        weight = product.weight
    if not weight or weight <= 0:
        issues.append(Issue("mandatory", "no_weight", "The package weight is missing.", "weight"))
    dims = tuple(
        _dimension(product, template.package_attributes.get(name), static)
        for name, static in (
            ("length", template.package_length),
            ("width", template.package_width),
            ("height", template.package_height),
        )
    )
    if not all(dims):
        issues.append(
            Issue("mandatory", "no_package", "The package dimensions are missing.", "package")
        )
    if not template.freight_template_id:
        issues.append(
            Issue(
                "mandatory",
                "no_freight_template",
                "Choose a freight template.",
                "freight_template_id",
            )
        )

    subjects = [{"language": template.language, "subject": (title or "")[:MAX_TITLE]}]
    descriptions = [
        {"language": template.language, "web_detail": description, "mobile_detail": description}
    ]
    for language, store_code in template.extra_languages.items():
        translated = product.translations.get(store_code) or {}
        if translated.get("name"):
            subjects.append({"language": language, "subject": str(translated["name"])[:MAX_TITLE]})
        if translated.get("description"):
            descriptions.append(
                {
                    "language": language,
                    "web_detail": translated["description"],
                    "mobile_detail": translated["description"],
                }
            )
    payload = {
        "language": template.language,
        "aliexpress_category_id": int(template.category_id),
        "multi_language_subject_list": subjects,
        "multi_language_description_list": descriptions,
        "main_image_urls_list": images,
        "attribute_list": attribute_list,
        "sku_info_list": sku_list,
        "inventory_deduction_strategy": "payment_success_deduct",
        "weight": f"{weight:.3f}" if weight else None,
        "package_length": dims[0],
        "package_width": dims[1],
        "package_height": dims[2],
        "freight_template_id": int(template.freight_template_id)
        if template.freight_template_id
        else None,
        "shipping_lead_time": template.shipping_lead_time,
        "service_policy_id": int(template.service_template_id or 0),
        "product_unit": template.product_unit,
    }
    return BuildResult(payload, issues)


def content_fingerprint(payload: dict[str, Any]) -> str:
    """Everything but prices, stock and images: what a full product edit would change."""
    content = {
        k: v for k, v in payload.items() if k not in ("sku_info_list", "main_image_urls_list")
    }
    content["skus"] = [
        [s["sku_code"], s.get("sku_attributes_list")] for s in payload.get("sku_info_list", [])
    ]
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hashlib.sha256(encoded).hexdigest()
