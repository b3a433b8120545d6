"""Listings: templates, assignment, quality, upload, delta sync (reconcile + push), delete.

Delta sync (DESIGN 4.3, M2E Pro's instruction design): *reconcile* reads the catalog rows that
changed since its watermark, computes the AliExpress values through the template's policies,
compares each aspect's fingerprint (content, images, price, quantity) with the one last pushed,
and writes an instruction only for a real change. *push* drains instructions per aspect in full
batches (price and stock: 20 products x 200 SKUs per call), records every call as a feed, marks
permanent item failures on their listing only, and leaves retryable ones for the next run.
Unchanged products cost no AliExpress call at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy import delete, func, select

from webapp.database import utcnow
from webapp.extensions import db
from webapp.integrations.aliexpress import adapters
from webapp.integrations.aliexpress.errors import RETRY_LATER, AliExpressError
from webapp.listings.payload import (
    BuildResult,
    Mapping,
    ProductView,
    TemplateConfig,
    build_payload,
    content_fingerprint,
)
from webapp.listings.schema import CategorySchema, parse_schema
from webapp.models.accounts import Account
from webapp.models.listings import Feed, Instruction, Listing, ListingTemplate
from webapp.models.policies import Policy
from webapp.models.store import CatalogProduct
from webapp.policies import (
    ImageSettings,
    InventorySettings,
    ListingValues,
    MagentoProduct,
    PricingSettings,
    ProductImage,
    ProductStatus,
    ProductVariant,
    SynchronizationSettings,
    Visibility,
    compute_listing_values,
    settings_from_dict,
)
from webapp.services.accounts import require_connected
from webapp.services.activity import log_activity
from webapp.services.aliexpress_app import aliexpress_client
from webapp.services.catalog import get_watermark, set_watermark
from webapp.services.crashpoints import crashpoint
from webapp.services.errors import ServiceError

CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
ASPECTS = ("content", "images", "price", "quantity")
RECONCILE_STREAM = "reconcile"
OVERLAP = timedelta(minutes=2)
MAX_ATTEMPTS = 5
Progress = Callable[[int, int | None], None]


# -- templates ----------------------------------------------------------------------------------


def validate_template_code(code: str, template_id: int | None = None) -> str:
    code = (code or "").strip()
    if not CODE_RE.match(code):
        raise ServiceError("Use letters, digits and underscores, starting with a letter.", "code")
    query = select(ListingTemplate.id).where(func.lower(ListingTemplate.code) == code.lower())
    if template_id is not None:
        query = query.where(ListingTemplate.id != template_id)
    if db.session.scalar(query) is not None:
        raise ServiceError("A template with this code already exists.", "code")
    return code


def fetch_category_schema(template: ListingTemplate) -> CategorySchema:
    """Read the category's attribute schema from AliExpress and keep it on the template."""
    account = db.session.get(Account, template.account_id)
    if account is None or not template.category_id:
        raise ServiceError("Choose an account and a category first.")
    token = require_connected(account)
    try:
        raw = adapters.get_category_schema(aliexpress_client(account), token, template.category_id)
    except AliExpressError as exc:
        raise ServiceError(f"AliExpress did not give the category's attributes: {exc}") from exc
    schema = parse_schema(template.category_id, raw)
    template.category_schema = schema.to_dict()
    db.session.flush()
    return schema


def template_schema(template: ListingTemplate) -> CategorySchema | None:
    if not template.category_schema:
        return None
    return CategorySchema.from_dict(template.category_schema)


def suggest_value_map(options: dict[str, str], magento_labels: Iterable[str]) -> dict[str, str]:
    """Magento option label -> AliExpress value id, where the names match."""
    by_name = {" ".join(name.split()).lower(): value_id for value_id, name in options.items()}
    return {
        label: by_name[" ".join(label.split()).lower()]
        for label in magento_labels
        if " ".join(label.split()).lower() in by_name
    }


def template_config(template: ListingTemplate) -> TemplateConfig:
    return TemplateConfig(
        category_id=template.category_id,
        attribute_mapping={
            k: Mapping.from_dict(v) for k, v in (template.attribute_mapping or {}).items()
        },
        sku_attribute_mapping={
            k: Mapping.from_dict(v) for k, v in (template.sku_attribute_mapping or {}).items()
        },
        language=template.language or "en",
        extra_languages=dict(template.extra_languages or {}),
        title_attribute=template.title_attribute or "name",
        description_attribute=template.description_attribute or "description",
        freight_template_id=template.freight_template_id,
        service_template_id=template.service_template_id or "0",
        shipping_lead_time=template.shipping_lead_time,
        weight=template.weight,
        weight_attribute=template.weight_attribute or None,
        package_length=template.package_length,
        package_width=template.package_width,
        package_height=template.package_height,
        package_attributes={
            name: code
            for name, code in (
                ("length", template.package_length_attribute),
                ("width", template.package_width_attribute),
                ("height", template.package_height_attribute),
            )
            if code
        },
    )


