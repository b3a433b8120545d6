"""Backend adapters: one class per Magento resource, returning Magento's JSON shapes.

Adapters only know routes and payloads (as in OCA connector-magento's ``backend_adapter``);
mapping to domain objects lives in :mod:`.mappers`. Every route used here is an operation in
Adobe's admin schema 2.4.8 (the tests check that).

Facts that shape the calls (reference notes; CW = AdobeDocs/commerce-webapi):

- Store structure answers are bare arrays, not search envelopes (§5).
- The product list omits ``extension_attributes.stock_item`` (magento/magento2#36533); stock is
  read from MSI: source items, ``get-product-salable-quantity/{sku}/{stockId}`` (a bare number;
  400 for configurable parents, magento/inventory#2111) and, in bulk,
  ``export-stock-salable-qty/{type}/{code}`` which runs a product ``searchCriteria`` restricted
  to the channel's stock and answers ``{items: [{sku, qty, is_salable}], total_count}``.
- Incremental product reads filter ``updated_at gteq`` (UTC) and page by ``entity_id`` keyset;
  other lists page by ``currentPage``; both stop on ``total_count`` (pre-2.4 Magento repeated
  the last page forever past the end).
- Orders are created through the admin cart ("quote") flow, see :meth:`OrderAdapter.place_order`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from .client import MagentoClient, quote_segment
from .criteria import SearchCriteria
from .errors import RetryableError

JSON = dict[str, Any]


def iter_search(
    client: MagentoClient,
    path: str,
    criteria: SearchCriteria | None = None,
    *,
    store_code: str | None = None,
) -> Iterator[JSON]:
    """Yield items page by page, holding one page in memory; stops on ``total_count``."""
    criteria = copy.deepcopy(criteria) if criteria else SearchCriteria()
    while True:
        result = client.search(path, criteria, store_code=store_code)
        items = result.get("items") or []
        yield from items
        total = int(result.get("total_count", 0))
        if len(items) < criteria.page_size or criteria.current_page * criteria.page_size >= total:
            return
        criteria.current_page += 1


def iter_keyset(
    client: MagentoClient,
    path: str,
    criteria: SearchCriteria,
    *,
    store_code: str | None = None,
) -> Iterator[JSON]:
    """Yield products in ``entity_id`` order with keyset paging (``entity_id gt <last id>``,
    always page 1), one page in memory at a time.

    Offsets shift when a row changes mid-scan (an updated product jumps to the end of an
    ``updated_at`` sort and pushes the next one back a page, which is then skipped) and deep
    ``currentPage`` offsets are slow on big catalogs (notes §2, §7.2; PyMagento's
    ``id_pagination``). The entity id never changes, so this order is stable. ``total_count``
    is the number of rows left, so the scan stops as soon as a page holds all of them.
    """
    last_id = 0
    while True:
        page = copy.deepcopy(criteria)
        page.sort_orders = [("entity_id", "ASC")]
        page.current_page = 1
        page.where("entity_id", last_id, "gt")
        result = client.search(path, page, store_code=store_code)
        items = result.get("items") or []
        yield from items
        if not items or len(items) >= int(result.get("total_count", 0)):
            return
        last_id = int(items[-1]["id"])


class StoreAdapter:
    def __init__(self, client: MagentoClient) -> None:
        self.client = client

    def store_views(self) -> list[JSON]:
        """All store views, the ``admin`` view (id 0) included."""
        return self.client.request("GET", "store/storeViews")

    def websites(self) -> list[JSON]:
        return self.client.request("GET", "store/websites")

    def store_groups(self) -> list[JSON]:
        return self.client.request("GET", "store/storeGroups")

    def store_configs(self, store_codes: list[str] | None = None) -> list[JSON]:
        """``base_currency_code``, ``base_media_url``, ``weight_unit``, locale ... per view.

        Indexed keys (``storeCodes[0]``), not ``storeCodes[]``: Magento's OAuth check reads the
        query into a PHP array, so repeated keys collapse to the last one and the signature no
        longer matches what the client signed.
        """
        params = [(f"storeCodes[{i}]", code) for i, code in enumerate(store_codes or [])]
        return self.client.request("GET", "store/storeConfigs", params=params)


class CatalogAdapter:
    """Attributes with options, attribute sets and categories."""

    def __init__(self, client: MagentoClient) -> None:
        self.client = client

    def attributes(self, criteria: SearchCriteria | None = None) -> Iterator[JSON]:
        return iter_search(self.client, "products/attributes", criteria)

    def attribute_options(self, attribute_code: str, store_code: str | None = None) -> list[JSON]:
        path = f"products/attributes/{quote_segment(attribute_code)}/options"
        return self.client.request("GET", path, store_code=store_code)

    def attribute_sets(self, criteria: SearchCriteria | None = None) -> Iterator[JSON]:
        return iter_search(self.client, "products/attribute-sets/sets/list", criteria)

    def attribute_set_attributes(self, attribute_set_id: int) -> list[JSON]:
        path = f"products/attribute-sets/{int(attribute_set_id)}/attributes"
        return self.client.request("GET", path)

    def category_tree(self, root_category_id: int | None = None, depth: int | None = None) -> JSON:
        params = []
        if root_category_id is not None:
            params.append(("rootCategoryId", str(root_category_id)))
        if depth is not None:
            params.append(("depth", str(depth)))
        return self.client.request("GET", "categories", params=params)

    def categories(
        self, criteria: SearchCriteria | None = None, store_code: str | None = None
    ) -> Iterator[JSON]:
        return iter_search(self.client, "categories/list", criteria, store_code=store_code)


class ProductAdapter:
    def __init__(self, client: MagentoClient) -> None:
        self.client = client

    def search(self, criteria: SearchCriteria, store_code: str | None = None) -> JSON:
        """One page of ``GET /V1/products``."""
        return self.client.search("products", criteria, store_code=store_code)

    def iter_products(
        self,
        updated_since: datetime | None = None,
        page_size: int = 100,
        *,
        criteria: SearchCriteria | None = None,
        store_code: str | None = None,
    ) -> Iterator[JSON]:
        """Stream products page by page (flat memory) in ``entity_id`` order, keyset-paged.

        ``updated_since`` is inclusive (``gteq``, UTC): callers keep a watermark taken *before*
        the scan, minus a small overlap, and de-duplicate, since many rows share a second and a
        product changed mid-scan behind the cursor is only seen on the next run. ``criteria``
        may add filters (at most 8 groups: the keyset and ``updated_at`` take the others).
        """
        criteria = copy.deepcopy(criteria) if criteria else SearchCriteria()
        if updated_since is not None:
            criteria.where("updated_at", updated_since, "gteq")
        criteria.limit(page_size)
        return iter_keyset(self.client, "products", criteria, store_code=store_code)

    def get(self, sku: str, store_code: str | None = None) -> JSON:
        """One product with store-view values and ``extension_attributes.stock_item``."""
        return self.client.request("GET", f"products/{quote_segment(sku)}", store_code=store_code)

    def create(self, product: JSON) -> JSON:
        """``POST /V1/products`` (all store views); 400 when the SKU exists."""
        return self.client.request("POST", "products", json_body={"product": product})

    def update(self, sku: str, product: JSON, store_code: str | None = None) -> JSON:
        """``PUT /V1/products/{sku}`` with a partial product (e.g. ``{"price": 9.5}``)."""
        body = {"product": {"sku": sku, **product}}
        path = f"products/{quote_segment(sku)}"
        return self.client.request("PUT", path, json_body=body, store_code=store_code)

    def delete(self, sku: str) -> bool:
        """``DELETE /V1/products/{sku}`` (answers ``true``)."""
        return bool(self.client.request("DELETE", f"products/{quote_segment(sku)}"))

    def media(self, sku: str) -> list[JSON]:
        return self.client.request("GET", f"products/{quote_segment(sku)}/media")

    def configurable_options(self, sku: str) -> list[JSON]:
        path = f"configurable-products/{quote_segment(sku)}/options/all"
        return self.client.request("GET", path)

    def configurable_children(self, sku: str, store_code: str | None = None) -> list[JSON]:
        path = f"configurable-products/{quote_segment(sku)}/children"
        return self.client.request("GET", path, store_code=store_code)


class InventoryAdapter:
    """Legacy CatalogInventory and MSI (sources, stocks, source items, salable quantity)."""

    def __init__(self, client: MagentoClient) -> None:
        self.client = client

    def stock_item(self, sku: str) -> JSON:
        """Legacy stock item: mirrors the Default Source only when MSI is on."""
        return self.client.request("GET", f"stockItems/{quote_segment(sku)}")

    def sources(self, criteria: SearchCriteria | None = None) -> Iterator[JSON]:
        return iter_search(self.client, "inventory/sources", criteria)

    def stocks(self, criteria: SearchCriteria | None = None) -> Iterator[JSON]:
        return iter_search(self.client, "inventory/stocks", criteria)

    def resolve_stock(self, website_code: str) -> JSON:
        """The stock assigned to a website sales channel (``stock-resolver/website/{code}``)."""
        path = f"inventory/stock-resolver/website/{quote_segment(website_code)}"
        return self.client.request("GET", path)

    def source_items(
        self,
        skus: list[str] | None = None,
        source_code: str | None = None,
        page_size: int = 100,
    ) -> Iterator[JSON]:
        criteria = SearchCriteria().limit(page_size)
        if skus:
            criteria.where("sku", skus, "in")
        if source_code:
            criteria.where("source_code", source_code)
        return iter_search(self.client, "inventory/source-items", criteria)

    def save_source_items(self, items: list[JSON]) -> Any:
        """``[{sku, source_code, quantity, status}]``; saving is idempotent, so it is retried."""
        body = {"sourceItems": items}
        return self.client.request(
            "POST", "inventory/source-items", json_body=body, idempotent=True
        )

    def salable_qty(self, sku: str, stock_id: int) -> float:
        """Salable quantity on one stock: index qty + reservations - min_qty (bare number)."""
        path = f"inventory/get-product-salable-quantity/{quote_segment(sku)}/{int(stock_id)}"
        return float(self.client.request("GET", path))

    def iter_salable_qty(
        self,
        website_code: str,
        criteria: SearchCriteria | None = None,
        page_size: int = 100,
    ) -> Iterator[JSON]:
        """Bulk salable quantities ``{sku, qty, is_salable}`` for a website's stock, paged."""
        criteria = copy.deepcopy(criteria) if criteria else SearchCriteria()
        criteria.limit(page_size)
        path = f"inventory/export-stock-salable-qty/website/{quote_segment(website_code)}"
        return iter_search(self.client, path, criteria)


