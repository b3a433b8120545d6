"""Seller authorization (OAuth 2.0 code flow, IOP flavour) built on Authlib.

AliExpress (DOC-120687 "Seller authorization introduction"; official Java SDK
``AuthTokenCreateRequest``/``AuthTokenRefreshRequest``; ``/work/shared/reference/
aliexpress-protocol.md`` §3) deviates from RFC 6749 in ways Authlib must be told about:

* authorize URL ``<gateway>/oauth/authorize?response_type=code&force_auth=true&client_id=
  <app_key>&redirect_uri=...&state=...``; the callback gets ``code`` and ``state`` (or
  ``error=access_denied``). Codes are short-lived and single-use.
* the token endpoints are IOP *system APIs*: ``POST <gateway>/rest/auth/token/create`` with
  ``code`` and ``POST /rest/auth/token/refresh`` with ``refresh_token``, authenticated not with
  a client secret but with the IOP signature (path-prefixed HMAC-SHA256 over ``app_key``,
  ``timestamp``, ``sign_method``, ...). We register that as a custom Authlib client auth method
  (:func:`_iop_sign`), which also removes the RFC fields (``grant_type``, ``redirect_uri``) the
  gateway does not know.
* answers are flat JSON with ``code="0"`` on success and ``{type, code, message}`` on failure
  (``InvalidCode``, ``IllegalRefreshToken``); expiry comes as ``expire_time`` /
  ``refresh_token_valid_time`` (epoch ms) and ``expires_in`` / ``refresh_expires_in``
  (seconds; sometimes strings). An ``access_token_response``/``refresh_token_response``
  compliance hook raises our typed errors and normalises the answer for Authlib.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from authlib.common.urls import url_decode
from authlib.integrations.requests_client import OAuth2Session

from . import signing
from .client import (
    SECRET_KEYS,
    SECRET_REQUEST_KEYS,
    CallRecord,
    ClientSettings,
    Recorder,
    classify_error,
    mask_data,
)
from .errors import (
    AliExpressError,
    AuthorizationDeniedError,
    BadResponseError,
    InvalidCodeError,
    PermanentError,
    RetryableError,
    StateMismatchError,
)

AUTH_METHOD = "iop_sha256"
TOKEN_CREATE_PATH = "/auth/token/create"  # noqa: S105 - an API path, not a secret
TOKEN_REFRESH_PATH = "/auth/token/refresh"  # noqa: S105 - an API path, not a secret
_RFC_ONLY_FIELDS = ("grant_type", "redirect_uri", "client_id", "client_secret", "scope")


@dataclass(frozen=True)
class TokenSet:
    """Tokens of one authorized seller account. Times are aware UTC datetimes."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: datetime | None
    refresh_expires_at: datetime | None
    seller_id: str | None = None
    user_id: str | None = None
    account: str | None = None
    account_platform: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    def is_expired(self, now: datetime | None = None, leeway: timedelta = timedelta(0)) -> bool:
        if self.expires_at is None:
            return False
        return (now or datetime.now(UTC)) + leeway >= self.expires_at

    def can_refresh(self, now: datetime | None = None) -> bool:
        if not self.refresh_token:
            return False
        if self.refresh_expires_at is None:
            return True
        return (now or datetime.now(UTC)) < self.refresh_expires_at


def token_set_from_answer(answer: Mapping[str, Any], now: float) -> TokenSet:
    """Build a :class:`TokenSet` from a ``/auth/token/create|refresh`` answer."""

    def moment(ms_key: str, seconds_key: str) -> datetime | None:
        ms = _number(answer.get(ms_key))
        if ms:
            return datetime.fromtimestamp(ms / 1000, UTC)
        seconds = _number(answer.get(seconds_key))
        if seconds is not None:
            return datetime.fromtimestamp(now + seconds, UTC)
        return None

    def text(key: str) -> str | None:
        value = answer.get(key)
        return None if value in (None, "") else str(value)

    access_token = text("access_token")
    if not access_token:
        raise BadResponseError("token answer without access_token", payload=dict(answer))
    return TokenSet(
        access_token=access_token,
        refresh_token=text("refresh_token"),
        expires_at=moment("expire_time", "expires_in"),
        refresh_expires_at=moment("refresh_token_valid_time", "refresh_expires_in"),
        seller_id=text("seller_id"),
        user_id=text("user_id"),
        account=text("account"),
        account_platform=text("account_platform"),
        raw=dict(answer),
    )