def _policy_settings(policy_id: int | None, type_: str) -> Any:
    policy = db.session.get(Policy, policy_id) if policy_id else None
    if policy is None:
        policy = db.session.scalar(select(Policy).where(Policy.type == type_, Policy.is_default))
    return settings_from_dict(type_, policy.settings if policy else {})


# -- products as the engine and the payload builder see them ------------------------------------


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _engine_item(row: CatalogProduct, cls: type, **extra: Any) -> Any:
    images = tuple(
        ProductImage(
            url=img["url"],
            is_main="image" in (img.get("roles") or []),
            roles=frozenset(img.get("roles") or []),
            file=img.get("file"),
        )
        for img in row.images or []
    )
    sources = {code: Decimal(str(s["quantity"])) for code, s in (row.sources or {}).items()}
    return cls(
        sku=row.sku,
        price=Decimal(str(row.price or 0)),
        special_price=_decimal(row.special_price),
        attributes={code: v.get("value") for code, v in (row.attributes or {}).items()},
        images=images,
        status=ProductStatus.ENABLED if row.status == 1 else ProductStatus.DISABLED,
        manage_stock=row.manage_stock,
        in_stock=row.in_stock,
        qty=_decimal(row.qty),
        source_quantities=sources or None,
        salable_qty=_decimal(row.salable_qty),
        **extra,
    )


def children_of(row: CatalogProduct) -> list[CatalogProduct]:
    if row.type_id != "configurable":
        return []
    return list(
        db.session.scalars(
            select(CatalogProduct)
            .where(
                CatalogProduct.parent_sku == row.sku, CatalogProduct.deleted_in_magento.is_(False)
            )
            .order_by(CatalogProduct.sku)
        )
    )


def engine_product(row: CatalogProduct, children: Sequence[CatalogProduct]) -> MagentoProduct:
    try:
        visibility = Visibility(row.visibility)
    except ValueError:
        visibility = Visibility.CATALOG_SEARCH
    return _engine_item(
        row,
        MagentoProduct,
        type_id=row.type_id,
        visibility=visibility,
        variants=tuple(_engine_item(c, ProductVariant) for c in children),
    )


def product_view(row: CatalogProduct, children: Sequence[CatalogProduct]) -> ProductView:
    def one(r: CatalogProduct, variants: tuple[ProductView, ...] = ()) -> ProductView:
        attributes = dict(r.attributes or {})
        return ProductView(
            sku=r.sku,
            name=r.name,
            type_id=r.type_id,
            description=(attributes.get("description") or {}).get("value"),
            attributes={**attributes, "name": {"value": r.name, "label": r.name}},
            weight=r.weight,
            translations=dict(r.translations or {}),
            variants=variants,
        )

    return one(row, tuple(one(c) for c in children))


@dataclass
class Computation:
    row: CatalogProduct
    children: list[CatalogProduct]
    values: ListingValues
    build: BuildResult

    def fingerprints(self) -> dict[str, str]:
        return {
            "content": content_fingerprint(self.build.payload),
            "images": self.values.images_fingerprint(),
            "price": self.values.price_fingerprint(),
            "quantity": self.values.quantity_fingerprint(),
        }


def compute(listing: Listing, row: CatalogProduct | None = None) -> Computation:
    template = listing.template
    if template is None:
        raise ServiceError(f"Listing {listing.sku} has no template.")
    row = row or db.session.scalar(select(CatalogProduct).where(CatalogProduct.sku == listing.sku))
    if row is None:
        raise ServiceError(f"{listing.sku} is not in the Magento catalog cache.")
    children = children_of(row)
    image: ImageSettings = _policy_settings(template.image_policy_id, "image")
    pricing: PricingSettings = _policy_settings(template.pricing_policy_id, "pricing")
    inventory: InventorySettings = _policy_settings(template.inventory_policy_id, "inventory")
    values = compute_listing_values(engine_product(row, children), image, pricing, inventory)
    build = build_payload(
        product_view(row, children), values, template_config(template), template_schema(template)
    )
    return Computation(row, children, values, build)


