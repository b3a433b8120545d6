"""Business methods of the sandbox gateway (``/sync``), answering in the non-simplified TOP shape
(list wrappers such as ``{"order_dto": [...]}``); :mod:`.gateway` derives the ``simplify=true``
shape. Field names follow ``/work/shared/reference/aliexpress-solution-apis.txt``.

Error codes that no public source documents (unknown product in a batch update, unknown job id)
are sandbox inventions and say so in their message.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from . import seed
from .state import SandboxState

PACIFIC = ZoneInfo("America/Los_Angeles")

FEED_OPERATIONS = (
    "PRODUCT_CREATE",
    "PRODUCT_FULL_UPDATE",
    "PRODUCT_STOCKS_UPDATE",
    "PRODUCT_PRICES_UPDATE",
)
ORDER_STATUSES = (
    "PLACE_ORDER_SUCCESS",
    "PAYMENT_PROCESSING",
    "RISK_CONTROL",
    "RISK_CONTROL_HOLD",
    "WAIT_SELLER_EXAMINE_MONEY",
    "WAIT_GROUP_SUCCESS",
    "WAIT_SELLER_SEND_GOODS",
    "SELLER_PART_SEND_GOODS",
    "WAIT_BUYER_ACCEPT_GOODS",
    "FUND_PROCESSING",
    "IN_CANCEL",
    "IN_ISSUE",
    "IN_FROZEN",
    "FINISH",
    "ARCHIVE",
)
FULFILLABLE = ("WAIT_SELLER_SEND_GOODS", "SELLER_PART_SEND_GOODS")


class ApiFault(Exception):
    """An answer in the gateway's error envelope."""

    def __init__(
        self,
        code: str,
        msg: str,
        *,
        type: str = "ISV",
        sub_code: str | None = None,
        sub_msg: str | None = None,
        http_status: int = 200,
    ) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg
        self.type = type
        self.sub_code = sub_code
        self.sub_msg = sub_msg
        self.http_status = http_status


