"""Client reliability against the sandbox: token renewal, retries, rate limits, bad answers."""

from __future__ import annotations

import time
from urllib.parse import parse_qsl

import pytest
import requests
import responses

from webapp.integrations.aliexpress import adapters as ae
from webapp.integrations.aliexpress.client import AliExpressClient, ClientSettings
from webapp.integrations.aliexpress.errors import (
    BadResponseError,
    InvalidTokenError,
    PermanentError,
    RateLimitError,
    RetryableError,
)

TREE = "aliexpress.solution.seller.category.tree.query"


def test_call_returns_the_payload_inside_the_response_wrapper(client, token):
    payload = client.call(TREE, {"category_id": 0, "filter_no_permission": True}, token)
    assert payload["is_success"] is True
    assert payload["request_id"]
    assert "children_category_list" in payload


def test_invalid_token_is_renewed_once_through_the_callback(sandbox, oauth, tokens, make_client):
    renewed = []

    def on_invalid_token() -> str:
        fresh = oauth.refresh(tokens.refresh_token)
        renewed.append(fresh)
        return fresh.access_token

    sandbox.control("tokens/expire", {"access_token": tokens.access_token})
    client = make_client(on_invalid_token=on_invalid_token)

    categories = ae.get_category_children(client, tokens.access_token)

    assert [c.name for c in categories][:1] == ["Apparel & Accessories"]
    assert len(renewed) == 1
    assert sandbox.calls(TREE) == 2


def test_invalid_token_after_renewal_is_raised(sandbox, token, make_client):
    sandbox.fault("illegal_access_token", count=2)
    calls = []
    client = make_client(on_invalid_token=lambda: calls.append(1) or token)
    with pytest.raises(InvalidTokenError):
        ae.get_category_children(client, token)
    assert calls == [1]


def test_invalid_token_without_callback_is_raised(sandbox, client, token):
    sandbox.fault("illegal_access_token", count=1)
    with pytest.raises(InvalidTokenError) as excinfo:
        ae.get_category_children(client, token)
    assert excinfo.value.code == "IllegalAccessToken"
    assert excinfo.value.request_id


def test_server_errors_are_retried_with_exponential_backoff(sandbox, client, token, fake_time):
    sandbox.fault("http_error", count=3, status=503, method=TREE)
    assert ae.get_category_children(client, token)
    assert fake_time.sleeps == [0.5, 1.0, 2.0]
    assert sandbox.calls(TREE) == 4


def test_retries_are_bounded(sandbox, client, token, records):
    sandbox.fault("http_error", count=10, status=502)
    with pytest.raises(RetryableError) as excinfo:
        ae.get_category_children(client, token)
    assert excinfo.value.http_status == 502
    assert sandbox.calls(TREE) == 4
    assert [r.http_status for r in records[-4:]] == [502] * 4


def test_non_idempotent_calls_are_not_repeated_after_a_server_error(sandbox, client, token):
    from .conftest import product_request

    sandbox.fault("http_error", count=1, method="aliexpress.solution.product.post")
    with pytest.raises(RetryableError):
        ae.post_product(client, token, product_request())
    assert sandbox.calls("aliexpress.solution.product.post") == 1


def test_timeouts_are_retried(sandbox, make_client, token, fake_time):
    sandbox.fault("timeout", count=1, seconds=1.0, method=TREE)
    client = make_client(timeout=0.3)
    assert ae.get_category_children(client, token)
    assert fake_time.sleeps == [0.5]


def test_an_answer_after_a_resent_request_says_so(sandbox, make_client, token, fake_time):
    from webapp.integrations.aliexpress.client import RESENT

    client = make_client(timeout=0.3)
    assert RESENT not in client.call(TREE, {"category_id": 0}, token)
    sandbox.fault("timeout", count=1, seconds=1.0, method=TREE)
    assert client.call(TREE, {"category_id": 0}, token)[RESENT] is True


def test_api_call_limit_makes_the_client_wait_and_slow_down(sandbox, client, token, fake_time):
    sandbox.fault("api_call_limit", count=1, seconds=3)
    assert ae.get_category_children(client, token)
    assert fake_time.sleeps == [3.0]
    assert client.current_rate is not None and client.current_rate < 10
    for _ in range(8):  # successful calls restore the unlimited rate step by step
        ae.get_category_children(client, token)
    assert client.current_rate is None
    assert all(pause <= 0.2 for pause in fake_time.sleeps[1:])


