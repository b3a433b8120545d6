"""The sandbox gateway speaks the real protocol: SDK-style signed requests pass, anything else
gets the real error envelope and code."""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest

from .conftest import Sandbox


def sdk_sign(secret: str, api: str, params: dict[str, str]) -> str:
    """Independent copy of ``iop-sdk-python-20220609`` ``base.sign()``."""
    keys = sorted(params)
    parameters = api if "/" in api else ""
    parameters += "".join(f"{k}{params[k]}" for k in keys)
    return hmac.new(secret.encode(), parameters.encode(), hashlib.sha256).hexdigest().upper()


def sync_params(sandbox: Sandbox, token: str, method: str, **business: str) -> dict[str, str]:
    params = {
        "app_key": sandbox.app_key,
        "timestamp": str(round(time.time())) + "000",
        "sign_method": "sha256",
        "partner_id": "iop-sdk-python-20220609",
        "method": method,
        "session": token,
        "simplify": "false",
        "format": "json",
        **business,
    }
    params["sign"] = sdk_sign(sandbox.app_secret, method, params)
    return params


TREE = "aliexpress.solution.seller.category.tree.query"


def post_sync(sandbox: Sandbox, params: dict[str, str]) -> dict:
    response = sandbox.http.post(f"{sandbox.url}/sync", data=params, timeout=5)
    assert response.status_code == 200
    return response.json()


def test_python_sdk_style_request_is_accepted(sandbox, token):
    params = sync_params(sandbox, token, TREE, category_id="0", filter_no_permission="true")
    answer = post_sync(sandbox, params)
    payload = answer["aliexpress_solution_seller_category_tree_query_response"]
    assert payload["is_success"] is True
    names = [c["children_category_id"] for c in payload["children_category_list"]["category_info"]]
    assert names == [3, 44, 15]
    assert payload["request_id"]


def test_java_sdk_style_request_with_system_params_in_query_is_accepted(sandbox, token):
    params = sync_params(sandbox, token, TREE, category_id="3", filter_no_permission="true")
    business = {k: params.pop(k) for k in ("category_id", "filter_no_permission")}
    response = sandbox.http.post(f"{sandbox.url}/sync", params=params, data=business, timeout=5)
    payload = response.json()["aliexpress_solution_seller_category_tree_query_response"]
    assert [c["level"] for c in payload["children_category_list"]["category_info"]] == [2, 2]


def test_access_token_parameter_is_accepted_on_sync(sandbox, token):
    params = sync_params(sandbox, token, TREE, category_id="0", filter_no_permission="true")
    params["access_token"] = params.pop("session")
    params["sign"] = sdk_sign(
        sandbox.app_secret, TREE, {k: v for k, v in params.items() if k != "sign"}
    )
    assert "error_response" not in post_sync(sandbox, params)


def test_simplify_true_returns_plain_arrays_at_the_root(sandbox, token):
    params = sync_params(
        sandbox, token, TREE, category_id="0", filter_no_permission="true", simplify="true"
    )
    params["sign"] = sdk_sign(
        sandbox.app_secret, TREE, {k: v for k, v in params.items() if k != "sign"}
    )
    answer = post_sync(sandbox, params)
    assert isinstance(answer["children_category_list"], list)
    assert answer["children_category_list"][0]["multi_language_names"]


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        (lambda p, s: p.update(category_id="44"), "IncompleteSignature"),
        (
            lambda p, s: p.update(sign=sdk_sign("wrong-secret", TREE, _unsigned(p))),
            "IncompleteSignature",
        ),
        (lambda p, s: p.pop("timestamp"), "MissingParameter"),
        (lambda p, s: p.pop("sign"), "MissingParameter"),
        (lambda p, s: p.update(app_key="999999"), "InvalidAppKey"),
        (lambda p, s: _resign(p, s, session="50000not-a-token"), "IllegalAccessToken"),
        (lambda p, s: _resign(p, s, method="aliexpress.solution.nope"), "InvalidApi"),
    ],
    ids=["tampered", "wrong-secret", "no-timestamp", "no-sign", "app-key", "token", "api"],
)
def test_bad_sync_requests_get_the_error_envelope(sandbox, token, tamper, code):
    params = sync_params(sandbox, token, TREE, category_id="0", filter_no_permission="true")
    tamper(params, sandbox)
    error = post_sync(sandbox, params)["error_response"]
    assert error["code"] == code
    assert error["msg"]
    assert error["type"] == "ISV"
    assert error["request_id"]


def _unsigned(params):
    return {k: v for k, v in params.items() if k != "sign"}


def _resign(params, sandbox, **changes):
    params.update(changes)
    params["sign"] = sdk_sign(sandbox.app_secret, params["method"], _unsigned(params))


@pytest.mark.parametrize("offset", [-7300, 7300])
def test_timestamp_outside_7200_seconds_is_rejected(sandbox, token, offset):
    params = sync_params(sandbox, token, TREE, category_id="0", filter_no_permission="true")
    _resign(params, sandbox, timestamp=str(int((time.time() + offset) * 1000)))
    assert post_sync(sandbox, params)["error_response"]["code"] == "IllegalTimestamp"


def test_iso_timestamp_within_window_is_accepted(sandbox, token):
    params = sync_params(sandbox, token, TREE, category_id="0", filter_no_permission="true")
    _resign(params, sandbox, timestamp=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    assert "error_response" not in post_sync(sandbox, params)


def test_rest_errors_are_flat_with_message(sandbox):
    params = {
        "app_key": sandbox.app_key,
        "timestamp": str(int(time.time() * 1000)),
        "sign_method": "sha256",
        "code": "3_500001_unknown",
    }
    params["sign"] = sdk_sign(sandbox.app_secret, "/auth/token/create", params)
    answer = sandbox.http.post(f"{sandbox.url}/rest/auth/token/create", data=params, timeout=5)
    body = answer.json()
    assert answer.status_code == 200
    assert body["code"] == "InvalidCode"
    assert body["message"]
    assert "error_response" not in body


def test_rest_signature_must_include_the_path(sandbox):
    params = {
        "app_key": sandbox.app_key,
        "timestamp": str(int(time.time() * 1000)),
        "sign_method": "sha256",
        "code": "3_500001_unknown",
    }
    params["sign"] = sdk_sign(sandbox.app_secret, "", params)  # no path prefix
    body = sandbox.http.post(f"{sandbox.url}/rest/auth/token/create", data=params, timeout=5).json()
    assert body["code"] == "IncompleteSignature"


def test_python_sdk_posts_system_api_name_in_the_body(sandbox):
    # iop-sdk-python posts to .../rest with method=/auth/token/create in the form.
    params = {
        "app_key": sandbox.app_key,
        "timestamp": str(int(time.time() * 1000)),
        "sign_method": "sha256",
        "partner_id": "iop-sdk-python-20220609",
        "method": "/auth/token/create",
        "refresh_token": "x",
    }
    params["sign"] = sdk_sign(sandbox.app_secret, "/auth/token/create", params)
    body = sandbox.http.post(f"{sandbox.url}/rest", data=params, timeout=5).json()
    assert body["code"] == "MissingParameter"  # signature passed; the code is missing
    assert "code" in body["message"]
