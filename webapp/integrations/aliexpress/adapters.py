"""Thin typed functions per AliExpress resource, on top of :class:`AliExpressClient`.

Method and field names are the real ones (``/work/shared/reference/aliexpress-solution-apis.txt``,
a dump of the TOP metadata of every ``aliexpress.solution.*`` API, and
``aliexpress-protocol.md`` §4). Quirks worth knowing:

* JSON-typed parameters (``param0``, ``post_product_request``, ``item_list``...) are sent as JSON
  strings; the client encodes dicts and lists for us.
* Batch stock/price updates take ``mutiple_product_update_list`` (sic) with at most
  :data:`MAX_BATCH_UPDATE_PRODUCTS` products of at most :data:`MAX_BATCH_UPDATE_SKUS` SKUs;
  omitting ``discount_price`` in a price update *erases* the discount, so
  :class:`SkuPrice` requires it explicitly. The functions here chunk transparently.
* ``update_success`` is true only when every product succeeded; per-product failures are
  returned in :class:`BatchUpdateResult`, not raised.
* Feeds (``aliexpress.solution.feed.*``) are asynchronous; ``feed.query`` has no status field,
  so a job counts as finished when every item has a result (or ``feed.list.get`` says FINISH).
* Order times are US Pacific ``yyyy-MM-dd HH:mm:ss``; :func:`pacific` converts aware datetimes.
* List wrappers (``{"order_dto": [...]}``) are flattened with :func:`~.client.unwrap_list`, so
  both ``simplify`` shapes work.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from .client import RESENT, AliExpressClient, is_false, raise_for_business_error, unwrap_list
from .errors import BadResponseError

PACIFIC = ZoneInfo("America/Los_Angeles")

MAX_DELETE_PRODUCTS = 100
MAX_BATCH_UPDATE_PRODUCTS = 20
MAX_BATCH_UPDATE_SKUS = 200
MAX_FEED_ITEMS = 2000
MAX_PRODUCT_PAGE_SIZE = 99  # "must be less than 100"
MAX_ORDER_PAGE_SIZE = 50

FEED_PRODUCT_CREATE = "PRODUCT_CREATE"
FEED_PRODUCT_FULL_UPDATE = "PRODUCT_FULL_UPDATE"
FEED_PRODUCT_STOCKS_UPDATE = "PRODUCT_STOCKS_UPDATE"
FEED_PRODUCT_PRICES_UPDATE = "PRODUCT_PRICES_UPDATE"
FEED_OPERATIONS = (
    FEED_PRODUCT_CREATE,
    FEED_PRODUCT_FULL_UPDATE,
    FEED_PRODUCT_STOCKS_UPDATE,
    FEED_PRODUCT_PRICES_UPDATE,
)
FEED_QUEUEING, FEED_PROCESSING, FEED_FINISH = "QUEUEING", "PROCESSING", "FINISH"

#: Order statuses (DOC articleId=108126; RetailCRM ``OrderStatuses.php``), for status mapping.
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
#: Only these statuses accept a tracking upload (DOC-108126).
FULFILLABLE_STATUSES = ("WAIT_SELLER_SEND_GOODS", "SELLER_PART_SEND_GOODS")


def pacific(moment: datetime) -> str:
    """Format an aware datetime as the US Pacific wall time the order APIs expect."""
    if moment.tzinfo is None:
        raise ValueError("pass an aware datetime")
    return moment.astimezone(PACIFIC).strftime("%Y-%m-%d %H:%M:%S")


def parse_pacific(text: str | None) -> datetime | None:
    """Parse a ``yyyy-MM-dd HH:mm:ss`` US Pacific time into an aware datetime."""
    if not text:
        return None
    return datetime.strptime(str(text)[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=PACIFIC)


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _names(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {"en": value}
    return {str(k): str(v) for k, v in (value or {}).items()}


# -- categories and schemas ---------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    id: str
    level: int
    is_leaf: bool
    names: dict[str, str]

    @property
    def name(self) -> str:
        return self.names.get("en") or next(iter(self.names.values()), self.id)


def get_category_children(
    client: AliExpressClient, token: str, parent_id: int | str = 0, *, only_permitted: bool = True
) -> list[Category]:
    """Children of ``parent_id`` (0: roots), ``aliexpress.solution.seller.category.tree.query``."""
    method = "aliexpress.solution.seller.category.tree.query"
    answer = client.call(
        method,
        {"category_id": int(parent_id), "filter_no_permission": only_permitted},
        token,
    )
    raise_for_business_error(answer, api=method)
    return [
        Category(
            id=str(item["children_category_id"]),
            level=int(item.get("level") or 0),
            is_leaf=not is_false(item.get("is_leaf_category"))
            and bool(item.get("is_leaf_category")),
            names=_names(item.get("multi_language_names")),
        )
        for item in unwrap_list(answer.get("children_category_list"))
    ]


def walk_category_tree(
    client: AliExpressClient, token: str, root_id: int | str = 0
) -> Iterator[tuple[Category, str | None]]:
    """Depth-first walk of the whole tree: yields ``(category, parent_id)``."""
    stack = [str(root_id)]
    while stack:
        parent = stack.pop()
        for category in get_category_children(client, token, parent):
            yield category, (None if parent == "0" else parent)
            if not category.is_leaf:
                stack.append(category.id)


def get_category_schema(
    client: AliExpressClient, token: str, category_id: int | str
) -> dict[str, Any]:
    """JSON Schema of a leaf category (``aliexpress.solution.product.schema.get``), parsed."""
    method = "aliexpress.solution.product.schema.get"
    answer = client.call(method, {"aliexpress_category_id": int(category_id)}, token)
    raise_for_business_error(answer, api=method)
    schema = (answer.get("result") or {}).get("schema")
    if isinstance(schema, str):
        try:
            schema = json.loads(schema)
        except ValueError as exc:
            raise BadResponseError("schema is not valid JSON", api=method) from exc
    if not isinstance(schema, dict):
        raise BadResponseError("answer carries no schema", api=method, payload=answer)
    return schema


def get_sku_attributes(
    client: AliExpressClient, token: str, category_id: int | str
) -> dict[str, Any]:
    """``aliexpress.solution.sku.attribute.query``: SKU and common attributes of a category."""
    method = "aliexpress.solution.sku.attribute.query"
    answer = client.call(
        method,
        {"query_sku_attribute_info_request": {"aliexpress_category_id": int(category_id)}},
        token,
    )
    return dict(raise_for_business_error(answer, api=method).get("result") or {})


# -- products -----------------------------------------------------------------------------------


def post_product(client: AliExpressClient, token: str, product: Mapping[str, Any]) -> str:
    """Create a product (``aliexpress.solution.product.post``, ``post_product_request``);
    returns the AliExpress product id. Not retried once it may have reached the gateway."""
    method = "aliexpress.solution.product.post"
    answer = client.call(method, {"post_product_request": dict(product)}, token, idempotent=False)
    return _product_id(raise_for_business_error(answer, api=method), method)


def post_product_instance(client: AliExpressClient, token: str, instance: Mapping[str, Any]) -> str:
    """Create a product from a schema instance (``aliexpress.solution.schema.product.instance
    .post``, format of :func:`get_category_schema`). QPS limit 100/app key, 50/seller."""
    method = "aliexpress.solution.schema.product.instance.post"
    answer = client.call(
        method, {"product_instance_request": dict(instance)}, token, idempotent=False
    )
    return _product_id(raise_for_business_error(answer, api=method), method)


def full_update_product(
    client: AliExpressClient, token: str, product_id: int | str, instance: Mapping[str, Any]
) -> str:
    """Replace a product with a schema instance
    (``aliexpress.solution.schema.product.full.update``)."""
    method = "aliexpress.solution.schema.product.full.update"
    request = {**instance, "aliexpress_product_id": int(product_id)}
    answer = client.call(method, {"schema_full_update_request": request}, token)
    return _product_id(raise_for_business_error(answer, api=method), method)


def edit_product(client: AliExpressClient, token: str, changes: Mapping[str, Any]) -> str:
    """Edit a product (``aliexpress.solution.product.edit``); ``changes`` holds ``product_id``
    and only the fields to change. A ``sku_info_list`` replaces *all* SKUs."""
    if "product_id" not in changes:
        raise ValueError("edit_product needs product_id")
    method = "aliexpress.solution.product.edit"
    answer = client.call(method, {"edit_product_request": dict(changes)}, token)
    return _product_id(raise_for_business_error(answer, api=method), method)


def _product_id(answer: Mapping[str, Any], method: str) -> str:
    result = answer.get("result") if isinstance(answer.get("result"), Mapping) else answer
    product_id = (result or {}).get("product_id")
    if not product_id:
        raise BadResponseError("answer carries no product_id", api=method, payload=dict(answer))
    return str(product_id)


def get_product(client: AliExpressClient, token: str, product_id: int | str) -> dict[str, Any]:
    """Full product (``aliexpress.solution.product.info.get``) with SKUs flattened into
    ``skus`` (``sku_code``, ``sku_price``, ``sku_discount_price``, ``ipm_sku_stock``...)."""
    method = "aliexpress.solution.product.info.get"
    answer = client.call(method, {"product_id": int(product_id)}, token)
    result = dict(raise_for_business_error(answer, api=method).get("result") or {})
    result["skus"] = unwrap_list(result.get("aeop_ae_product_s_k_us"))
    result["properties"] = unwrap_list(result.get("aeop_ae_product_propertys"))
    return result


@dataclass(frozen=True)
class ProductPage:
    items: list[dict[str, Any]]
    total_count: int
    total_page: int
    current_page: int


def list_products(
    client: AliExpressClient,
    token: str,
    *,
    status: str = "onSelling",
    page: int = 1,
    page_size: int = 20,
    **filters: Any,
) -> ProductPage:
    """One page of ``aliexpress.solution.product.list.get``; ``filters`` are
    ``aeop_a_e_product_list_query`` fields (``sku_code``, ``product_id``, ``subject``...)."""
    method = "aliexpress.solution.product.list.get"
    query = {
        "product_status_type": status,
        "current_page": page,
        "page_size": min(page_size, MAX_PRODUCT_PAGE_SIZE),
        **{k: v for k, v in filters.items() if v is not None},
    }
    answer = client.call(method, {"aeop_a_e_product_list_query": query}, token)
    result = raise_for_business_error(answer, api=method).get("result") or {}
    return ProductPage(
        items=unwrap_list(result.get("aeop_a_e_product_display_d_t_o_list")),
        total_count=int(result.get("product_count") or 0),
        total_page=int(result.get("total_page") or 0),
        current_page=int(result.get("current_page") or page),
    )


def iter_products(
    client: AliExpressClient, token: str, *, status: str = "onSelling", page_size: int = 50
) -> Iterator[dict[str, Any]]:
    page = 1
    while True:
        result = list_products(client, token, status=status, page=page, page_size=page_size)
        yield from result.items
        if page >= result.total_page or not result.items:
            return
        page += 1


def delete_products(client: AliExpressClient, token: str, product_ids: Iterable[int | str]) -> None:
    """Irreversibly delete products, :data:`MAX_DELETE_PRODUCTS` per call."""
    method = "aliexpress.solution.batch.product.delete"
    ids = [int(i) for i in product_ids]
    for chunk in _chunks(ids, MAX_DELETE_PRODUCTS):
        answer = client.call(method, {"product_ids": list(chunk)}, token)
        raise_for_business_error(answer, api=method)


# -- batch stock and price updates -------------------------------------------------------------


@dataclass(frozen=True)
class SkuStock:
    sku_code: str
    inventory: int


@dataclass(frozen=True)
class SkuPrice:
    """``discount_price=None`` *erases* the SKU's discount on AliExpress; pass the current
    discount to keep it."""

    sku_code: str
    price: Decimal | str
    discount_price: Decimal | str | None


@dataclass(frozen=True)
class ProductUpdate:
    product_id: str
    skus: Sequence[SkuStock] | Sequence[SkuPrice]


@dataclass(frozen=True)
class FailedProduct:
    product_id: str
    error_code: str | None
    error_message: str | None


@dataclass
class BatchUpdateResult:
    successful: list[str] = field(default_factory=list)
    failed: list[FailedProduct] = field(default_factory=list)
    calls: int = 0
    #: a request was sent again after one that may have reached the gateway: that earlier
    #: request may still land later (see ``AliExpressClient.call``)
    resent: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed


def plan_batches(updates: Sequence[ProductUpdate]) -> list[list[tuple[str, list[Any]]]]:
    """Split updates into calls of at most 20 products x 200 SKUs; a product with more SKUs is split
    into parts that go to different calls (a product appears at most once per call)."""
    parts: list[tuple[str, list[Any]]] = []
    for update in updates:
        skus = list(update.skus)
        for chunk in _chunks(skus, MAX_BATCH_UPDATE_SKUS):
            parts.append((str(update.product_id), list(chunk)))
    batches: list[list[tuple[str, list[Any]]]] = []
    for part in parts:
        for batch in batches:
            if len(batch) < MAX_BATCH_UPDATE_PRODUCTS and all(p[0] != part[0] for p in batch):
                batch.append(part)
                break
        else:
            batches.append([part])
    return batches


def _sku_payload(sku: SkuStock | SkuPrice) -> dict[str, Any]:
    if isinstance(sku, SkuStock):
        return {"sku_code": sku.sku_code, "inventory": int(sku.inventory)}
    payload: dict[str, Any] = {"sku_code": sku.sku_code, "price": str(sku.price)}
    if sku.discount_price is not None:
        payload["discount_price"] = str(sku.discount_price)
    return payload


def _batch_update(
    client: AliExpressClient, token: str, method: str, updates: Sequence[ProductUpdate]
) -> BatchUpdateResult:
    result = BatchUpdateResult()
    failed_ids: set[str] = set()
    succeeded: list[str] = []
    for batch in plan_batches(updates):
        payload = [
            {"product_id": int(pid), "multiple_sku_update_list": [_sku_payload(s) for s in skus]}
            for pid, skus in batch
        ]
        answer = client.call(method, {"mutiple_product_update_list": payload}, token)
        result.calls += 1
        result.resent = result.resent or bool(answer.get(RESENT))
        for item in unwrap_list(answer.get("update_failed_list")):
            pid = str(item.get("product_id"))
            failed_ids.add(pid)
            result.failed.append(
                FailedProduct(pid, item.get("error_code"), item.get("error_message"))
            )
        listed = [
            str(i.get("product_id")) for i in unwrap_list(answer.get("update_successful_list"))
        ]
        if not listed and not is_false(answer.get("update_success")) and "update_success" in answer:
            listed = [pid for pid, _ in batch]
        succeeded.extend(listed)
        if is_false(answer.get("update_success")) and not unwrap_list(
            answer.get("update_failed_list")
        ):
            for pid, _ in batch:
                if pid not in listed:
                    failed_ids.add(pid)
                    result.failed.append(
                        FailedProduct(
                            pid, answer.get("update_error_code"), answer.get("update_error_message")
                        )
                    )
    seen: set[str] = set()
    for pid in succeeded:
        if pid not in failed_ids and pid not in seen:
            seen.add(pid)
            result.successful.append(pid)
    return result


def update_stocks(
    client: AliExpressClient, token: str, updates: Sequence[ProductUpdate]
) -> BatchUpdateResult:
    """``aliexpress.solution.batch.product.inventory.update`` in as few calls as the limits
    allow."""
    return _batch_update(
        client, token, "aliexpress.solution.batch.product.inventory.update", updates
    )


def update_prices(
    client: AliExpressClient, token: str, updates: Sequence[ProductUpdate]
) -> BatchUpdateResult:
    """``aliexpress.solution.batch.product.price.update`` in as few calls as the limits allow."""
    return _batch_update(client, token, "aliexpress.solution.batch.product.price.update", updates)


# -- feeds --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedItem:
    item_content_id: str
    content: Mapping[str, Any]


@dataclass(frozen=True)
class FeedItemResult:
    item_content_id: str
    success: bool
    product_id: str | None
    error_code: str | None
    error_message: str | None
    raw: dict[str, Any]


@dataclass(frozen=True)
class FeedResult:
    job_id: str
    total_item_count: int
    success_item_count: int
    items: list[FeedItemResult]

    @property
    def finished(self) -> bool:
        return self.total_item_count > 0 and len(self.items) >= self.total_item_count


@dataclass(frozen=True)
class FeedJob:
    job_id: str
    operation_type: str
    status: str


@dataclass(frozen=True)
class FeedPage:
    jobs: list[FeedJob]
    total_count: int
    total_page: int
    current_page: int


def submit_feed(
    client: AliExpressClient,
    token: str,
    operation_type: str,
    items: Sequence[FeedItem],
    *,
    developer_features: Mapping[str, Any] | None = None,
) -> list[str]:
    """Submit ``items`` (≤ :data:`MAX_FEED_ITEMS` per feed; more are split) and return the job
    ids. Each item's content is sent as a JSON string, as the API requires."""
    if operation_type not in FEED_OPERATIONS:
        raise ValueError(f"unknown feed operation {operation_type!r}")
    ids = [i.item_content_id for i in items]
    if len(set(ids)) != len(ids):
        raise ValueError("item_content_id must be unique within a feed")
    method = "aliexpress.solution.feed.submit"
    job_ids = []
    for chunk in _chunks(items, MAX_FEED_ITEMS):
        params: dict[str, Any] = {
            "operation_type": operation_type,
            "item_list": [
                {
                    "item_content_id": item.item_content_id,
                    "item_content": json.dumps(item.content, separators=(",", ":"), default=str),
                }
                for item in chunk
            ],
        }
        if developer_features:
            params["developer_features"] = dict(developer_features)
        answer = client.call(method, params, token, idempotent=False)
        job_id = raise_for_business_error(answer, api=method).get("job_id")
        if job_id in (None, ""):
            raise BadResponseError("feed submit answer carries no job_id", api=method)
        job_ids.append(str(job_id))
    return job_ids


