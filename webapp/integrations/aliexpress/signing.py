"""IOP request signing for the AliExpress Open Platform (``api-sg.aliexpress.com``).

Algorithm (official IOP SDKs: Python ``iop-sdk-python-20220609`` ``base.py`` ``sign()``, Java
``IopUtils.signApiRequest``; AliExpress doc articles 120692/120693; see
``/work/shared/reference/aliexpress-protocol.md`` §2.1):

1. take every system and business parameter except ``sign`` (files are never signed);
2. sort by name (byte order) and concatenate ``key + value`` without separators or URL encoding;
3. prefix the API path only for ``/rest`` system APIs (names containing ``/``), never for dotted
   ``/sync`` business methods;
4. ``HMAC-SHA256(key=app_secret, msg=utf-8 string)``, upper-case hex.

Objects and lists travel (and are signed) as compact JSON strings, booleans as ``true``/``false``.
The doc vector (secret ``helloworld``, ``/order/get``) is in the tests.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

SIGN_METHOD = "sha256"


def encode_value(value: Any) -> str:
    """The exact string a parameter is sent (and signed) as."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__} as a parameter")


def encode_params(params: Mapping[str, Any] | None) -> dict[str, str]:
    """Drop ``None`` values (never send empty parameters) and encode the rest."""
    return {k: encode_value(v) for k, v in (params or {}).items() if v is not None}


def string_to_sign(api: str | None, params: Mapping[str, str]) -> str:
    body = "".join(f"{k}{params[k]}" for k in sorted(params) if k != "sign")
    if api and "/" in api:
        return api + body
    return body


def sign(secret: str, api: str | None, params: Mapping[str, str]) -> str:
    """Return the upper-case hex HMAC-SHA256 signature of ``params`` for ``api``.

    ``api`` is the path (``/auth/token/create``) for ``/rest`` calls and the dotted method name
    or ``None`` for ``/sync`` calls; only a path is prefixed.
    """
    message = string_to_sign(api, params).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest().upper()


def verify(secret: str, api: str | None, params: Mapping[str, str], signature: str) -> bool:
    return hmac.compare_digest(sign(secret, api, params), (signature or "").upper())
