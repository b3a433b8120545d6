"""Listing templates for the demo catalog (the Magento sandbox's tees, tanks and simple goods).

Used by ``flask demo seed`` and by the tests: AliExpress category ids and attribute values are
those of the AliExpress sandbox's category tree (the same ids as the real platform's samples).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from webapp.extensions import db
from webapp.models.accounts import Account
from webapp.models.listings import ListingTemplate
from webapp.models.store import CatalogProduct

TEES = "200000785"
MUGS = "100004985"
BRAND_NONE = {"mode": "static", "value": "200658765"}
ORIGIN_CN = {"mode": "static", "value": "9441741844"}


def make_template(
    account: Account,
    code: str,
    category: str,
    mapping: dict[str, Any],
    sku_mapping: dict[str, Any],
) -> ListingTemplate:
    from webapp.services.listings import fetch_category_schema

    template = db.session.scalar(select(ListingTemplate).where(ListingTemplate.code == code))
    if template is None:
        template = ListingTemplate(code=code, name=code, account_id=account.id)
        db.session.add(template)
    template.category_id = category
    template.attribute_mapping = mapping
    template.sku_attribute_mapping = sku_mapping
    template.freight_template_id = "1000"
    template.service_template_id = "0"
    template.shipping_lead_time = 3
    template.weight = 0.4
    template.package_length, template.package_width, template.package_height = 30, 20, 4
    db.session.flush()
    fetch_category_schema(template)
    return template


def tee_template(account: Account) -> ListingTemplate:
    """Configurable tees and tanks: one AliExpress product, one SKU per colour and size."""
    return make_template(
        account,
        "tees",
        TEES,
        {"2": BRAND_NONE, "219": ORIGIN_CN, "10": {"mode": "attribute", "attribute": "material"}},
        {
            "14": {"mode": "attribute", "attribute": "color"},
            "5": {"mode": "attribute", "attribute": "size"},
        },
    )


def goods_template(account: Account, code: str = "mugs") -> ListingTemplate:
    """Simple products (bags, watches, gear) with a colour."""
    return make_template(
        account,
        code,
        MUGS,
        {"2": BRAND_NONE, "219": ORIGIN_CN, "200001031": {"mode": "static", "value": "1402"}},
        {"14": {"mode": "attribute", "attribute": "color"}},
    )


def gear_template(account: Account) -> ListingTemplate:
    """Simple products without a colour attribute: the SKU colour is a static value."""
    return make_template(
        account,
        "gear",
        MUGS,
        {"2": BRAND_NONE, "219": ORIGIN_CN, "200001031": {"mode": "static", "value": "1402"}},
        {"14": {"mode": "static", "value": "193"}},
    )


def demo_assignments() -> dict[str, list[str]]:
    """Which demo products go to which template: configurables to tees, coloured simples to
    goods, the other simples to gear (a static SKU colour)."""
    tees, goods, gear = [], [], []
    for row in db.session.scalars(
        select(CatalogProduct).where(
            CatalogProduct.parent_sku.is_(None), CatalogProduct.deleted_in_magento.is_(False)
        )
    ):
        if row.type_id == "configurable":
            tees.append(row.sku)
        elif (row.attributes or {}).get("color"):
            goods.append(row.sku)
        else:
            gear.append(row.sku)
    return {"tees": sorted(tees), "mugs": sorted(goods), "gear": sorted(gear)}
