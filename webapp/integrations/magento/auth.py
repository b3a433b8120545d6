"""Request authentication for Magento: OAuth 1.0a HMAC-SHA256 (integrations) or a Bearer token.

Magento 2.4.4+ accepts only ``HMAC-SHA256`` signatures (M2
``lib/internal/Magento/Framework/Oauth/Oauth.php::getSupportedSignatureMethods``; issue
magento/magento2#35510). Authlib's OAuth1 client ships HMAC-SHA1/RSA-SHA1/PLAINTEXT only, so the
SHA-256 variant is registered through ``ClientAuth.register_signature_method``; the base string is
Authlib's RFC 5849 one. A manually activated integration needs no token handshake: the four values
shown in the Magento admin sign every request (CW ``get-started/authentication/index.md``).

JSON bodies are not part of the signature on either side (Authlib omits non-form bodies, Magento
signs only query and form parameters), so no ``oauth_body_hash`` is sent.

Bearer: an integration's access token works as a Bearer token only when the merchant enabled
``oauth/consumer/enable_integration_as_bearer`` (2.4.4 release notes, AC-1619).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

import requests
from authlib.integrations.requests_client import OAuth1Auth
from authlib.oauth1 import ClientAuth
from authlib.oauth1.rfc5849.signature import generate_signature_base_string
from authlib.oauth1.rfc5849.util import escape

SIGNATURE_HMAC_SHA256 = "HMAC-SHA256"


def _sign_hmac_sha256(client, request) -> str:
    base_string = generate_signature_base_string(request)
    key = f"{escape(client.client_secret or '')}&{escape(client.token_secret or '')}"
    digest = hmac.new(key.encode(), base_string.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


ClientAuth.register_signature_method(SIGNATURE_HMAC_SHA256, _sign_hmac_sha256)


@dataclass(frozen=True)
class OAuthCredentials:
    """The four values Magento shows when an integration is activated."""

    consumer_key: str
    consumer_secret: str
    access_token: str
    access_token_secret: str

    def auth(self) -> requests.auth.AuthBase:
        return OAuth1Auth(
            self.consumer_key,
            client_secret=self.consumer_secret,
            token=self.access_token,
            token_secret=self.access_token_secret,
            signature_method=SIGNATURE_HMAC_SHA256,
        )


class BearerAuth(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


@dataclass(frozen=True)
class BearerCredentials:
    token: str

    def auth(self) -> requests.auth.AuthBase:
        return BearerAuth(self.token)


Credentials = OAuthCredentials | BearerCredentials
