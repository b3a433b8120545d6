"""Typed errors for the Magento 2 REST API.

Magento answers every failure with the envelope ``{"message", "parameters"?, "errors"?, "code"?,
"trace"?}`` where ``message`` keeps its raw placeholders: ``%1``/``%2`` are filled from a
``parameters`` *list*, ``%name`` from a ``parameters`` *object* (M2
``lib/internal/Magento/Framework/Webapi/ErrorProcessor.php``;
CW ``get-started/gs-web-api-response.md``).
Statuses: 400 input/localized errors, 401 authentication and ACL ("The consumer isn't authorized
to access %resources."), 404 ``NoSuchEntityException`` and unknown routes, 5xx internal errors.
Retryable errors (5xx, 429, timeouts, connection failures) are separated from permanent ones so
callers can back off or give up.
"""

from __future__ import annotations

import re
from typing import Any

_PLACEHOLDER = re.compile(r"%(\w+)")


def interpolate(message: str, parameters: Any) -> str:
    """Fill Magento's ``%1`` / ``%name`` placeholders from ``parameters`` (list or dict)."""
    if not parameters:
        return message

    def repl(match: re.Match[str]) -> str:
        key = match.group(1)
        if isinstance(parameters, dict):
            value = parameters.get(key)
        elif key.isdigit() and 0 < int(key) <= len(parameters):
            value = parameters[int(key) - 1]
        else:
            value = None
        return match.group(0) if value is None else str(value)

    return _PLACEHOLDER.sub(repl, message)


class MagentoError(Exception):
    """Base class: every failure talking to Magento."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        parameters: Any = None,
        raw_message: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.parameters = parameters
        self.raw_message = raw_message if raw_message is not None else message
        self.body = body


class RetryableError(MagentoError):
    """A transient failure; the same request may succeed later."""

    retryable = True


class PermanentError(MagentoError):
    """The request will not succeed as sent; do not retry."""


class ServerError(RetryableError):
    """HTTP 5xx (or 429) from Magento or a proxy in front of it."""


class TransportError(RetryableError):
    """Timeout or connection failure: no answer at all."""


class AuthenticationError(PermanentError):
    """HTTP 401: bad OAuth signature, unknown consumer, token rejected."""


class AccessDeniedError(AuthenticationError):
    """HTTP 401 "The consumer isn't authorized to access %resources.": an ACL resource is missing.

    Magento gives the same answer when an integration token is sent as a Bearer token while
    ``oauth/consumer/enable_integration_as_bearer`` is off, so the message says both.
    """

    def __init__(self, message: str, *, resource: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.resource = resource


class NotFoundError(PermanentError):
    """HTTP 404: no such entity, or no such route."""


class ValidationError(PermanentError):
    """HTTP 400: Magento refused the input (or the OAuth protocol parameters)."""


class BadResponseError(PermanentError):
    """A 2xx answer that is not the JSON the API promises (wrong base URL, HTML page, ...).

    Error statuses with an HTML body are classified by status instead (5xx stays retryable).
    """


class MappingError(ValueError):
    """A Magento payload cannot be mapped to the domain model (unknown type, missing field)."""
