"""A connected world with live demo listings, for order tests on both sandboxes."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from tests.support.world import World, build_world
from webapp import demo_data
from webapp.extensions import db
from webapp.models import Listing
from webapp.services import listings as listing_svc


@dataclass
class Shop:
    world: World
    #: Magento SKU -> AliExpress product id
    products: dict[str, str]

    @property
    def app(self):  # type: ignore[no-untyped-def]
        return self.world.app

    def order(self, *lines: tuple[str, int], status: str = "WAIT_SELLER_SEND_GOODS", **extra: Any):
        """A buyer order on AliExpress for (Magento SKU, quantity) lines; returns its id."""
        items = []
        for sku, quantity in lines:
            parent = sku.rsplit("-", 2)[0] if sku.count("-") >= 3 else sku
            items.append(
                {"product_id": self.products[parent], "sku_code": sku, "quantity": quantity}
            )
        answer = self.world.ae_control(
            "POST", "orders", {"items": items, "status": status, **extra}
        )
        return str(answer["order_id"])

    def policy(self, **changes: Any) -> None:
        """Change the account's order policy (creating one from the defaults if needed)."""
        from webapp.models import Policy
        from webapp.policies.order import OrderSettings

        with self.app.app_context():
            account = self.world.account()
            policy = (
                db.session.get(Policy, account.order_policy_id) if account.order_policy_id else None
            )
            if policy is None:
                policy = Policy(type="order", title="Test orders", title_key="test orders")
                db.session.add(policy)
                db.session.flush()
                account.order_policy_id = policy.id
            current = OrderSettings.from_dict(policy.settings or {}).to_dict()
            policy.settings = OrderSettings.from_dict({**current, **changes}).to_dict()
            db.session.commit()

    def import_orders(self) -> None:
        from webapp.jobs.runner import run_job

        run_job(self.app, "order_import", trigger="manual")

    def ae_order(self, ae_id: str) -> dict[str, Any]:
        with self.app.app_context():
            from webapp.integrations.aliexpress import adapters
            from webapp.services.aliexpress_app import aliexpress_client

            account = self.world.account()
            return adapters.get_order(aliexpress_client(account), account.access_token, ae_id)

    def salable(self, sku: str) -> float:
        with self.app.app_context():
            from webapp.services.store import magento

            return magento().inventory.salable_qty(sku, 2)  # the demo website's stock

    def magento_orders(self) -> list[dict[str, Any]]:
        with self.app.app_context():
            from webapp.integrations.magento.criteria import SearchCriteria
            from webapp.services.store import magento

            return list(magento().orders.search(SearchCriteria().limit(100)))


def open_shop(
    world: World, skus: tuple[str, ...] = ("MS-AUR", "24-MB01", "24-MB02", "24-MG01")
) -> Shop:
    with world.app.app_context():
        account = world.account()
        tees = demo_data.tee_template(account)
        goods = demo_data.goods_template(account)
        listing_svc.assign_products(tees, [s for s in skus if s.startswith(("MS", "WS"))])
        listing_svc.assign_products(goods, [s for s in skus if s.startswith("24-")])
        db.session.commit()
        products = {}
        for listing in db.session.scalars(select(Listing)):
            assert listing_svc.upload_listing(listing), listing.issues
            products[listing.sku] = listing.ae_product_id
        db.session.commit()
    return Shop(world, products)


@pytest.fixture
def shop(make_live_app) -> Shop:
    app = make_live_app(MOUNT_SANDBOXES=True, AE_BACKOFF=0.01, MAGENTO_BACKOFF=0.01)
    return open_shop(build_world(app))


# -- helpers shared by the order tests ----------------------------------------------------------


def set_policy(shop: Shop, **changes: Any) -> None:
    """Change options of the account's order policy (as the policy form saves them)."""
    shop.policy(**changes)


def run_import(shop: Shop) -> dict[str, Any]:
    from webapp.services import orders as order_svc

    with shop.app.app_context():
        return order_svc.import_orders(shop.world.account()).as_dict()


def row(shop: Shop, ae_id: str) -> SimpleNamespace:
    """The Order row as the Orders screen shows it."""
    from webapp.models import Order

    with shop.app.app_context():
        order = db.session.scalar(select(Order).where(Order.ae_order_id == ae_id))
        assert order is not None, f"AliExpress order {ae_id} was not imported"
        return SimpleNamespace(
            state=order.import_state,
            reason=order.failure_reason,
            magento_order_id=order.magento_order_id,
            magento_increment_id=order.magento_increment_id,
            attempts=order.attempts,
            items=[(i.sku_code, i.magento_sku, i.quantity) for i in order.items],
            events=[e.message for e in order.events],
        )


def retry(shop: Shop, ae_id: str) -> dict[str, int]:
    from webapp.models import Order
    from webapp.services import orders as order_svc

    with shop.app.app_context():
        order = db.session.scalar(select(Order).where(Order.ae_order_id == ae_id))
        return order_svc.retry([order])


def delete_from_magento(shop: Shop, sku: str) -> None:
    """The product disappears from Magento and a full catalog import notices it."""
    with shop.app.app_context():
        from webapp.services.catalog import import_catalog
        from webapp.services.store import magento

        assert magento().products.delete(sku)
        import_catalog(full=True)
        db.session.commit()


def product_exists(shop: Shop, sku: str) -> bool:
    from webapp.integrations.magento import errors as mage_errors
    from webapp.services.store import magento

    with shop.app.app_context():
        try:
            magento().products.get(sku)
        except mage_errors.NotFoundError:
            return False
        return True