def query_feed(client: AliExpressClient, token: str, job_id: int | str) -> FeedResult:
    """Per-item results of a feed (``aliexpress.solution.feed.query``)."""
    method = "aliexpress.solution.feed.query"
    answer = client.call(method, {"job_id": int(job_id)}, token)
    raise_for_business_error(answer, api=method)
    items = []
    for entry in unwrap_list(answer.get("result_list")):
        raw = entry.get("item_execution_result")
        try:
            data = json.loads(raw) if isinstance(raw, str) else dict(raw or {})
        except ValueError:
            data = {"success": False, "error_message": str(raw)}
        success = data.get("success") is True or str(data.get("success")).lower() == "true"
        product_id = data.get("productId") or data.get("product_id")
        items.append(
            FeedItemResult(
                item_content_id=str(entry.get("item_content_id")),
                success=success,
                product_id=str(product_id) if product_id else None,
                error_code=(data.get("errorCode") or data.get("error_code")),
                error_message=(data.get("errorMessage") or data.get("error_message")),
                raw=data,
            )
        )
    return FeedResult(
        job_id=str(answer.get("job_id") or job_id),
        total_item_count=int(answer.get("total_item_count") or 0),
        success_item_count=int(answer.get("success_item_count") or 0),
        items=items,
    )


