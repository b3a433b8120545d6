"""Sandbox-specific behaviour: persistent state, CLI helpers, concurrency, control API."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.support.liveserver import serving
from webapp.integrations.aliexpress import adapters as ae
from webapp.integrations.aliexpress import signing
from webapp.integrations.aliexpress.client import AliExpressClient, unwrap_list
from webapp.integrations.aliexpress.errors import PermanentError
from webapp.integrations.aliexpress.oauth import AliExpressOAuth, parse_callback
from webapp.sandbox.aliexpress import (
    DEFAULT_APP_KEY,
    DEFAULT_APP_SECRET,
    create_app,
    create_order,
    info,
)

from .conftest import REDIRECT_URI, Sandbox, consent, product_request


def test_info_describes_the_connection():
    assert info("http://127.0.0.1:5000/sandbox/aliexpress/") == {
        "gateway": "http://127.0.0.1:5000/sandbox/aliexpress",
        "app_key": DEFAULT_APP_KEY,
        "app_secret": DEFAULT_APP_SECRET,
    }


def test_control_info_reports_gateway_and_credentials(sandbox):
    details = sandbox.control("info")
    assert details["gateway"] == sandbox.url
    assert (details["app_key"], details["app_secret"]) == (DEFAULT_APP_KEY, DEFAULT_APP_SECRET)


def test_file_state_survives_restarts_and_serves_the_cli(tmp_path, settings):
    path = str(tmp_path / "aliexpress.sqlite")
    with serving(create_app(path)) as live:
        sandbox = Sandbox(url=live.url)
        oauth = AliExpressOAuth(replace(settings, gateway_url=live.url))
        url, state = oauth.authorization_url(REDIRECT_URI)
        tokens = oauth.exchange_code(parse_callback(consent(sandbox, url), state))
        client = AliExpressClient(requests.Session(), oauth.settings)
        product_id = ae.post_product(client, tokens.access_token, product_request())

    with serving(create_app(path)) as live:
        client = AliExpressClient(requests.Session(), replace(settings, gateway_url=live.url))
        assert ae.get_product(client, tokens.access_token, product_id)["product_id"] == int(
            product_id
        )
        order = create_order(path, items=[{"product_id": int(product_id), "quantity": 1}])
        since = datetime.now(UTC) - timedelta(minutes=5)
        orders = ae.list_orders(client, tokens.access_token, created_from=since).orders
        assert [o["order_id"] for o in orders] == [order["order_id"]]


def test_concurrent_clients_do_not_collide(client, token, make_client):
    ids: list[str] = []
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            own = make_client()
            ids.append(ae.post_product(own, token, product_request([f"C{n}-1", f"C{n}-2"])))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(set(ids)) == 8
    assert ae.list_products(client, token).total_count == 8


def test_batch_update_of_a_product_with_250_skus_takes_two_calls(client, token, sandbox):
    codes = [f"BIG-{i}" for i in range(250)]
    product_id = ae.post_product(client, token, product_request(codes))
    result = ae.update_stocks(
        client, token, [ae.ProductUpdate(product_id, [ae.SkuStock(c, 3) for c in codes])]
    )
    assert result.ok and result.successful == [product_id]
    assert sandbox.calls("aliexpress.solution.batch.product.inventory.update") == 2
    stock = {s["ipm_sku_stock"] for s in ae.get_product(client, token, product_id)["skus"]}
    assert stock == {3}


def test_probabilistic_faults_and_clearing_them(sandbox, make_client, token):
    sandbox.fault("http_error", probability=1.0, status=500)
    with pytest.raises(Exception):  # noqa: B017 - any failure will do; retries exhausted
        ae.get_category_children(make_client(retries=1), token)
    sandbox.http.delete(f"{sandbox.url}/_control/faults", timeout=5)
    assert ae.get_category_children(make_client(), token)


def test_malformed_json_parameter_gets_a_top_style_error(client, token):
    with pytest.raises(PermanentError) as excinfo:
        client.call("aliexpress.solution.product.edit", {"edit_product_request": "[1]"}, token)
    assert excinfo.value.code == "15"
    assert excinfo.value.sub_code == "isv.invalid-parameter"


def test_simplified_order_list_has_plain_arrays(sandbox, client, token, post_product):
    post_product()
    sandbox.control("orders", {})
    method = "aliexpress.solution.order.get"
    since = ae.pacific(datetime.now(UTC) - timedelta(hours=1))
    params = signing.encode_params(
        {
            "app_key": sandbox.app_key,
            "timestamp": str(int(time.time() * 1000)),
            "sign_method": "sha256",
            "method": method,
            "session": token,
            "simplify": "true",
            "param0": {"current_page": 1, "page_size": 10, "modified_date_start": since},
        }
    )
    params["sign"] = signing.sign(sandbox.app_secret, method, params)
    answer = sandbox.http.post(f"{sandbox.url}/sync", data=params, timeout=5).json()
    orders = answer["result"]["target_list"]
    assert isinstance(orders, list)
    assert isinstance(orders[0]["product_list"], list)
    assert unwrap_list(orders) == orders


def test_consent_page_refuses_unknown_apps_and_foreign_callbacks(sandbox):
    bad = sandbox.http.get(
        f"{sandbox.url}/oauth/authorize",
        params={"response_type": "code", "client_id": "999", "redirect_uri": REDIRECT_URI},
        timeout=5,
    )
    assert bad.status_code == 400
    sandbox.control("settings", {"redirect_uris": ["https://shop.example.com/"]})
    foreign = sandbox.http.get(
        f"{sandbox.url}/oauth/authorize",
        params={
            "response_type": "code",
            "client_id": sandbox.app_key,
            "redirect_uri": REDIRECT_URI,
        },
        timeout=5,
    )
    assert foreign.status_code == 400


def test_sandbox_works_mounted_under_a_prefix(settings):
    from werkzeug.middleware.dispatcher import DispatcherMiddleware
    from werkzeug.wrappers import Response as PlainResponse

    root = PlainResponse("main app")
    mounted = DispatcherMiddleware(root, {"/sandbox/aliexpress": create_app(None)})
    with serving(mounted) as live:
        base = f"{live.url}/sandbox/aliexpress"
        sandbox = Sandbox(url=base)
        assert sandbox.control("info")["gateway"] == base
        oauth = AliExpressOAuth(replace(settings, gateway_url=base))
        url, state = oauth.authorization_url(REDIRECT_URI)
        tokens = oauth.exchange_code(parse_callback(consent(sandbox, url), state))
        client = AliExpressClient(requests.Session(), oauth.settings)
        assert ae.list_logistics_services(client, tokens.access_token)
