"""Fixtures for the AliExpress integration: a sandbox served over real HTTP on loopback, a
client wired to it with a fake clock, and the OAuth round trip a seller would do."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

from tests.support.liveserver import serving
from webapp.integrations.aliexpress import adapters as ae
from webapp.integrations.aliexpress.client import AliExpressClient, CallRecord, ClientSettings
from webapp.integrations.aliexpress.oauth import AliExpressOAuth, TokenSet, parse_callback
from webapp.sandbox.aliexpress import DEFAULT_APP_KEY, DEFAULT_APP_SECRET, create_app

REDIRECT_URI = "http://127.0.0.1:9/aliexpress/callback"


@dataclass
class Sandbox:
    url: str
    app_key: str = DEFAULT_APP_KEY
    app_secret: str = DEFAULT_APP_SECRET
    http: requests.Session = field(default_factory=requests.Session)

    def control(self, path: str, payload: dict[str, Any] | None = None) -> Any:
        """POST (or GET without payload) to ``/_control/<path>`` and return the JSON."""
        url = f"{self.url}/_control/{path}"
        response = (
            self.http.get(url, timeout=5)
            if payload is None
            else self.http.post(url, json=payload, timeout=5)
        )
        response.raise_for_status()
        return response.json()

    def calls(self, api: str) -> int:
        return int(self.control("calls")["calls"].get(api, 0))

    def fault(self, kind: str, **options: Any) -> None:
        self.control("faults", {"kind": kind, **options})


@pytest.fixture(scope="session")
def _sandbox_server() -> Iterator[str]:
    app = create_app(None, feed_delay=0.2)
    with serving(app) as live:
        yield live.url


@pytest.fixture
def sandbox(_sandbox_server: str) -> Sandbox:
    """The sandbox (in-memory state, fast feeds) on a loopback port, reset for every test."""
    handle = Sandbox(url=_sandbox_server)
    handle.control("reset", {})
    return handle


class FakeTime:
    """Wall clock that starts now and only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = time.time()
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def settings(sandbox: Sandbox) -> ClientSettings:
    return ClientSettings(
        app_key=sandbox.app_key,
        app_secret=sandbox.app_secret,
        gateway_url=sandbox.url,
        timeout=5,
        retries=3,
        backoff=0.5,
    )


@pytest.fixture
def records() -> list[CallRecord]:
    return []


@pytest.fixture
def make_client(
    settings: ClientSettings, fake_time: FakeTime, records: list[CallRecord]
) -> Callable[..., AliExpressClient]:
    def make(**options: Any) -> AliExpressClient:
        overrides = {
            k: options.pop(k) for k in list(options) if k in ClientSettings.__dataclass_fields__
        }
        return AliExpressClient(
            requests.Session(),
            replace(settings, **overrides),
            sleep=fake_time.sleep,
            clock=fake_time.clock,
            recorder=records.append,
            **options,
        )

    return make


@pytest.fixture
def client(make_client: Callable[..., AliExpressClient]) -> AliExpressClient:
    return make_client()


@pytest.fixture
def oauth(settings: ClientSettings, records: list[CallRecord]) -> AliExpressOAuth:
    return AliExpressOAuth(settings, recorder=records.append)


def consent(
    sandbox: Sandbox, authorize_url: str, *, decision: str = "allow", seller_id: str | None = None
) -> str:
    """Play the seller in the browser: open the consent page, submit it, return the redirect
    location (the app's callback URL with ``code``/``state`` or ``error``)."""
    page = sandbox.http.get(authorize_url, timeout=5)
    assert page.status_code == 200
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert action, page.text
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    sellers = re.findall(r'name="seller_id" value="([^"]+)"', page.text)
    form.update(seller_id=seller_id or sellers[0], decision=decision)
    answer = sandbox.http.post(
        urljoin(page.url, action.group(1)), data=form, allow_redirects=False, timeout=5
    )
    assert answer.status_code in (302, 303), answer.text
    return answer.headers["Location"]


@pytest.fixture
def authorize(sandbox: Sandbox, oauth: AliExpressOAuth) -> Callable[..., TokenSet]:
    def run(seller_id: str | None = None) -> TokenSet:
        url, state = oauth.authorization_url(REDIRECT_URI)
        location = consent(sandbox, url, seller_id=seller_id)
        return oauth.exchange_code(parse_callback(location, state))

    return run


@pytest.fixture
def tokens(authorize: Callable[..., TokenSet]) -> TokenSet:
    return authorize()


@pytest.fixture
def token(tokens: TokenSet) -> str:
    return tokens.access_token


def product_request(sku_codes: list[str] | None = None, **overrides: Any) -> dict[str, Any]:
    """A valid ``post_product_request`` for the T-Shirts leaf (Color x Size SKUs)."""
    sku_codes = sku_codes or ["TS-RED-M", "TS-BLU-L"]
    colors = [10, 173, 29, 193, 175]
    sizes = [361386, 361385, 100014064, 100014065]
    skus = [
        {
            "sku_code": code,
            "price": "19.99",
            "discount_price": "17.99",
            "inventory": 10,
            "sku_attributes_list": [
                {"sku_attribute_name_id": 14, "sku_attribute_value_id": colors[i % 5]},
                {"sku_attribute_name_id": 5, "sku_attribute_value_id": sizes[(i // 5) % 4]},
            ],
        }
        for i, code in enumerate(sku_codes)
    ]
    request = {
        "language": "en",
        "aliexpress_category_id": 200000785,
        "multi_language_subject_list": [{"language": "en", "subject": "Organic cotton T-shirt"}],
        "multi_language_description_list": [
            {"language": "en", "web_detail": "<p>Soft.</p>", "mobile_detail": "Soft."}
        ],
        "main_image_urls_list": ["https://example.com/tshirt.jpg"],
        "attribute_list": [
            {"aliexpress_attribute_name_id": 2, "aliexpress_attribute_value_id": 201512802},
            {"aliexpress_attribute_name_id": 219, "aliexpress_attribute_value_id": 9441741844},
            {"attribute_name": "Fit", "attribute_value": "Regular"},
        ],
        "sku_info_list": skus,
        "inventory_deduction_strategy": "payment_success_deduct",
        "weight": "0.25",
        "package_length": 30,
        "package_height": 3,
        "package_width": 20,
        "freight_template_id": 1000,
        "shipping_lead_time": 3,
        "service_policy_id": 0,
        "product_unit": 100000015,
    }
    request.update(overrides)
    return request


@pytest.fixture
def post_product(client: AliExpressClient, token: str) -> Callable[..., str]:
    counter = iter(range(1, 10_000))

    def post(sku_codes: list[str] | None = None, **overrides: Any) -> str:
        n = next(counter)
        codes = sku_codes or [f"P{n}-A", f"P{n}-B"]
        return ae.post_product(client, token, product_request(codes, **overrides))

    return post
