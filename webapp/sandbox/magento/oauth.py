"""Server-side OAuth 1.0a check, ported from Magento 2.4.x.

Sources: M2 ``lib/internal/Magento/Framework/Oauth/Oauth.php`` (order of checks, messages,
HMAC-SHA256 only), ``lib/internal/Magento/Framework/Oauth/Helper/Request.php`` (which parameters
are signed), ``app/code/Magento/Integration/Model/Oauth/Nonce/Generator.php`` (±600 s, one use
per nonce and consumer), ``.../Integration/Model/OauthService`` token provider (32-character
keys and tokens), Laminas ``OAuth\\Http\\Utility::sign`` (base string, ``strnatcmp`` sort).

Differences from RFC 5849 that matter to clients:
- parameters are sorted in PHP *natural* order (``[10]`` after ``[2]``);
- a query pair without ``=`` is dropped (the bare ``?searchCriteria`` trick breaks signing);
- JSON bodies are never signed; form bodies are.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, unquote_plus

SUPPORTED_METHODS = ("HMAC-SHA256",)
TIME_DEVIATION = 600
REQUIRED = (
    "oauth_consumer_key",
    "oauth_signature",
    "oauth_signature_method",
    "oauth_nonce",
    "oauth_timestamp",
    "oauth_token",
)
_HEADER_PARAM = re.compile(r'(\w+)="([^"]*)"')
_DIGITS = re.compile(r"(\d+)")


@dataclass
class OAuthFailure(Exception):
    status: int
    message: str
    parameters: object = None


def parse_header(value: str) -> dict[str, str]:
    """``OAuth k="v", ...`` -> dict; values are rawurldecoded, ``realm`` is ignored."""
    params = {k: unquote(v) for k, v in _HEADER_PARAM.findall(value)}
    params.pop("realm", None)
    return params


def php_pairs(query: str) -> list[tuple[str, str]]:
    """Split like Magento: on ``&`` then ``=``; a pair not of exactly two parts is dropped."""
    pairs = []
    for chunk in query.split("&"):
        parts = chunk.split("=")
        if len(parts) == 2:
            pairs.append((unquote_plus(parts[0]), unquote_plus(parts[1])))
    return pairs


def _rawurlencode(value: str) -> str:
    return quote(value, safe="~")


def _natural_key(value: str) -> list[object]:
    return [int(part) if part.isdigit() else part for part in _DIGITS.split(value)]


def base_string(method: str, url: str, params: dict[str, str]) -> str:
    encoded = {_rawurlencode(k): _rawurlencode(v) for k, v in params.items()}
    normalized = "&".join(f"{k}={encoded[k]}" for k in sorted(encoded, key=_natural_key))
    return "&".join([_rawurlencode(method.upper()), _rawurlencode(url), _rawurlencode(normalized)])


def signature(base: str, consumer_secret: str, token_secret: str) -> str:
    key = f"{_rawurlencode(consumer_secret)}&{_rawurlencode(token_secret)}"
    return base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha256).digest()).decode()


def signature_url(scheme: str, host: str, path: str) -> str:
    """scheme://host[:non-default port]/path, no query or fragment."""
    host = host.lower()
    if (scheme, host.rsplit(":", 1)[-1]) in (("http", "80"), ("https", "443")):
        host = host.rsplit(":", 1)[0]
    return f"{scheme.lower()}://{host}{path}"


@dataclass(frozen=True)
class Integration:
    consumer_id: int
    consumer_key: str
    consumer_secret: str
    access_token: str
    access_token_secret: str


def verify(
    *,
    header_params: dict[str, str],
    method: str,
    url: str,
    query_string: str,
    form_body: str | None,
    integration: Integration,
    now: float,
    use_nonce,
) -> None:
    """Raise :class:`OAuthFailure` with Magento's status and message, or return on success.

    ``use_nonce(consumer_id, nonce) -> bool`` records the nonce and says whether it was new.
    """
    params = header_params
    if "oauth_version" in params and params["oauth_version"] != "1.0":
        raise OAuthFailure(
            400, 'The "%1" Oauth version isn\'t supported.', [params["oauth_version"]]
        )
    for name in REQUIRED:
        if name not in params:
            raise OAuthFailure(
                400, '"%fieldName" is required. Enter and try again.', {"fieldName": name}
            )
    if len(params["oauth_token"]) != 32:
        raise OAuthFailure(400, "The token length is invalid. Check the length and try again.")
    if params["oauth_signature_method"] not in SUPPORTED_METHODS:
        raise OAuthFailure(
            400, "Signature method %1 is not supported", [params["oauth_signature_method"]]
        )
    if len(params["oauth_consumer_key"]) != 32:
        raise OAuthFailure(401, "Consumer key is not the correct length")
    if not hmac.compare_digest(params["oauth_consumer_key"], integration.consumer_key):
        raise OAuthFailure(401, "A consumer having the specified key does not exist")
    try:
        timestamp = int(params["oauth_timestamp"])
    except ValueError:
        timestamp = 0
    if timestamp <= 0 or abs(timestamp - now) > TIME_DEVIATION:
        raise OAuthFailure(401, "Incorrect timestamp value in the oauth_timestamp parameter")
    if not use_nonce(integration.consumer_id, params["oauth_nonce"]):
        raise OAuthFailure(
            401,
            "The nonce is already being used by the consumer with ID %1",
            [integration.consumer_id],
        )
    if not hmac.compare_digest(params["oauth_token"], integration.access_token):
        # *(inferred)* wording of the token provider for an unknown access token
        raise OAuthFailure(401, "Specified token does not exist")
    signed = {k: v for k, v in params.items() if k != "oauth_signature"}
    for key, value in php_pairs(query_string) + php_pairs(form_body or ""):
        signed[key] = value
    expected = signature(
        base_string(method, url, signed),
        integration.consumer_secret,
        integration.access_token_secret,
    )
    if not hmac.compare_digest(expected, params["oauth_signature"]):
        raise OAuthFailure(401, "The signature is invalid. Verify and try again.")
