"""HTTP client for the AliExpress Open Platform gateway (new IOP platform, 2022-).

Protocol facts (sources in ``/work/shared/reference/aliexpress-protocol.md``):

* Business APIs (``aliexpress.solution.*``) are POSTed to ``<gateway>/sync`` with
  ``method=<name>``, the access token in ``session``, ``sign_method=sha256``, millisecond
  ``timestamp``, ``format=json`` and ``simplify`` (official Java SDK ``TopExecutor``; Python SDK
  ``iop-sdk-python-20220609``). We always send ``simplify=false``: the wrapped TOP shape
  (``{"<method_with_underscores>_response": {...}}``, lists wrapped as ``{"order_dto": [...]}``)
  is the one documented with fixtures (RetailCRM client tests). :meth:`call` strips the outer
  ``_response`` wrapper; :func:`unwrap_list` flattens list wrappers for both shapes.
* System APIs (``/auth/token/create``, ``/auth/token/refresh``) are POSTed to
  ``<gateway>/rest<path>`` and signed with the path as prefix (Java SDK ``GopExecutor``).
* Errors come back with HTTP 200: ``/sync`` uses ``{"error_response": {type, code, msg,
  request_id}}`` (``msg``!), ``/rest`` uses a flat ``{type, code, message, request_id}`` with
  ``code != "0"`` (SDK ``IopResponse``). ``ApiCallLimit`` says "this ban will last N seconds".
  Business failures hide inside successful answers (``result.success=false``,
  ``update_success=false``, ``result_success=false``); see :func:`raise_for_business_error`.

The client knows nothing of Flask or the database: it takes a ``requests.Session`` and
:class:`ClientSettings`, and reports every HTTP exchange to an optional ``recorder`` as a
:class:`CallRecord` with secrets masked.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from . import signing
from .errors import (
    AliExpressError,
    BadResponseError,
    BusinessError,
    InvalidCodeError,
    InvalidRefreshTokenError,
    InvalidTokenError,
    PermanentError,
    RateLimitError,
    RetryableError,
)

DEFAULT_GATEWAY = "https://api-sg.aliexpress.com"
PARTNER_ID = "alimento-1.0"

#: Keys whose values never leave the client unmasked (requests and responses).
SECRET_KEYS = frozenset(
    {"sign", "app_secret", "client_secret", "access_token", "session", "refresh_token"}
)
#: Keys masked in request parameters only (``code`` is the OAuth code there, a status in answers).
SECRET_REQUEST_KEYS = SECRET_KEYS | {"code"}

#: Rate assumed for an unlimited client when the gateway first bans it (calls per second).
_UNLIMITED_FROM = 10.0
_BAN_RE = re.compile(r"ban will last (\d+(?:\.\d+)?) ?s", re.IGNORECASE)


#: Key set in an answer that came only after a request that may have reached the gateway was
#: sent again (see :meth:`AliExpressClient.call`).
RESENT = "_resent"


@dataclass(frozen=True)
class ClientSettings:
    app_key: str
    app_secret: str = field(repr=False)
    gateway_url: str = DEFAULT_GATEWAY
    timeout: float = 30.0
    #: Extra attempts after the first one for retryable errors.
    retries: int = 3
    #: First backoff delay in seconds; doubles on every retry, capped by ``backoff_max``.
    backoff: float = 0.5
    backoff_max: float = 30.0
    #: Client-side limit in calls per second (``None``: no limit until the gateway complains).
    rate_limit: float | None = None
    #: How many ``ApiCallLimit`` answers one call may wait out before giving up.
    rate_limit_waits: int = 10
    partner_id: str = PARTNER_ID

    @property
    def base_url(self) -> str:
        return self.gateway_url.rstrip("/")


@dataclass
class CallRecord:
    """One HTTP exchange with the gateway, safe to store (secrets masked)."""

    kind: str  # "sync" or "rest"
    api: str  # method name or /rest path
    url: str
    params: dict[str, Any]
    response: Any
    http_status: int | None
    duration: float
    attempt: int
    error: str | None = None
    error_code: str | None = None
    request_id: str | None = None


Recorder = Callable[[CallRecord], None]
TokenProvider = Callable[[], str]


def mask(value: Any) -> str:
    text = "" if value is None else str(value)
    if len(text) <= 8:
        return "***"
    return f"{text[:4]}***{text[-2:]}"


def mask_data(data: Any, keys: frozenset[str] = SECRET_KEYS, secret: str | None = None) -> Any:
    """Deep copy of ``data`` with secret keys (and any value equal to ``secret``) masked."""
    if isinstance(data, Mapping):
        return {
            k: (mask(v) if k in keys and v not in (None, "") else mask_data(v, keys, secret))
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [mask_data(v, keys, secret) for v in data]
    if secret and isinstance(data, str) and secret in data:
        return data.replace(secret, "***")
    return data


def response_key(method: str) -> str:
    return method.replace(".", "_") + "_response"


def unwrap_list(value: Any) -> list[Any]:
    """Return the list behind a TOP list wrapper (``{"order_dto": [...]}``), a plain list
    (``simplify=true``), a single wrapped object, or nothing."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping) and len(value) == 1:
        inner = next(iter(value.values()))
        if isinstance(inner, list):
            return inner
        if isinstance(inner, Mapping):
            return [inner]
    return [value]


