"""Listing templates, upload and delta sync against both sandboxes over real HTTP."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.support.world import build_world
from webapp import demo_data
from webapp.extensions import db
from webapp.integrations.aliexpress import adapters
from webapp.jobs.runner import run_job
from webapp.models import CatalogProduct, Feed, Instruction, Listing
from webapp.services import listings as svc
from webapp.services.aliexpress_app import aliexpress_client
from webapp.services.store import magento

TEES, MUGS = demo_data.TEES, demo_data.MUGS
make_template = demo_data.make_template
tee_template = demo_data.tee_template
mug_template = demo_data.goods_template


@pytest.fixture
def world(make_live_app):
    app = make_live_app(MOUNT_SANDBOXES=True, AE_BACKOFF=0.01, MAGENTO_BACKOFF=0.01)
    return build_world(app)


def ae_product(world, product_id):
    with world.app.app_context():
        account = world.account()
        return adapters.get_product(aliexpress_client(account), account.access_token, product_id)


def skus_of(product):
    return {s["sku_code"]: s for s in product["skus"]}


def test_upload_configurable_and_simple_then_delta_sync(world):
    app = world.app
    with app.app_context():
        account = world.account()
        tees, mugs = tee_template(account), mug_template(account)
        svc.assign_products(tees, ["MS-AUR"])
        svc.assign_products(mugs, ["24-MG01"])
        db.session.commit()
        shirt = db.session.scalar(select(Listing).where(Listing.sku == "MS-AUR"))
        mug = db.session.scalar(select(Listing).where(Listing.sku == "24-MG01"))
        assert svc.upload_listing(shirt), shirt.issues
        assert svc.upload_listing(mug), mug.issues
        db.session.commit()
        children = svc.children_of(
            db.session.scalar(select(CatalogProduct).where(CatalogProduct.sku == "MS-AUR"))
        )
        shirt_id, mug_id = shirt.ae_product_id, mug.ae_product_id
        assert shirt.state == mug.state == "live"
    # Read back through the AliExpress API: one product with one SKU per child.
    product = ae_product(world, shirt_id)
    assert set(skus_of(product)) == {c.sku for c in children}
    assert len(skus_of(ae_product(world, mug_id))) == 1

    # Nothing changed: a sync cycle costs zero AliExpress calls.
    before = world.ae_calls()
    run_job(app, "sync_cycle", trigger="manual")
    assert world.ae_calls() == before

    # Change one child's price and another's stock in Magento.
    red_s = "MS-AUR-S-Red"
    with app.app_context():
        magento().products.update(red_s, {"price": 31.5})
    world.magento_control("POST", "products/MS-AUR-M-Black", {"qty": 4})
    world.magento_control("POST", "products/24-MG01", {"qty": 9})
    before = world.ae_calls()
    run_job(app, "sync_cycle", trigger="manual")
    after = world.ae_calls()
    calls = {
        k: after.get(k, 0) - before.get(k, 0) for k in after if after.get(k, 0) != before.get(k, 0)
    }
    # Exactly one price batch and one stock batch (both products in the same stock call).
    assert calls == {
        "aliexpress.solution.batch.product.price.update": 1,
        "aliexpress.solution.batch.product.inventory.update": 1,
    }
    product = skus_of(ae_product(world, shirt_id))
    assert Decimal(product[red_s]["sku_price"]) == Decimal("31.50")
    assert int(product["MS-AUR-M-Black"]["ipm_sku_stock"]) == 4
    assert int(skus_of(ae_product(world, mug_id))["24-MG01"]["ipm_sku_stock"]) == 9
    with app.app_context():
        assert db.session.scalar(select(Instruction.id)) is None
        feeds = db.session.scalars(select(Feed).where(Feed.operation.like("%UPDATE"))).all()
        assert {f.operation for f in feeds} == {"PRODUCT_PRICES_UPDATE", "PRODUCT_STOCKS_UPDATE"}
        assert all(f.status == "finished" and f.failure_count == 0 for f in feeds)

    # Again nothing changed: zero calls.
    before = world.ae_calls()
    run_job(app, "sync_cycle", trigger="manual")
    assert world.ae_calls() == before


def test_unmapped_required_attribute_refuses_upload_and_sends_nothing(world):
    app = world.app
    with app.app_context():
        account = world.account()
        template = make_template(account, "bad", TEES, {}, {})
        svc.assign_products(template, ["MS-BRZ"])
        db.session.commit()
        listing = db.session.scalar(select(Listing).where(Listing.sku == "MS-BRZ"))
        before = world.ae_calls()
        assert not svc.upload_listing(listing)
        db.session.commit()
        assert world.ae_calls() == before
        report = svc.quality_report([listing])
        assert "unmapped_attribute" in report
        assert report["unmapped_attribute"]["level"] == "mandatory"
        assert listing.ae_product_id is None


def test_permanent_error_marks_only_its_listing(world):
    app = world.app
    with app.app_context():
        account = world.account()
        mugs = mug_template(account)
        svc.assign_products(mugs, ["24-MG01", "24-MG02"])
        db.session.commit()
        first, second = db.session.scalars(select(Listing).order_by(Listing.sku)).all()
        assert svc.upload_listing(first) and svc.upload_listing(second)
        db.session.commit()
        # The first product disappears on AliExpress (deleted by hand in the seller center).
        adapters.delete_products(
            aliexpress_client(account), account.access_token, [first.ae_product_id]
        )
        magento().products.update("24-MG01", {"price": 60})
        magento().products.update("24-MG02", {"price": 61})
    run_job(app, "sync_cycle", trigger="manual")
    with app.app_context():
        first, second = db.session.scalars(select(Listing).order_by(Listing.sku)).all()
        assert first.state == "error" and "price update refused" in first.last_error
        assert second.state == "live" and second.last_error is None
    assert Decimal(
        skus_of(ae_product(world, second.ae_product_id))["24-MG02"]["sku_price"]
    ) == Decimal("61.00")


def test_existing_products_are_matched_by_sku(world):
    app = world.app
    with app.app_context():
        account = world.account()
        mugs = mug_template(account)
        svc.assign_products(mugs, ["24-MG03"])
        db.session.commit()
        listing = db.session.scalar(select(Listing))
        assert svc.upload_listing(listing)
        product_id = listing.ae_product_id
        # Forget the link, as if the product had been listed before Alimento.
        db.session.delete(listing)
        db.session.commit()
        counts = svc.match_existing(account)
        db.session.commit()
        linked = db.session.scalar(select(Listing).where(Listing.sku == "24-MG03"))
        assert (
            counts["linked"] == 1 and linked.ae_product_id == product_id and linked.state == "live"
        )


def test_product_deleted_in_magento_goes_offline_and_is_flagged(world):
    app = world.app
    with app.app_context():
        account = world.account()
        mugs = mug_template(account)
        svc.assign_products(mugs, ["24-MG04"])
        db.session.commit()
        listing = db.session.scalar(select(Listing))
        assert svc.upload_listing(listing)
        db.session.commit()
        product_id = listing.ae_product_id
        magento().products.delete("24-MG04")
    run_job(app, "catalog_full_import", trigger="manual")
    run_job(app, "sync_cycle", trigger="manual")
    with app.app_context():
        listing = db.session.scalar(select(Listing))
        assert listing.state == "error" and "Deleted in Magento" in listing.last_error
    assert int(skus_of(ae_product(world, product_id))["24-MG04"]["ipm_sku_stock"]) == 0


def test_sync_policy_switch_off_sends_nothing(world):
    app = world.app
    with app.app_context():
        account = world.account()
        mugs = mug_template(account)
        svc.assign_products(mugs, ["24-MG05"])
        db.session.commit()
        assert svc.upload_listing(db.session.scalar(select(Listing)))
        from webapp.models.policies import Policy

        policy = db.session.get(Policy, account.sync_policy_id)
        policy.settings = {
            **policy.settings,
            "inventory_price_sync": {"enabled": False, "interval_minutes": 1},
        }
        db.session.commit()
        magento().products.update("24-MG05", {"price": 77})
    before = world.ae_calls()
    run_job(app, "sync_cycle", trigger="manual")
    assert world.ae_calls() == before


def test_a_feed_that_never_finishes_times_out(world):
    from datetime import timedelta

    from webapp.database import utcnow

    app = world.app
    with app.app_context():
        account = world.account()
        db.session.add(
            Feed(
                account_id=account.id,
                operation="PRODUCT_CREATE",
                status="submitted",
                item_count=3,
                submitted_at=utcnow() - timedelta(hours=2),
            )
        )
        db.session.commit()
    run_job(app, "feed_poll", trigger="manual")
    with app.app_context():
        feed = db.session.scalar(select(Feed))
        assert feed.status == "timeout" and "No result" in feed.error


def test_only_specific_attributes_trigger_product_updates(world):
    app = world.app
    with app.app_context():
        account = world.account()
        mugs = mug_template(account)
        svc.assign_products(mugs, ["24-MG02"])
        from webapp.models.policies import Policy

        policy = db.session.get(Policy, account.sync_policy_id)
        policy.settings = {
            **policy.settings,
            "only_specific_attributes": True,
            "specific_attributes": ["color"],
        }
        db.session.commit()
        assert svc.upload_listing(db.session.scalar(select(Listing)))
        db.session.commit()
        magento().products.update("24-MG02", {"name": "Renamed mug"})
    edit = "aliexpress.solution.product.edit"
    before = world.ae_calls().get(edit, 0)
    run_job(app, "sync_cycle", trigger="manual")
    run_job(app, "listing_push", trigger="manual")
    assert world.ae_calls().get(edit, 0) == before  # a name change does not sync
    with app.app_context():
        magento().products.update(
            "24-MG02", {"custom_attributes": [{"attribute_code": "color", "value": "58"}]}
        )
    run_job(app, "sync_cycle", trigger="manual")
    run_job(app, "listing_push", trigger="manual")
    assert world.ae_calls().get(edit, 0) == before + 1  # a color change does


def test_a_token_refused_even_after_refresh_keeps_the_change_for_the_next_cycle(world):
    """IllegalAccessToken twice in a row (the refreshed token refused too) is the account's
    trouble, not the listing's: the listing stays live and the change is pushed later."""
    from sqlalchemy import update

    app = world.app
    with app.app_context():
        mugs = mug_template(world.account())
        svc.assign_products(mugs, ["24-MG02"])
        db.session.commit()
        listing = db.session.scalar(select(Listing))
        assert svc.upload_listing(listing)
        db.session.commit()
        product_id = listing.ae_product_id
    world.magento_control("POST", "products/24-MG02", {"qty": 7})
    stock = "aliexpress.solution.batch.product.inventory.update"
    world.ae_control(
        "POST", "faults", {"kind": "illegal_access_token", "count": 2, "method": stock}
    )
    run_job(app, "sync_cycle", trigger="manual")
    with app.app_context():
        listing = db.session.scalar(select(Listing))
        assert listing.state == "live", listing.last_error
        assert db.session.scalar(select(Instruction.attempts)) == 1
        db.session.execute(update(Instruction).values(not_before=None))  # the backoff passes
        db.session.commit()
    assert int(skus_of(ae_product(world, product_id))["24-MG02"]["ipm_sku_stock"]) != 7
    run_job(app, "sync_cycle", trigger="manual")
    assert int(skus_of(ae_product(world, product_id))["24-MG02"]["ipm_sku_stock"]) == 7
    with app.app_context():
        assert db.session.scalar(select(Instruction.id)) is None


