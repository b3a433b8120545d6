"""HTTP client for the Magento 2 REST API (``/rest/{store_code}/V1/...``).

- Paths are store-scoped: ``/rest/<store_code>/V1/...``; ``default`` is the default store view and
  ``all`` writes to every scope (CW ``get-started/gs-web-api-request.md``). Path segments such as
  SKUs are percent-encoded, ``/`` included.
- Success bodies are the bare JSON value of the service method: object, list, number, string or
  ``true`` (CW ``get-started/gs-web-api-response.md``). A 2xx body that is not JSON raises
  :class:`BadResponseError`.
- Errors map to :mod:`.errors` by status; 5xx, 429, timeouts and connection errors are retried
  with exponential backoff (``sleep`` is injectable for tests), everything else fails at once.
- Writes are retried too only when ``idempotent=True`` is passed: a POST that timed out may have
  been applied, so order creation leaves that decision to the caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from .auth import Credentials
from .criteria import SearchCriteria
from .errors import (
    AccessDeniedError,
    AuthenticationError,
    BadResponseError,
    MagentoError,
    NotFoundError,
    PermanentError,
    ServerError,
    TransportError,
    ValidationError,
    interpolate,
)

ACL_MESSAGE = "The consumer isn't authorized to access %resources."


@dataclass(frozen=True)
class MagentoSettings:
    base_url: str  # e.g. "https://shop.example.com" (the part before /rest)
    credentials: Credentials
    store_code: str = "default"
    timeout: float = 30.0  # seconds, per attempt (connect and read)
    max_retries: int = 3
    backoff: float = 0.5  # first delay; doubles each retry


def quote_segment(value: object) -> str:
    """Percent-encode one path segment (a SKU may contain ``/``, spaces, ``#`` ...)."""
    return quote(str(value), safe="")


class MagentoClient:
    """Thin, typed-error client. Adapters build on :meth:`request` and :meth:`search`."""

    def __init__(
        self,
        session: requests.Session,
        settings: MagentoSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.session = session
        self.settings = settings
        self._auth = settings.credentials.auth()
        self._sleep = sleep

    def url(self, path: str, store_code: str | None = None) -> str:
        code = store_code or self.settings.store_code
        return f"{self.settings.base_url.rstrip('/')}/rest/{code}/V1/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Iterable[tuple[str, str]] | dict[str, Any] | None = None,
        json_body: Any = None,
        store_code: str | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """Send one call; returns the decoded JSON value or raises a :class:`MagentoError`."""
        method = method.upper()
        if idempotent is None:
            idempotent = method in ("GET", "PUT", "DELETE")
        url = self.url(path, store_code)
        attempts = 1 + (self.settings.max_retries if idempotent else 0)
        delay = self.settings.backoff
        for attempt in range(1, attempts + 1):
            try:
                return self._send(method, url, params, json_body)
            except MagentoError as exc:
                if not exc.retryable or attempt == attempts:
                    raise
            self._sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, method: str, url: str, params: Any, json_body: Any) -> Any:
        try:
            response = self.session.request(
                method,
                url,
                params=list(params.items()) if isinstance(params, dict) else params,
                json=json_body,
                auth=self._auth,
                timeout=self.settings.timeout,
                headers={"Accept": "application/json"},
            )
        except requests.Timeout as exc:
            raise TransportError(f"Magento did not answer in time: {exc}") from exc
        except requests.ConnectionError as exc:
            raise TransportError(f"cannot reach Magento: {exc}") from exc
        return self._decode(response)

    @staticmethod
    def _decode(response: requests.Response) -> Any:
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
            if 200 <= status < 300:
                snippet = response.text[:200]
                raise BadResponseError(
                    f"Magento answered HTTP {status} with a body that is not JSON: {snippet!r}",
                    status=status,
                    body=response.text,
                ) from None
        if 200 <= status < 300:
            return body
        raise error_from_response(status, body, response.text)

    def search(
        self,
        path: str,
        criteria: SearchCriteria | None = None,
        *,
        store_code: str | None = None,
        extra_params: Iterable[tuple[str, str]] = (),
    ) -> dict[str, Any]:
        """GET a ``*SearchResultsInterface`` list: ``{items, search_criteria, total_count}``."""
        params = (criteria or SearchCriteria()).to_params() + list(extra_params)
        return self.request("GET", path, params=params, store_code=store_code)


def error_from_response(status: int, body: Any, text: str = "") -> MagentoError:
    """Map a Magento error answer to the matching :class:`MagentoError` subclass."""
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        raw = body["message"]
        parameters = body.get("parameters")
        message = interpolate(raw, parameters)
    else:
        raw = message = f"HTTP {status}: {text[:200]}" if text else f"HTTP {status}"
        parameters = None
    kwargs: dict[str, Any] = {
        "status": status,
        "parameters": parameters,
        "raw_message": raw,
        "body": body,
    }
    if status == 401 and raw == ACL_MESSAGE:
        resource = parameters.get("resources", "") if isinstance(parameters, dict) else ""
        detail = (
            f"Magento refused access to ACL resource {resource!r}: grant it to the integration "
            "(System > Integrations > API), or, when using the access token as a Bearer token, "
            "enable oauth/consumer/enable_integration_as_bearer."
        )
        return AccessDeniedError(f"{message} {detail}", resource=resource, **kwargs)
    if status == 401:
        return AuthenticationError(message, **kwargs)
    if status == 404:
        return NotFoundError(message, **kwargs)
    if status in (400, 422):
        return ValidationError(message, **kwargs)
    if status == 429 or status >= 500:
        return ServerError(message, **kwargs)
    if status == 403:
        return AuthenticationError(message, **kwargs)
    return PermanentError(message, **kwargs)
