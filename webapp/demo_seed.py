"""``flask demo seed``: a fresh install to a fully working demo, through the app's own services.

Admin ``demo@example.com`` (a new password each run, printed), the store connected to the
Magento sandbox and its catalog imported, the five default policies, an account authorized
against the AliExpress sandbox through the real OAuth exchange (consent page, callback, token
call), listing templates with every demo product uploaded, and a few simulated buyer orders
imported into Magento. Running it again brings an existing install back to that state.

The OAuth exchange and the API calls go over HTTP to the public URL, where the app serves the
sandboxes: when nothing answers there (``make run`` not started), the seed serves the app
itself on that address for the time it runs.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from flask import Flask
from sqlalchemy import select

from webapp.extensions import db

DEMO_EMAIL = "demo@example.com"
ACCOUNT_TITLE = "Demo seller"


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """The app's public URL, served by a temporary thread when nothing answers there."""
    base = str(app.config["PUBLIC_URL"]).rstrip("/")
    try:
        requests.get(base + "/health", timeout=2)
        yield base
        return
    except requests.RequestException:
        pass
    from werkzeug.serving import make_server

    parts = urlsplit(base)
    server = make_server(parts.hostname or "127.0.0.1", parts.port or 80, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="demo-seed", daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()


def consent(http: requests.Session, authorize_url: str) -> str:
    """Play the seller on the AliExpress sandbox's consent page (allow); returns the callback
    URL it redirects to."""
    page = http.get(authorize_url, timeout=30)
    page.raise_for_status()
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    if action is None:
        raise RuntimeError("the AliExpress consent page has no form")
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    form["seller_id"] = re.findall(r'name="seller_id" value="([^"]+)"', page.text)[0]
    form["decision"] = "allow"
    answer = http.post(
        urljoin(page.url, action.group(1)), data=form, allow_redirects=False, timeout=30
    )
    return str(answer.headers["Location"])


def demo_password() -> str:
    """A random password the app's own password rules accept (a bare token_urlsafe is all
    letters about once in 28 draws, which the rules refuse)."""
    from webapp.services.users import password_problem

    while True:
        password = secrets.token_urlsafe(12)
        if password_problem(password) is None:
            return password


def seed(app: Flask, echo: Callable[[str], None], *, orders: int = 3) -> dict[str, Any]:
    from webapp import demo_data
    from webapp.demo import simulate_orders
    from webapp.models import Account, Listing, User
    from webapp.models.users import Role
    from webapp.services import accounts as account_svc
    from webapp.services import listings as listing_svc
    from webapp.services import orders as order_svc
    from webapp.services.catalog import import_catalog
    from webapp.services.policies import create_default_policies
    from webapp.services.settings import set_setting
    from webapp.services.store import (
        check_connection,
        demo_defaults,
        get_store,
        refresh_cache,
        save_store,
    )
    from webapp.services.users import create_user

    summary: dict[str, Any] = {}
    with serving(app) as base, app.test_request_context(base_url=base):
        password = demo_password()
        user = db.session.scalar(select(User).where(User.email == DEMO_EMAIL))
        if user is None:
            user = create_user(DEMO_EMAIL, password, Role.ADMIN)
        else:
            user.set_password(password)
            user.active = True
        db.session.commit()
        summary["password"] = password
        echo(f"admin {DEMO_EMAIL} / {password}")

        store = get_store() or save_store(demo_defaults())
        result = check_connection(store)
        if not result.ok:
            raise RuntimeError(f"Magento sandbox: {result.message}")
        refresh_cache(store)
        imported = import_catalog(full=True)
        db.session.commit()
        echo(f"store connected, {imported.imported} products imported")

        policies = create_default_policies()
        db.session.commit()
        echo(f"default policies: {', '.join(p.title for p in policies.values())}")

        account = db.session.scalar(select(Account).where(Account.title == ACCOUNT_TITLE))
        if account is None:
            account = account_svc.create_account(ACCOUNT_TITLE, "ES", store.default_store_code)
            account_svc.update_account(
                account,
                sync_policy_id=policies["synchronization"].id,
                order_policy_id=policies["order"].id,
            )
            db.session.commit()
        if not account.is_connected:
            url = account_svc.start_authorization(account)
            db.session.commit()
            callback = consent(requests.Session(), url)
            args = {k: v[0] for k, v in parse_qs(urlsplit(callback).query).items()}
            account = account_svc.complete_authorization(args)
            db.session.commit()
        echo(f"account '{account.title}' authorized (seller {account.seller_id})")
        account_svc.fetch_onboarding_data(account)
        db.session.commit()

        assignments = demo_data.demo_assignments()
        templates = {
            "tees": demo_data.tee_template(account),
            "mugs": demo_data.goods_template(account),
            "gear": demo_data.gear_template(account),
        }
        for code, skus in assignments.items():
            templates[code].name = {"tees": "Demo tees", "mugs": "Demo goods", "gear": "Demo gear"}[
                code
            ]
            listing_svc.assign_products(templates[code], skus)
        db.session.commit()
        # Products already on AliExpress (a sandbox kept from an earlier install) are linked
        # by SKU, not uploaded twice (AliExpress refuses a sku_code already in use).
        matched = listing_svc.match_existing(account)
        db.session.commit()
        if matched["linked"]:
            echo(f"{matched['linked']} products already on AliExpress linked by SKU")
        uploaded = 0
        for listing in db.session.scalars(
            select(Listing).where(Listing.state.in_(("not_uploaded", "error")))
        ).all():
            uploaded += bool(listing_svc.upload_listing(listing))
            db.session.commit()
        live = db.session.scalar(select(db.func.count(Listing.id)).where(Listing.state == "live"))
        echo(f"{uploaded} products uploaded, {live} live on AliExpress")

        if orders:
            simulate_orders(app, orders)
            result_orders = order_svc.import_orders(account)
            echo(
                f"{orders} buyer orders simulated; {result_orders.created_in_magento} created "
                "in Magento"
            )
        set_setting("wizard_check_passed", True)
        set_setting("wizard_completed", True)
        db.session.commit()
        summary.update(account_id=account.id, live=live)
    return summary