def list_feeds(
    client: AliExpressClient,
    token: str,
    *,
    status: str | None = None,
    feed_type: str | None = None,
    submitted_from: datetime | None = None,
    submitted_to: datetime | None = None,
    page: int = 1,
    page_size: int = 20,
) -> FeedPage:
    """``aliexpress.solution.feed.list.get`` (times in America/Los_Angeles)."""
    method = "aliexpress.solution.feed.list.get"
    answer = client.call(
        method,
        {
            "current_page": page,
            "page_size": page_size,
            "status": status,
            "feed_type": feed_type,
            "submitted_time_start": pacific(submitted_from) if submitted_from else None,
            "submitted_time_end": pacific(submitted_to) if submitted_to else None,
        },
        token,
    )
    raise_for_business_error(answer, api=method)
    return FeedPage(
        jobs=[
            FeedJob(str(j.get("job_id")), str(j.get("operation_type")), str(j.get("status")))
            for j in unwrap_list(answer.get("job_list"))
        ],
        total_count=int(answer.get("total_count") or 0),
        total_page=int(answer.get("total_page") or 0),
        current_page=int(answer.get("current_page") or page),
    )


# -- logistics and templates --------------------------------------------------------------------


@dataclass(frozen=True)
class FreightTemplate:
    template_id: str
    name: str
    is_default: bool


