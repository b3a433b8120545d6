"""What every benchmark shares: the app on loopback with both sandboxes, sizes read from the
environment, a listing template for generated products, call counters and an HTTP timer."""

from __future__ import annotations

import atexit
import logging
import math
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from cryptography.fernet import Fernet

#: Defaults keep a plain ``make bench`` within about ten minutes on two cores; the README figures
#: were measured with the sizes in ``README_SIZES``.
DEFAULT_SIZES = {
    "BENCH_PRODUCTS": 4_000,
    "BENCH_LISTINGS": 2_000,
    "BENCH_ORDERS": 200,
    # P2: price changes timed, and the sync_cycle tick (0: the job registry's interval)
    "BENCH_SYNC_CHANGES": 20,
    "BENCH_TICK_SECONDS": 0,
}
README_SIZES = {"BENCH_PRODUCTS": 100_000, "BENCH_LISTINGS": 10_000, "BENCH_ORDERS": 1_000}


def size(name: str) -> int:
    return int(os.environ.get(name) or DEFAULT_SIZES[name])


def sizes() -> dict[str, int]:
    return {name: size(name) for name in DEFAULT_SIZES}


def quiet() -> None:
    # Werkzeug logs every request at INFO on its own logger; a benchmark makes thousands.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def make_app(**config: Any) -> tuple[Any, Any]:
    """A fresh app (own instance folder, SQLite file and sandbox state) served on loopback."""
    from tests.support.liveserver import start
    from webapp import create_app
    from webapp.extensions import db

    quiet()
    folder = tempfile.mkdtemp(prefix="alimento-bench-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    app = create_app(
        {
            "INSTANCE_PATH": folder,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
            "SECRET_KEY": "bench",
            "ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
            "SCHEDULER_ENABLED": False,
            "DEMO_MODE": True,
            "AE_BACKOFF": 0.01,
            "MAGENTO_BACKOFF": 0.01,
            "LOG_LEVEL": "WARNING",
            **config,
        }
    )
    with app.app_context():
        db.create_all()
    live = start(app)
    app.config.update(LIVE_URL=live.url, PUBLIC_URL=live.url, PUBLIC_URL_EXPLICIT=True)
    return app, live


def bench_template(account: Any, default_image: str) -> Any:
    """A listing template every generated (simple) product validates against."""
    from webapp.extensions import db
    from webapp.models.listings import ListingTemplate
    from webapp.services import listings as svc
    from webapp.services.policies import create_policy

    image = create_policy(
        "image", {"title": "Bench images", "default_image": default_image, "gallery_image_count": 1}
    )
    template = ListingTemplate(
        code="bench",
        name="Bench",
        account_id=account.id,
        category_id="100004985",
        attribute_mapping={
            "2": {"mode": "static", "value": "200658765"},
            "219": {"mode": "static", "value": "9441741844"},
            "200001031": {"mode": "static", "value": "1402"},
        },
        sku_attribute_mapping={"14": {"mode": "static", "value": "29"}},
        image_policy_id=image.id,
        freight_template_id="1000",
        service_template_id="0",
        shipping_lead_time=3,
        weight=0.5,
        package_length=10,
        package_width=10,
        package_height=10,
    )
    db.session.add(template)
    db.session.flush()
    svc.fetch_category_schema(template)
    return template


def generated_skus(limit: int) -> list[str]:
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models.store import CatalogProduct

    return list(
        db.session.scalars(
            select(CatalogProduct.sku)
            .where(CatalogProduct.sku.like("GEN-%"))
            .order_by(CatalogProduct.sku)
            .limit(limit)
        )
    )


def list_products(world: Any, skus: list[str]) -> dict[str, str]:
    """Assign ``skus`` to a bench template and upload each; returns SKU -> AliExpress id."""
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models.listings import Listing
    from webapp.services import listings as svc

    template = bench_template(world.account(), world.base + "/static/placeholder.png")
    svc.assign_products(template, skus)
    db.session.commit()
    products = {}
    for index, listing in enumerate(db.session.scalars(select(Listing)).all(), 1):
        if svc.upload_listing(listing):
            products[listing.sku] = str(listing.ae_product_id)
        if index % 200 == 0:
            db.session.commit()
    db.session.commit()
    return products


def ae_calls(world: Any) -> dict[str, int]:
    return {k: int(v) for k, v in world.ae_control("GET", "calls")["calls"].items()}


def magento_calls(world: Any) -> dict[str, int]:
    """The Magento sandbox's calls by route: ``"POST /V1/carts/{cartId}/items"`` -> count."""
    return {k: int(v) for k, v in world.magento_control("GET", "calls").items()}


def delta(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {k: n - before.get(k, 0) for k, n in after.items() if n - before.get(k, 0)}


def login(client: Any, email: str, password: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"email": email, "password": password, "csrf_token": token})


class HttpTimer:
    """Seconds and count of ``requests`` exchanges made by one thread (both sandbox clients use
    ``requests.Session``; the server threads answering them are not counted)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.requests = 0
        self.thread = threading.get_ident()

    @contextmanager
    def installed(self) -> Iterator[HttpTimer]:
        original = requests.Session.send
        timer = self

        def send(session: requests.Session, request: Any, **kwargs: Any) -> Any:
            if threading.get_ident() != timer.thread:
                return original(session, request, **kwargs)
            started = time.perf_counter()
            try:
                return original(session, request, **kwargs)
            finally:
                timer.seconds += time.perf_counter() - started
                timer.requests += 1

        requests.Session.send = send  # type: ignore[method-assign]
        try:
            yield self
        finally:
            requests.Session.send = original  # type: ignore[method-assign]


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (no interpolation: a reported p95 is a latency that happened)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]