class OrderAdapter:
    def __init__(self, client: MagentoClient) -> None:
        self.client = client

    def place_order(
        self,
        items: list[JSON],
        address: JSON,
        *,
        customer_id: int | None = None,
        email: str | None = None,
        shipping_carrier_code: str = "flatrate",
        shipping_method_code: str = "flatrate",
        payment_method: str = "checkmo",
        store_code: str | None = None,
    ) -> int:
        """Create an order through the admin cart flow; returns the order ``entity_id``.

        Why the cart flow (notes §6.1 A) and not ``POST /V1/orders`` (B): placing a cart runs
        ``OrderManagementInterface::place``, where MSI creates the reservation, so the salable
        quantity drops at once exactly as for a storefront order; stock and salability are
        validated; totals, taxes and e-mails are Magento's own. ``POST /V1/orders`` stores
        arbitrary totals but creates no reservation, so other channels would oversell until the
        shipment. The cost: Magento recalculates prices (a marketplace price is ignored,
        magento/magento2#38985), needs an enabled offline payment and shipping method, and takes
        four calls or more.

        This is :meth:`prepare_cart` then :meth:`place_cart`; an importer that must survive a
        crash between the two persists the cart id in between.

        ``items``: ``[{"sku", "qty"}]``, configurable lines as the parent SKU with
        ``"options": [{"option_id": "<attribute id>", "option_value": <value index>}]``.
        ``address``: a quote address (firstname, lastname, street[], city, postcode,
        country_id, telephone, email, region, region_id, region_code).
        """
        cart_id = self.prepare_cart(
            items,
            address,
            customer_id=customer_id,
            email=email,
            shipping_carrier_code=shipping_carrier_code,
            shipping_method_code=shipping_method_code,
            store_code=store_code,
        )
        return self.place_cart(cart_id, payment_method=payment_method, store_code=store_code)

    def prepare_cart(
        self,
        items: list[JSON],
        address: JSON,
        *,
        customer_id: int | None = None,
        email: str | None = None,
        shipping_carrier_code: str = "flatrate",
        shipping_method_code: str = "flatrate",
        store_code: str | None = None,
    ) -> int:
        """Create and fill a cart (items, addresses, shipping method); returns its id."""
        if customer_id is not None:
            # Magento hands back the customer's active cart if there is one: empty it, or
            # lines of an earlier failed attempt would be ordered again.
            cart_id = self.client.request(
                "POST", f"customers/{int(customer_id)}/carts", store_code=store_code
            )
            stale_lines = self.client.request(
                "GET", f"carts/{int(cart_id)}/items", store_code=store_code
            )
            for stale in stale_lines:
                path = f"carts/{int(cart_id)}/items/{int(stale['item_id'])}"
                self.client.request("DELETE", path, store_code=store_code)
        else:
            cart_id = self.client.request("POST", "carts/", store_code=store_code)
        for line in items:
            cart_item: JSON = {"sku": line["sku"], "qty": line["qty"], "quote_id": str(cart_id)}
            if line.get("options"):
                cart_item["product_option"] = {
                    "extension_attributes": {"configurable_item_options": line["options"]}
                }
            self.client.request(
                "POST",
                f"carts/{int(cart_id)}/items",
                json_body={"cartItem": cart_item},
                store_code=store_code,
            )
        full_address = {**address, "email": email or address.get("email")}
        self.client.request(
            "POST",
            f"carts/{int(cart_id)}/shipping-information",
            json_body={
                "addressInformation": {
                    "shipping_address": full_address,
                    "billing_address": full_address,
                    "shipping_carrier_code": shipping_carrier_code,
                    "shipping_method_code": shipping_method_code,
                }
            },
            store_code=store_code,
        )
        return int(cart_id)

    def place_cart(
        self, cart_id: int, *, payment_method: str = "checkmo", store_code: str | None = None
    ) -> int:
        """``PUT /V1/carts/{id}/order``; returns the order id.

        Never blindly retried: when the answer is lost (timeout, 5xx) the order is looked up by
        its ``quote_id`` first, and only if it is not there is the error raised. A timed-out
        placement can still complete later, so a caller that gets an error keeps the cart id
        and checks :meth:`find_by_quote_id` again before placing anew.
        """
        try:
            order_id = self.client.request(
                "PUT",
                f"carts/{int(cart_id)}/order",
                json_body={"paymentMethod": {"method": payment_method}},
                store_code=store_code,
                idempotent=False,
            )
        except RetryableError:
            # The answer may be lost while the order exists: the order keeps its quote id.
            placed = self.find_by_quote_id(int(cart_id))
            if placed is None:
                raise
            return int(placed["entity_id"])
        return int(order_id)

    def find_by_quote_id(self, quote_id: int) -> JSON | None:
        """The order placed from a cart, if any (recovers a placement whose answer was lost)."""
        criteria = SearchCriteria().where("quote_id", int(quote_id)).limit(1)
        items = self.client.search("orders", criteria).get("items") or []
        return items[0] if items else None

    def get(self, order_id: int) -> JSON:
        return self.client.request("GET", f"orders/{int(order_id)}")

    def search(self, criteria: SearchCriteria) -> Iterator[JSON]:
        return iter_search(self.client, "orders", criteria)

    def find_by_increment_id(self, increment_id: str) -> JSON | None:
        result = self.client.search(
            "orders", SearchCriteria().where("increment_id", increment_id).limit(1)
        )
        items = result.get("items") or []
        return items[0] if items else None

    def add_comment(
        self,
        order_id: int,
        comment: str,
        *,
        status: str | None = None,
        notify: bool = False,
        visible_on_front: bool = False,
    ) -> bool:
        history: JSON = {
            "comment": comment,
            "is_customer_notified": int(notify),
            "is_visible_on_front": int(visible_on_front),
            "parent_id": int(order_id),
        }
        if status:
            history["status"] = status
        path = f"orders/{int(order_id)}/comments"
        return bool(self.client.request("POST", path, json_body={"statusHistory": history}))

    def comments(self, order_id: int) -> list[JSON]:
        return self.client.request("GET", f"orders/{int(order_id)}/comments").get("items", [])

    def cancel(self, order_id: int) -> bool:
        """``False`` when Magento cannot cancel (invoiced or shipped)."""
        return bool(self.client.request("POST", f"orders/{int(order_id)}/cancel", idempotent=True))

    def invoice(
        self, order_id: int, items: list[JSON] | None = None, *, capture: bool = True
    ) -> int:
        """Invoice the order (all of it when ``items`` is None); returns the invoice id."""
        body: JSON = {"capture": capture, "notify": False}
        if items:
            body["items"] = items
        return int(self.client.request("POST", f"order/{int(order_id)}/invoice", json_body=body))

    def invoices(self, criteria: SearchCriteria) -> Iterator[JSON]:
        return iter_search(self.client, "invoices", criteria)

    def ship(
        self,
        order_id: int,
        tracks: list[JSON] | None = None,
        items: list[JSON] | None = None,
        *,
        source_code: str | None = None,
        notify: bool = False,
    ) -> int:
        """``POST /V1/order/{id}/ship``; tracks are ``{track_number, title, carrier_code}``."""
        body: JSON = {"notify": notify, "tracks": tracks or []}
        if items:
            body["items"] = items
        if source_code:
            body["arguments"] = {"extension_attributes": {"source_code": source_code}}
        return int(self.client.request("POST", f"order/{int(order_id)}/ship", json_body=body))

    def add_track(self, shipment_id: int, order_id: int, track: JSON) -> JSON:
        entity = {
            "order_id": int(order_id),
            "parent_id": int(shipment_id),
            "weight": 0,
            "qty": 0,
            "description": "",
            **track,
        }
        return self.client.request("POST", "shipment/track", json_body={"entity": entity})

    def shipments(
        self,
        *,
        created_since: datetime | None = None,
        updated_since: datetime | None = None,
        order_ids: list[int] | None = None,
        page_size: int = 100,
    ) -> Iterator[JSON]:
        criteria = SearchCriteria().limit(page_size)
        if created_since is not None:
            criteria.where("created_at", created_since, "gteq")
        if updated_since is not None:
            criteria.where("updated_at", updated_since, "gteq")
        if order_ids:
            criteria.where("order_id", order_ids, "in")
        criteria.order_by("created_at", "ASC").order_by("entity_id", "ASC")
        return iter_search(self.client, "shipments", criteria)


class CustomerAdapter:
    def __init__(self, client: MagentoClient) -> None:
        self.client = client

    def find_by_email(self, email: str, website_id: int | None = None) -> JSON | None:
        criteria = SearchCriteria().where("email", email).limit(1)
        if website_id is not None:
            criteria.where("website_id", website_id)
        items = self.client.search("customers/search", criteria).get("items") or []
        return items[0] if items else None

    def create(self, customer: JSON, password: str | None = None) -> JSON:
        body: JSON = {"customer": customer}
        if password:
            body["password"] = password
        return self.client.request("POST", "customers", json_body=body)


class Magento:
    """All adapters over one client: ``Magento(client).products.iter_products()``."""

    def __init__(self, client: MagentoClient) -> None:
        self.client = client
        self.stores = StoreAdapter(client)
        self.catalog = CatalogAdapter(client)
        self.products = ProductAdapter(client)
        self.inventory = InventoryAdapter(client)
        self.orders = OrderAdapter(client)
        self.customers = CustomerAdapter(client)
