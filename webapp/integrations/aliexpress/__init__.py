"""AliExpress Open Platform integration: signed client, OAuth (Authlib), resource adapters.

Knows nothing of Flask or the database. Typical wiring::

    settings = ClientSettings(app_key=..., app_secret=..., gateway_url=...)
    client = AliExpressClient(requests.Session(), settings, recorder=..., on_invalid_token=...)
    categories = adapters.get_category_children(client, access_token)
"""

from .client import AliExpressClient, CallRecord, ClientSettings
from .errors import (
    AliExpressError,
    AuthorizationDeniedError,
    BadResponseError,
    BusinessError,
    InvalidCodeError,
    InvalidRefreshTokenError,
    InvalidTokenError,
    PermanentError,
    RateLimitError,
    RetryableError,
    StateMismatchError,
)
from .oauth import AliExpressOAuth, TokenSet, parse_callback

__all__ = [
    "AliExpressClient",
    "AliExpressError",
    "AliExpressOAuth",
    "AuthorizationDeniedError",
    "BadResponseError",
    "BusinessError",
    "CallRecord",
    "ClientSettings",
    "InvalidCodeError",
    "InvalidRefreshTokenError",
    "InvalidTokenError",
    "PermanentError",
    "RateLimitError",
    "RetryableError",
    "StateMismatchError",
    "TokenSet",
    "parse_callback",
]
