"""searchCriteria: the builder's query parameters and the sandbox's Magento semantics."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from webapp.integrations.magento import SearchCriteria
from webapp.integrations.magento.errors import ValidationError


def skus(result) -> list[str]:
    return [item["sku"] for item in result["items"]]


def test_builder_emits_magento_query_parameters():
    params = (
        SearchCriteria()
        .any_of(("sku", "A"), ("name", "%b%", "like"))
        .where("updated_at", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "gteq")
        .where("entity_id", [1, 2], "in")
        .order_by("updated_at")
        .page(3, 50)
        .to_params()
    )
    assert params == [
        ("searchCriteria[filter_groups][0][filters][0][field]", "sku"),
        ("searchCriteria[filter_groups][0][filters][0][value]", "A"),
        ("searchCriteria[filter_groups][0][filters][0][condition_type]", "eq"),
        ("searchCriteria[filter_groups][0][filters][1][field]", "name"),
        ("searchCriteria[filter_groups][0][filters][1][value]", "%b%"),
        ("searchCriteria[filter_groups][0][filters][1][condition_type]", "like"),
        ("searchCriteria[filter_groups][1][filters][0][field]", "updated_at"),
        ("searchCriteria[filter_groups][1][filters][0][value]", "2026-01-02 03:04:05"),
        ("searchCriteria[filter_groups][1][filters][0][condition_type]", "gteq"),
        ("searchCriteria[filter_groups][2][filters][0][field]", "entity_id"),
        ("searchCriteria[filter_groups][2][filters][0][value]", "1,2"),
        ("searchCriteria[filter_groups][2][filters][0][condition_type]", "in"),
        ("searchCriteria[sortOrders][0][field]", "updated_at"),
        ("searchCriteria[sortOrders][0][direction]", "ASC"),
        ("searchCriteria[pageSize]", "50"),
        ("searchCriteria[currentPage]", "3"),
    ]


def test_builder_always_sends_page_size_and_rejects_bad_input():
    assert ("searchCriteria[pageSize]", "100") in SearchCriteria().to_params()
    with pytest.raises(ValueError):
        SearchCriteria().where("sku", "x", "contains")
    with pytest.raises(ValueError):
        SearchCriteria().limit(301)
    with pytest.raises(ValueError):
        SearchCriteria().order_by("sku", "UP")


def test_filters_in_a_group_are_ored_and_groups_anded(magento):
    either = SearchCriteria().any_of(("sku", "24-MB01"), ("sku", "24-MG01"))
    assert sorted(skus(magento.products.search(either))) == ["24-MB01", "24-MG01"]
    both = SearchCriteria().any_of(("sku", "24-MB01"), ("sku", "24-MG01")).where("price", 40, "gt")
    assert skus(magento.products.search(both)) == ["24-MG01"]


def test_like_in_and_ranges(magento):
    like = magento.products.search(SearchCriteria().where("sku", "24-UG%", "like"))
    assert like["total_count"] == 7
    listed = SearchCriteria().where("sku", ["24-MB01", "24-MB02", "missing"], "in")
    assert sorted(skus(magento.products.search(listed))) == ["24-MB01", "24-MB02"]
    ranged = SearchCriteria().where("price", 45, "gteq").where("price", 49, "lteq")
    assert sorted(skus(magento.products.search(ranged.where("type_id", "simple")))) == [
        "24-MB05",
        "24-MB06",
        "24-MG01",
        "24-MG04",
        "24-WG01",
    ]
    not_in = SearchCriteria().where("type_id", ["simple"], "nin")
    assert magento.products.search(not_in)["total_count"] == 6


def test_sort_orders_and_paging_with_total_count(magento):
    criteria = SearchCriteria().where("type_id", "configurable").order_by("name", "DESC")
    first = magento.products.search(criteria.page(1, 4))
    second = magento.products.search(criteria.page(2, 4))
    beyond = magento.products.search(criteria.page(3, 4))
    assert first["total_count"] == second["total_count"] == 6
    names = [p["name"] for p in first["items"] + second["items"]]
    assert names == sorted(names, reverse=True) and len(names) == 6
    assert beyond["items"] == [] and beyond["total_count"] == 6


def test_search_criteria_is_echoed_in_snake_case(magento):
    result = magento.products.search(SearchCriteria().where("sku", "24-MB01").page(1, 5))
    assert result["search_criteria"] == {
        "filter_groups": [
            {"filters": [{"field": "sku", "value": "24-MB01", "condition_type": "eq"}]}
        ],
        "page_size": 5,
        "current_page": 1,
    }


def test_page_size_above_limit_is_refused(sandbox, magento):
    sandbox.control("POST", "settings", {"max_page_size": 20})
    with pytest.raises(ValidationError, match="Maximum SearchCriteria pageSize is 20"):
        magento.products.search(SearchCriteria().limit(21))


def test_omitted_page_size_defaults_to_20_under_input_limits(magento):
    result = magento.client.request(
        "GET", "products", params=[("searchCriteria[currentPage]", "1")]
    )
    assert len(result["items"]) == 20 and result["total_count"] == 50