def _summarize(listing: Listing, computation: Computation) -> None:
    values = computation.values
    listing.name = computation.row.name[:255]
    listing.magento_price = computation.row.price
    listing.magento_qty = computation.row.qty
    listing.thumbnail = values.images.urls[0] if values.images.urls else None
    listing.issues = [i.to_dict() for i in computation.build.issues]


def _attribute_fingerprint(computation: Computation, codes: Iterable[str]) -> str:
    """The values of the given Magento attributes on the product and its children."""
    import hashlib
    import json

    wanted = sorted(set(codes))
    values = [
        [row.sku, [(row.attributes or {}).get(code, {}).get("value") for code in wanted]]
        for row in [computation.row, *computation.children]
    ]
    return hashlib.sha256(json.dumps(values, default=str).encode()).hexdigest()


def _mark_pushed(listing: Listing, computation: Computation, aspects: Iterable[str]) -> None:
    prints = dict(listing.fingerprints or {})
    current = computation.fingerprints()
    if "content" in aspects:
        chosen = sync_settings(listing.account).specific_attributes if listing.account else ()
        prints["specific"] = _attribute_fingerprint(computation, chosen)
    pushed = dict(listing.pushed or {})
    for aspect in aspects:
        prints[aspect] = current[aspect]
        if aspect == "price":
            pushed["price"] = {v.sku: format(v.price, "f") for v in computation.values.skus}
            listing.ae_price = float(min((v.price for v in computation.values.skus), default=0))
        if aspect == "quantity":
            pushed["quantity"] = {v.sku: v.quantity for v in computation.values.skus}
            listing.ae_qty = sum(v.quantity for v in computation.values.skus)
    listing.fingerprints = prints
    listing.pushed = pushed
    listing.last_synced_at = utcnow()


# -- assignment ---------------------------------------------------------------------------------

RULE_FIELDS = {
    "attribute_set_id": "Attribute set",
    "category_id": "Category",
    "type_id": "Product type",
    "sku": "SKU pattern (* wildcard)",
    "price": "Price",
    "qty": "Quantity",
    "attribute": "Attribute (code=value)",
}
RULE_OPS = {"eq": "is", "neq": "is not", "gteq": "at least", "lteq": "at most", "like": "matches"}


def _rule_matches(row: CatalogProduct, rule: dict[str, Any]) -> bool:
    field, op, value = rule.get("field"), rule.get("op", "eq"), str(rule.get("value", "")).strip()
    if field == "category_id":
        hit = value.isdigit() and int(value) in (row.category_ids or [])
        return hit if op != "neq" else not hit
    if field == "attribute":
        code, _, wanted = value.partition("=")
        entry = (row.attributes or {}).get(code.strip()) or {}
        names = {str(entry.get("value")), str(entry.get("label"))}
        hit = wanted.strip() in names
        return hit if op != "neq" else not hit
    if field == "sku":
        pattern = "^" + re.escape(value).replace(r"\*", ".*") + "$"
        hit = re.match(pattern, row.sku, re.IGNORECASE) is not None
        return hit if op != "neq" else not hit
    actual = getattr(row, str(field), None)
    if field in ("price", "qty", "attribute_set_id"):
        try:
            number, wanted_number = float(actual or 0), float(value)
        except ValueError:
            return False
        return {
            "eq": number == wanted_number,
            "neq": number != wanted_number,
            "gteq": number >= wanted_number,
            "lteq": number <= wanted_number,
        }.get(op, False)
    hit = str(actual) == value
    return hit if op != "neq" else not hit


def matching_skus(rules: list[dict[str, Any]]) -> list[str]:
    """Top-level products (no configurable children) matching every rule."""
    if not rules:
        return []
    query = select(CatalogProduct).where(
        CatalogProduct.parent_sku.is_(None), CatalogProduct.deleted_in_magento.is_(False)
    )
    return [
        row.sku
        for row in db.session.scalars(query.execution_options(yield_per=1000))
        if all(_rule_matches(row, rule) for rule in rules)
    ]


def assign_products(template: ListingTemplate, skus: Iterable[str], *, by: str = "manual") -> int:
    """Create listings for these Magento products on the template's account (once each)."""
    wanted = list(dict.fromkeys(skus))
    rows = {
        r.sku: r
        for r in db.session.scalars(select(CatalogProduct).where(CatalogProduct.sku.in_(wanted)))
    }
    existing = {
        listing.sku: listing
        for listing in db.session.scalars(
            select(Listing).where(
                Listing.account_id == template.account_id, Listing.sku.in_(wanted)
            )
        )
    }
    created = 0
    for sku in wanted:
        row = rows.get(sku)
        if row is None or row.parent_sku:
            continue  # unknown, or a child of a configurable: the parent is listed
        listing = existing.get(sku)
        if listing is None:
            db.session.add(
                Listing(
                    account_id=template.account_id,
                    template_id=template.id,
                    sku=sku,
                    name=row.name[:255],
                    assigned_by=by,
                    state="not_uploaded",
                    magento_price=row.price,
                    magento_qty=row.qty,
                )
            )
            created += 1
        elif listing.template_id is None and listing.state != "unmanaged":
            listing.template_id = template.id
    db.session.flush()
    return created