def _number(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def parse_callback(query: str | Mapping[str, Any], expected_state: str | None) -> str:
    """Return the authorization code from the callback query (a URL, a query string or a
    mapping such as ``request.args``) after checking ``state``.

    Raises :class:`AuthorizationDeniedError` for ``error=...``, :class:`StateMismatchError`
    when ``state`` differs, :class:`InvalidCodeError` when no code came back.
    """
    if isinstance(query, str):
        raw = urlsplit(query).query if "?" in query or "://" in query else query
        args = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
    else:
        args = {k: (v[0] if isinstance(v, list) else v) for k, v in query.items()}
    if expected_state is not None and args.get("state") != expected_state:
        raise StateMismatchError("OAuth state does not match the one issued")
    if args.get("error"):
        raise AuthorizationDeniedError(
            str(args.get("error_description") or "the seller denied the authorization"),
            code=str(args["error"]),
        )
    code = args.get("code")
    if not code:
        raise InvalidCodeError("the callback carries no authorization code")
    return str(code)


class AliExpressOAuth:
    """Authorize URL, code exchange and refresh for one AliExpress app."""

    def __init__(
        self,
        settings: ClientSettings,
        *,
        recorder: Recorder | None = None,
        clock: Callable[[], float] = time.time,
        session_factory: Callable[..., OAuth2Session] = OAuth2Session,
    ) -> None:
        self.settings = settings
        self.recorder = recorder
        self.clock = clock
        self.session_factory = session_factory

    @property
    def authorize_endpoint(self) -> str:
        return f"{self.settings.base_url}/oauth/authorize"

    def _session(self, redirect_uri: str | None = None) -> OAuth2Session:
        session = self.session_factory(
            client_id=self.settings.app_key,
            client_secret=self.settings.app_secret,
            redirect_uri=redirect_uri,
            token_endpoint_auth_method=AUTH_METHOD,
        )
        session.register_client_auth_method((AUTH_METHOD, self._iop_sign))
        return session

    def authorization_url(self, redirect_uri: str, state: str | None = None) -> tuple[str, str]:
        """Return ``(url, state)`` for the seller's browser; keep ``state`` in the session."""
        session = self._session(redirect_uri)
        try:
            url, state = session.create_authorization_url(
                self.authorize_endpoint,
                state=state or secrets.token_urlsafe(24),
                force_auth="true",
            )
        finally:
            session.close()
        return url, state

    def exchange_code(self, code: str) -> TokenSet:
        """Trade an authorization code for tokens (``/rest/auth/token/create``)."""
        return self._token_call(TOKEN_CREATE_PATH, code=code)

    def refresh(self, refresh_token: str) -> TokenSet:
        """Renew tokens (``/rest/auth/token/refresh``). ``IllegalRefreshToken`` raises
        :class:`~.errors.InvalidRefreshTokenError`: the seller must authorize again."""
        return self._token_call(TOKEN_REFRESH_PATH, refresh_token=refresh_token)

    # -- internals --------------------------------------------------------------------------

    def _iop_sign(
        self, client: Any, method: str, uri: str, headers: dict[str, str], body: Any
    ) -> tuple[str, dict[str, str], str]:
        """Authlib client-auth hook: replace RFC client auth with the IOP signature."""
        path = urlsplit(uri).path
        api = path[path.index("/rest") + len("/rest") :] if "/rest" in path else path
        text = body.decode() if isinstance(body, bytes) else (body or "")
        params = {k: v for k, v in url_decode(text) if k not in _RFC_ONLY_FIELDS}
        params.update(
            app_key=self.settings.app_key,
            timestamp=str(int(self.clock() * 1000)),
            sign_method=signing.SIGN_METHOD,
            partner_id=self.settings.partner_id,
        )
        params["sign"] = signing.sign(self.settings.app_secret, api, params)
        new_body = urlencode(params)
        headers["Content-Length"] = str(len(new_body))
        return uri, headers, new_body

    def _token_call(self, path: str, **params: str) -> TokenSet:
        url = f"{self.settings.base_url}/rest{path}"
        captured: dict[str, Any] = {}
        started = time.perf_counter()

        def hook(response: requests.Response) -> requests.Response:
            captured["status"] = response.status_code
            captured["form"] = dict(url_decode(response.request.body or ""))
            try:
                answer = response.json()
            except ValueError:
                captured["body"] = response.text[:2000]
                if response.status_code >= 500:
                    raise RetryableError(
                        f"HTTP {response.status_code}", http_status=response.status_code, api=path
                    ) from None
                raise BadResponseError(
                    f"HTTP {response.status_code}: answer is not JSON",
                    http_status=response.status_code,
                    api=path,
                ) from None
            captured["body"] = answer
            if response.status_code >= 500:
                raise RetryableError(
                    f"HTTP {response.status_code}", http_status=response.status_code, api=path
                )
            if not isinstance(answer, dict):
                raise BadResponseError("answer is not a JSON object", api=path, payload=answer)
            error = answer.get("error_response")
            if isinstance(error, dict):
                raise classify_error(error, api=path, http_status=response.status_code)
            if str(answer.get("code", "0")) != "0" or "access_token" not in answer:
                raise classify_error(answer, api=path, http_status=response.status_code)
            captured["answer"] = answer
            token = token_set_from_answer(answer, self.clock())
            normalised: dict[str, Any] = {
                "access_token": token.access_token,
                "token_type": "bearer",
                "refresh_token": token.refresh_token,
            }
            if token.expires_at is not None:
                normalised["expires_at"] = int(token.expires_at.timestamp())
            response._content = json.dumps(normalised).encode()
            return response

        session = self._session()
        session.register_compliance_hook("access_token_response", hook)
        session.register_compliance_hook("refresh_token_response", hook)
        error: AliExpressError | None = None
        try:
            if path == TOKEN_CREATE_PATH:
                session.fetch_token(
                    url, grant_type="authorization_code", timeout=self.settings.timeout, **params
                )
            else:
                session.refresh_token(url, timeout=self.settings.timeout, **params)
        except AliExpressError as exc:
            error = exc
            raise
        except requests.Timeout as exc:
            error = RetryableError(f"timeout after {self.settings.timeout}s", api=path)
            raise error from exc
        except requests.RequestException as exc:
            error = RetryableError(f"connection failed: {exc}", api=path)
            raise error from exc
        except ValueError as exc:  # Authlib's own parsing failures
            error = PermanentError(str(exc), api=path)
            raise error from exc
        finally:
            session.close()
            self._record(path, url, captured, started, error)
        return token_set_from_answer(captured["answer"], self.clock())

    def _record(
        self,
        path: str,
        url: str,
        captured: Mapping[str, Any],
        started: float,
        error: AliExpressError | None,
    ) -> None:
        if self.recorder is None:
            return
        body = captured.get("body")
        self.recorder(
            CallRecord(
                kind="rest",
                api=path,
                url=url,
                params=mask_data(captured.get("form", {}), SECRET_REQUEST_KEYS),
                response=mask_data(body, SECRET_KEYS),
                http_status=captured.get("status"),
                duration=time.perf_counter() - started,
                attempt=1,
                error=str(error) if error else None,
                error_code=error.code if error else None,
                request_id=body.get("request_id") if isinstance(body, dict) else None,
            )
        )