@dataclass(frozen=True)
class LogisticsService:
    service_name: str  # the key ``order.fulfill`` expects
    display_name: str
    logistics_company: str | None
    min_process_day: int | None
    max_process_day: int | None
    tracking_no_regex: str | None


@dataclass(frozen=True)
class ServiceTemplate:
    template_id: str
    name: str


def list_freight_templates(client: AliExpressClient, token: str) -> list[FreightTemplate]:
    method = "aliexpress.freight.redefining.listfreighttemplate"
    answer = raise_for_business_error(client.call(method, {}, token), api=method)
    return [
        FreightTemplate(
            str(t.get("template_id")),
            str(t.get("template_name") or ""),
            bool(t.get("is_default")) and not is_false(t.get("is_default")),
        )
        for t in unwrap_list(answer.get("aeop_freight_template_d_t_o_list"))
    ]


def list_logistics_services(client: AliExpressClient, token: str) -> list[LogisticsService]:
    """Carriers (``aliexpress.logistics.redefining.listlogisticsservice``)."""
    method = "aliexpress.logistics.redefining.listlogisticsservice"
    answer = raise_for_business_error(client.call(method, {}, token), api=method)

    def day(value: Any) -> int | None:
        return None if value in (None, "") else int(value)

    return [
        LogisticsService(
            service_name=str(s.get("service_name")),
            display_name=str(s.get("display_name") or s.get("service_name")),
            logistics_company=s.get("logistics_company"),
            min_process_day=day(s.get("min_process_day")),
            max_process_day=day(s.get("max_process_day")),
            tracking_no_regex=s.get("tracking_no_regex"),
        )
        for s in unwrap_list(answer.get("result_list"))
    ]


