"""Listing Templates (the manuals' profiles): grid, form with category and attribute mapping."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.grid import Column, Grid, render_grid_page
from webapp.listings.schema import CategorySchema
from webapp.models.accounts import Account
from webapp.models.listings import Listing, ListingTemplate
from webapp.responses import redirect_to, start_job
from webapp.services import templates as svc
from webapp.services.errors import ServiceError
from webapp.services.listings import (
    RULE_FIELDS,
    RULE_OPS,
    apply_assignment_rules,
    suggest_value_map,
)
from webapp.services.policies import policy_choices
from webapp.services.store import attribute_choices, cached, store_view_choices

bp = Blueprint("templates", __name__, url_prefix="/templates")

MAP_RE = re.compile(
    r"^(?P<kind>map|skumap)-(?P<attr>[0-9A-Za-z_]+)-(?P<field>mode|attribute|value)$"
)
VM_RE = re.compile(
    r"^(?P<kind>map|skumap)-(?P<attr>[0-9A-Za-z_]+)-vm-(?P<i>\d+)-(?P<field>label|value)$"
)
ROW_RE = re.compile(r"^(?P<group>rule|lang)-(?P<i>\d+)-(?P<field>[a-z_]+)$")
LANGUAGES = [
    ("en", "English"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("it", "Italian"),
    ("de", "German"),
    ("pt", "Portuguese"),
    ("nl", "Dutch"),
    ("ru", "Russian"),
    ("tr", "Turkish"),
    ("ko", "Korean"),
    ("ja", "Japanese"),
    ("ar", "Arabic"),
]


def templates_grid() -> Grid:
    return Grid(
        "templates",
        select(ListingTemplate),
        [
            Column("name", "Name", ListingTemplate.name, filter="text"),
            Column("code", "Code", ListingTemplate.code, filter="text"),
            Column(
                "active",
                "Status",
                ListingTemplate.active,
                filter="select",
                choices=[("1", "Active"), ("0", "Inactive")],
                where=lambda v: ListingTemplate.active.is_(v == "1"),
                export=lambda t: "active" if t.active else "inactive",
            ),
            Column("account_id", "Account", ListingTemplate.account_id),
            Column(
                "category_name", "AliExpress category", ListingTemplate.category_name, filter="text"
            ),
            Column("total", "Total", None, sortable=False, exportable=False),
            Column("uploaded", "Uploaded", None, sortable=False, exportable=False),
            Column("not_uploaded", "Not uploaded", None, sortable=False, exportable=False),
        ],
        id_column=ListingTemplate.id,
        default_sort="name",
        search=[ListingTemplate.name, ListingTemplate.code],
    )


def _counts(ids: list[int]) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {
        i: {"total": 0, "uploaded": 0, "not_uploaded": 0} for i in ids
    }
    rows = db.session.execute(
        select(Listing.template_id, Listing.state, func.count())
        .where(Listing.template_id.in_(ids))
        .group_by(Listing.template_id, Listing.state)
    )
    for template_id, state, n in rows:
        counts[template_id]["total"] += n
        if state == "live":
            counts[template_id]["uploaded"] += n
        elif state in ("not_uploaded", "error", "queued"):
            counts[template_id]["not_uploaded"] += n
    return counts


@bp.route("/")
def index():
    grid = templates_grid()
    state = grid.parse(request.args)
    if request.args.get("export") == "csv":
        return grid.csv_response(state, "listing-templates.csv")
    page = grid.page(state)
    accounts = {a.id: a.title for a in db.session.scalars(select(Account))}
    return render_grid_page(
        "templates/index.html",
        "templates/_grid.html",
        grid,
        page,
        counts=_counts([t.id for t in page.items]),
        accounts=accounts,
    )


@bp.route("/mass", methods=["POST"])
def mass():
    action = request.form.get("action")
    grid = templates_grid()
    ids = list(db.session.scalars(grid.selected_ids(request.form, request.form.getlist)))
    if not ids or action not in ("delete", "activate", "deactivate"):
        flash("Select templates and an action.", "error")
        return redirect_to(url_for("templates.index"))
    if action == "delete":
        deleted, refused = svc.delete_templates(ids, actor=current_user)
        db.session.commit()
        flash(f"{deleted} template(s) deleted.", "success")
        for reason in refused:
            flash(reason, "error")
    else:
        for template in db.session.scalars(
            select(ListingTemplate).where(ListingTemplate.id.in_(ids))
        ):
            template.active = action == "activate"
        db.session.commit()
        flash(f"{len(ids)} template(s) {action}d.", "success")
    return redirect_to(url_for("templates.index"))


def read_form(form: Any) -> dict[str, Any]:
    data: dict[str, Any] = {k: form.get(k) for k in form if "-" not in k}
    data["active"] = "1" if form.get("active") else "0"
    mappings: dict[str, dict[str, dict[str, Any]]] = {"map": {}, "skumap": {}}
    value_maps: dict[tuple[str, str], dict[int, dict[str, str]]] = {}
    rows: dict[str, dict[int, dict[str, str]]] = {"rule": {}, "lang": {}}
    for key in form:
        value = str(form.get(key) or "").strip()
        if match := MAP_RE.match(key):
            mappings[match["kind"]].setdefault(match["attr"], {})[match["field"]] = value
        elif match := VM_RE.match(key):
            slot = value_maps.setdefault((match["kind"], match["attr"]), {})
            slot.setdefault(int(match["i"]), {})[match["field"]] = value
        elif match := ROW_RE.match(key):
            rows[match["group"]].setdefault(int(match["i"]), {})[match["field"]] = value
    for (kind, attr), entries in value_maps.items():
        pairs = {e.get("label", ""): e.get("value", "") for e in entries.values()}
        mappings[kind].setdefault(attr, {})["value_map"] = {
            k: v for k, v in pairs.items() if k and v
        }
    data["attribute_mapping"] = {k: v for k, v in mappings["map"].items() if v.get("mode")}
    data["sku_attribute_mapping"] = {k: v for k, v in mappings["skumap"].items() if v.get("mode")}
    data["rules"] = [
        r for _, r in sorted(rows["rule"].items()) if r.get("field") and r.get("value")
    ]
    data["extra_languages"] = {
        r["language"]: r["store_view"]
        for _, r in sorted(rows["lang"].items())
        if r.get("language") and r.get("store_view")
    }
    return data


def _magento_labels(code: str) -> list[str]:
    for attribute in cached("attributes"):
        if attribute.get("attribute_code") == code:
            return [
                str(o["label"])
                for o in attribute.get("options") or []
                if str(o.get("value", "")) != ""
            ]
    return []


def _form_context(template: ListingTemplate | None, values: dict[str, Any]) -> dict[str, Any]:
    accounts = db.session.scalars(select(Account).where(Account.status != "disconnected")).all()
    raw = str(values.get("account_id") or "")
    account_id = (
        int(raw) if raw.isdigit() and len(raw) < 19 else (accounts[0].id if accounts else 0)
    )
    schema = (
        CategorySchema.from_dict(template.category_schema)
        if template and template.category_schema
        else None
    )
    suggestions: dict[str, dict[str, str]] = {}
    if schema:
        for kind, mapping in (
            ("map", values.get("attribute_mapping") or {}),
            ("skumap", values.get("sku_attribute_mapping") or {}),
        ):
            for attr in schema.attributes if kind == "map" else schema.sku_attributes:
                entry = mapping.get(attr.id) or {}
                if entry.get("mode") == "attribute" and attr.options:
                    current = entry.get("value_map") or {}
                    labels = _magento_labels(entry.get("attribute", ""))
                    guessed = suggest_value_map(attr.options, labels)
                    suggestions[f"{kind}-{attr.id}"] = {
                        label: current.get(label) or guessed.get(label, "") for label in labels
                    }
    return {
        "template": template,
        "values": values,
        "accounts": accounts,
        "account_options": [(a.id, a.title) for a in accounts],
        "account_id": account_id,
        "leaves": svc.leaf_categories(account_id) if account_id else [],
        "freight_templates": svc.template_choices(account_id, "freight_templates")
        if account_id
        else [],
        "service_templates": svc.template_choices(account_id, "service_templates")
        if account_id
        else [],
        "policies": {t: policy_choices(t) for t in ("image", "pricing", "inventory")},
        "attributes": attribute_choices(),
        "store_views": store_view_choices(),
        "schema": schema,
        "suggestions": suggestions,
        "rule_fields": RULE_FIELDS,
        "rule_ops": RULE_OPS,
        "languages": LANGUAGES,
    }


def _values(template: ListingTemplate) -> dict[str, Any]:
    return {c.key: getattr(template, c.key) for c in ListingTemplate.__table__.columns}


def _save(template: ListingTemplate | None):  # type: ignore[no-untyped-def]
    data = read_form(request.form)
    try:
        saved = svc.save_template(template, data, actor=current_user)
    except ServiceError as exc:
        db.session.rollback()
        context = _form_context(template, data)
        context["errors"] = {exc.field or "form": exc.message}
        return render_template("templates/form.html", **context), 422
    db.session.commit()
    flash(f"Template '{saved.name}' saved.", "success")
    return redirect_to(url_for("templates.edit", template_id=saved.id))


@bp.route("/new", methods=["GET", "POST"])
def new():
    if request.method == "POST":
        return _save(None)
    defaults = {
        "active": True,
        "language": "en",
        "title_attribute": "name",
        "description_attribute": "description",
        "weight_attribute": "weight",
        "shipping_lead_time": 3,
        "service_template_id": "0",
    }
    return render_template("templates/form.html", errors={}, **_form_context(None, defaults))


def _get(template_id: int) -> ListingTemplate:
    template = db.get_or_404(ListingTemplate, template_id, description="No such template.")
    return template


@bp.route("/<int:template_id>", methods=["GET", "POST"])
def edit(template_id: int):
    template = _get(template_id)
    if request.method == "POST":
        return _save(template)
    return render_template(
        "templates/form.html", errors={}, **_form_context(template, _values(template))
    )


@bp.route("/<int:template_id>/apply-rules", methods=["POST"])
def apply_rules(template_id: int):
    template = _get(template_id)
    created = apply_assignment_rules(template)
    db.session.commit()
    flash(f"{created} product(s) assigned by the rules.", "success")
    return redirect_to(url_for("templates.edit", template_id=template.id))


@bp.route("/assign", methods=["POST"])
def assign():
    """Assign products by hand (the catalog grid's selection, or all matching its filter)."""
    from webapp.blueprints.catalog import catalog_grid
    from webapp.models.store import CatalogProduct
    from webapp.services.listings import assign_products

    action = request.form.get("action", "")
    if not action.startswith("assign:") or not action.split(":", 1)[1].isdigit():
        flash("Choose a template to assign to.", "error")
        return redirect_to(url_for("catalog.index"))
    template = _get(int(action.split(":", 1)[1]))
    grid = catalog_grid()
    ids = grid.selected_ids(request.form, request.form.getlist)
    skus = list(db.session.scalars(select(CatalogProduct.sku).where(CatalogProduct.id.in_(ids))))
    created = assign_products(template, skus)
    db.session.commit()
    flash(f"{created} product(s) assigned to '{template.name}'.", "success")
    return redirect_to(request.referrer or url_for("catalog.index"))


@bp.route("/<int:template_id>/upload", methods=["POST"])
def upload_all(template_id: int):
    template = _get(template_id)
    ids = list(
        db.session.scalars(
            select(Listing.id).where(
                Listing.template_id == template.id,
                Listing.state.in_(("not_uploaded", "error", "queued")),
            )
        )
    )
    return start_job("listing_action", {"action": "validate_upload", "ids": ids})
