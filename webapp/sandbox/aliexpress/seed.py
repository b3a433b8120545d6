"""Seed data of the AliExpress sandbox: sellers, category tree, attribute definitions (turned
into ``product.schema.get`` JSON Schemas and ``sku.attribute.query`` answers), carriers, freight
and service templates.

IDs look like real AliExpress ids (attribute 2 = "Brand Name", 14 = "Color", 5 = "Size",
product unit 100000015 = piece) but the tree is a small invented excerpt.
"""

from __future__ import annotations

import json
from typing import Any

SELLERS: list[dict[str, str]] = [
    {
        "seller_id": "2000000001",
        "user_id": "2000000001",
        "account": "demo-seller@example.com",
        "user_nick": "Demo Store",
        "country": "US",
    },
    {
        "seller_id": "2000000002",
        "user_id": "2000000002",
        "account": "second-seller@example.com",
        "user_nick": "Second Store",
        "country": "ES",
    },
]

# (id, parent_id or 0, English name, Spanish name)
CATEGORIES: list[tuple[int, int, str, str]] = [
    (3, 0, "Apparel & Accessories", "Ropa y accesorios"),
    (200000345, 3, "Women's Clothing", "Ropa de mujer"),
    (200000347, 200000345, "Dresses", "Vestidos"),
    (200000348, 200000345, "Tops & Tees", "Tops y camisetas"),
    (200000785, 200000348, "T-Shirts", "Camisetas"),
    (200000343, 3, "Men's Clothing", "Ropa de hombre"),
    (200000707, 200000343, "Hoodies & Sweatshirts", "Sudaderas"),
    (44, 0, "Consumer Electronics", "Electrónica"),
    (200000510, 44, "Portable Audio & Video", "Audio y vídeo portátil"),
    (63705, 200000510, "Earphones & Headphones", "Auriculares"),
    (15, 0, "Home & Garden", "Hogar y jardín"),
    (200000920, 15, "Kitchen, Dining & Bar", "Cocina, comedor y bar"),
    (100004985, 200000920, "Mugs", "Tazas"),
]

_BRAND = {
    "id": 2,
    "name": "Brand Name",
    "required": True,
    "values": [(201512802, "NONE"), (200658765, "Alimento Demo")],
}
_ORIGIN = {
    "id": 219,
    "name": "Origin",
    "required": True,
    "values": [(9441741844, "Mainland China"), (9441741845, "United States")],
}
_MATERIAL = {
    "id": 10,
    "name": "Material",
    "required": False,
    "values": [(47, "Cotton"), (48, "Polyester"), (49, "Spandex")],
}
_CERT = {
    "id": 348,
    "name": "Certification",
    "required": False,
    "values": [(350, "CE"), (351, "FCC")],
}
_CERAMIC = {"id": 200001031, "name": "Material", "required": True, "values": [(1402, "Ceramic")]}
_CAPACITY = {"id": 200000639, "name": "Capacity", "required": False, "values": []}  # free input

_COLOR = {
    "id": 14,
    "name": "Color",
    "required": True,
    "values": [(29, "White"), (193, "Black"), (10, "Red"), (173, "Blue"), (175, "Green")],
}
_SIZE = {
    "id": 5,
    "name": "Size",
    "required": True,
    "values": [(100014064, "S"), (361386, "M"), (361385, "L"), (100014065, "XL")],
}

#: leaf category -> (common attributes, SKU attributes)
LEAF_ATTRIBUTES: dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {
    200000347: ([_BRAND, _ORIGIN, _MATERIAL], [_COLOR, _SIZE]),
    200000785: ([_BRAND, _ORIGIN, _MATERIAL], [_COLOR, _SIZE]),
    200000707: ([_BRAND, _ORIGIN, _MATERIAL], [_COLOR, _SIZE]),
    63705: ([_BRAND, _ORIGIN, _CERT], [_COLOR]),
    100004985: ([_BRAND, _ORIGIN, _CERAMIC, _CAPACITY], [_COLOR]),
}