def apply_assignment_rules(template: ListingTemplate) -> int:
    return assign_products(template, matching_skus(template.rules or []), by="rule")


# -- quality ------------------------------------------------------------------------------------


def validate_listing(listing: Listing) -> Computation | None:
    try:
        computation = compute(listing)
    except ServiceError as exc:
        listing.issues = [
            {
                "level": "mandatory",
                "code": "no_product",
                "message": exc.message,
                "field": "products",
                "sku": listing.sku,
            }
        ]
        return None
    _summarize(listing, computation)
    return computation


def quality_report(listings: Iterable[Listing]) -> dict[str, dict[str, Any]]:
    """Issues grouped by code: level, message example, template field, affected listings."""
    report: dict[str, dict[str, Any]] = {}
    for listing in listings:
        for issue in listing.issues or []:
            entry = report.setdefault(
                issue["code"],
                {
                    "level": issue["level"],
                    "message": issue["message"],
                    "field": issue.get("field"),
                    "listings": [],
                    "template_id": listing.template_id,
                },
            )
            if listing.id not in [l_.id for l_ in entry["listings"]]:
                entry["listings"].append(listing)
    order = {"mandatory": 0, "recommended": 1, "optional": 2}
    return dict(sorted(report.items(), key=lambda kv: (order.get(kv[1]["level"], 3), kv[0])))


# -- feeds --------------------------------------------------------------------------------------


def record_feed(
    account: Account,
    operation: str,
    method: str,
    *,
    items: int,
    request: Any = None,
    response: Any = None,
    results: list[dict[str, Any]] | None = None,
    error: str | None = None,
) -> Feed | None:
    if not sync_settings(account).feed_log:
        return None
    results = results or []
    failures = sum(1 for r in results if not r.get("success"))
    feed = Feed(
        account_id=account.id,
        operation=operation,
        api_method=method,
        item_count=items,
        status="failed" if error else "finished",
        success_count=len(results) - failures,
        failure_count=failures if not error else items,
        results=results,
        request=request,
        response=response,
        error=error,
        finished_at=utcnow(),
    )
    db.session.add(feed)
    db.session.flush()
    return feed


def sync_settings(account: Account) -> SynchronizationSettings:
    """The account's synchronization policy, or the defaults when none is assigned."""
    policy = db.session.get(Policy, account.sync_policy_id) if account.sync_policy_id else None
    settings = settings_from_dict("synchronization", policy.settings if policy else {})
    assert isinstance(settings, SynchronizationSettings)
    return settings


def _log(
    account: Account, subtype: str, comment: str, *, level: str = "info", obj: Any = None
) -> None:
    if level == "info" and not sync_settings(account).activity_log:
        return
    log_activity("listing", subtype, comment, level=level, obj=obj)


# -- upload, update, delete ---------------------------------------------------------------------


def upload_listing(listing: Listing) -> bool:
    """Validate, then post the product; a mandatory problem refuses the upload (nothing sent)."""
    account = listing.account
    computation = validate_listing(listing)
    if computation is None or computation.build.blocked:
        listing.state = "error" if listing.state != "live" else listing.state
        listing.last_error = "Upload refused: " + "; ".join(
            i["message"] for i in listing.issues if i["level"] == "mandatory"
        )
        return False
    if listing.ae_product_id:
        return update_listing(listing, computation)
    token = require_connected(account)
    payload = computation.build.payload
    feed = partial(
        record_feed,
        account,
        "PRODUCT_CREATE",
        "aliexpress.solution.product.post",
        items=1,
        request=payload,
    )
    listing.state = "uploading"
    db.session.flush()
    try:
        product_id = adapters.post_product(aliexpress_client(account), token, payload)
    except RETRY_LATER as exc:
        listing.state, listing.last_error = "queued", f"Will retry: {exc}"
        feed(
            error=str(exc),
        )
        return False
    except AliExpressError as exc:
        listing.state, listing.last_error = "error", f"AliExpress refused the product: {exc}"
        feed(
            error=str(exc),
            results=[{"sku": listing.sku, "success": False, "message": str(exc)}],
        )
        _log(account, "upload", f"{listing.sku}: {listing.last_error}", level="error", obj=listing)
        return False
    listing.ae_product_id = str(product_id)
    listing.state, listing.last_error = "live", None
    _mark_pushed(listing, computation, ASPECTS)
    feed(
        response={"product_id": product_id},
        results=[{"sku": listing.sku, "success": True, "product_id": product_id}],
    )
    _log(
        account,
        "upload",
        f"{listing.sku} uploaded as AliExpress product {product_id}.",
        obj=listing,
    )
    db.session.execute(delete(Instruction).where(Instruction.listing_id == listing.id))
    return True