def is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.lower() == "false")


def raise_for_business_error(obj: Any, *, api: str | None = None) -> Any:
    """Raise :class:`BusinessError` when a successful envelope carries a business failure.

    Looks at the usual flags (``success``, ``is_success``, ``result_success``) of ``obj`` and of
    ``obj["result"]``; returns ``obj`` unchanged otherwise. Batch updates
    (``update_success``) are *not* checked: their per-product lists are results, not errors.
    """
    candidates = [obj]
    if isinstance(obj, Mapping) and isinstance(obj.get("result"), Mapping):
        candidates.append(obj["result"])
    for candidate in candidates:
        if not isinstance(candidate, Mapping):
            continue
        for flag in ("success", "is_success", "result_success"):
            if flag in candidate and is_false(candidate[flag]):
                code = (
                    candidate.get("error_code")
                    or candidate.get("result_error_code")
                    or candidate.get("error_desc")
                )
                message = (
                    candidate.get("error_message")
                    or candidate.get("error_msg")
                    or candidate.get("result_error_desc")
                    or candidate.get("error_desc")
                    or "the platform reported a failure"
                )
                raise BusinessError(
                    str(message), code=str(code) if code else None, api=api, payload=obj
                )
    return obj


def classify_error(
    error: Mapping[str, Any], *, api: str, http_status: int | None = None
) -> AliExpressError:
    """Build the typed exception for an ``error_response`` (``/sync``) or flat ``/rest`` error."""
    code = str(error.get("code", "")) or None
    sub_code = error.get("sub_code")
    message = str(
        error.get("msg") or error.get("message") or error.get("sub_msg") or code or "error"
    )
    if error.get("sub_msg") and error.get("sub_msg") != message:
        message = f"{message}: {error['sub_msg']}"
    kwargs: dict[str, Any] = {
        "code": code,
        "sub_code": sub_code,
        "request_id": error.get("request_id"),
        "http_status": http_status,
        "api": api,
        "payload": dict(error),
    }
    if code in ("IllegalAccessToken", "InvalidAccessToken") or sub_code == "IllegalAccessToken":
        return InvalidTokenError(message, **kwargs)
    if code == "IllegalRefreshToken":
        return InvalidRefreshTokenError(message, **kwargs)
    if code == "InvalidCode":
        return InvalidCodeError(message, **kwargs)
    if code in ("ApiCallLimit", "AppCallLimit") or (sub_code or "").endswith("call-limited"):
        match = _BAN_RE.search(message)
        ban = float(match.group(1)) if match else 1.0
        return RateLimitError(message, ban_seconds=ban, **kwargs)
    error_type = str(error.get("type", "")).upper()
    if (
        error_type == "ISP"
        or (code or "").startswith("isp.")
        or str(sub_code or "").startswith("isp.")
    ):
        return RetryableError(message, **kwargs)
    return PermanentError(message, **kwargs)