def list_service_templates(client: AliExpressClient, token: str) -> list[ServiceTemplate]:
    """Service (promise) templates, ``aliexpress.postproduct.redefining.querypromisetemplatebyid``
    with ``template_id=-1`` (all). ``0`` is the platform's default service policy."""
    method = "aliexpress.postproduct.redefining.querypromisetemplatebyid"
    answer = raise_for_business_error(client.call(method, {"template_id": -1}, token), api=method)
    result = answer.get("result") or {}
    return [
        ServiceTemplate(str(t.get("id")), str(t.get("name") or ""))
        for t in unwrap_list(result.get("template_list"))
    ]


def get_merchant_profile(client: AliExpressClient, token: str) -> dict[str, Any]:
    method = "aliexpress.solution.merchant.profile.get"
    return dict(raise_for_business_error(client.call(method, {}, token), api=method))


# -- orders -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderPage:
    orders: list[dict[str, Any]]
    total_count: int
    total_page: int
    current_page: int


def list_orders(
    client: AliExpressClient,
    token: str,
    *,
    modified_from: datetime | None = None,
    modified_to: datetime | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    statuses: Sequence[str] | None = None,
    buyer_login_id: str | None = None,
    page: int = 1,
    page_size: int = MAX_ORDER_PAGE_SIZE,
) -> OrderPage:
    """One page of ``aliexpress.solution.order.get`` (``param0``). Windows are aware datetimes,
    sent as US Pacific. Without ``statuses`` the platform leaves out FINISH orders. Each order's
    ``product_list`` is flattened into ``items``."""
    if modified_from is None and created_from is None:
        raise ValueError("create_date_start and modified_date_start cannot both be empty")
    method = "aliexpress.solution.order.get"
    query: dict[str, Any] = {
        "current_page": page,
        "page_size": min(page_size, MAX_ORDER_PAGE_SIZE),
        "modified_date_start": pacific(modified_from) if modified_from else None,
        "modified_date_end": pacific(modified_to) if modified_to else None,
        "create_date_start": pacific(created_from) if created_from else None,
        "create_date_end": pacific(created_to) if created_to else None,
        "buyer_login_id": buyer_login_id or None,
    }
    if statuses:
        if len(statuses) == 1:
            query["order_status"] = statuses[0]
        else:
            query["order_status_list"] = list(statuses)
    query = {k: v for k, v in query.items() if v is not None}
    answer = client.call(method, {"param0": query}, token)
    result = raise_for_business_error(answer, api=method).get("result") or {}
    orders = []
    for order in unwrap_list(result.get("target_list")):
        order = dict(order)
        order["items"] = unwrap_list(order.get("product_list"))
        orders.append(order)
    return OrderPage(
        orders=orders,
        total_count=int(result.get("total_count") or 0),
        total_page=int(result.get("total_page") or 0),
        current_page=int(result.get("current_page") or page),
    )


