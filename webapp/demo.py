"""Demo-mode wiring: the only app code that imports the sandboxes.

Both sandboxes are mounted under the same server (``/sandbox/aliexpress``, ``/sandbox/magento``);
the app still reaches them only over HTTP, through the same clients that reach the real systems.
"""

from __future__ import annotations

import os

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

ALIEXPRESS_PREFIX = "/sandbox/aliexpress"
MAGENTO_PREFIX = "/sandbox/magento"


def sandbox_apps(instance_path: str):  # type: ignore[no-untyped-def]
    from webapp.sandbox.aliexpress import create_app as create_aliexpress
    from webapp.sandbox.magento import create_app as create_magento

    return (
        create_aliexpress(state_path=os.path.join(instance_path, "sandbox-aliexpress.sqlite3")),
        create_magento(state_path=os.path.join(instance_path, "sandbox-magento.sqlite3")),
    )


def mount_sandboxes(app: Flask) -> None:
    aliexpress, magento = sandbox_apps(app.instance_path)
    app.extensions["sandboxes"] = {"aliexpress": aliexpress, "magento": magento}
    app.wsgi_app = DispatcherMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, {ALIEXPRESS_PREFIX: aliexpress, MAGENTO_PREFIX: magento}
    )
