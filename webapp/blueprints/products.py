"""Products (seed 002's Manage Products): listings grid, mass actions as jobs, preview, quality."""

from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, flash, render_template, request, url_for
from sqlalchemy import select

from webapp.extensions import db
from webapp.grid import Column, Grid, render_grid_page
from webapp.jobs.runner import enqueue_run
from webapp.models.accounts import Account
from webapp.models.listings import Instruction, Listing, ListingTemplate
from webapp.responses import redirect_to, start_job
from webapp.services import listings as svc
from webapp.services.errors import ServiceError

bp = Blueprint("products", __name__, url_prefix="/products")

MASS_ACTIONS = [
    ("validate_upload", "Validate & Upload", None),
    ("update", "Update Selected", None),
    ("price", "Price Update", None),
    ("quantity", "Inventory Update", None),
    ("images", "Image Upload", None),
    ("validate", "Validate only", None),
    ("delete", "Delete from AliExpress", "Delete the selected products from AliExpress?"),
]


def products_grid() -> Grid:
    templates = [(str(t.id), t.name) for t in db.session.scalars(select(ListingTemplate))]
    return Grid(
        "products",
        select(Listing),
        [
            Column("thumbnail", "", None, sortable=False, exportable=False),
            Column("sku", "SKU", Listing.sku, filter="text"),
            Column("name", "Name", Listing.name, filter="text"),
            Column(
                "template_id",
                "Template",
                Listing.template_id,
                filter="select",
                choices=templates,
                where=lambda v: Listing.template_id == int(v),
            ),
            Column(
                "account_id",
                "Account",
                Listing.account_id,
                filter="select",
                choices=[(str(a.id), a.title) for a in db.session.scalars(select(Account))],
                where=lambda v: Listing.account_id == int(v),
            ),
            Column("ae_product_id", "AliExpress id", Listing.ae_product_id, filter="text"),
            Column("state", "State", Listing.state, filter="select", choices=Listing.STATES),
            Column("magento_price", "Magento price", Listing.magento_price, filter="number"),
            Column("magento_qty", "Magento qty", Listing.magento_qty, filter="number"),
            Column("ae_price", "AliExpress price", Listing.ae_price, filter="number"),
            Column("ae_qty", "AliExpress qty", Listing.ae_qty, filter="number"),
            Column("last_synced_at", "Last sync", Listing.last_synced_at, filter="date"),
            Column(
                "last_error",
                "Errors",
                Listing.last_error,
                filter="select",
                choices=[("1", "With errors"), ("0", "Without")],
                where=lambda v: (
                    Listing.last_error.is_not(None) if v == "1" else Listing.last_error.is_(None)
                ),
            ),
            Column(
                "pending",
                "Pending",
                None,
                sortable=False,
                filter="select",
                choices=[("1", "Changes waiting"), ("0", "Up to date")],
                where=lambda v: (
                    Listing.id.in_(select(Instruction.listing_id))
                    if v == "1"
                    else Listing.id.not_in(select(Instruction.listing_id))
                ),
                exportable=False,
            ),
        ],
        id_column=Listing.id,
        default_sort="sku",
        search=[Listing.sku, Listing.name, Listing.ae_product_id],
    )


@bp.route("/")
def index():
    grid = products_grid()
    state = grid.parse(request.args)
    if request.args.get("export") == "csv":
        return grid.csv_response(state, "products.csv")
    templates = {t.id: t.name for t in db.session.scalars(select(ListingTemplate))}
    page = grid.page(state)
    ids = [row.id for row in page.items]
    pending: dict[int, list[str]] = {}
    for listing_id, aspect in db.session.execute(
        select(Instruction.listing_id, Instruction.aspect).where(Instruction.listing_id.in_(ids))
    ):
        pending.setdefault(listing_id, []).append(aspect)
    return render_grid_page(
        "products/index.html",
        "products/_grid.html",
        grid,
        page,
        templates=templates,
        mass_actions=MASS_ACTIONS,
        pending=svc.pending_instructions(),
        pending_aspects=pending,
        accounts={a.id: a.title for a in db.session.scalars(select(Account))},
    )


@bp.route("/mass", methods=["POST"])
def mass():
    action = request.form.get("action")
    if action not in {a for a, _, _ in MASS_ACTIONS}:
        flash("Choose an action.", "error")
        return redirect_to(url_for("products.index"))
    grid = products_grid()
    ids = list(db.session.scalars(grid.selected_ids(request.form, request.form.getlist)))
    if not ids:
        flash("Select at least one product.", "error")
        return redirect_to(url_for("products.index"))
    run_id = enqueue_run(
        current_app._get_current_object(),
        "listing_action",
        trigger="manual",  # type: ignore[attr-defined]
        params={"action": action, "ids": ids},
    )
    label = dict((a, label) for a, label, _ in MASS_ACTIONS)[action]
    flash(f"{label} started for {len(ids)} product(s).", "info")
    return redirect_to(url_for("products.index", run=run_id))


@bp.route("/run/<job_id>", methods=["POST"])
def run(job_id: str):
    if job_id not in (
        "sync_cycle",
        "match_existing",
        "reconcile",
        "listing_push",
        "product_assign",
    ):
        abort(404)
    return start_job(job_id)


def _listing(listing_id: int) -> Listing:
    return db.get_or_404(Listing, listing_id, description="No such product.")


@bp.route("/<int:listing_id>")
def detail(listing_id: int):
    listing = _listing(listing_id)
    payload, error = None, None
    if listing.template_id is not None:
        try:
            computation = svc.compute(listing)
            payload = json.dumps(
                computation.build.payload, indent=2, ensure_ascii=False, default=str
            )
            issues = [i.to_dict() for i in computation.build.issues]
        except ServiceError as exc:
            error, issues = exc.message, listing.issues
    else:
        issues = listing.issues
    return render_template(
        "products/detail.html", listing=listing, payload=payload, issues=issues, error=error
    )


@bp.route("/quality")
def quality():
    """Issues of every listing (or a template's), grouped by problem, linking to the fix."""
    query = select(Listing).where(Listing.state.in_(("not_uploaded", "error", "queued", "live")))
    if request.args.get("template_id", "").isdigit() and len(request.args["template_id"]) < 19:
        query = query.where(Listing.template_id == int(request.args["template_id"]))
    listings = db.session.scalars(query.limit(5000)).all()
    if request.args.get("revalidate") == "1":
        for listing in listings:
            svc.validate_listing(listing)
        db.session.commit()
    return render_template(
        "products/quality.html", report=svc.quality_report(listings), count=len(listings)
    )