def update_listing(listing: Listing, computation: Computation | None = None) -> bool:
    """Full product edit (content and images), then price and stock through the batch calls."""
    account = listing.account
    computation = computation or validate_listing(listing)
    if computation is None or computation.build.blocked or not listing.ae_product_id:
        return False
    token = require_connected(account)
    payload = {**computation.build.payload, "product_id": int(listing.ae_product_id)}
    try:
        adapters.edit_product(aliexpress_client(account), token, payload)
    except AliExpressError as exc:
        permanent = not isinstance(exc, RETRY_LATER)
        listing.last_error = f"Update failed: {exc}"
        if permanent:
            listing.state = "error"
        record_feed(
            account,
            "PRODUCT_FULL_UPDATE",
            "aliexpress.solution.product.edit",
            items=1,
            request=payload,
            error=str(exc),
        )
        return False
    listing.state, listing.last_error = "live", None
    _mark_pushed(listing, computation, ASPECTS)
    record_feed(
        account,
        "PRODUCT_FULL_UPDATE",
        "aliexpress.solution.product.edit",
        items=1,
        request=payload,
        results=[{"sku": listing.sku, "success": True}],
    )
    db.session.execute(delete(Instruction).where(Instruction.listing_id == listing.id))
    return True


def delete_listings(listings: Sequence[Listing]) -> int:
    by_account: dict[int, list[Listing]] = {}
    for listing in listings:
        if listing.ae_product_id and listing.state not in ("deleted", "unmanaged"):
            by_account.setdefault(listing.account_id, []).append(listing)
        elif listing.state == "not_uploaded":
            db.session.delete(listing)
    deleted = 0
    for group in by_account.values():
        account = group[0].account
        token = require_connected(account)
        ids = [str(lst.ae_product_id) for lst in group]
        try:
            adapters.delete_products(aliexpress_client(account), token, ids)
        except AliExpressError as exc:
            record_feed(
                account,
                "PRODUCT_DELETE",
                "aliexpress.solution.batch.product.delete",
                items=len(ids),
                request={"product_ids": ids},
                error=str(exc),
            )
            raise ServiceError(f"AliExpress did not delete the products: {exc}") from exc
        for listing in group:
            listing.state, listing.fingerprints, listing.pushed = "deleted", {}, {}
            db.session.execute(delete(Instruction).where(Instruction.listing_id == listing.id))
            deleted += 1
        record_feed(
            account,
            "PRODUCT_DELETE",
            "aliexpress.solution.batch.product.delete",
            items=len(ids),
            request={"product_ids": ids},
            results=[{"product_id": i, "success": True} for i in ids],
        )
    db.session.flush()
    return deleted


# -- existing listings --------------------------------------------------------------------------


def match_existing(account: Account) -> dict[str, int]:
    """Read the account's AliExpress products and match them to Magento by SKU.

    Both -> linked (kept in sync from now on); AliExpress only -> shown as unmanaged and never
    touched; Magento only -> created on upload."""
    token = require_connected(account)
    client = aliexpress_client(account)
    magento_skus = set(db.session.scalars(select(CatalogProduct.sku)))
    parents: dict[str, str | None] = dict(
        db.session.execute(  # type: ignore[arg-type]
            select(CatalogProduct.sku, CatalogProduct.parent_sku).where(
                CatalogProduct.parent_sku.is_not(None)
            )
        ).all()
    )
    listings = {
        lst.sku: lst
        for lst in db.session.scalars(select(Listing).where(Listing.account_id == account.id))
    }
    linked = unmanaged = 0
    for summary in adapters.iter_products(client, token):
        product_id = str(summary.get("product_id"))
        detail = adapters.get_product(client, token, product_id)
        codes = [str(s.get("sku_code")) for s in detail.get("skus", []) if s.get("sku_code")]
        top = next((parents.get(c, c) for c in codes if c in magento_skus or c in parents), None)
        if top is not None:
            listing = listings.get(top)
            if listing is None:
                listing = Listing(account_id=account.id, sku=top, assigned_by="match", state="live")
                db.session.add(listing)
                listings[top] = listing
            if listing.ae_product_id != product_id or listing.state in ("not_uploaded", "error"):
                listing.ae_product_id, listing.state = product_id, "live"
                listing.fingerprints = {}  # unknown: the next reconcile pushes current values
                listing.last_synced_at = None
                linked += 1
        else:
            key = codes[0] if codes else f"AE-{product_id}"
            listing = listings.get(key)
            if listing is None:
                subject = detail.get("subject") or ""
                listing = Listing(
                    account_id=account.id,
                    sku=key[:64],
                    ae_product_id=product_id,
                    state="unmanaged",
                    assigned_by="match",
                    name=str(subject)[:255],
                )
                db.session.add(listing)
                listings[key] = listing
                unmanaged += 1
    db.session.flush()
    return {"linked": linked, "unmanaged": unmanaged}


