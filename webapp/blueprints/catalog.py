"""The read-only Magento catalog (the local cache that listing templates read)."""

from __future__ import annotations

from flask import Blueprint, request
from sqlalchemy import select

from webapp.extensions import db
from webapp.grid import Column, Grid, render_grid_page
from webapp.models.store import CatalogProduct
from webapp.services.store import get_store

bp = Blueprint("catalog", __name__, url_prefix="/catalog")


def catalog_grid() -> Grid:
    return Grid(
        "catalog",
        select(CatalogProduct),
        [
            Column("sku", "SKU", CatalogProduct.sku, filter="text"),
            Column("name", "Name", CatalogProduct.name, filter="text"),
            Column(
                "type_id",
                "Type",
                CatalogProduct.type_id,
                filter="select",
                choices=CatalogProduct.TYPE_CHOICES,
            ),
            Column("price", "Price", CatalogProduct.price, filter="number"),
            Column("qty", "Qty", CatalogProduct.qty, filter="number"),
            Column("salable_qty", "Salable qty", CatalogProduct.salable_qty),
            Column(
                "status",
                "Status",
                CatalogProduct.status,
                filter="select",
                choices=[("1", "Enabled"), ("2", "Disabled")],
                where=lambda v: CatalogProduct.status == int(v),
                export=lambda p: "enabled" if p.status == 1 else "disabled",
            ),
            Column(
                "visibility",
                "Visibility",
                CatalogProduct.visibility,
                filter="select",
                choices=CatalogProduct.VISIBILITY_CHOICES,
                where=lambda v: CatalogProduct.visibility == int(v),
            ),
            Column("attribute_set_id", "Attribute set", CatalogProduct.attribute_set_id),
            Column(
                "category_ids",
                "Categories",
                None,
                sortable=False,
                export=lambda p: " ".join(str(c) for c in p.category_ids or []),
            ),
            Column(
                "deleted_in_magento",
                "In Magento",
                CatalogProduct.deleted_in_magento,
                filter="select",
                choices=[("0", "Yes"), ("1", "Deleted")],
                where=lambda v: CatalogProduct.deleted_in_magento.is_(v == "1"),
                export=lambda p: "deleted" if p.deleted_in_magento else "yes",
            ),
        ],
        id_column=CatalogProduct.id,
        default_sort="sku",
        search=[CatalogProduct.sku, CatalogProduct.name],
    )


@bp.route("/")
def index():
    grid = catalog_grid()
    state = grid.parse(request.args)
    if request.args.get("export") == "csv":
        return grid.csv_response(state, "catalog.csv")
    store = get_store()
    attribute_sets = {
        s.get("attribute_set_id"): s.get("attribute_set_name")
        for s in ((store.cache or {}).get("attribute_sets", []) if store else [])
    }
    categories = {
        int(c["id"]): c.get("name")
        for c in ((store.cache or {}).get("categories", []) if store else [])
    }
    from webapp.models.listings import ListingTemplate

    assign_actions = [
        (f"assign:{t.id}", f"Assign to template: {t.name}", None)
        for t in db.session.scalars(select(ListingTemplate).where(ListingTemplate.active))
    ]
    return render_grid_page(
        "catalog/index.html",
        "catalog/_grid.html",
        grid,
        grid.page(state),
        store=store,
        attribute_sets=attribute_sets,
        categories=categories,
        assign_actions=assign_actions,
    )