class BusinessFailure(Exception):
    """A failure reported inside a successful envelope as ``result.success=false``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def pacific(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).astimezone(PACIFIC).strftime("%Y-%m-%d %H:%M:%S")


def parse_pacific(text: str, name: str) -> float:
    try:
        moment = datetime.strptime(text.strip()[:19], "%Y-%m-%d %H:%M:%S")
    except ValueError as exc:
        raise ApiFault(
            "InvalidParameter", f"{name} must be yyyy-MM-dd HH:mm:ss (US Pacific)"
        ) from exc
    return moment.replace(tzinfo=PACIFIC).timestamp()


def json_param(params: dict[str, str], name: str, *, required: bool = True) -> Any:
    raw = params.get(name)
    if raw in (None, ""):
        if required:
            raise ApiFault("MissingParameter", f"Missing required parameter: {name}")
        return None
    try:
        return json.loads(raw)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ApiFault("InvalidParameter", f"{name} is not valid JSON") from exc


def int_param(params: dict[str, str], name: str, *, default: int | None = None) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        if default is None:
            raise ApiFault("MissingParameter", f"Missing required parameter: {name}")
        return default
    try:
        return int(raw)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ApiFault("InvalidParameter", f"{name} must be a number") from exc


def money(value: Any, name: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise BusinessFailure("INVALID_PRICE", f"{name} is not a number") from exc
    if not Decimal("0.01") <= amount <= Decimal("999999"):
        raise BusinessFailure("INVALID_PRICE", f"{name} must be between 0.01 and 999999")
    return amount.quantize(Decimal("0.01"))


def _bool(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


Handler = Callable[[SandboxState, str, dict[str, str]], dict[str, Any]]
METHODS: dict[str, Handler] = {}


def method(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        METHODS[name] = fn
        return fn

    return register


def _result_failure(exc: BusinessFailure) -> dict[str, Any]:
    return {"result": {"success": False, "error_code": exc.code, "error_message": exc.message}}


# -- categories and schemas ---------------------------------------------------------------------


@method("aliexpress.solution.seller.category.tree.query")
def category_tree(state: SandboxState, seller_id: str, params: dict[str, str]) -> dict[str, Any]:
    parent = int_param(params, "category_id")
    if parent and seed.category(parent) is None:
        return {"is_success": False, "children_category_list": {"category_info": []}}
    items = [
        {
            "children_category_id": cid,
            "is_leaf_category": seed.is_leaf(cid),
            "level": seed.level(cid),
            "multi_language_names": seed.names_json(cid),
        }
        for cid, *_ in seed.children(parent)
    ]
    return {"is_success": True, "children_category_list": {"category_info": items}}


def _leaf(category_id: Any) -> int:
    try:
        cid = int(category_id)
    except (TypeError, ValueError) as exc:
        raise BusinessFailure("GPF.CHK_CATEGORY_ID_INVALID", "category id is invalid") from exc
    if seed.category(cid) is None:
        raise BusinessFailure("GPF.CHK_CATEGORY_ID_INVALID", f"category {cid} does not exist")
    if not seed.is_leaf(cid):
        raise BusinessFailure(
            "GPF.CHK_CATEGORY_ID_NOT_LEAF_CATEGORY", f"category {cid} is not a leaf category"
        )
    return cid


@method("aliexpress.solution.product.schema.get")
def schema_get(state: SandboxState, seller_id: str, params: dict[str, str]) -> dict[str, Any]:
    try:
        cid = _leaf(int_param(params, "aliexpress_category_id"))
    except BusinessFailure as exc:
        return _result_failure(exc)
    return {"result": {"success": True, "schema": json.dumps(seed.schema_for(cid))}}


@method("aliexpress.solution.sku.attribute.query")
def sku_attribute_query(
    state: SandboxState, seller_id: str, params: dict[str, str]
) -> dict[str, Any]:
    query = json_param(params, "query_sku_attribute_info_request") or {}
    try:
        cid = _leaf(query.get("aliexpress_category_id"))
    except BusinessFailure as exc:
        return _result_failure(exc)
    answer = seed.sku_attribute_answer(cid)
    return {
        "result": {
            "success": True,
            "supporting_sku_attribute_list": {
                "supported_sku_attribute_dto": answer["supporting_sku_attribute_list"]
            },
            "supporting_common_attribute_list": {
                "supported_common_attribute_dto": answer["supporting_common_attribute_list"]
            },
        }
    }


@method("aliexpress.freight.redefining.listfreighttemplate")
def freight_templates(
    state: SandboxState, seller_id: str, params: dict[str, str]
) -> dict[str, Any]:
    return {
        "result_success": True,
        "aeop_freight_template_d_t_o_list": {"aeopfreighttemplatedtolist": seed.FREIGHT_TEMPLATES},
    }


@method("aliexpress.logistics.redefining.listlogisticsservice")
def logistics_services(
    state: SandboxState, seller_id: str, params: dict[str, str]
) -> dict[str, Any]:
    return {
        "result_success": True,
        "result_list": {"aeop_logistics_service_result": seed.LOGISTICS_SERVICES},
    }


@method("aliexpress.postproduct.redefining.querypromisetemplatebyid")
def service_templates(
    state: SandboxState, seller_id: str, params: dict[str, str]
) -> dict[str, Any]:
    template_id = int_param(params, "template_id", default=-1)
    templates = [t for t in seed.SERVICE_TEMPLATES if template_id in (-1, t["id"])]
    return {"result": {"template_list": {"template_d_t_o": templates}}}


@method("aliexpress.solution.merchant.profile.get")
def merchant_profile(state: SandboxState, seller_id: str, params: dict[str, str]) -> dict[str, Any]:
    seller = next(s for s in seed.SELLERS if s["seller_id"] == seller_id)
    return {
        "country_code": seller["country"],
        "product_posting_forbidden": False,
        "merchant_login_id": seller["account"],
        "shop_id": int(seller_id) + 900000000,
        "shop_name": seller["user_nick"],
        "shop_type": "normal",
        "shop_url": f"https://www.aliexpress.com/store/{int(seller_id) + 900000000}",
    }


# -- products -----------------------------------------------------------------------------------


def _sku_properties(cid: int, sku_attrs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    properties = []
    for attr in sku_attrs or []:
        name_id = attr.get("sku_attribute_name_id")
        value_id = attr.get("sku_attribute_value_id")
        definition = seed.attribute_by_id(cid, int(name_id)) if name_id else None
        if name_id and definition is None:
            raise BusinessFailure(
                "GPF.CHK_SKU_ATTRIBUTE_INVALID", f"sku attribute {name_id} not in category {cid}"
            )
        value_name = attr.get("sku_attribute_value")
        if definition and value_id and not value_name:
            value_name = next((n for v, n in definition["values"] if v == int(value_id)), None)
        properties.append(
            {
                "sku_property_id": int(name_id) if name_id else None,
                "property_value_id": int(value_id) if value_id else None,
                "property_value_definition_name": value_name,
                "sku_image": attr.get("sku_image_url") or attr.get("sku_image"),
            }
        )
    return properties


def _skus(state: SandboxState, cid: int, sku_list: Any, *, minimum: int) -> list[dict[str, Any]]:
    if not isinstance(sku_list, list) or not sku_list:
        raise BusinessFailure("GPF.CHK_SKU_REQUIRED", "sku_info_list must not be empty")
    codes = [str(s.get("sku_code") or "") for s in sku_list]
    if len(set(codes)) != len(codes):
        raise BusinessFailure("F00-00-10007-007", "duplicate sku_code in the product")
    skus = []
    for raw in sku_list:
        if not raw.get("sku_code"):
            raise BusinessFailure("GPF.CHK_SKU_CODE_REQUIRED", "every SKU needs a sku_code")
        price = money(raw.get("price"), "price")
        discount = raw.get("discount_price")
        discount_price = money(discount, "discount_price") if discount not in (None, "") else None
        if discount_price is not None and discount_price >= price:
            raise BusinessFailure(
                "GPF.CHK_DISCOUNT_PRICE", "discount_price should be cheaper than price"
            )
        try:
            inventory = int(raw.get("inventory"))
        except (TypeError, ValueError) as exc:
            raise BusinessFailure("GPF.CHK_INVENTORY", "inventory must be a number") from exc
        if not minimum <= inventory <= 999999:
            raise BusinessFailure(
                "GPF.CHK_INVENTORY", f"inventory must be between {minimum} and 999999"
            )
        skus.append(
            {
                "id": str(state.next_id("sku")),
                "sku_code": str(raw["sku_code"]),
                "price": str(price),
                "discount_price": str(discount_price) if discount_price is not None else None,
                "inventory": inventory,
                "ean_code": raw.get("ean_code"),
                "properties": _sku_properties(cid, raw.get("sku_attributes_list") or []),
            }
        )
    return skus


def _attributes(cid: int, attribute_list: Any) -> list[dict[str, Any]]:
    common, _ = seed.LEAF_ATTRIBUTES[cid]
    attributes = []
    for attr in attribute_list or []:
        name_id = attr.get("aliexpress_attribute_name_id")
        definition = seed.attribute_by_id(cid, int(name_id)) if name_id else None
        value_id = attr.get("aliexpress_attribute_value_id")
        value = attr.get("attribute_value")
        if definition and value_id and not value:
            value = next((n for v, n in definition["values"] if v == int(value_id)), None)
        attributes.append(
            {
                "attr_name_id": int(name_id) if name_id else None,
                "attr_name": definition["name"] if definition else attr.get("attribute_name"),
                "attr_value_id": int(value_id) if value_id else None,
                "attr_value": value,
            }
        )
    given = {a["attr_name_id"] for a in attributes} | {a["attr_name"] for a in attributes}
    missing = [a["name"] for a in common if a["required"] and not {a["id"], a["name"]} & given]
    if missing:
        raise BusinessFailure(
            "GPF.CHK_REQUIRED_ATTRIBUTE", f"required attributes missing: {', '.join(missing)}"
        )
    return attributes


_POST_REQUIRED = (
    "language",
    "main_image_urls_list",
    "sku_info_list",
    "inventory_deduction_strategy",
    "weight",
    "package_length",
    "package_height",
    "package_width",
    "freight_template_id",
    "shipping_lead_time",
    "service_policy_id",
)


def _check_templates(request: dict[str, Any]) -> None:
    freight = request.get("freight_template_id")
    if freight is not None and int(freight) not in {
        t["template_id"] for t in seed.FREIGHT_TEMPLATES
    }:
        raise BusinessFailure("GPF.CHK_FREIGHT_TEMPLATE", f"freight template {freight} not found")
    service = request.get("service_policy_id")
    if service is not None and int(service) not in {t["id"] for t in seed.SERVICE_TEMPLATES}:
        raise BusinessFailure("GPF.CHK_SERVICE_POLICY", f"service policy {service} not found")


def product_from_post(
    state: SandboxState, seller_id: str, request: dict[str, Any], product_id: int | None = None
) -> dict[str, Any]:
    """Validate a ``post_product_request`` and build the stored product."""
    missing = [k for k in _POST_REQUIRED if request.get(k) in (None, "", [])]
    if missing:
        raise BusinessFailure("GPF.CHK_REQUIRED_FIELD", f"required fields missing: {missing}")
    cid = _leaf(request.get("aliexpress_category_id") or request.get("category_id"))
    images = list(request["main_image_urls_list"])
    if len(images) > 6:
        raise BusinessFailure("GPF.CHK_IMAGE_COUNT", "at most 6 main images")
    subjects = request.get("multi_language_subject_list") or []
    if not subjects and request.get("subject"):
        subjects = [{"language": request["language"], "subject": request["subject"]}]
    if not subjects:
        raise BusinessFailure("GPF.CHK_SUBJECT_REQUIRED", "multi_language_subject_list is empty")
    for subject in subjects:
        if len(str(subject.get("subject") or "")) > 218:
            raise BusinessFailure("GPF.CHK_SUBJECT_LENGTH", "subject longer than 218 characters")
    _check_templates(request)
    now = time.time()
    return {
        "product_id": product_id or state.next_id("product"),
        "seller_id": seller_id,
        "status": "onSelling",
        "category_id": cid,
        "language": request["language"],
        "subjects": [
            {"locale": s.get("language") or s.get("locale"), "subject": s.get("subject")}
            for s in subjects
        ],
        "descriptions": [
            {
                "locale": d.get("language") or d.get("locale"),
                "web_detail": d.get("web_detail"),
                "mobile_detail": d.get("mobile_detail"),
            }
            for d in request.get("multi_language_description_list") or []
        ],
        "images": images,
        "brand_name": request.get("brand_name"),
        "attributes": _attributes(cid, request.get("attribute_list")),
        "skus": _skus(state, cid, request["sku_info_list"], minimum=1),
        "inventory_deduction_strategy": request["inventory_deduction_strategy"],
        "weight": str(request["weight"]),
        "package_length": int(request["package_length"]),
        "package_height": int(request["package_height"]),
        "package_width": int(request["package_width"]),
        "freight_template_id": int(request["freight_template_id"]),
        "shipping_lead_time": int(request["shipping_lead_time"]),
        "service_policy_id": int(request["service_policy_id"]),
        "product_unit": int(request.get("product_unit") or 100000015),
        "group_id": request.get("group_id"),
        "currency_code": "USD",
        "created": now,
        "modified": now,
    }


def product_from_instance(
    state: SandboxState, seller_id: str, instance: dict[str, Any], product_id: int | None = None
) -> dict[str, Any]:
    """Validate a schema instance (``product.schema.get`` format) and build the product."""
    missing = [k for k in seed.REQUIRED_INSTANCE_FIELDS if k not in instance]
    if missing:
        raise BusinessFailure("GPF.CHK_REQUIRED_FIELD", f"required fields missing: {missing}")
    cid = _leaf(instance["category_id"])
    common, sku_attrs = seed.LEAF_ATTRIBUTES[cid]
    by_name = {a["name"]: a for a in common + sku_attrs}
    attributes = []
    for name, value in (instance.get("category_attributes") or {}).items():
        definition = by_name.get(name)
        raw = value.get("value") if isinstance(value, dict) else value
        attributes.append(
            {
                "aliexpress_attribute_name_id": definition["id"] if definition else None,
                "attribute_name": name,
                "aliexpress_attribute_value_id": int(str(raw))
                if definition and definition["values"] and str(raw).isdigit()
                else None,
                "attribute_value": None if definition and definition["values"] else str(raw),
            }
        )
    sku_list = []
    for sku in instance.get("sku_info_list") or []:
        properties = []
        for name, value in (sku.get("sku_attributes") or {}).items():
            definition = by_name.get(name)
            raw = value.get("value") if isinstance(value, dict) else value
            properties.append(
                {
                    "sku_attribute_name_id": definition["id"] if definition else None,
                    "sku_attribute_value_id": int(str(raw)) if str(raw).isdigit() else None,
                    "sku_attribute_value": value.get("alias") if isinstance(value, dict) else None,
                    "sku_image_url": value.get("sku_image_url")
                    if isinstance(value, dict)
                    else None,
                }
            )
        sku_list.append({**sku, "sku_attributes_list": properties})
    request = {
        "language": str(instance["locale"]).split("_")[0],
        "aliexpress_category_id": cid,
        "multi_language_subject_list": [
            {"language": t.get("locale"), "subject": t.get("title")}
            for t in instance["title_multi_language_list"]
        ],
        "multi_language_description_list": [
            {"language": d.get("locale"), "web_detail": json.dumps(d.get("module_list"))}
            for d in instance["description_multi_language_list"]
        ],
        "main_image_urls_list": instance["image_url_list"],
        "attribute_list": attributes,
        "sku_info_list": sku_list,
        "inventory_deduction_strategy": instance["inventory_deduction_strategy"],
        "weight": instance["package_weight"],
        "package_length": instance["package_length"],
        "package_height": instance["package_height"],
        "package_width": instance["package_width"],
        "freight_template_id": instance["shipping_template_id"],
        "shipping_lead_time": instance["shipping_preparation_time"],
        "service_policy_id": instance["service_template_id"],
        "product_unit": instance["product_units_type"],
        "group_id": instance.get("product_group_id"),
    }
    return product_from_post(state, seller_id, request, product_id)


def _check_sku_codes_free(state: SandboxState, seller_id: str, product: dict[str, Any]) -> None:
    owners = state.sku_owners(seller_id, [s["sku_code"] for s in product["skus"]])
    clash = [code for code, owner in owners.items() if owner != product["product_id"]]
    if clash:
        raise BusinessFailure(
            "F00-00-10007-007", f"sku_code already used by another product: {', '.join(clash)}"
        )


@method("aliexpress.solution.product.post")
def product_post(state: SandboxState, seller_id: str, params: dict[str, str]) -> dict[str, Any]:
    request = json_param(params, "post_product_request")
    try:
        product = product_from_post(state, seller_id, request)
        _check_sku_codes_free(state, seller_id, product)
    except BusinessFailure as exc:
        return _result_failure(exc)
    state.save_product(product)
    return {"result": {"success": True, "product_id": product["product_id"]}}


@method("aliexpress.solution.schema.product.instance.post")
def instance_post(state: SandboxState, seller_id: str, params: dict[str, str]) -> dict[str, Any]:
    instance = json_param(params, "product_instance_request")
    try:
        product = product_from_instance(state, seller_id, instance)
        _check_sku_codes_free(state, seller_id, product)
    except BusinessFailure as exc:
        return _result_failure(exc)
    state.save_product(product)
    return {"result": {"success": True, "product_id": product["product_id"]}}


@method("aliexpress.solution.schema.product.full.update")
def instance_full_update(
    state: SandboxState, seller_id: str, params: dict[str, str]
) -> dict[str, Any]:
    instance = json_param(params, "schema_full_update_request")
    existing = state.product(instance.get("aliexpress_product_id"), seller_id)
    if existing is None:
        return _result_failure(BusinessFailure("PRODUCT_NOT_FOUND", "product does not exist"))
    try:
        product = product_from_instance(state, seller_id, instance, existing["product_id"])
        product["created"] = existing["created"]
        _check_sku_codes_free(state, seller_id, product)
    except BusinessFailure as exc:
        return _result_failure(exc)
    state.save_product(product)
    return {"product_id": product["product_id"]}


@method("aliexpress.solution.product.edit")
def product_edit(state: SandboxState, seller_id: str, params: dict[str, str]) -> dict[str, Any]:
    request = json_param(params, "edit_product_request")
    product = state.product(request.get("product_id"), seller_id)
    if product is None:
        return _result_failure(BusinessFailure("PRODUCT_NOT_FOUND", "product does not exist"))
    try:
        cid = product["category_id"]
        if request.get("aliexpress_category_id"):
            cid = product["category_id"] = _leaf(request["aliexpress_category_id"])
        if request.get("sku_info_list") is not None:
            product["skus"] = _skus(state, cid, request["sku_info_list"], minimum=1)
            _check_sku_codes_free(state, seller_id, product)
        if request.get("attribute_list") is not None:
            product["attributes"] = _attributes(cid, request["attribute_list"])
        if request.get("multi_language_subject_list"):
            product["subjects"] = [
                {"locale": s.get("language"), "subject": s.get("subject")}
                for s in request["multi_language_subject_list"]
            ]
        if request.get("main_image_urls_list"):
            product["images"] = list(request["main_image_urls_list"])[:6]
        _check_templates(request)
        for key in (
            "freight_template_id",
            "service_policy_id",
            "shipping_lead_time",
            "package_length",
            "package_height",
            "package_width",
            "group_id",
            "brand_name",
            "inventory_deduction_strategy",
        ):
            if request.get(key) is not None:
                product[key] = request[key]
        if request.get("weight") is not None:
            product["weight"] = str(request["weight"])
    except BusinessFailure as exc:
        return _result_failure(exc)
    product["modified"] = time.time()
    state.save_product(product)
    return {"result": {"success": True, "product_id": product["product_id"]}}


def _sku_dto(product: dict[str, Any], sku: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": sku["id"],
        "sku_code": sku["sku_code"],
        "sku_price": sku["price"],
        "sku_discount_price": sku["discount_price"],
        "ipm_sku_stock": sku["inventory"],
        "sku_stock": sku["inventory"] > 0,
        "currency_code": product["currency_code"],
        "ean_code": sku.get("ean_code"),
        "barcode": sku.get("ean_code"),
        "aeop_s_k_u_property_list": {"global_aeop_sku_property": sku["properties"]},
    }


def _prices(product: dict[str, Any]) -> tuple[str, str]:
    prices = [Decimal(s["discount_price"] or s["price"]) for s in product["skus"]]
    return str(min(prices)), str(max(prices))


@method("aliexpress.solution.product.info.get")
def product_info(state: SandboxState, seller_id: str, params: dict[str, str]) -> dict[str, Any]:
    advance_feeds(state, seller_id)
    product = state.product(params.get("product_id"), seller_id)
    if product is None:
        return _result_failure(BusinessFailure("PRODUCT_NOT_FOUND", "product does not exist"))
    subjects = product["subjects"]
    return {
        "result": {
            "success": True,
            "product_id": product["product_id"],
            "subject": subjects[0]["subject"] if subjects else "",
            "multi_language_subject_list": {"global_subject": subjects},
            "multi_language_description_list": {"global_description": product["descriptions"]},
            "category_id": product["category_id"],
            "product_status_type": product["status"],
            "aeop_ae_product_s_k_us": {
                "global_aeop_ae_product_sku": [_sku_dto(product, s) for s in product["skus"]]
            },
            "aeop_ae_product_propertys": {"global_aeop_ae_product_property": product["attributes"]},
            "image_u_r_ls": ";".join(product["images"]),
            "freight_template_id": product["freight_template_id"],
            "promise_template_id": product["service_policy_id"],
            "delivery_time": product["shipping_lead_time"],
            "gross_weight": product["weight"],
            "package_length": product["package_length"],
            "package_height": product["package_height"],
            "package_width": product["package_width"],
            "product_unit": product["product_unit"],
            "product_price": _prices(product)[0],
            "reduce_strategy": product["inventory_deduction_strategy"],
            "currency_code": product["currency_code"],
            "group_id": product.get("group_id"),
            "gmt_create": pacific(product["created"]),
            "gmt_modified": pacific(product["modified"]),
        }
    }


@method("aliexpress.solution.product.list.get")
def product_list(state: SandboxState, seller_id: str, params: dict[str, str]) -> dict[str, Any]:
    advance_feeds(state, seller_id)
    query = json_param(params, "aeop_a_e_product_list_query")
    status = query.get("product_status_type")
    if not status:
        raise ApiFault("MissingParameter", "Missing required parameter: product_status_type")
    page = int(query.get("current_page") or 1)
    size = int(query.get("page_size") or 20)
    if size >= 100:
        return {
            "result": {
                "success": False,
                "error_code": "PAGE_SIZE_TOO_LARGE",
                "error_message": "page_size must be less than 100",
            }
        }
    filters = (
        "product_id",
        "sku_code",
        "subject",
        "excepted_product_ids",
        "gmt_modified_start",
        "gmt_modified_end",
        "gmt_create_start",
        "gmt_create_end",
    )
    if not any(query.get(k) for k in filters):
        total, page_items = state.products_page(seller_id, status, (page - 1) * size, size)
        return _product_page(seller_id, page, size, total, page_items)
    products = state.products(seller_id, status)
    if query.get("product_id"):
        products = [p for p in products if str(p["product_id"]) == str(query["product_id"])]
    if query.get("sku_code"):
        products = [
            p for p in products if any(s["sku_code"] == query["sku_code"] for s in p["skus"])
        ]
    if query.get("subject"):
        needle = str(query["subject"]).lower()
        products = [
            p for p in products if any(needle in s["subject"].lower() for s in p["subjects"])
        ]
    excluded = {str(i) for i in query.get("excepted_product_ids") or []}
    products = [p for p in products if str(p["product_id"]) not in excluded]
    for key, field, start in (
        ("gmt_modified_start", "modified", True),
        ("gmt_modified_end", "modified", False),
        ("gmt_create_start", "created", True),
        ("gmt_create_end", "created", False),
    ):
        if query.get(key):
            limit = parse_pacific(str(query[key]), key)
            products = [p for p in products if (p[field] >= limit if start else p[field] <= limit)]
    page_items = products[(page - 1) * size : page * size]
    return _product_page(seller_id, page, size, len(products), page_items)


def _product_page(
    seller_id: str, page: int, size: int, total: int, page_items: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "result": {
            "success": True,
            "product_count": total,
            "total_page": (total + size - 1) // size,
            "current_page": page,
            "aeop_a_e_product_display_d_t_o_list": {
                "item_display_dto": [
                    {
                        "product_id": p["product_id"],
                        "subject": p["subjects"][0]["subject"] if p["subjects"] else "",
                        "product_min_price": _prices(p)[0],
                        "product_max_price": _prices(p)[1],
                        "currency_code": p["currency_code"],
                        "image_u_r_ls": ";".join(p["images"]),
                        "freight_template_id": p["freight_template_id"],
                        "group_id": p.get("group_id"),
                        "owner_member_id": seller_id,
                        "gmt_create": pacific(p["created"]),
                        "gmt_modified": pacific(p["modified"]),
                    }
                    for p in page_items
                ]
            },
        }
    }


@method("aliexpress.solution.batch.product.delete")
def product_delete(state: SandboxState, seller_id: str, params: dict[str, str]) -> dict[str, Any]:
    ids = json_param(params, "product_ids")
    if not isinstance(ids, list) or not ids:
        raise ApiFault("InvalidParameter", "product_ids must be a non-empty JSON array")
    if len(ids) > 100:
        raise ApiFault("InvalidParameter", "product_ids: maximum 100")
    for product_id in ids:
        state.delete_product(int(product_id), seller_id)
    return {"success": "true"}


def _batch_update(
    state: SandboxState, seller_id: str, params: dict[str, str], apply: Callable[..., None]
) -> dict[str, Any]:
    products = json_param(params, "mutiple_product_update_list")
    if not isinstance(products, list) or not products:
        raise ApiFault("InvalidParameter", "mutiple_product_update_list must be a JSON array")
    if len(products) > 20:
        raise ApiFault("InvalidParameter", "mutiple_product_update_list: maximum 20 products")
    ok: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for entry in products:
        skus = entry.get("multiple_sku_update_list") or []
        if len(skus) > 200:
            raise ApiFault("InvalidParameter", "multiple_sku_update_list: maximum 200 skus")
        product = state.product(entry.get("product_id"), seller_id)
        if product is None:
            failed.append(
                {
                    "product_id": entry.get("product_id"),
                    "error_code": "PRODUCT_NOT_FOUND",
                    "error_message": "product does not exist (sandbox code)",
                }
            )
            continue
        try:
            by_code = {s["sku_code"]: s for s in product["skus"]}
            for sku in skus:
                target = by_code.get(str(sku.get("sku_code")))
                if target is None:
                    raise BusinessFailure(
                        "SKU_NOT_FOUND", f"sku_code {sku.get('sku_code')} not in product"
                    )
                apply(target, sku)
        except BusinessFailure as exc:
            failed.append(
                {
                    "product_id": entry.get("product_id"),
                    "error_code": exc.code,
                    "error_message": exc.message,
                }
            )
            continue
        product["modified"] = time.time()
        state.save_product(product)
        ok.append({"product_id": product["product_id"]})
    answer: dict[str, Any] = {
        "update_success": not failed,
        "update_successful_list": {"synchronize_product_response_dto": ok},
        "update_failed_list": {"synchronize_product_response_dto": failed},
    }
    if failed:
        answer["update_error_code"] = failed[0]["error_code"]
        answer["update_error_message"] = failed[0]["error_message"]
    return answer


def _apply_stock(target: dict[str, Any], sku: dict[str, Any]) -> None:
    try:
        inventory = int(str(sku.get("inventory")))
    except (TypeError, ValueError) as exc:
        raise BusinessFailure("GPF.CHK_INVENTORY", "inventory must be a number") from exc
    if not 0 <= inventory <= 999999:
        raise BusinessFailure("GPF.CHK_INVENTORY", "inventory must be between 0 and 999999")
    target["inventory"] = inventory


def _apply_price(target: dict[str, Any], sku: dict[str, Any]) -> None:
    price = money(sku.get("price"), "price")
    discount = sku.get("discount_price")
    discount_price = money(discount, "discount_price") if discount not in (None, "") else None
    if discount_price is not None and discount_price >= price:
        raise BusinessFailure(
            "GPF.CHK_DISCOUNT_PRICE", "discount_price should be cheaper than price"
        )
    target["price"] = str(price)
    # The real API erases the discount when discount_price is omitted.
    target["discount_price"] = str(discount_price) if discount_price is not None else None


@method("aliexpress.solution.batch.product.inventory.update")
def inventory_update(state: SandboxState, seller_id: str, params: dict[str, str]) -> dict[str, Any]:
    return _batch_update(state, seller_id, params, _apply_stock)


@method("aliexpress.solution.batch.product.price.update")
def price_update(state: SandboxState, seller_id: str, params: dict[str, str]) -> dict[str, Any]:
    return _batch_update(state, seller_id, params, _apply_price)


# -- feeds --------------------------------------------------------------------------------------


@method("aliexpress.solution.feed.submit")
def feed_submit(state: SandboxState, seller_id: str, params: dict[str, str]) -> dict[str, Any]:
    operation = params.get("operation_type")
    if not operation:
        raise ApiFault("MissingParameter", "Missing required parameter: operation_type")
    if operation not in FEED_OPERATIONS:
        raise ApiFault("InvalidParameter", f"operation_type {operation} is not supported")
    items = json_param(params, "item_list")
    if not isinstance(items, list) or not items:
        raise ApiFault("InvalidParameter", "item_list must be a non-empty JSON array")
    if len(items) > 2000:
        raise ApiFault("InvalidParameter", "item_list: maximum size 2000")
    ids = [str(i.get("item_content_id")) for i in items]
    if len(set(ids)) != len(ids):
        raise ApiFault("InvalidParameter", "item_content_id must be unique within item_list")
    job_id = state.next_id("feed")
    state.save_feed(
        {
            "job_id": job_id,
            "seller_id": seller_id,
            "operation_type": operation,
            "submitted": time.time(),
            "items": items,
            "results": None,
        }
    )
    return {"job_id": job_id}


def feed_status(state: SandboxState, feed: dict[str, Any], now: float) -> str:
    if feed["applied"]:
        return "FINISH"
    delay = float(state.setting("feed_delay"))
    elapsed = now - feed["submitted"]
    if elapsed >= delay:
        return "FINISH"
    return "QUEUEING" if elapsed < delay / 2 else "PROCESSING"


def _apply_feed_item(
    state: SandboxState, seller_id: str, operation: str, content: dict[str, Any]
) -> dict[str, Any]:
    if operation == "PRODUCT_CREATE":
        product = product_from_instance(state, seller_id, content)
        _check_sku_codes_free(state, seller_id, product)
        state.save_product(product)
        return {"productId": product["product_id"], "success": True}
    product_id = content.get("aliexpress_product_id")
    existing = state.product(product_id, seller_id)
    if existing is None:
        raise BusinessFailure("PRODUCT_NOT_FOUND", f"product {product_id} does not exist")
    if operation == "PRODUCT_FULL_UPDATE":
        product = product_from_instance(state, seller_id, content, existing["product_id"])
        product["created"] = existing["created"]
        _check_sku_codes_free(state, seller_id, product)
        state.save_product(product)
        return {"productId": product["product_id"], "success": True}
    apply = _apply_stock if operation == "PRODUCT_STOCKS_UPDATE" else _apply_price
    by_code = {s["sku_code"]: s for s in existing["skus"]}
    for sku in content.get("multiple_sku_update_list") or []:
        target = by_code.get(str(sku.get("sku_code")))
        if target is None:
            raise BusinessFailure("SKU_NOT_FOUND", f"sku_code {sku.get('sku_code')} not found")
        apply(target, sku)
    existing["modified"] = time.time()
    state.save_product(existing)
    return {"productId": existing["product_id"], "success": True}


def advance_feeds(state: SandboxState, seller_id: str) -> None:
    """Apply every feed whose processing delay has passed (lazily, on the next read)."""
    now = time.time()
    with state.lock:
        for feed in state.feeds(seller_id, pending_only=True):
            if feed_status(state, feed, now) != "FINISH":
                continue
            results = []
            for item in feed["items"]:
                try:
                    raw = item.get("item_content")
                    content = json.loads(raw) if isinstance(raw, str) else dict(raw or {})
                    outcome = _apply_feed_item(state, seller_id, feed["operation_type"], content)
                except BusinessFailure as exc:
                    outcome = {
                        "success": False,
                        "error_code": exc.code,
                        "error_message": exc.message,
                    }
                except (ValueError, TypeError, KeyError, AttributeError) as exc:
                    outcome = {
                        "success": False,
                        "error_code": "INVALID_ITEM_CONTENT",
                        "error_message": f"item_content cannot be processed: {exc}",
                    }
                results.append(
                    {
                        "item_content_id": item.get("item_content_id"),
                        "item_execution_result": json.dumps(outcome),
                    }
                )
            feed["applied"] = True
            feed["results"] = results
            state.save_feed(feed)


@method("aliexpress.solution.feed.query")
def feed_query(state: SandboxState, seller_id: str, params: dict[str, str]) -> dict[str, Any]:
    job_id = int_param(params, "job_id")
    advance_feeds(state, seller_id)
    feed = next((f for f in state.feeds(seller_id) if f["job_id"] == job_id), None)
    if feed is None:
        raise ApiFault("InvalidParameter", f"job_id {job_id} not found (sandbox message)")
    results = feed["results"] or []
    successes = sum(1 for r in results if json.loads(r["item_execution_result"]).get("success"))
    return {
        "job_id": job_id,
        "total_item_count": len(feed["items"]),
        "success_item_count": successes,
        "result_list": {"single_item_response_dto": results},
    }


@method("aliexpress.solution.feed.list.get")
def feed_list(state: SandboxState, seller_id: str, params: dict[str, str]) -> dict[str, Any]:
    advance_feeds(state, seller_id)
    now = time.time()
    page = int_param(params, "current_page", default=1)
    size = int_param(params, "page_size", default=20)
    jobs = []
    for feed in state.feeds(seller_id):
        status = feed_status(state, feed, now)
        if params.get("status") and params["status"] != status:
            continue
        if params.get("feed_type") and params["feed_type"] != feed["operation_type"]:
            continue
        if params.get("submitted_time_start") and feed["submitted"] < parse_pacific(
            params["submitted_time_start"], "submitted_time_start"
        ):
            continue
        if params.get("submitted_time_end") and feed["submitted"] > parse_pacific(
            params["submitted_time_end"], "submitted_time_end"
        ):
            continue
        jobs.append(
            {"job_id": feed["job_id"], "operation_type": feed["operation_type"], "status": status}
        )
    total = len(jobs)
    return {
        "current_page": page,
        "page_size": size,
        "total_count": total,
        "total_page": (total + size - 1) // size,
        "job_list": {"batch_operation_job_dto": jobs[(page - 1) * size : page * size]},
    }


# -- orders -------------------------------------------------------------------------------------


def _derived_statuses(status: str) -> dict[str, str]:
    logistics = {
        "WAIT_SELLER_SEND_GOODS": "WAIT_SELLER_SEND_GOODS",
        "SELLER_PART_SEND_GOODS": "SELLER_SEND_PART_GOODS",
        "WAIT_BUYER_ACCEPT_GOODS": "SELLER_SEND_GOODS",
        "FUND_PROCESSING": "BUYER_ACCEPT_GOODS",
        "FINISH": "BUYER_ACCEPT_GOODS",
    }.get(status, "NO_LOGISTICS")
    fund = "NOT_PAY" if status in ("PLACE_ORDER_SUCCESS", "PAYMENT_PROCESSING") else "PAY_SUCCESS"
    return {
        "logistics_status": logistics,
        "fund_status": fund,
        "frozen_status": "IN_FROZEN" if status == "IN_FROZEN" else "NO_FROZEN",
        "issue_status": "IN_ISSUE" if status == "IN_ISSUE" else "NO_ISSUE",
    }


def create_order(
    state: SandboxState,
    *,
    seller_id: str | None = None,
    items: list[dict[str, Any]] | None = None,
    buyer: dict[str, Any] | None = None,
    address: dict[str, Any] | None = None,
    status: str = "WAIT_SELLER_SEND_GOODS",
    shipping_amount: str = "0.00",
    logistics_service: str = "CAINIAO_STANDARD",
    memo: str | None = None,
) -> dict[str, Any]:
    """Create a buyer order for live products (the control API and CLI use this)."""
    seller_id = str(seller_id or seed.SELLERS[0]["seller_id"])
    if status not in ORDER_STATUSES:
        raise ValueError(f"unknown order status {status}")
    live = state.products(seller_id, "onSelling")
    if not items:
        if not live:
            raise ValueError("the seller has no live product to order")
        items = [{"product_id": live[0]["product_id"], "sku_code": live[0]["skus"][0]["sku_code"]}]
    lines = []
    for item in items:
        product = state.product(item.get("product_id"), seller_id)
        if product is None or product["status"] != "onSelling":
            raise ValueError(f"product {item.get('product_id')} is not live")
        sku_code = item.get("sku_code") or product["skus"][0]["sku_code"]
        sku = next((s for s in product["skus"] if s["sku_code"] == sku_code), None)
        if sku is None:
            raise ValueError(f"sku {sku_code} is not in product {product['product_id']}")
        quantity = int(item.get("quantity") or 1)
        if quantity < 1:
            raise ValueError("quantity must be positive")
        unit = Decimal(sku["discount_price"] or sku["price"])
        sku["inventory"] = max(0, sku["inventory"] - quantity)
        state.save_product(product)
        lines.append(
            {
                "child_id": state.next_id("child"),
                "product_id": product["product_id"],
                "sku_code": sku_code,
                "product_name": product["subjects"][0]["subject"],
                "quantity": quantity,
                "unit_price": str(unit),
                "total": str(unit * quantity),
                "image": product["images"][0] if product["images"] else None,
                "category_id": product["category_id"],
                "properties": sku["properties"],
            }
        )
    buyer_seed = seed.BUYERS[0]
    # A whole buyer (with its login id) stands alone; a partial one overrides the first seed buyer.
    whole = bool(buyer and buyer.get("login_id"))
    merged = dict(buyer or {}) if whole else {**buyer_seed, **(buyer or {})}
    buyer_info = {k: v for k, v in merged.items() if k != "address"}
    now = time.time()
    order = {
        "order_id": state.next_id("order"),
        "seller_id": seller_id,
        "status": status,
        "buyer": buyer_info,
        "address": {**buyer_seed["address"], **(address or {})},
        "items": lines,
        "currency": "USD",
        "shipping_amount": str(Decimal(shipping_amount).quantize(Decimal("0.01"))),
        "logistics_service": logistics_service,
        "memo": memo or "",
        "created": now,
        "paid": now if status not in ("PLACE_ORDER_SUCCESS", "PAYMENT_PROCESSING") else None,
        "updated": now,
        "shipments": [],
    }
    state.save_order(order)
    return order


def simulate_orders(
    state: SandboxState,
    count: int = 1,
    *,
    seller_id: str | None = None,
    status: str = "WAIT_SELLER_SEND_GOODS",
    seed_value: int | None = None,
) -> list[dict[str, Any]]:
    """Buyer orders as they come in: a random buyer and address, one to three lines of live
    products in random variants and quantities (the demo's "Simulate order" button)."""
    import random

    rng = random.Random(seed_value)  # noqa: S311 - simulated buyers, not secrets
    seller_id = str(seller_id or seed.SELLERS[0]["seller_id"])
    orders = []
    for _ in range(max(1, min(int(count), 100))):
        live = [
            p
            for p in state.products(seller_id, "onSelling")
            if any(int(s.get("inventory") or 0) > 0 for s in p["skus"])
        ]
        if not live:
            raise ValueError("the seller has no live product in stock to order")
        items = []
        for product in rng.sample(live, k=min(len(live), rng.randint(1, 3))):
            in_stock = [s for s in product["skus"] if int(s.get("inventory") or 0) > 0]
            sku = rng.choice(in_stock)
            quantity = rng.randint(1, min(2, int(sku["inventory"])))
            items.append(
                {
                    "product_id": product["product_id"],
                    "sku_code": sku["sku_code"],
                    "quantity": quantity,
                }
            )
        buyer = dict(rng.choice(seed.BUYERS))
        orders.append(
            create_order(
                state,
                seller_id=seller_id,
                items=items,
                buyer={k: v for k, v in buyer.items() if k != "address"},
                address=buyer["address"],
                status=status,
                shipping_amount=rng.choice(["0.00", "2.99", "4.50"]),
            )
        )
    return orders


def set_order_status(state: SandboxState, order_id: Any, status: str) -> dict[str, Any]:
    if status not in ORDER_STATUSES:
        raise ValueError(f"unknown order status {status}")
    order = state.order(order_id)
    if order is None:
        raise ValueError(f"order {order_id} not found")
    order["status"] = status
    order["updated"] = time.time()
    if order["paid"] is None and status not in ("PLACE_ORDER_SUCCESS", "PAYMENT_PROCESSING"):
        order["paid"] = order["updated"]
    state.save_order(order)
    return order


def _amount(order: dict[str, Any]) -> Decimal:
    return sum((Decimal(i["total"]) for i in order["items"]), Decimal(0)) + Decimal(
        order["shipping_amount"]
    )


def _simple_money(amount: Any, currency: str) -> dict[str, str]:
    return {"amount": str(amount), "currency_code": currency}


def _global_money(amount: Any, currency: str) -> dict[str, Any]:
    value = Decimal(str(amount))
    return {
        "amount": str(value),
        "cent": int(value * 100),
        "cent_factor": 100,
        "currency_code": currency,
        "currency": {
            "currency_code": currency,
            "default_fraction_digits": 2,
            "symbol": "$" if currency == "USD" else currency,
            "display_name": currency,
            "numeric_code": 840 if currency == "USD" else 0,
        },
    }


def order_dto(order: dict[str, Any]) -> dict[str, Any]:
    currency = order["currency"]
    derived = _derived_statuses(order["status"])
    buyer = order["buyer"]
    return {
        "order_id": order["order_id"],
        "order_status": order["status"],
        **derived,
        "biz_type": "AE_COMMON",
        "gmt_create": pacific(order["created"]),
        "gmt_pay_time": pacific(order["paid"]) if order["paid"] else None,
        "gmt_update": pacific(order["updated"]),
        "gmt_send_goods_time": pacific(order["shipments"][-1]["sent"])
        if order["shipments"]
        else None,
        "pay_amount": _simple_money(_amount(order), currency),
        "payment_type": "ebanx101",
        "buyer_login_id": buyer["login_id"],
        "buyer_signer_fullname": f"{buyer['first_name']} {buyer['last_name']}",
        "seller_login_id": next(
            s["account"] for s in seed.SELLERS if s["seller_id"] == order["seller_id"]
        ),
        "left_send_good_day": "5",
        "left_send_good_hour": "0",
        "left_send_good_min": "0",
        "timeout_left_time": 432000000,
        "phone": False,
        "has_request_loan": False,
        "product_list": {
            "order_product_dto": [
                {
                    "child_id": line["child_id"],
                    "order_id": order["order_id"],
                    "product_id": line["product_id"],
                    "sku_code": line["sku_code"],
                    "product_name": line["product_name"],
                    "product_count": line["quantity"],
                    "product_unit": "piece",
                    "product_unit_price": _simple_money(line["unit_price"], currency),
                    "total_product_amount": _simple_money(line["total"], currency),
                    "product_img_url": line["image"],
                    "logistics_type": order["logistics_service"],
                    "logistics_service_name": next(
                        (
                            s["display_name"]
                            for s in seed.LOGISTICS_SERVICES
                            if s["service_name"] == order["logistics_service"]
                        ),
                        order["logistics_service"],
                    ),
                    "logistics_amount": _simple_money("0.00", currency),
                    "son_order_status": order["status"],
                    "show_status": order["status"],
                    "send_goods_operator": "SELLER_SEND_GOODS",
                    "fund_status": derived["fund_status"],
                    "issue_status": derived["issue_status"],
                    "goods_prepare_time": 3,
                    "memo": order["memo"],
                    "buyer_signer_first_name": buyer["first_name"],
                    "buyer_signer_last_name": buyer["last_name"],
                }
                for line in order["items"]
            ]
        },
    }


def order_detail(order: dict[str, Any]) -> dict[str, Any]:
    currency = order["currency"]
    derived = _derived_statuses(order["status"])
    buyer = order["buyer"]
    amount = _amount(order)
    return {
        "id": order["order_id"],
        "order_status": order["status"],
        **derived,
        "gmt_create": pacific(order["created"]),
        "gmt_pay_success": pacific(order["paid"]) if order["paid"] else None,
        "gmt_modified": pacific(order["updated"]),
        "buyerloginid": buyer["login_id"],
        "buyer_signer_fullname": f"{buyer['first_name']} {buyer['last_name']}",
        "buyer_info": {
            "login_id": buyer["login_id"],
            "first_name": buyer["first_name"],
            "last_name": buyer["last_name"],
            "country": buyer["country"],
            **({"email": buyer["email"]} if buyer.get("email") else {}),
        },
        "receipt_address": order["address"],
        "order_amount": _global_money(amount, currency),
        "init_oder_amount": _global_money(amount, currency),
        "logistics_amount": _global_money(order["shipping_amount"], currency),
        "pay_amount_by_settlement_cur": str(amount),
        "settlement_currency": currency,
        "payment_type": "ebanx101",
        "memo": order["memo"],
        "is_phone": False,
        "child_order_list": {
            "global_aeop_tp_child_order_dto": [
                {
                    "id": line["child_id"],
                    "child_order_id": str(line["child_id"]),
                    "product_id": line["product_id"],
                    "product_name": line["product_name"],
                    "sku_code": line["sku_code"],
                    "product_count": line["quantity"],
                    "product_price": _global_money(line["unit_price"], currency),
                    "init_order_amt": _global_money(line["total"], currency),
                    "logistics_type": order["logistics_service"],
                    "order_status": order["status"],
                    "fund_status": derived["fund_status"],
                    "frozen_status": derived["frozen_status"],
                    "issue_status": derived["issue_status"],
                    "send_goods_operator": "SELLER_SEND_GOODS",
                    "product_img_url": line["image"],
                    "lot_num": 1,
                    "product_unit": "piece",
                    "product_attributes": json.dumps(
                        {"sku": line["properties"]}, separators=(",", ":")
                    ),
                }
                for line in order["items"]
            ]
        },
        "child_order_ext_info_list": {
            "global_aeop_tp_order_product_info_dto": [
                {
                    "product_id": line["product_id"],
                    "product_name": line["product_name"],
                    "quantity": line["quantity"],
                    "sku": json.dumps(line["properties"], separators=(",", ":")),
                    "unit_price": _global_money(line["unit_price"], currency),
                    "category_id": str(line["category_id"]),
                }
                for line in order["items"]
            ]
        },
        "logistic_info_list": {
            "global_aeop_tp_logistic_info_dto": [
                {
                    "logistics_no": s["logistics_no"],
                    "logistics_service_name": s["service_name"],
                    "logistics_type_code": s["service_name"],
                    "gmt_send": pacific(s["sent"]),
                    "receive_status": "default",
                    "have_tracking_info": False,
                }
                for s in order["shipments"]
            ]
        },
    }


@method("aliexpress.solution.order.get")
def order_get(state: SandboxState, seller_id: str, params: dict[str, str]) -> dict[str, Any]:
    query = json_param(params, "param0")
    if not isinstance(query, dict):
        raise ApiFault("InvalidParameter", "param0 must be a JSON object")
    for name in ("current_page", "page_size"):
        if query.get(name) in (None, ""):
            raise ApiFault("MissingParameter", f"Missing required parameter: param0.{name}")
    if not query.get("create_date_start") and not query.get("modified_date_start"):
        return {
            "result": {
                "success": False,
                "error_code": "PARAM_ERROR",
                "error_message": "create_date_start and modified_date_start cannot both be empty",
            }
        }
    page, size = int(query["current_page"]), int(query["page_size"])
    statuses = list(query.get("order_status_list") or [])
    if query.get("order_status"):
        statuses.append(query["order_status"])
    orders = state.orders(seller_id)
    if statuses:
        orders = [o for o in orders if o["status"] in statuses]
    else:
        orders = [o for o in orders if o["status"] != "FINISH"]
    for key, field, start in (
        ("create_date_start", "created", True),
        ("create_date_end", "created", False),
        ("modified_date_start", "updated", True),
        ("modified_date_end", "updated", False),
    ):
        if query.get(key):
            # Pacific strings have second precision; compare at that precision.
            limit = parse_pacific(str(query[key]), key)
            orders = [
                o for o in orders if (int(o[field]) >= limit if start else int(o[field]) <= limit)
            ]
    if query.get("buyer_login_id"):
        orders = [o for o in orders if o["buyer"]["login_id"] == query["buyer_login_id"]]
    orders.sort(key=lambda o: o["created"], reverse=True)
    total = len(orders)
    return {
        "result": {
            "success": True,
            "total_count": total,
            "total_page": (total + size - 1) // size,
            "current_page": page,
            "page_size": size,
            "time_stamp": pacific(time.time()),
            "target_list": {
                "order_dto": [order_dto(o) for o in orders[(page - 1) * size : page * size]]
            },
        }
    }


@method("aliexpress.solution.order.info.get")
def order_info(state: SandboxState, seller_id: str, params: dict[str, str]) -> dict[str, Any]:
    query = json_param(params, "param1")
    order = state.order((query or {}).get("order_id"), seller_id)
    if order is None:
        return {
            "result": {
                "error_code": "ORDER_NOT_FOUND",
                "error_message": "order does not exist (sandbox code)",
                "time_stamp": pacific(time.time()),
            }
        }
    return {"result": {"time_stamp": pacific(time.time()), "data": order_detail(order)}}


@method("aliexpress.solution.order.receiptinfo.get")
def order_receipt(state: SandboxState, seller_id: str, params: dict[str, str]) -> dict[str, Any]:
    query = json_param(params, "param1")
    order = state.order((query or {}).get("order_id"), seller_id)
    if order is None:
        raise ApiFault("InvalidParameter", "order does not exist (sandbox message)")
    return {"result": {**order["address"], "country_name": order["address"]["country"]}}


@method("aliexpress.solution.order.fulfill")
def order_fulfill(state: SandboxState, seller_id: str, params: dict[str, str]) -> dict[str, Any]:
    for name in ("out_ref", "service_name", "logistics_no", "send_type"):
        if not params.get(name):
            raise ApiFault("MissingParameter", f"Missing required parameter: {name}")

    def failure(code: str, message: str) -> dict[str, Any]:
        return {
            "result": {
                "result_success": False,
                "result_error_code": code,
                "result_error_desc": message,
            }
        }

    order = state.order(params["out_ref"], seller_id)
    if order is None:
        return failure("ORDER_NOT_FOUND", "order does not exist")
    if order["status"] not in FULFILLABLE:
        return failure(
            "ORDER_STATUS_ERROR", f"order status {order['status']} does not accept tracking"
        )
    service = params["service_name"]
    if service == "other":
        if not params.get("tracking_website"):
            return failure("TRACKING_WEBSITE_REQUIRED", "service_name other needs tracking_website")
    elif service not in {s["service_name"] for s in seed.LOGISTICS_SERVICES}:
        return failure("LOGISTICS_SERVICE_INVALID", f"unknown service_name {service}")
    send_type = params["send_type"]
    if send_type not in ("all", "part"):
        raise ApiFault("InvalidParameter", "send_type must be all or part")
    now = time.time()
    order["shipments"].append(
        {
            "logistics_no": params["logistics_no"],
            "service_name": service,
            "send_type": send_type,
            "tracking_website": params.get("tracking_website"),
            "description": params.get("description"),
            "sent": now,
        }
    )
    order["status"] = "WAIT_BUYER_ACCEPT_GOODS" if send_type == "all" else "SELLER_PART_SEND_GOODS"
    order["updated"] = now
    state.save_order(order)
    return {"result": {"result_success": True}}