# -- delta sync ---------------------------------------------------------------------------------


def _want(listing: Listing, aspect: str, reason: str, priority: int = 10) -> bool:
    existing = db.session.scalar(
        select(Instruction).where(
            Instruction.listing_id == listing.id, Instruction.aspect == aspect
        )
    )
    if existing is None:
        db.session.add(
            Instruction(
                listing_id=listing.id, aspect=aspect, reason=reason[:255], priority=priority
            )
        )
        return True
    existing.reason, existing.priority = reason[:255], min(priority, existing.priority)
    return False


RECONCILE_CHUNK = 500
RESENT_REASON = "Confirm: an earlier request timed out and may still land"


def sold_on_aliexpress(account: Account, product_ids: Iterable[str]) -> int:
    """A buyer order lowered the stock on AliExpress by itself: push the quantity again (the
    fingerprint of what we pushed no longer describes AliExpress). Returns the listings."""
    ids = sorted({str(p) for p in product_ids if p})
    if not ids:
        return 0
    count = 0
    for listing in db.session.scalars(
        select(Listing).where(Listing.account_id == account.id, Listing.ae_product_id.in_(ids))
    ):
        count += 1
        _want(listing, "quantity", "sold on AliExpress", 5)
    return count


def _reconcile_one(listing: Listing, sync: SynchronizationSettings, counts: dict[str, int]) -> None:
    """One listing of :func:`reconcile`: instructions for each aspect that changed."""
    counts["checked"] += 1
    row = db.session.scalar(select(CatalogProduct).where(CatalogProduct.sku == listing.sku))
    if row is None or row.deleted_in_magento:
        # Never silently orphaned: take it offline (stock 0) and say why.
        listing.last_error = "Deleted in Magento: stock set to 0 on AliExpress."
        listing.state = "error"
        if (listing.pushed or {}).get("quantity") and any(
            (listing.pushed or {})["quantity"].values()
        ):
            counts["instructions"] += _want(listing, "quantity", "deleted in Magento", 1)
        return
    if (
        row.visibility == 1
        and not sync.sync_not_visible_individually
        and row.type_id != "configurable"
    ):
        return
    try:
        computation = compute(listing, row)
    except ServiceError as exc:
        listing.last_error = exc.message
        return
    _summarize(listing, computation)
    current = computation.fingerprints()
    stored = listing.fingerprints or {}
    wrote = False
    for aspect in ASPECTS:
        if stored.get(aspect) == current[aspect]:
            continue
        if aspect in ("content", "images") and not sync.product_update.enabled:
            continue
        if aspect in ("price", "quantity") and not sync.inventory_price_sync.enabled:
            continue
        if aspect == "content" and sync.only_specific_attributes and stored.get(aspect):
            # Only the chosen attributes trigger a product update (seed 004's example).
            chosen = _attribute_fingerprint(computation, sync.specific_attributes)
            if stored.get("specific") == chosen:
                continue
        counts["instructions"] += _want(listing, aspect, "changed in Magento")
        wrote = True
    if not wrote:
        counts["unchanged"] += 1


