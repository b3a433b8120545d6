"""Products through the client and the mappers: streaming, configurables, store views, deltas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.support.liveserver import serving
from webapp.integrations.magento import (
    Magento,
    MagentoClient,
    MagentoSettings,
    OAuthCredentials,
    SearchCriteria,
)
from webapp.integrations.magento.errors import MappingError
from webapp.integrations.magento.mappers import Status, Visibility, attribute_defs, map_product
from webapp.sandbox.magento import create_app, generate, info


def load(magento: Magento, sku: str, store_code: str = "default"):
    defs = attribute_defs(
        magento.client.search("products/attributes", None, store_code=store_code)["items"]
    )
    config = magento.stores.store_configs([store_code])[0]
    data = magento.products.get(sku, store_code=store_code)
    children = (
        magento.products.configurable_children(sku, store_code=store_code)
        if data["type_id"] == "configurable"
        else []
    )
    child_skus = [c["sku"] for c in children] or [sku]
    sources = list(magento.inventory.source_items(skus=child_skus))
    salable = {s: magento.inventory.salable_qty(s, 2) for s in child_skus}
    return map_product(
        data,
        attributes=defs,
        base_media_url=config["base_media_url"],
        children=children,
        source_items=sources,
        salable_qty=salable,
    )


def test_configurable_product_maps_with_variants_images_and_stock(magento, sandbox):
    product = load(magento, "MS-AUR")
    assert product.is_configurable and product.price == 0
    assert product.status is Status.ENABLED and product.visibility is Visibility.CATALOG_SEARCH
    assert product.configurable_attributes == ("color", "size")
    assert product.category_ids == (4,)
    assert product.attributes["material"].label == "Cotton"
    options = {(v.options["color"].label, v.options["size"].label) for v in product.variants}
    assert options == {("Red", "S"), ("Red", "M"), ("Black", "S"), ("Black", "M")}
    red_s = next(v for v in product.variants if v.sku == "MS-AUR-S-Red")
    assert red_s.price == 25.0 and red_s.visibility is Visibility.NOT_VISIBLE
    assert {s.source_code for s in red_s.sources} == {"default", "eu_warehouse"}
    assert red_s.salable_qty == sum(s.quantity for s in red_s.sources if s.in_stock)
    image = product.images[0]
    assert image.url == f"{sandbox.url}/media/catalog/product/m/s/ms-aur_main.png"
    assert "thumbnail" in image.roles
    fetched = requests.get(image.url, timeout=10)
    assert fetched.headers["Content-Type"] == "image/png"
    assert fetched.content.startswith(b"\x89PNG")


def test_store_view_values_are_translated(magento):
    product = load(magento, "MS-AUR", store_code="es")
    assert product.name == "Camiseta Aurora"
    assert product.description == "<p>Camiseta Aurora.</p>"
    labels = {v.options["color"].label for v in product.variants}
    assert labels == {"Rojo", "Negro"}
    assert load(magento, "MS-AUR").name == "Aurora Tee"


def test_updated_at_filter_picks_up_a_changed_product(magento):
    since = datetime.now(UTC) - timedelta(seconds=1)
    assert list(magento.products.iter_products(updated_since=since)) == []
    magento.products.update("24-MG02", {"price": 57.0})
    changed = list(magento.products.iter_products(updated_since=since))
    assert [(p["sku"], p["price"]) for p in changed] == [("24-MG02", 57.0)]


def test_iter_products_streams_one_page_at_a_time(magento, sandbox):
    sandbox.control("DELETE", "calls")
    stream = magento.products.iter_products(page_size=10)
    first = next(stream)
    assert first["sku"]
    assert sandbox.control("GET", "calls") == {"GET products": 1}
    assert len([first, *stream]) == 50
    assert sandbox.control("GET", "calls") == {"GET products": 5}


def test_control_api_grows_the_catalog_and_changes_prices(magento, sandbox):
    assert sandbox.control("POST", "generate", {"n": 60})["products"] == 60
    assert magento.products.search(SearchCriteria().limit(1))["total_count"] == 60
    sandbox.control("POST", "products/GEN-0000055", {"price": 12.5, "qty": 7})
    assert magento.products.get("GEN-0000055")["price"] == 12.5
    assert magento.inventory.salable_qty("GEN-0000055", 2) == 7


def test_a_change_during_a_full_scan_neither_skips_nor_repeats(magento):
    stream = magento.products.iter_products(page_size=10)
    first_page = [next(stream) for _ in range(10)]
    magento.products.update(first_page[2]["sku"], {"price": 99.0})  # already read
    rest = list(stream)
    skus = [p["sku"] for p in first_page + rest]
    assert len(skus) == len(set(skus)) == 50


def test_mapping_errors_are_explicit():
    base = {
        "sku": "X",
        "type_id": "simple",
        "name": "X",
        "status": 1,
        "visibility": 4,
        "price": 1,
        "attribute_set_id": 4,
        "updated_at": "2026-01-01 00:00:00",
    }
    assert map_product(base, attributes={}, base_media_url="http://m/").sku == "X"
    with pytest.raises(MappingError, match="unknown product type 'giftcard'"):
        map_product({**base, "type_id": "giftcard"}, attributes={}, base_media_url="")
    without_price = {k: v for k, v in base.items() if k != "price"}
    with pytest.raises(MappingError, match="missing field 'price'"):
        map_product(without_price, attributes={}, base_media_url="")
    with pytest.raises(MappingError, match="not a Magento timestamp"):
        map_product({**base, "updated_at": "yesterday"}, attributes={}, base_media_url="")
    with pytest.raises(MappingError, match="product without sku"):
        map_product({"type_id": "simple"}, attributes={}, base_media_url="")


def test_paging_a_generated_catalog_returns_every_sku_once(tmp_path):
    path = str(tmp_path / "magento.sqlite")
    started = datetime.now(UTC)
    assert generate(5000, path) == 5000
    assert (datetime.now(UTC) - started).total_seconds() < 30
    with serving(create_app(path)) as live:
        d = info(live.url, path)
        creds = OAuthCredentials(
            d["consumer_key"], d["consumer_secret"], d["access_token"], d["access_token_secret"]
        )
        magento = Magento(MagentoClient(requests.Session(), MagentoSettings(live.url, creds)))
        seen = [p["sku"] for p in magento.products.iter_products(page_size=300)]
        assert len(seen) == 5000 and len(set(seen)) == 5000
        generated = magento.products.search(SearchCriteria().where("sku", "GEN-%", "like"))
        assert generated["total_count"] == 4950
    assert generate(5000, path) == 5000  # already that big: nothing added


def test_sku_chunks_fill_the_url_budget_and_keep_every_sku_once():
    from urllib.parse import quote

    from webapp.services.catalog import SKU_FILTER_BUDGET, SKU_FILTER_MAX, sku_chunks

    skus = [f"SKU-{i:05d}" for i in range(1000)] + ["LONG/" + "x" * 400, "ÜMLAUT ß"]
    chunks = list(sku_chunks(skus))
    assert [s for chunk in chunks for s in chunk] == skus
    assert all(len(c) <= SKU_FILTER_MAX for c in chunks)
    for chunk in chunks:
        encoded = ",".join(quote(s, safe="") for s in chunk)
        assert len(chunk) == 1 or len(encoded) <= SKU_FILTER_BUDGET + 3 * len(chunk)
    assert len(chunks) < 1000 / 100  # fewer calls than fixed groups of 100