LOGISTICS_SERVICES: list[dict[str, Any]] = [
    {
        "service_name": "CAINIAO_STANDARD",
        "display_name": "AliExpress Standard Shipping",
        "logistics_company": "Cainiao",
        "min_process_day": 1,
        "max_process_day": 7,
        "recommend_order": 1,
        "tracking_no_regex": "^[A-Z]{2}[0-9]{9}[A-Z]{2}$|^LP[0-9]{14}$",
    },
    {
        "service_name": "UPS",
        "display_name": "UPS Express Saver",
        "logistics_company": "UPS",
        "min_process_day": 1,
        "max_process_day": 5,
        "recommend_order": 2,
        "tracking_no_regex": "^1Z[0-9A-Z]{16}$",
    },
    {
        "service_name": "DHL",
        "display_name": "DHL",
        "logistics_company": "DHL",
        "min_process_day": 1,
        "max_process_day": 5,
        "recommend_order": 3,
        "tracking_no_regex": "^[0-9]{10}$",
    },
    {
        "service_name": "CPAM",
        "display_name": "China Post Registered Air Mail",
        "logistics_company": "China Post",
        "min_process_day": 3,
        "max_process_day": 15,
        "recommend_order": 4,
        "tracking_no_regex": "^R[A-Z][0-9]{9}CN$",
    },
]

FREIGHT_TEMPLATES: list[dict[str, Any]] = [
    {
        "template_id": 1000,
        "template_name": "Shipping Cost Template for New Sellers",
        "is_default": True,
    },
    {"template_id": 1001, "template_name": "Free shipping EU/US", "is_default": False},
    {"template_id": 1002, "template_name": "Express only", "is_default": False},
]

SERVICE_TEMPLATES: list[dict[str, Any]] = [
    {"id": 0, "name": "Default service policy"},
    {"id": 2001, "name": "15 days free return"},
    {"id": 2002, "name": "Local return (EU)"},
]

BUYERS: list[dict[str, Any]] = [
    {
        "login_id": "us1234567890abcd",
        "first_name": "Jane",
        "last_name": "Doe",
        "country": "US",
        "email": "jane.doe@example.com",
        "address": {
            "contact_person": "Jane Doe",
            "address": "1600 Amphitheatre Pkwy",
            "address2": "Apt 4",
            "detail_address": "1600 Amphitheatre Pkwy Apt 4",
            "city": "Mountain View",
            "province": "California",
            "zip": "94043",
            "country": "US",
            "phone_country": "+1",
            "phone_area": "650",
            "phone_number": "5550100",
            "mobile_no": "6505550100",
        },
    },
    {
        "login_id": "es9876543210wxyz",
        "first_name": "Lucía",
        "last_name": "García",
        "country": "ES",
        "email": "lucia.garcia@example.es",
        "address": {
            "contact_person": "Lucía García",
            "address": "Calle Mayor 1",
            "address2": "",
            "detail_address": "Calle Mayor 1, 3ºB",
            "city": "Madrid",
            "province": "Madrid",
            "zip": "28013",
            "country": "ES",
            "phone_country": "+34",
            "phone_area": "",
            "phone_number": "600000000",
            "mobile_no": "600000000",
        },
    },
    {
        "login_id": "fr5566778899aabb",
        "first_name": "Camille",
        "last_name": "Martin",
        "country": "FR",
        "email": "camille.martin@example.fr",
        "address": {
            "contact_person": "Camille Martin",
            "address": "12 Rue de Rivoli",
            "address2": "",
            "detail_address": "12 Rue de Rivoli",
            "city": "Paris",
            "province": "Ile-de-France",
            "zip": "75004",
            "country": "FR",
            "phone_country": "+33",
            "phone_area": "",
            "phone_number": "612345678",
            "mobile_no": "612345678",
        },
    },
    {
        "login_id": "de1122334455ccdd",
        "first_name": "Jonas",
        "last_name": "Müller",
        "country": "DE",
        "email": "jonas.mueller@example.de",
        "address": {
            "contact_person": "Jonas Müller",
            "address": "Friedrichstraße 43",
            "address2": "Hinterhaus",
            "detail_address": "Friedrichstraße 43 Hinterhaus",
            "city": "Berlin",
            "province": "Berlin",
            "zip": "10117",
            "country": "DE",
            "phone_country": "+49",
            "phone_area": "30",
            "phone_number": "1234567",
            "mobile_no": "15112345678",
        },
    },
    {
        "login_id": "pl9988776655eeff",
        "first_name": "Zofia",
        "last_name": "Kowalska",
        "country": "PL",
        "email": "zofia.kowalska@example.pl",
        "address": {
            "contact_person": "Zofia Kowalska",
            "address": "ul. Marszałkowska 10",
            "address2": "m. 5",
            "detail_address": "ul. Marszałkowska 10 m. 5",
            "city": "Warszawa",
            "province": "Mazowieckie",
            "zip": "00-590",
            "country": "PL",
            "phone_country": "+48",
            "phone_area": "",
            "phone_number": "501234567",
            "mobile_no": "501234567",
        },
    },
    {
        # AliExpress often hides the buyer's e-mail: this buyer has none.
        "login_id": "br4433221100ffee",
        "first_name": "João",
        "last_name": "Silva",
        "country": "BR",
        "address": {
            "contact_person": "João Silva",
            "address": "Avenida Paulista 1578",
            "address2": "",
            "detail_address": "Avenida Paulista 1578",
            "city": "São Paulo",
            "province": "São Paulo",
            "zip": "01310-200",
            "country": "BR",
            "phone_country": "+55",
            "phone_area": "11",
            "phone_number": "987654321",
            "mobile_no": "11987654321",
        },
    },
]