def reconcile(
    account: Account, *, full: bool = False, progress: Progress | None = None
) -> dict[str, int]:
    """Write instructions for listings whose computed values differ from what was pushed."""
    sync = sync_settings(account)
    started = utcnow()
    since = None if full else get_watermark(RECONCILE_STREAM, account.id)
    query = select(Listing).where(
        Listing.account_id == account.id,
        Listing.state.in_(("live", "error")),
        Listing.ae_product_id.is_not(None),
        Listing.template_id.is_not(None),
    )
    if since is not None:
        changed = select(CatalogProduct.sku).where(CatalogProduct.synced_at >= since - OVERLAP)
        changed_parents = select(CatalogProduct.parent_sku).where(
            CatalogProduct.synced_at >= since - OVERLAP, CatalogProduct.parent_sku.is_not(None)
        )
        query = query.where(
            Listing.sku.in_(changed)
            | Listing.sku.in_(changed_parents)
            | Listing.last_synced_at.is_(None)  # linked listings never pushed yet
        )
    counts = {"checked": 0, "instructions": 0, "unchanged": 0}
    # Ids first, then the listings in chunks released after each one: memory stays bounded
    # by the chunk, not the catalog.
    ids = list(db.session.scalars(query.with_only_columns(Listing.id).order_by(Listing.id)))
    held = set(db.session.identity_map.keys())  # the caller's objects stay in the session
    index = 0
    for first in range(0, len(ids), RECONCILE_CHUNK):
        chunk = db.session.scalars(
            select(Listing)
            .where(Listing.id.in_(ids[first : first + RECONCILE_CHUNK]))
            .order_by(Listing.id)
        ).all()
        for listing in chunk:
            index += 1
            _reconcile_one(listing, sync, counts)
            if progress and index % 200 == 0:
                progress(index, len(ids))
        db.session.flush()
        for key, obj in list(db.session.identity_map.items()):  # type: ignore[attr-defined]
            if key not in held and isinstance(obj, (Listing, CatalogProduct, Instruction)):
                db.session.expunge(obj)
    set_watermark(RECONCILE_STREAM, started, account.id)
    db.session.flush()
    return counts


def _batch_aspect(account: Account, aspect: str, instructions: list[Instruction]) -> dict[str, int]:
    """Push one aspect for many listings in full batches; one feed per call."""
    token = require_connected(account)
    client = aliexpress_client(account)
    operation, method = (
        ("PRODUCT_PRICES_UPDATE", "aliexpress.solution.batch.product.price.update")
        if aspect == "price"
        else ("PRODUCT_STOCKS_UPDATE", "aliexpress.solution.batch.product.inventory.update")
    )
    counts = {"pushed": 0, "failed": 0, "calls": 0, "retry": 0}
    # A request we stopped waiting for may still be applied by the platform: twice our timeout
    # is past the time it can land, so nothing is written to its listings before that.
    settle = 2 * client.settings.timeout
    prepared: list[tuple[Instruction, Listing, Computation | None]] = []
    for instruction in instructions:
        listing = db.session.get(Listing, instruction.listing_id)
        if listing is None or not listing.ae_product_id:
            db.session.delete(instruction)
            continue
        row = db.session.scalar(select(CatalogProduct).where(CatalogProduct.sku == listing.sku))
        computation = None
        if row is not None and not row.deleted_in_magento:
            try:
                computation = compute(listing, row)
            except ServiceError:
                computation = None
        prepared.append((instruction, listing, computation))
    for start in range(0, len(prepared), adapters.MAX_BATCH_UPDATE_PRODUCTS):
        group = prepared[start : start + adapters.MAX_BATCH_UPDATE_PRODUCTS]
        updates = []
        for _instruction, listing, computation in group:
            if aspect == "price" and computation is not None:
                skus: list[Any] = [
                    adapters.SkuPrice(
                        v.sku,
                        format(v.price, "f"),
                        format(v.discount_price, "f") if v.discount_price else None,
                    )
                    for v in computation.values.skus
                ]
            elif aspect == "quantity":
                if computation is None:  # deleted in Magento: offline
                    skus = [
                        adapters.SkuStock(sku, 0)
                        for sku in (listing.pushed or {}).get("quantity", {})
                    ]
                else:
                    skus = [adapters.SkuStock(v.sku, v.quantity) for v in computation.values.skus]
            else:
                skus = []
            if skus:
                updates.append(adapters.ProductUpdate(str(listing.ae_product_id), skus))
        if not updates:
            for instruction, _, _ in group:
                db.session.delete(instruction)
            continue
        request = [
            {"product_id": u.product_id, "skus": [s.__dict__ for s in u.skus]} for u in updates
        ]
        try:
            result = (adapters.update_prices if aspect == "price" else adapters.update_stocks)(
                client, str(account.access_token or token), updates
            )
        except RETRY_LATER as exc:
            for instruction, _, _ in group:
                instruction.attempts += 1
                wait = max(30.0 * instruction.attempts, settle)
                instruction.not_before = utcnow() + timedelta(seconds=wait)
            counts["retry"] += len(group)
            record_feed(
                account, operation, method, items=len(updates), request=request, error=str(exc)
            )
            continue
        except AliExpressError as exc:
            for instruction, listing, _ in group:
                listing.state, listing.last_error = "error", f"{aspect} update refused: {exc}"
                db.session.delete(instruction)
            counts["failed"] += len(group)
            record_feed(
                account, operation, method, items=len(updates), request=request, error=str(exc)
            )
            continue
        crashpoint("push_sent")
        counts["calls"] += result.calls
        failed = {f.product_id: f for f in result.failed}
        results = []
        for instruction, listing, computation in group:
            failure = failed.get(str(listing.ae_product_id))
            if failure is not None:
                listing.state = "error"
                listing.last_error = (
                    f"{aspect} update refused: {failure.error_code} {failure.error_message}"
                )
                counts["failed"] += 1
                results.append(
                    {
                        "sku": listing.sku,
                        "product_id": listing.ae_product_id,
                        "success": False,
                        "message": listing.last_error,
                    }
                )
                _log(
                    account,
                    aspect,
                    f"{listing.sku}: {listing.last_error}",
                    level="error",
                    obj=listing,
                )
            else:
                if computation is not None:
                    _mark_pushed(listing, computation, [aspect])
                    if (
                        listing.state == "error"
                        and not listing.blocked
                        and not (listing.last_error or "").startswith("Deleted")
                    ):
                        listing.state, listing.last_error = "live", None
                else:
                    listing.pushed = {**(listing.pushed or {}), "quantity": {}}
                    listing.ae_qty = 0
                counts["pushed"] += 1
                results.append(
                    {"sku": listing.sku, "product_id": listing.ae_product_id, "success": True}
                )
                if result.resent:
                    # An earlier copy of this call may still land with older values: write the
                    # current ones once more when it surely has.
                    instruction.attempts, instruction.reason = 0, RESENT_REASON
                    instruction.not_before = utcnow() + timedelta(seconds=settle)
                    continue
            db.session.delete(instruction)
        record_feed(
            account,
            operation,
            method,
            items=len(updates),
            request=request,
            response={"calls": result.calls},
            results=results,
        )
    db.session.flush()
    return counts