class AliExpressClient:
    """Signed calls to ``/sync`` and ``/rest`` with retries, backoff and client-side rate limit.

    ``on_invalid_token`` is called (with no argument) when the gateway answers
    ``IllegalAccessToken``; it returns a fresh access token and the original call is repeated
    once with it. ``sleep`` and ``clock`` (epoch seconds, used for the ``timestamp`` parameter
    and the rate limiter) are injectable for tests.
    """

    def __init__(
        self,
        session: requests.Session,
        settings: ClientSettings,
        *,
        recorder: Recorder | None = None,
        on_invalid_token: TokenProvider | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.session = session
        self.settings = settings
        self.recorder = recorder
        self.on_invalid_token = on_invalid_token
        self.sleep = sleep
        self.clock = clock
        self._rate = settings.rate_limit
        self._next_slot = 0.0
        self._lock = threading.Lock()

    # -- public API -------------------------------------------------------------------------

    @property
    def current_rate(self) -> float | None:
        """Calls per second currently enforced (lowered after ``ApiCallLimit`` answers)."""
        return self._rate

    def call(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        access_token: str | None = None,
        *,
        idempotent: bool = True,
    ) -> dict[str, Any]:
        """Call a business API on ``/sync`` and return the payload inside
        ``<method>_response`` (``request_id`` included).

        ``idempotent=False`` (product post, feed submit) disables retries after the request may
        have reached the gateway (read timeouts, 5xx); connection failures are still retried.

        When an idempotent call succeeded only after such a retry, the answer carries
        ``RESENT: True``: the earlier request may still be applied by the platform later, so a
        caller that writes values should write them once more after the earlier one is surely
        done (see :func:`webapp.services.listings.push`).
        """
        return self._execute("sync", method, params, access_token, idempotent)

    def rest(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        access_token: str | None = None,
        *,
        idempotent: bool = True,
    ) -> dict[str, Any]:
        """Call a system API on ``/rest<path>`` and return the flat answer."""
        if not path.startswith("/"):
            path = "/" + path
        return self._execute("rest", path, params, access_token, idempotent)

    def signed_params(
        self, kind: str, api: str, params: Mapping[str, Any] | None, access_token: str | None
    ) -> dict[str, str]:
        """The complete form (system + business parameters + ``sign``) for one request."""
        form = signing.encode_params(params)
        form.update(
            app_key=self.settings.app_key,
            timestamp=str(int(self.clock() * 1000)),
            sign_method=signing.SIGN_METHOD,
            partner_id=self.settings.partner_id,
        )
        if kind == "sync":
            form.update(method=api, format="json", v="2.0", simplify="false")
            if access_token:
                form["session"] = access_token
        elif access_token:
            form["access_token"] = access_token
        form["sign"] = signing.sign(self.settings.app_secret, api if kind == "rest" else None, form)
        return form

    # -- internals --------------------------------------------------------------------------

    def _execute(
        self,
        kind: str,
        api: str,
        params: Mapping[str, Any] | None,
        access_token: str | None,
        idempotent: bool,
    ) -> dict[str, Any]:
        attempt = 0
        failures = 0
        rate_waits = 0
        token_refreshed = False
        resent = False
        while True:
            attempt += 1
            try:
                result = self._attempt(kind, api, params, access_token, attempt)
                self._recover_rate()
                if resent:
                    result[RESENT] = True
                return result
            except InvalidTokenError:
                if self.on_invalid_token is None or token_refreshed or access_token is None:
                    raise
                token_refreshed = True
                access_token = self.on_invalid_token()
            except RateLimitError as exc:
                rate_waits += 1
                if rate_waits > self.settings.rate_limit_waits:
                    raise
                self._slow_down(exc.ban_seconds)
            except RetryableError as exc:
                failures += 1
                # ConnectionError (ConnectTimeout included) means the request never left us.
                reached_gateway = not isinstance(exc.__cause__, requests.ConnectionError)
                if failures > self.settings.retries or (reached_gateway and not idempotent):
                    raise
                resent = resent or reached_gateway
                delay = min(
                    self.settings.backoff * (2 ** (failures - 1)), self.settings.backoff_max
                )
                self.sleep(delay)

    def _slow_down(self, ban_seconds: float) -> None:
        with self._lock:
            current = self._rate or _UNLIMITED_FROM
            self._rate = max(current / 2, 0.1)
            self._next_slot = max(self._next_slot, self.clock() + ban_seconds)
        self.sleep(ban_seconds)

    def _recover_rate(self) -> None:
        """Additive recovery after a ban: +10 % per successful call up to the configured rate
        (or back to unlimited when none was configured)."""
        with self._lock:
            configured = self.settings.rate_limit
            if self._rate is None or self._rate == configured:
                return
            self._rate *= 1.1
            if configured is not None and self._rate >= configured:
                self._rate = configured
            elif configured is None and self._rate >= _UNLIMITED_FROM:
                self._rate = None

    def _throttle(self) -> None:
        with self._lock:
            if not self._rate:
                return
            now = self.clock()
            wait = self._next_slot - now
            self._next_slot = max(now, self._next_slot) + 1.0 / self._rate
        if wait > 0:
            self.sleep(wait)

    def _attempt(
        self,
        kind: str,
        api: str,
        params: Mapping[str, Any] | None,
        access_token: str | None,
        attempt: int,
    ) -> dict[str, Any]:
        self._throttle()
        base = self.settings.base_url
        url = f"{base}/sync" if kind == "sync" else f"{base}/rest{api}"
        form = self.signed_params(kind, api, params, access_token)
        started = time.perf_counter()
        status: int | None = None
        body: Any = None
        error: AliExpressError | None = None
        try:
            try:
                response = self.session.post(
                    url,
                    params={"method": api} if kind == "sync" else None,
                    data=form,
                    timeout=self.settings.timeout,
                    headers={"Accept": "application/json"},
                )
            except requests.Timeout as exc:
                raise RetryableError(f"timeout after {self.settings.timeout}s", api=api) from exc
            except requests.ConnectionError as exc:
                raise RetryableError(f"connection failed: {exc}", api=api) from exc
            except requests.RequestException as exc:
                raise RetryableError(f"request failed: {exc}", api=api) from exc
            status = response.status_code
            body = _parse_body(response)
            if status >= 500:
                raise RetryableError(f"HTTP {status}", http_status=status, api=api, payload=body)
            if not isinstance(body, dict):
                raise BadResponseError(
                    f"HTTP {status}: answer is not a JSON object",
                    http_status=status,
                    api=api,
                    payload=body,
                )
            if status >= 400 and "error_response" not in body and "code" not in body:
                raise PermanentError(f"HTTP {status}", http_status=status, api=api, payload=body)
            return _unwrap(kind, api, body, status)
        except AliExpressError as exc:
            error = exc
            raise
        finally:
            self._record(kind, api, url, form, body, status, started, attempt, error)

    def _record(
        self,
        kind: str,
        api: str,
        url: str,
        form: Mapping[str, str],
        body: Any,
        status: int | None,
        started: float,
        attempt: int,
        error: AliExpressError | None,
    ) -> None:
        if self.recorder is None:
            return
        secret = self.settings.app_secret
        request_id = body.get("request_id") if isinstance(body, dict) else None
        if request_id is None and isinstance(body, dict):
            inner = body.get("error_response") or body.get(response_key(api))
            if isinstance(inner, dict):
                request_id = inner.get("request_id")
        self.recorder(
            CallRecord(
                kind=kind,
                api=api,
                url=url,
                params=mask_data(dict(form), SECRET_REQUEST_KEYS, secret),
                response=mask_data(body, SECRET_KEYS, secret),
                http_status=status,
                duration=time.perf_counter() - started,
                attempt=attempt,
                error=str(error) if error else None,
                error_code=error.code if error else None,
                request_id=request_id or (error.request_id if error else None),
            )
        )


def _parse_body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        text = response.text
        return text[:2000] if text else None


def _unwrap(kind: str, api: str, body: dict[str, Any], status: int) -> dict[str, Any]:
    if "error_response" in body:
        raise classify_error(body["error_response"], api=api, http_status=status)
    if kind == "rest":
        if str(body.get("code", "0")) != "0":
            raise classify_error(body, api=api, http_status=status)
        return body
    wrapped = body.get(response_key(api))
    if isinstance(wrapped, dict):
        return wrapped
    # simplify=true answers (or gateways that ignore our flag) carry the payload at the root.
    return body
