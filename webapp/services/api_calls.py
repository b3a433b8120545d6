"""The API call log: every exchange with AliExpress or Magento, secrets already masked by the
integration clients. Bodies are truncated so one huge answer cannot bloat the database."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from webapp.extensions import db
from webapp.models.api_calls import ApiCall

MAX_BODY_CHARS = 20_000


def _bounded(body: Any) -> Any:
    if body is None:
        return None
    try:
        text = json.dumps(body, default=str)
    except (TypeError, ValueError):
        text = str(body)
        return {"_text": text[:MAX_BODY_CHARS]}
    if len(text) <= MAX_BODY_CHARS:
        return json.loads(text)
    return {"_truncated": True, "_text": text[:MAX_BODY_CHARS]}


def record_api_call(
    system: str,
    *,
    api: str,
    url: str = "",
    http_method: str = "POST",
    request: Any = None,
    response: Any = None,
    http_status: int | None = None,
    duration: float = 0.0,
    attempt: int = 1,
    error: str | None = None,
    error_code: str | None = None,
    request_id: str | None = None,
    account_id: int | None = None,
) -> ApiCall:
    row = ApiCall(
        system=system,
        api=api[:128],
        http_method=http_method,
        url=url,
        http_status=http_status,
        duration_ms=round(duration * 1000, 2),
        attempt=attempt,
        ok=error is None,
        error=error,
        error_code=error_code,
        request_id=request_id,
        account_id=account_id,
        request=_bounded(request) or {},
        response=_bounded(response),
    )
    db.session.add(row)
    db.session.flush()
    return row


def aliexpress_recorder(account_id: int | None = None) -> Callable[[Any], None]:
    """A recorder for :class:`webapp.integrations.aliexpress.client.AliExpressClient`."""

    def record(call: Any) -> None:
        record_api_call(
            "aliexpress",
            api=call.api,
            url=call.url,
            request=call.params,
            response=call.response,
            http_status=call.http_status,
            duration=call.duration,
            attempt=call.attempt,
            error=call.error,
            error_code=call.error_code,
            request_id=call.request_id,
            account_id=account_id,
        )

    return record
