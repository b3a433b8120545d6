"""Configuration > Policies: every type through real form posts, VALID/INVALID, bad input."""

import io
import struct
import zlib

import pytest
from sqlalchemy import Column, ForeignKey, Integer, Table, select

from webapp.extensions import db
from webapp.models.policies import Policy
from webapp.services.policies import create_default_policies

FORMS = {
    "image": {"title": "Img", "main_image_attribute": "image", "gallery_image_count": "5"},
    "inventory": {
        "title": "Inv",
        "default_quantity": "7",
        "threshold_buffer": "5",
        "use_threshold": "1",
        "threshold_value": "10",
        "quantity_above_threshold": "20",
        "quantity_below_threshold": "2",
        "source_code": "default",
    },
    "pricing": {
        "title": "Price",
        "price_attribute": "price",
        "change_mode": "percentage_increment",
        "amount": "5",
        "conversion_rate": "1",
        "rounding": "cents",
    },
    "order": {
        "title": "Orders",
        "create_order_in_magento": "1",
        "create_order_when": "WAIT_SELLER_SEND_GOODS",
        "if_product_not_exist": "do_not_create",
        "order_id_prefix": "AE-",
        "magento_payment_method": "checkmo",
        "magento_shipping_method": "flatrate_flatrate",
        "customer_mode": "guest",
        "invoice_creation": "1",
        "shipment_creation": "1",
        "carrier_mappings-0-magento_carrier": "ups",
        "carrier_mappings-0-aliexpress_carrier": "UPS",
        "status_mappings-0-aliexpress_status": "FINISH",
        "status_mappings-0-magento_status": "complete",
    },
    "synchronization": {
        "title": "Sync",
        "product_upload.enabled": "1",
        "product_upload.interval_minutes": "15",
        "product_update.interval_minutes": "10",
        "inventory_price_sync.enabled": "1",
        "inventory_price_sync.interval_minutes": "1",
        "product_assign.interval_minutes": "30",
        "order_import.enabled": "1",
        "order_import.interval_minutes": "5",
        "order_status_sync.interval_minutes": "10",
        "activity_log": "1",
        "only_specific_attributes": "1",
        "specific_attributes": "color, size",
    },
}


def _policy(app, title):
    with app.app_context():
        return db.session.scalar(select(Policy).where(Policy.title == title))


@pytest.mark.parametrize("type_", list(FORMS))
def test_create_edit_delete_each_type(app, login, type_):
    user = login("operator")
    form = FORMS[type_]
    created = user.post(f"/policies/new/{type_}", data=form)
    assert created.status_code == 303, created.get_data(as_text=True)[:2000]
    policy = _policy(app, form["title"])
    assert policy.type == type_
    assert policy.status == "valid", policy.problems
    assert policy.is_default  # the first of its type becomes the default
    page = user.get(f"/policies/{policy.id}").get_data(as_text=True)
    assert form["title"] in page and "VALID" in page

    edited = user.post(f"/policies/{policy.id}", data={**form, "title": form["title"] + " v2"})
    assert edited.status_code == 303
    assert _policy(app, form["title"] + " v2").id == policy.id

    grid = user.get(f"/policies/?f_type={type_}").get_data(as_text=True)
    assert form["title"] + " v2" in grid
    deleted = user.post("/policies/mass", data={"action": "delete", "ids": [str(policy.id)]})
    assert deleted.status_code == 303
    assert _policy(app, form["title"] + " v2") is None


def test_settings_are_stored_as_the_engine_reads_them(app, login):
    user = login("operator")
    user.post("/policies/new/synchronization", data=FORMS["synchronization"])
    user.post("/policies/new/order", data=FORMS["order"])
    sync = _policy(app, "Sync").settings
    assert sync["product_upload"] == {"enabled": True, "interval_minutes": 15}
    assert sync["product_update"]["enabled"] is False  # unchecked box
    assert sync["specific_attributes"] == ["color", "size"]
    order = _policy(app, "Orders").settings
    assert order["carrier_mappings"][0]["aliexpress_carrier"] == "UPS"
    assert order["status_mappings"] == [
        {"aliexpress_status": "FINISH", "magento_status": "complete"}
    ]


@pytest.mark.parametrize(
    ("type_", "changes", "message"),
    [
        ("inventory", {"default_quantity": "abc"}, "whole number"),
        ("inventory", {"threshold_buffer": "-3"}, "cannot be negative"),
        ("inventory", {"quantity_below_threshold": "30"}, "threshold"),
        ("pricing", {"change_mode": "percentage_decrement", "amount": "150"}, "more than 100"),
        ("pricing", {"amount": "-1"}, "negative"),
        ("image", {"gallery_image_count": "0"}, "at least 1"),
    ],
)
def test_bad_values_are_refused_with_field_messages(app, login, type_, changes, message):
    user = login("operator")
    response = user.post(f"/policies/new/{type_}", data={**FORMS[type_], **changes}, htmx=True)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _policy(app, FORMS[type_]["title"]) is None


