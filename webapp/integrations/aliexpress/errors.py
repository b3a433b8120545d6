"""Typed errors raised by the AliExpress client, OAuth helper and adapters.

The gateway reports failures on three layers (see ``/work/shared/reference/aliexpress-protocol.md``
§2.3 and §5): HTTP/transport, the error envelope (``error_response`` on ``/sync``, a flat object
with ``code != "0"`` on ``/rest``), and business failures inside successful answers
(``result.success=false`` and friends). All of them end up as one of the classes below, so callers
only decide between "try again later" (:class:`RetryableError`) and "do something else"
(:class:`PermanentError` and its subclasses).
"""

from __future__ import annotations

from typing import Any


class AliExpressError(Exception):
    """Base class of every error raised by ``webapp.integrations.aliexpress``."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        sub_code: str | None = None,
        request_id: str | None = None,
        http_status: int | None = None,
        api: str | None = None,
        payload: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.sub_code = sub_code
        self.request_id = request_id
        self.http_status = http_status
        self.api = api
        self.payload = payload

    def __str__(self) -> str:
        parts = [self.message]
        if self.code:
            parts.insert(0, f"[{self.code}{'/' + self.sub_code if self.sub_code else ''}]")
        if self.api:
            parts.append(f"(api {self.api})")
        if self.request_id:
            parts.append(f"(request_id {self.request_id})")
        return " ".join(parts)


class RetryableError(AliExpressError):
    """Transient failure: HTTP 5xx, timeout, connection error, ``isp.*``/ISP errors, rate limits."""


class RateLimitError(RetryableError):
    """``ApiCallLimit`` / ``AppCallLimit``: the gateway banned the caller for ``ban_seconds``."""

    def __init__(self, message: str, *, ban_seconds: float = 1.0, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.ban_seconds = ban_seconds


class PermanentError(AliExpressError):
    """The request is wrong or refused; repeating it unchanged will fail again."""


class BusinessError(PermanentError):
    """A successful envelope whose payload says ``success=false`` (``result.error_code`` etc.)."""


class InvalidTokenError(PermanentError):
    """``IllegalAccessToken``: the access token is invalid or expired; refresh it."""


class InvalidRefreshTokenError(PermanentError):
    """``IllegalRefreshToken``: the refresh token is invalid or expired; the seller must
    re-authorize the app."""


#: Failures that say nothing about the request itself: the transient ones, and a refused token
#: (the account's trouble: it is refreshed, or the account turns invalid and the seller is
#: told). Work that meets one waits and is tried again; it is never blamed on the product or
#: the order.
RETRY_LATER: tuple[type[AliExpressError], ...] = (
    RetryableError,
    InvalidTokenError,
    InvalidRefreshTokenError,
)


class InvalidCodeError(PermanentError):
    """``InvalidCode``: the authorization code is unknown, expired or already used."""


class AuthorizationDeniedError(PermanentError):
    """The seller refused the authorization (``error=access_denied`` on the callback)."""


class StateMismatchError(PermanentError):
    """The OAuth callback's ``state`` is not the one we issued (possible CSRF)."""


class BadResponseError(RetryableError):
    """The gateway answered something that is not the expected JSON (HTML error page, empty
    body). Usually a proxy or gateway hiccup, hence retryable."""