def push(
    account: Account, *, aspects: Sequence[str] = ASPECTS, progress: Progress | None = None
) -> dict[str, int]:
    """Drain the account's instructions: price and stock in batches, content and images by edit."""
    now = utcnow()
    totals = {"pushed": 0, "failed": 0, "calls": 0, "retry": 0}
    for aspect in ("price", "quantity"):
        if aspect not in aspects:
            continue
        instructions = db.session.scalars(
            select(Instruction)
            .join(Listing, Listing.id == Instruction.listing_id)
            .where(Listing.account_id == account.id, Instruction.aspect == aspect)
            .where((Instruction.not_before.is_(None)) | (Instruction.not_before <= now))
            .order_by(Instruction.priority, Instruction.id)
        ).all()
        if instructions:
            for key, value in _batch_aspect(account, aspect, list(instructions)).items():
                totals[key] += value
    edits = db.session.scalars(
        select(Instruction)
        .join(Listing, Listing.id == Instruction.listing_id)
        .where(Listing.account_id == account.id, Instruction.aspect.in_(("content", "images")))
        .where((Instruction.not_before.is_(None)) | (Instruction.not_before <= now))
    ).all()
    if any(a in aspects for a in ("content", "images")):
        done: set[int] = set()
        for instruction in edits:
            if instruction.listing_id in done:
                continue
            listing = db.session.get(Listing, instruction.listing_id)
            done.add(instruction.listing_id)
            if listing is not None and update_listing(listing):
                totals["pushed"] += 1
                totals["calls"] += 1
            elif listing is not None:
                totals["failed"] += 1
    db.session.flush()
    return totals


def pending_instructions(account_id: int | None = None) -> int:
    query = select(func.count()).select_from(Instruction)
    if account_id is not None:
        query = query.join(Listing, Listing.id == Instruction.listing_id).where(
            Listing.account_id == account_id
        )
    return int(db.session.scalar(query) or 0)


def listed_skus() -> list[str]:
    """Magento SKUs (parents and their children) behind live listings."""
    parents = list(
        db.session.scalars(
            select(Listing.sku)
            .where(Listing.state.in_(("live", "error")), Listing.ae_product_id.is_not(None))
            .distinct()
        )
    )
    if not parents:
        return []
    children = db.session.scalars(
        select(CatalogProduct.sku).where(CatalogProduct.parent_sku.in_(parents))
    )
    return sorted({*parents, *children})