def test_persistent_call_limit_eventually_fails(sandbox, make_client, token):
    sandbox.fault("api_call_limit", count=5, seconds=1)
    client = make_client(rate_limit_waits=2)
    with pytest.raises(RateLimitError) as excinfo:
        ae.get_category_children(client, token)
    assert excinfo.value.ban_seconds == 1


def test_client_side_rate_limit_spaces_calls(client, make_client, token, fake_time):
    limited = make_client(rate_limit=4)
    for _ in range(3):
        ae.get_category_children(limited, token)
    assert fake_time.sleeps == [0.25, 0.25]


def test_gateway_rate_limit_is_survived_in_real_time(sandbox, settings, token):
    sandbox.control("rate-limit", {"calls_per_second": 3, "ban_seconds": 1})
    client = AliExpressClient(requests.Session(), settings)  # real clock and sleep
    started = time.monotonic()
    for _ in range(5):
        assert ae.get_category_children(client, token)
    assert time.monotonic() - started >= 0.9
    assert sandbox.calls(TREE) > 5  # some calls were refused with ApiCallLimit


def test_answer_that_is_not_json_raises_bad_response(sandbox, make_client, token, records):
    sandbox.fault("bad_response", count=5)
    with pytest.raises(BadResponseError) as excinfo:
        ae.get_category_children(make_client(retries=1), token)
    assert excinfo.value.http_status == 200
    assert sandbox.calls(TREE) == 2  # retried once, as configured
    assert "maintenance" in records[-1].response


def test_bad_answers_to_non_idempotent_calls_are_not_repeated(sandbox, client, token):
    from .conftest import product_request

    sandbox.fault("bad_response", count=1)
    with pytest.raises(BadResponseError):
        ae.post_product(client, token, product_request())
    assert sandbox.calls("aliexpress.solution.product.post") == 1


def test_unknown_method_is_a_permanent_error(client, token):
    with pytest.raises(PermanentError) as excinfo:
        client.call("aliexpress.solution.does.not.exist", {}, token)
    assert excinfo.value.code == "InvalidApi"


def test_records_mask_secrets(client, token, records, settings):
    ae.get_category_children(client, token)
    record = records[-1]
    assert record.api == TREE
    assert record.http_status == 200
    assert record.params["method"] == TREE
    assert token not in str(record.params)
    assert record.params["session"].startswith("5000") and "***" in record.params["session"]
    assert "***" in record.params["sign"]
    assert settings.app_secret not in str(record)
    assert record.request_id
    assert record.duration >= 0


# -- error paths the sandbox cannot produce ----------------------------------------------------


@pytest.fixture
def offline_client(fake_time) -> AliExpressClient:
    settings = ClientSettings(
        app_key="1", app_secret="s", gateway_url="https://api-sg.aliexpress.com", retries=1
    )
    return AliExpressClient(
        requests.Session(), settings, sleep=fake_time.sleep, clock=fake_time.clock
    )


@responses.activate
def test_isp_errors_are_retryable(offline_client):
    responses.post(
        "https://api-sg.aliexpress.com/sync",
        json={"error_response": {"type": "ISP", "code": "isp.remote-service-error", "msg": "x"}},
    )
    responses.post(
        "https://api-sg.aliexpress.com/sync",
        json={"aliexpress_solution_seller_category_tree_query_response": {"is_success": True}},
    )
    # Sent again after an answer from the gateway: the caller is told (see RESENT).
    assert offline_client.call(TREE, {}, "t") == {"is_success": True, "_resent": True}


@responses.activate
def test_top_numeric_errors_with_sub_codes_are_permanent(offline_client):
    responses.post(
        "https://api-sg.aliexpress.com/rest/auth/token/create",
        json={
            "error_response": {
                "code": 15,
                "msg": "Remote service error",
                "sub_code": "isv.account-migration-check-fail",
                "sub_msg": "account not migrated",
            }
        },
    )
    with pytest.raises(PermanentError) as excinfo:
        offline_client.rest("/auth/token/create", {"code": "c"})
    assert excinfo.value.code == "15"
    assert excinfo.value.sub_code == "isv.account-migration-check-fail"


@responses.activate
def test_rest_calls_are_signed_with_the_path(offline_client):
    from webapp.integrations.aliexpress import signing

    responses.post("https://api-sg.aliexpress.com/rest/auth/token/refresh", json={"code": "0"})
    offline_client.rest("/auth/token/refresh", {"refresh_token": "r"})
    body = dict(parse_qsl(responses.calls[0].request.body))
    sign = body.pop("sign")
    assert signing.sign("s", "/auth/token/refresh", body) == sign