def category(category_id: int) -> tuple[int, int, str, str] | None:
    return next((c for c in CATEGORIES if c[0] == category_id), None)


def children(parent_id: int) -> list[tuple[int, int, str, str]]:
    return [c for c in CATEGORIES if c[1] == parent_id]


def level(category_id: int) -> int:
    depth = 0
    current = category(category_id)
    while current is not None:
        depth += 1
        current = category(current[1]) if current[1] else None
    return depth


def is_leaf(category_id: int) -> bool:
    return category(category_id) is not None and not children(category_id)


def attribute_by_id(category_id: int, attr_id: int) -> dict[str, Any] | None:
    common, sku = LEAF_ATTRIBUTES.get(category_id, ([], []))
    return next((a for a in common + sku if a["id"] == attr_id), None)


def _value_property(attr: dict[str, Any]) -> dict[str, Any]:
    if not attr["values"]:
        return {"type": "string", "maxLength": 70}
    return {
        "type": "string",
        "oneOf": [{"const": str(vid), "title": name} for vid, name in attr["values"]],
    }


def _attribute_schema(attr: dict[str, Any], *, sku: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {"value": _value_property(attr)}
    if sku:
        properties["alias"] = {"type": "string", "maxLength": 70}
        properties["sku_image_url"] = {"type": "string", "format": "uri"}
    return {
        "type": "object",
        "title": attr["name"],
        "x-attribute-id": attr["id"],
        "required": ["value"],
        "properties": properties,
    }


REQUIRED_INSTANCE_FIELDS = [
    "title_multi_language_list",
    "description_multi_language_list",
    "locale",
    "product_units_type",
    "category_id",
    "image_url_list",
    "category_attributes",
    "sku_info_list",
    "inventory_deduction_strategy",
    "package_weight",
    "package_length",
    "package_height",
    "package_width",
    "shipping_preparation_time",
    "shipping_template_id",
    "service_template_id",
    "product_group_id",
]


def schema_for(category_id: int) -> dict[str, Any]:
    """The JSON Schema (draft 07) ``aliexpress.solution.product.schema.get`` returns for a leaf
    (top-level fields per DOC-120682)."""
    common, sku_attrs = LEAF_ATTRIBUTES[category_id]
    name = category(category_id)[2]  # type: ignore[index]
    text = {"type": "string"}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": f"Product schema of category {category_id} ({name})",
        "type": "object",
        "required": REQUIRED_INSTANCE_FIELDS,
        "properties": {
            "category_id": {"type": "integer", "const": category_id},
            "locale": {"type": "string", "enum": ["en_US", "ru_RU", "es_ES", "fr_FR", "de_DE"]},
            "product_units_type": {"type": "string", "enum": ["100000015", "100000000"]},
            "title_multi_language_list": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["locale", "title"],
                    "properties": {"locale": text, "title": {"type": "string", "maxLength": 218}},
                },
            },
            "description_multi_language_list": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["locale", "module_list"],
                    "properties": {
                        "locale": text,
                        "module_list": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["type"],
                                "properties": {
                                    "type": {"type": "string", "enum": ["html", "text", "image"]},
                                    "html": {"type": "object", "properties": {"content": text}},
                                },
                            },
                        },
                    },
                },
            },
            "image_url_list": {
                "type": "array",
                "minItems": 1,
                "maxItems": 6,
                "items": {"type": "string", "format": "uri"},
            },
            "category_attributes": {
                "type": "object",
                "required": [a["name"] for a in common if a["required"]],
                "properties": {a["name"]: _attribute_schema(a, sku=False) for a in common},
            },
            "sku_info_list": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["sku_code", "price", "inventory"]
                    + (["sku_attributes"] if sku_attrs else []),
                    "properties": {
                        "sku_code": {"type": "string", "maxLength": 20},
                        "price": {"type": "number", "minimum": 0.01, "maximum": 999999},
                        "discount_price": {"type": "number", "minimum": 0.01, "maximum": 999999},
                        "inventory": {"type": "integer", "minimum": 0, "maximum": 999999},
                        "ean_code": {"type": "string"},
                        "sku_attributes": {
                            "type": "object",
                            "required": [a["name"] for a in sku_attrs if a["required"]],
                            "properties": {
                                a["name"]: _attribute_schema(a, sku=True) for a in sku_attrs
                            },
                        },
                    },
                },
            },
            "inventory_deduction_strategy": {
                "type": "string",
                "enum": ["place_order_withhold", "payment_success_deduct"],
            },
            "package_weight": {"type": "number", "minimum": 0.001, "maximum": 500},
            "package_length": {"type": "integer", "minimum": 1, "maximum": 700},
            "package_height": {"type": "integer", "minimum": 1, "maximum": 700},
            "package_width": {"type": "integer", "minimum": 1, "maximum": 700},
            "shipping_preparation_time": {"type": "integer", "minimum": 1, "maximum": 60},
            "shipping_template_id": {"type": "integer"},
            "service_template_id": {"type": "integer"},
            "product_group_id": {"type": "integer"},
        },
    }


def sku_attribute_answer(category_id: int) -> dict[str, Any]:
    """``aliexpress.solution.sku.attribute.query`` result for a leaf."""
    common, sku_attrs = LEAF_ATTRIBUTES[category_id]
    return {
        "supporting_sku_attribute_list": [
            {
                "aliexpress_sku_name": a["name"],
                "required": a["required"],
                "support_customized_name": True,
                "support_customized_picture": a["id"] == 14,
                "aliexpress_sku_value_list": [
                    {"aliexpress_sku_value_name": name} for _, name in a["values"]
                ],
            }
            for a in sku_attrs
        ],
        "supporting_common_attribute_list": [
            {
                "aliexpress_common_attribute_name_id": a["id"],
                "aliexpress_common_attribute_name": a["name"],
                "required": a["required"],
                "aliexpress_common_attribute_value_list": [
                    {
                        "aliexpress_common_attribute_value_id": vid,
                        "aliexpress_common_attribute_value": name,
                    }
                    for vid, name in a["values"]
                ],
            }
            for a in common
        ],
    }


def names_json(category_id: int) -> str:
    cat = category(category_id)
    assert cat is not None
    return json.dumps({"en": cat[2], "es": cat[3]}, ensure_ascii=False)