def test_duplicate_title_is_refused_whatever_the_case(app, login):
    user = login("operator")
    user.post("/policies/new/pricing", data=FORMS["pricing"])
    dup = user.post("/policies/new/image", data={**FORMS["image"], "title": "PRICE"})
    assert dup.status_code == 422
    assert "already exists" in dup.get_data(as_text=True)


def test_incomplete_policy_is_saved_invalid_with_reasons(app, login):
    user = login("operator")
    response = user.post(
        "/policies/new/inventory",
        data={**FORMS["inventory"], "quantity_above_threshold": "", "quantity_below_threshold": ""},
    )
    assert response.status_code == 303
    policy = _policy(app, "Inv")
    assert policy.status == "invalid"
    assert any("required" in p["message"] for p in policy.problems)
    grid = user.get("/policies/").get_data(as_text=True)
    assert "INVALID" in grid and "required when inventory is set by threshold" in grid


def _png(size: int = 64) -> bytes:
    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * size for _ in range(size))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_default_image_upload_checks_type_and_size(app, login):
    user = login("operator")
    ok = user.post(
        "/policies/new/image",
        data={**FORMS["image"], "default_image_file": (io.BytesIO(_png()), "logo.png")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 303
    stored = _policy(app, "Img").settings["default_image"]
    assert stored.startswith("uploads/") and stored.endswith(".png")
    fake = user.post(
        "/policies/new/image",
        data={
            **FORMS["image"],
            "title": "Fake",
            "default_image_file": (io.BytesIO(b"GIF89a..."), "x.png"),
        },
        content_type="multipart/form-data",
    )
    assert fake.status_code == 422 and "JPG or PNG" in fake.get_data(as_text=True)
    from flask.testing import EnvironBuilder

    builder = EnvironBuilder(
        app,
        "/policies/new/image",
        method="POST",
        headers={"X-CSRFToken": user.token},
        data={
            **FORMS["image"],
            "title": "Big",
            "default_image_file": (
                io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * (3 * 1024 * 1024)),
                "b.png",
            ),
        },
    )
    environ = builder.get_environ()
    try:
        big = user.client.open(environ)
    finally:
        environ["wsgi.input"].close()  # the test client never closes a spooled request body
        builder.close()
    assert big.status_code == 422 and "larger than 2 MB" in big.get_data(as_text=True)
    assert _policy(app, "Fake") is None and _policy(app, "Big") is None


def test_assigned_policy_cannot_be_deleted(app, login):
    user = login("operator")
    probe = Table(
        "policy_probe",
        db.metadata,
        Column("id", Integer, primary_key=True),
        Column("policy_id", ForeignKey("policies.id")),
    )
    try:
        with app.app_context():
            probe.create(db.engine)
            policies = create_default_policies()
            db.session.execute(probe.insert().values(id=1, policy_id=policies["order"].id))
            db.session.commit()
            ids = [str(p.id) for p in policies.values()]
        response = user.post("/policies/mass", data={"action": "delete", "ids": ids})
        assert response.status_code == 303
        with app.app_context():
            left = list(db.session.scalars(select(Policy)))
        assert [p.type for p in left] == ["order"]
        page = user.get("/policies/").get_data(as_text=True)
        assert "still assigned" in page and "policy probe" in page
    finally:
        with app.app_context():
            probe.drop(db.engine)
        db.metadata.remove(probe)


def test_default_policies_are_created_once(app):
    with app.app_context():
        first = create_default_policies()
        db.session.commit()
        second = create_default_policies()
        db.session.commit()
        assert {k: p.id for k, p in first.items()} == {k: p.id for k, p in second.items()}
        titles = sorted(p.title for p in db.session.scalars(select(Policy)))
        assert titles == [
            "Default Image Policy",
            "Default Inventory Policy",
            "Default Order Policy",
            "Default Pricing Policy",
            "Default Synchronization Policy",
        ]
        assert all(p.status == "valid" and p.is_default for p in db.session.scalars(select(Policy)))


def test_set_default_moves_the_flag(app, login):
    user = login("operator")
    user.post("/policies/new/pricing", data=FORMS["pricing"])
    user.post("/policies/new/pricing", data={**FORMS["pricing"], "title": "Second"})
    second = _policy(app, "Second")
    assert not second.is_default
    user.post(f"/policies/{second.id}/default")
    assert _policy(app, "Second").is_default and not _policy(app, "Price").is_default


def test_viewer_sees_but_cannot_save(app, login):
    viewer = login("viewer")
    assert viewer.get("/policies/").status_code == 200
    assert viewer.get("/policies/new/pricing").status_code == 200
    assert viewer.post("/policies/new/pricing", data=FORMS["pricing"]).status_code == 403