def iter_orders(client: AliExpressClient, token: str, **window: Any) -> Iterator[dict[str, Any]]:
    """Every order of a window, page by page."""
    page = 1
    while True:
        result = list_orders(client, token, page=page, **window)
        yield from result.orders
        if page >= result.total_page or not result.orders:
            return
        page += 1


def get_order(
    client: AliExpressClient,
    token: str,
    order_id: int | str,
    *,
    ext_info_bit_flag: int | None = None,
) -> dict[str, Any]:
    """Order detail (``aliexpress.solution.order.info.get``, ``param1``): the ``data`` object
    with ``child_order_list`` and ``logistic_info_list`` flattened to ``items``/``shipments``."""
    method = "aliexpress.solution.order.info.get"
    param: dict[str, Any] = {"order_id": int(order_id)}
    if ext_info_bit_flag is not None:
        param["ext_info_bit_flag"] = ext_info_bit_flag
    answer = client.call(method, {"param1": param}, token)
    result = answer.get("result") or {}
    if result.get("error_code") and not result.get("data"):
        raise_for_business_error({"success": False, **result}, api=method)
    data = dict(result.get("data") or {})
    if not data:
        raise BadResponseError("order detail without data", api=method, payload=dict(answer))
    data["items"] = unwrap_list(data.get("child_order_list"))
    data["shipments"] = unwrap_list(data.get("logistic_info_list"))
    return data


def fulfill_order(
    client: AliExpressClient,
    token: str,
    order_id: int | str,
    *,
    service_name: str,
    tracking_number: str,
    send_type: str = "all",
    description: str | None = None,
    tracking_website: str | None = None,
) -> None:
    """Upload tracking (``aliexpress.solution.order.fulfill``). ``service_name`` is a key from
    :func:`list_logistics_services`, or ``"other"`` with ``tracking_website``;
    ``send_type`` is ``all`` or ``part``."""
    if send_type not in ("all", "part"):
        raise ValueError("send_type must be 'all' or 'part'")
    if service_name == "other" and not tracking_website:
        raise ValueError("service_name 'other' needs tracking_website")
    method = "aliexpress.solution.order.fulfill"
    answer = client.call(
        method,
        {
            "out_ref": str(order_id),
            "service_name": service_name,
            "logistics_no": tracking_number,
            "send_type": send_type,
            "description": description[:512] if description else None,
            "tracking_website": tracking_website,
        },
        token,
    )
    raise_for_business_error(answer, api=method)
