"""IOP signature: the documented vector and the /sync vs /rest prefix rule."""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal

from webapp.integrations.aliexpress import signing

DOC_PARAMS = {
    "app_key": "123456",
    "access_token": "test",
    "timestamp": "1517820392000",
    "sign_method": "sha256",
    "order_id": "1234",
}


def test_documented_vector():
    # AliExpress doc articleId=120693 "HTTP request sample" (same as Lazada's).
    assert (
        signing.sign("helloworld", "/order/get", DOC_PARAMS)
        == "4190D32361CFB9581350222F345CB77F3B19F0E31D162316848A2C1FFD5FAB4A"
    )


def test_sign_parameter_itself_is_ignored():
    with_sign = {**DOC_PARAMS, "sign": "whatever"}
    assert signing.sign("helloworld", "/order/get", with_sign) == signing.sign(
        "helloworld", "/order/get", DOC_PARAMS
    )


def test_business_methods_are_not_prefixed():
    params = {"method": "aliexpress.solution.order.get", "app_key": "1", "timestamp": "2"}
    expected = (
        hmac.new(
            b"s3cret", b"app_key1methodaliexpress.solution.order.gettimestamp2", hashlib.sha256
        )
        .hexdigest()
        .upper()
    )
    assert signing.sign("s3cret", "aliexpress.solution.order.get", params) == expected
    assert signing.sign("s3cret", None, params) == expected


def test_objects_and_scalars_are_encoded_as_sent():
    encoded = signing.encode_params(
        {
            "param0": {"current_page": 1, "order_status_list": ["FINISH"]},
            "flag": True,
            "price": Decimal("9.90"),
            "skipped": None,
        }
    )
    assert encoded == {
        "param0": '{"current_page":1,"order_status_list":["FINISH"]}',
        "flag": "true",
        "price": "9.90",
    }


def test_verify_is_case_insensitive_and_rejects_other_secrets():
    signature = signing.sign("helloworld", "/order/get", DOC_PARAMS)
    assert signing.verify("helloworld", "/order/get", DOC_PARAMS, signature.lower())
    assert not signing.verify("other", "/order/get", DOC_PARAMS, signature)
