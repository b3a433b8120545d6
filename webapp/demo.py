"""Demo-mode wiring: the only app code that imports the sandboxes.

Both sandboxes are mounted under the same server (``/sandbox/aliexpress``, ``/sandbox/magento``);
the app still reaches them only over HTTP, through the same clients that reach the real systems.
This module also answers "which credentials does demo mode use" (from the sandboxes' control
API, in process) and carries the ``flask sandbox`` commands.
"""

from __future__ import annotations

import json
import os
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from werkzeug.middleware.dispatcher import DispatcherMiddleware

ALIEXPRESS_PREFIX = "/sandbox/aliexpress"
MAGENTO_PREFIX = "/sandbox/magento"


def sandbox_state_paths(instance_path: str) -> dict[str, str]:
    return {
        "aliexpress": os.path.join(instance_path, "sandbox-aliexpress.sqlite3"),
        "magento": os.path.join(instance_path, "sandbox-magento.sqlite3"),
    }


def mount_sandboxes(app: Flask) -> None:
    from webapp.sandbox.aliexpress import create_app as create_aliexpress
    from webapp.sandbox.magento import create_app as create_magento

    paths = sandbox_state_paths(app.instance_path)
    aliexpress = create_aliexpress(state_path=paths["aliexpress"])
    magento = create_magento(state_path=paths["magento"])
    app.extensions["sandboxes"] = {"aliexpress": aliexpress, "magento": magento}
    app.wsgi_app = DispatcherMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, {ALIEXPRESS_PREFIX: aliexpress, MAGENTO_PREFIX: magento}
    )
    app.cli.add_command(sandbox_cli)
    app.cli.add_command(demo_cli)


def _control(app: Flask, name: str, method: str, path: str, payload: Any = None) -> Any:
    sandbox = app.extensions["sandboxes"][name]
    client = sandbox.test_client()
    response = client.open(path, method=method, json=payload)
    if response.status_code >= 400:
        raise click.ClickException(
            f"{name} sandbox: {response.status_code} {response.get_data(as_text=True)}"
        )
    return response.get_json()


def sandbox_info(app: Flask) -> dict[str, Any]:
    """Connection details of both mounted sandboxes, as the public server exposes them."""
    public = app.config["PUBLIC_URL"]
    aliexpress = _control(app, "aliexpress", "GET", "/_control/info")
    magento = _control(app, "magento", "GET", "/_control/info")
    return {
        "aliexpress": {
            "gateway": public + ALIEXPRESS_PREFIX,
            "app_key": aliexpress["app_key"],
            "app_secret": aliexpress["app_secret"],
        },
        "magento": {**magento, "base_url": public + MAGENTO_PREFIX},
    }


def simulate_orders(app: Flask, count: int = 1, status: str = "WAIT_SELLER_SEND_GOODS") -> list:
    """Sandbox buyers order live products (random buyers, lines, variants and quantities)."""
    answer = _control(
        app, "aliexpress", "POST", "/_control/orders/simulate", {"count": count, "status": status}
    )
    return list(answer["orders"])


sandbox_cli = AppGroup("sandbox", help="The embedded AliExpress and Magento sandboxes (demo mode).")


@sandbox_cli.command("info")
def info_command() -> None:
    """Print the sandboxes' connection details as JSON."""
    click.echo(json.dumps(sandbox_info(current_app._get_current_object()), indent=2))  # type: ignore[attr-defined]


@sandbox_cli.command("reset")
@click.option("--only", type=click.Choice(["aliexpress", "magento"]), default=None)
def reset_command(only: str | None) -> None:
    """Wipe and reseed the sandboxes' state."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for name in ("aliexpress", "magento"):
        if only in (None, name):
            _control(app, name, "POST", "/_control/reset", {})
            click.echo(f"{name} sandbox reset")


magento_cli = AppGroup("magento", help="The Magento sandbox.")
aliexpress_cli = AppGroup("aliexpress", help="The AliExpress sandbox.")
sandbox_cli.add_command(magento_cli)
sandbox_cli.add_command(aliexpress_cli)


@magento_cli.command("generate")
@click.option("--products", type=click.IntRange(1, 1_000_000), required=True)
def generate_command(products: int) -> None:
    """Grow the Magento sandbox's catalog to N products (for benchmarks)."""
    from webapp.sandbox.magento import generate

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    count = generate(products, sandbox_state_paths(app.instance_path)["magento"])
    click.echo(f"magento sandbox catalog: {count} products")


@aliexpress_cli.command("order")
@click.option("--product-id", required=True, help="A live AliExpress product id in the sandbox.")
@click.option("--sku", "sku_code", required=True, help="The SKU code to buy.")
@click.option("--quantity", type=click.IntRange(1, 999), default=1)
@click.option("--status", default="WAIT_SELLER_SEND_GOODS")
def order_command(product_id: str, sku_code: str, quantity: int, status: str) -> None:
    """Simulate a buyer order for a live product."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    order = _control(
        app,
        "aliexpress",
        "POST",
        "/_control/orders",
        {
            "items": [{"product_id": product_id, "sku_code": sku_code, "quantity": quantity}],
            "status": status,
        },
    )
    click.echo(json.dumps(order, indent=2, default=str))


@aliexpress_cli.command("simulate")
@click.option("--count", type=click.IntRange(1, 100), default=1)
@click.option("--status", default="WAIT_SELLER_SEND_GOODS")
def simulate_command(count: int, status: str) -> None:
    """Buyer orders with random buyers, products, variants and quantities."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for order in simulate_orders(app, count, status):
        click.echo(f"order {order['order_id']} ({order['buyer_signer_fullname']})")


demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("seed")
@click.option("--orders", type=click.IntRange(0, 50), default=3, help="Buyer orders to simulate.")
def seed_command(orders: int) -> None:
    """Take this install to a working demo: admin, store, account, templates, orders."""
    from webapp.demo_seed import seed

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    summary = seed(app, click.echo, orders=orders)
    click.echo(
        f"Demo ready at {app.config['PUBLIC_URL']}: log in as demo@example.com with the "
        f"password {summary['password']}"
    )
