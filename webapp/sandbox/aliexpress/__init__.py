"""AliExpress Open Platform sandbox: a separate WSGI app with its own SQLite state.

It reproduces the real gateway layout (``/sync``, ``/rest/...``, ``/oauth/authorize``), signature
checks and error envelopes, and keeps seller data (categories, products, feeds, orders) so the
app and the tests can run end to end without AliExpress. Nothing outside ``webapp/sandbox``
imports this package except the demo-mode wiring and the test fixtures.

Control API (JSON), for tests and the demo "simulate order" button::

    GET  /_control/info                         gateway, app key/secret, sellers, settings
    POST /_control/reset                        wipe and reseed
    GET|POST /_control/settings                 any DEFAULT_SETTINGS key
    POST /_control/token-lifetimes              {"access": s, "refresh": s, "code": s}
    POST /_control/rate-limit                   {"calls_per_second": n|null, "ban_seconds": s}
    GET|POST|DELETE /_control/faults            {"kind": http_error|timeout|api_call_limit|
                                                 illegal_access_token|bad_response, "count": n |
                                                 "probability": p, "method": name,
                                                 "seconds": s, "status": 5xx}
    POST /_control/tokens/expire                {"access_token": t} or all
    POST /_control/orders                       {"items": [{product_id, sku_code, quantity}],
                                                 "buyer": {...}, "address": {...}, "status": s}
    POST /_control/orders/<id>/status           {"status": s}
    GET  /_control/products                     stored products of a seller
    GET  /_control/calls                        call counts per API
"""

from __future__ import annotations

from typing import Any

from .app import create_app
from .state import DEFAULT_APP_KEY, DEFAULT_APP_SECRET, DEFAULT_SETTINGS, SandboxState

__all__ = [
    "DEFAULT_APP_KEY",
    "DEFAULT_APP_SECRET",
    "DEFAULT_SETTINGS",
    "SandboxState",
    "create_app",
    "create_order",
    "info",
]


def info(
    base_url: str, app_key: str = DEFAULT_APP_KEY, app_secret: str = DEFAULT_APP_SECRET
) -> dict[str, str]:
    """Connection details of a sandbox served at ``base_url`` (for ``flask sandbox info``)."""
    return {"gateway": base_url.rstrip("/"), "app_key": app_key, "app_secret": app_secret}


def create_order(state: SandboxState | str, **order: Any) -> dict[str, Any]:
    """Create a buyer order for live products; ``state`` is a :class:`SandboxState` or the
    SQLite path a running sandbox uses (for a CLI). Returns the order as ``order.get`` shows
    it. Keywords: ``seller_id``, ``items``, ``buyer``, ``address``, ``status``..."""
    from . import methods

    own = isinstance(state, str)
    sandbox = SandboxState(state) if isinstance(state, str) else state
    try:
        return methods.order_dto(methods.create_order(sandbox, **order))
    finally:
        if own:
            sandbox.close()
