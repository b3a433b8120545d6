"""OAuth 1.0a HMAC-SHA256 and Bearer authentication against the sandbox, with Magento's answers."""

from __future__ import annotations

import time

import pytest
import requests
from authlib.integrations.requests_client import OAuth1Auth

from webapp.integrations.magento import BearerCredentials, OAuthCredentials, SearchCriteria
from webapp.integrations.magento.errors import (
    AccessDeniedError,
    AuthenticationError,
    ValidationError,
)


class Sha1Credentials(OAuthCredentials):
    def auth(self):
        return OAuth1Auth(
            self.consumer_key,
            client_secret=self.consumer_secret,
            token=self.access_token,
            token_secret=self.access_token_secret,
            signature_method="HMAC-SHA1",
        )


def test_signed_requests_are_accepted_with_queries_bodies_and_store_codes(magento):
    criteria = SearchCriteria().where("name", "%Backpack%", "like").where("price", 40, "lteq")
    assert [p["sku"] for p in magento.products.search(criteria)["items"]] == ["24-MB03"]
    es = magento.products.search(SearchCriteria().where("sku", "24-MB02"), store_code="es")
    assert es["items"][0]["name"] == "Mochila Fusion"
    assert magento.products.update("24-MB02", {"price": 60})["price"] == 60  # JSON body


def test_ten_filter_groups_sign_but_an_eleventh_is_refused_by_the_builder(magento):
    criteria = SearchCriteria()
    for _ in range(10):
        criteria.where("status", 1)
    assert magento.products.search(criteria.limit(1))["total_count"] == 50
    with pytest.raises(ValueError, match="at most 10"):
        criteria.where("status", 1)


def test_wrong_secret_is_rejected(sandbox, make_client):
    good = sandbox.credentials
    bad = OAuthCredentials(good.consumer_key, "x" * 32, good.access_token, good.access_token_secret)
    with pytest.raises(AuthenticationError) as info:
        make_client(credentials=bad).request("GET", "store/websites")
    assert info.value.status == 401
    assert str(info.value) == "The signature is invalid. Verify and try again."


def test_unknown_consumer_is_rejected(sandbox, make_client):
    good = sandbox.credentials
    bad = OAuthCredentials("k" * 32, good.consumer_secret, good.access_token, "s")
    with pytest.raises(AuthenticationError, match="A consumer having the specified key"):
        make_client(credentials=bad).request("GET", "store/websites")


def test_stale_timestamp_is_rejected(make_client, monkeypatch):
    monkeypatch.setattr(
        "authlib.oauth1.rfc5849.client_auth.generate_timestamp",
        lambda: str(int(time.time()) - 601),
    )
    with pytest.raises(AuthenticationError, match="Incorrect timestamp value"):
        make_client().request("GET", "store/websites")


def test_replayed_nonce_is_rejected(make_client, monkeypatch):
    monkeypatch.setattr(
        "authlib.oauth1.rfc5849.client_auth.generate_nonce", lambda: "always-the-same-nonce"
    )
    client = make_client()
    client.request("GET", "store/websites")
    with pytest.raises(AuthenticationError) as info:
        client.request("GET", "store/websites")
    assert str(info.value) == "The nonce is already being used by the consumer with ID 1"
    assert info.value.raw_message == "The nonce is already being used by the consumer with ID %1"


def test_hmac_sha1_is_not_supported(sandbox, make_client):
    c = sandbox.credentials
    sha1 = Sha1Credentials(c.consumer_key, c.consumer_secret, c.access_token, c.access_token_secret)
    with pytest.raises(ValidationError) as info:
        make_client(credentials=sha1).request("GET", "store/websites")
    assert info.value.status == 400
    assert str(info.value) == "Signature method HMAC-SHA1 is not supported"
    assert info.value.parameters == ["HMAC-SHA1"]


def test_bearer_token_needs_integration_as_bearer(sandbox, make_client):
    bearer = BearerCredentials(sandbox.details["bearer_token"])
    with pytest.raises(AccessDeniedError) as info:
        make_client(credentials=bearer).request("GET", "store/websites")
    assert info.value.resource == "Magento_Backend::store"
    assert "enable_integration_as_bearer" in str(info.value)

    sandbox.control("POST", "settings", {"integration_as_bearer": True})
    assert make_client(credentials=bearer).request("GET", "store/websites")
    with pytest.raises(AccessDeniedError):
        make_client(credentials=BearerCredentials("not-the-token")).request("GET", "store/websites")


def test_unsigned_request_gets_the_acl_message(sandbox):
    answer = requests.get(f"{sandbox.url}/rest/V1/products/24-MB01", timeout=10)
    assert answer.status_code == 401
    assert answer.json() == {
        "message": "The consumer isn't authorized to access %resources.",
        "parameters": {"resources": "Magento_Catalog::products"},
    }