def test_a_failed_token_refresh_in_a_sync_cycle_waits_instead_of_failing_the_job(world):
    from webapp.models import CronLog

    app = world.app
    with app.app_context():
        svc.assign_products(mug_template(world.account()), ["24-MG03"])
        db.session.commit()
        assert svc.upload_listing(db.session.scalar(select(Listing)))
        db.session.commit()
    world.magento_control("POST", "products/24-MG03", {"qty": 5})
    # The stock update is refused, and so is the token refresh that follows.
    world.ae_control("POST", "faults", {"kind": "illegal_access_token", "count": 2})
    run_id = run_job(app, "sync_cycle", trigger="manual")
    with app.app_context():
        assert db.session.get(CronLog, run_id).status == "success"
        listing = db.session.scalar(select(Listing))
        assert listing.state == "live" and world.account().status == "connected"
        assert db.session.scalar(select(Instruction.attempts)) == 1


def test_a_timed_out_write_that_lands_late_is_overwritten_by_a_confirming_write(make_live_app):
    """The platform applies a request we stopped waiting for: the retry succeeded, then the
    seller changed the price again. The late request must not leave the old price."""
    import time

    app = make_live_app(MOUNT_SANDBOXES=True, AE_BACKOFF=0.01, AE_TIMEOUT=0.3)
    world = build_world(app)
    with app.app_context():
        svc.assign_products(mug_template(world.account()), ["24-MG02"])
        db.session.commit()
        listing = db.session.scalar(select(Listing))
        assert svc.upload_listing(listing)
        db.session.commit()
        product_id = listing.ae_product_id
    price = "aliexpress.solution.batch.product.price.update"
    # The first request is held 0.5 s and then applied; the client gave up on it after 0.3 s
    # and its retry succeeded.
    world.ae_control(
        "POST", "faults", {"kind": "timeout", "count": 1, "seconds": 0.5, "method": price}
    )
    world.magento_control("POST", "products/24-MG02", {"price": 40})
    run_job(app, "sync_cycle", trigger="manual")
    with app.app_context():
        confirm = db.session.scalar(select(Instruction))
        assert confirm.aspect == "price" and confirm.reason == svc.RESENT_REASON
    # The seller changes the price again at once: nothing is written until the held request
    # has surely landed (twice the timeout after the retry).
    world.magento_control("POST", "products/24-MG02", {"price": 55})
    before = world.ae_calls().get(price, 0)
    run_job(app, "sync_cycle", trigger="manual")
    assert world.ae_calls().get(price, 0) == before
    time.sleep(0.7)  # the held request (price 40) has landed; the settle time has passed
    assert Decimal(skus_of(ae_product(world, product_id))["24-MG02"]["sku_price"]) == 40
    run_job(app, "sync_cycle", trigger="manual")
    assert Decimal(skus_of(ae_product(world, product_id))["24-MG02"]["sku_price"]) == 55
    with app.app_context():
        assert db.session.scalar(select(Instruction.id)) is None
