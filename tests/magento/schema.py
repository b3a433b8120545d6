"""Adobe's admin REST schema (Swagger 2.0, 2.4.8) as a contract for client requests and sandbox
answers.

Strict where it can be: every object definition with properties gets
``additionalProperties: false`` (no invented fields). Two documented relaxations, both because
the generated schema cannot express what Magento really sends:

- ``NULLABLE``: required scalar fields Magento fills with ``null`` in real answers (e.g. the
  stock item's ``low_stock_date``, checkmo's ``account_status``/``cc_last4``; see the example
  answers in AdobeDocs/commerce-webapi ``create-configurable-product.md`` and
  ``order-create-order.md``).
- Error bodies: the schema types ``parameters`` as a list of objects, while Magento sends an
  object for named placeholders and a list of strings for positional ones (notes §7.1), so
  errors are checked against :data:`ERROR_SCHEMA`.
"""

from __future__ import annotations

import copy
import os
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SCHEMA_CANDIDATES = [
    os.environ.get("MAGENTO_SCHEMA", ""),
    str(Path(__file__).parent / "data" / "magento-rest-2.4.8-admin.yaml"),
    # CI clones the repository with the project's shared/ folder beside it.
    str(
        Path(__file__).resolve().parents[3]
        / "shared"
        / "reference"
        / "magento-rest-2.4.8-admin.yaml"
    ),
    "/work/shared/reference/magento-rest-2.4.8-admin.yaml",
]
NULLABLE = {
    ("catalog-inventory-data-stock-item-interface", "low_stock_date"),
    ("sales-data-order-payment-interface", "account_status"),
    ("sales-data-order-payment-interface", "cc_last4"),
    ("quote-data-totals-interface", "weee_tax_applied_amount"),
    ("sales-data-shipment-track-interface", "weight"),
    ("sales-data-shipment-track-interface", "qty"),
    ("sales-data-shipment-track-interface", "description"),
}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["message"],
    "additionalProperties": False,
    "properties": {
        "message": {"type": "string"},
        "parameters": {"type": ["object", "array"]},
        "errors": {"type": "array"},
        "code": {"type": "integer"},
        "trace": {"type": "string"},
    },
}


@cache
def document() -> dict[str, Any]:
    path = next((Path(p) for p in SCHEMA_CANDIDATES if p and Path(p).is_file()), None)
    if path is None:
        raise FileNotFoundError(
            f"Adobe's admin schema not found; set MAGENTO_SCHEMA ({SCHEMA_CANDIDATES})"
        )
    with path.open() as handle:
        # the C-accelerated *safe* loader: 0.5 s instead of ~10 s for the 1 MB file
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506


@cache
def strict_definitions() -> dict[str, Any]:
    definitions = copy.deepcopy(document()["definitions"])
    for name, definition in definitions.items():
        if definition.get("properties"):
            definition.setdefault("additionalProperties", False)
        for prop in definition.get("properties", {}):
            if (name, prop) in NULLABLE:
                original = definition["properties"][prop]
                definition["properties"][prop] = {"anyOf": [original, {"type": "null"}]}
    return definitions


@cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    out = []
    for template in document()["paths"]:
        regex = "^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template.rstrip("/"))) + "/?$"
        out.append((re.compile(regex), template))
    # literal paths win over templated ones (``products/attributes`` vs ``products/{sku}``)
    out.sort(key=lambda item: item[1].count("{"))
    return out


def operation(method: str, rest_path: str) -> tuple[str, dict[str, Any]]:
    """``rest_path`` like ``/rest/es/V1/products/X`` -> (schema path, operation object)."""
    path = re.sub(r"^/rest/(?:[^/]+/)?(?=V\d/)", "/", rest_path)
    for regex, template in _templates():
        if regex.match(path):
            op = document()["paths"][template].get(method.lower())
            if op is not None:
                return template, op
    raise AssertionError(f"{method} {rest_path} is not an operation of the admin schema")


def validate_answer(method: str, rest_path: str, status: int, body: Any) -> None:
    template, op = operation(method, rest_path)
    if status >= 400:
        jsonschema.Draft4Validator(ERROR_SCHEMA).validate(body)
        return
    response = op["responses"].get(str(status)) or op["responses"].get("200")
    schema = (response or {}).get("schema")
    if schema is None:  # void service method: Magento answers an empty array
        assert body in ([], None, True), f"{method} {template}: unexpected body {body!r}"
        return
    root = {**schema, "definitions": strict_definitions()}
    validator = jsonschema.Draft4Validator(root)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path)
        raise AssertionError(f"{method} {template} answer invalid at {where}: {first.message}")
