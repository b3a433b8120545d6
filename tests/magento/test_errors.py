"""Error mapping, retries and faults, mostly through the sandbox's fault injection."""

from __future__ import annotations

import pytest
import requests
import responses

from webapp.integrations.magento import (
    BearerCredentials,
    MagentoClient,
    MagentoSettings,
    SearchCriteria,
)
from webapp.integrations.magento.errors import (
    AccessDeniedError,
    BadResponseError,
    NotFoundError,
    ServerError,
    TransportError,
    ValidationError,
    interpolate,
)


def test_interpolation_of_positional_and_named_placeholders():
    assert interpolate("Signature method %1 is not supported", ["HMAC-SHA1"]) == (
        "Signature method HMAC-SHA1 is not supported"
    )
    assert interpolate("access %resources.", {"resources": "A::b"}) == "access A::b."
    assert interpolate("%1 and %2 and %3", ["a", "b"]) == "a and b and %3"
    assert interpolate("100%", None) == "100%"


def test_acl_denied_resource_is_named(sandbox, magento):
    sandbox.control("POST", "settings", {"denied_resources": ["Magento_Sales::actions_view"]})
    with pytest.raises(AccessDeniedError) as info:
        list(magento.orders.search(SearchCriteria()))
    assert info.value.resource == "Magento_Sales::actions_view"
    assert "Magento_Sales::actions_view" in str(info.value)
    assert magento.products.search(SearchCriteria().limit(1))["total_count"] == 50


def test_not_found_and_unknown_route(sandbox, magento):
    with pytest.raises(NotFoundError, match="The product that was requested doesn't exist"):
        magento.products.get("does not exist/really")
    # outside the recorded client: the route is (on purpose) not in the schema
    client = MagentoClient(requests.Session(), MagentoSettings(sandbox.url, sandbox.credentials))
    with pytest.raises(NotFoundError) as info:
        client.request("GET", "no-such-route")
    assert str(info.value) == "Request does not match any route."


def test_5xx_is_retried_with_backoff(sandbox, make_client):
    delays: list[float] = []
    client = make_client(sleep=delays.append, backoff=0.5)
    sandbox.control("POST", "faults", {"mode": "5xx", "count": 2, "status": 503})
    assert client.request("GET", "store/websites")
    assert delays == [0.5, 1.0]
    assert sandbox.control("GET", "calls")["GET store/websites"] == 3


def test_5xx_gives_up_after_max_retries(sandbox, make_client):
    delays: list[float] = []
    client = make_client(sleep=delays.append, max_retries=2)
    sandbox.control("POST", "faults", {"mode": "5xx", "count": 10})
    with pytest.raises(ServerError) as info:
        client.request("GET", "store/websites")
    assert info.value.retryable and info.value.status == 500
    assert "Internal Error" in str(info.value)
    assert len(delays) == 2


def test_writes_that_may_have_happened_are_not_retried(sandbox, make_client):
    client = make_client()
    sandbox.control("POST", "faults", {"mode": "5xx", "count": 1})
    with pytest.raises(ServerError):
        client.request("POST", "carts/")
    assert sandbox.control("GET", "calls") == {"POST carts/": 1}


def test_timeout_is_retried(sandbox, make_client):
    delays: list[float] = []
    client = make_client(sleep=delays.append, timeout=0.3)
    sandbox.control("POST", "faults", {"mode": "timeout", "count": 1, "delay": 0.6})
    assert client.request("GET", "store/websites")
    assert len(delays) == 1


def test_timeouts_exhausting_retries_raise_transport_error(sandbox, make_client):
    client = make_client(timeout=0.2, max_retries=1)
    sandbox.control("POST", "faults", {"mode": "timeout", "count": 2, "delay": 0.4})
    with pytest.raises(TransportError):
        client.request("GET", "store/websites")


def test_not_json_answer_raises_bad_response(sandbox, make_client):
    sandbox.control("POST", "faults", {"mode": "not_json", "count": 1})
    with pytest.raises(BadResponseError, match="not JSON"):
        make_client().request("GET", "store/websites")


def test_validation_error_carries_magento_parameters(magento):
    with pytest.raises(ValidationError) as info:
        magento.customers.create(
            {"email": "roni_cost@example.com", "firstname": "R", "lastname": "C", "website_id": 1}
        )
    assert "same email address" in str(info.value)
    assert info.value.status == 400


@responses.activate
def test_proxy_error_page_is_a_retryable_server_error():
    responses.add(
        responses.GET,
        "https://shop.test/rest/default/V1/store/websites",
        body="<html>502 Bad Gateway</html>",
        status=502,
    )
    responses.add(
        responses.GET,
        "https://shop.test/rest/default/V1/store/websites",
        json=[{"id": 1, "code": "base", "name": "Main", "default_group_id": 1}],
    )
    settings = MagentoSettings("https://shop.test", BearerCredentials("t"))
    client = MagentoClient(requests.Session(), settings, sleep=lambda _s: None)
    assert client.request("GET", "store/websites")[0]["code"] == "base"
    assert responses.calls[0].request.headers["Authorization"] == "Bearer t"


@responses.activate
def test_connection_failure_is_a_transport_error():
    responses.add(
        responses.GET,
        "https://shop.test/rest/default/V1/store/websites",
        body=requests.ConnectionError("refused"),
    )
    settings = MagentoSettings("https://shop.test", BearerCredentials("t"), max_retries=0)
    client = MagentoClient(requests.Session(), settings)
    with pytest.raises(TransportError, match="cannot reach Magento"):
        client.request("GET", "store/websites")
