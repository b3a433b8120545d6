"""A connected demo world for integration tests: the app served on loopback with both sandboxes
mounted, the Magento store connected and imported, an AliExpress account authorized through the
real consent flow, default policies in place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from flask import Flask
from sqlalchemy import select

from webapp.demo_seed import consent
from webapp.extensions import db


@dataclass
class World:
    app: Flask
    base: str
    http: requests.Session

    @property
    def ae(self) -> str:
        return self.base + "/sandbox/aliexpress"

    @property
    def magento(self) -> str:
        return self.base + "/sandbox/magento"

    def ae_control(self, method: str, path: str, payload: Any = None) -> Any:
        answer = self.http.request(method, f"{self.ae}/_control/{path}", json=payload, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def magento_control(self, method: str, path: str, payload: Any = None) -> Any:
        answer = self.http.request(
            method, f"{self.magento}/_control/{path}", json=payload, timeout=60
        )
        answer.raise_for_status()
        return answer.json()

    def ae_calls(self) -> dict[str, int]:
        return dict(self.ae_control("GET", "calls")["calls"])

    def account(self):  # type: ignore[no-untyped-def]
        from webapp.models.accounts import Account

        return db.session.scalar(select(Account).order_by(Account.id))


def build_world(app: Flask) -> World:
    from webapp.services import accounts as account_svc
    from webapp.services.catalog import import_catalog
    from webapp.services.policies import create_default_policies
    from webapp.services.store import check_connection, demo_defaults, refresh_cache, save_store

    world = World(app, app.config["LIVE_URL"], requests.Session())
    with app.test_request_context(base_url=world.base):
        store = save_store(demo_defaults())
        assert check_connection(store).ok
        refresh_cache(store)
        import_catalog(full=True)
        create_default_policies()
        account = account_svc.create_account("Demo seller", "ES", "default")
        db.session.commit()
        url = account_svc.start_authorization(account)
        db.session.commit()
        callback = consent(world.http, url)
        args = {k: v[0] for k, v in parse_qs(urlsplit(callback).query).items()}
        account_svc.complete_authorization(args)
        db.session.commit()
    return world
