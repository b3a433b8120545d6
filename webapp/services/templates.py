"""Listing templates: save from the form, the category picker, mapping suggestions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models.accounts import Account
from webapp.models.listings import Listing, ListingTemplate
from webapp.services.accounts import categories, onboarding
from webapp.services.activity import log_activity
from webapp.services.errors import ServiceError
from webapp.services.listings import (
    RULE_FIELDS,
    RULE_OPS,
    fetch_category_schema,
    validate_template_code,
)

INT_FIELDS = ("shipping_lead_time", "package_length", "package_width", "package_height")


def leaf_categories(account_id: int) -> list[dict[str, Any]]:
    """Leaf categories with their full path, for the searchable picker."""
    rows = categories(account_id)
    by_id = {str(c["id"]): c for c in rows}

    def path(category: dict[str, Any]) -> str:
        names, seen = [], set()
        while category is not None and category["id"] not in seen:
            seen.add(category["id"])
            names.append(category.get("name") or str(category["id"]))
            parent = category.get("parent_id")
            category = by_id.get(str(parent)) if parent else None  # type: ignore[assignment]
        return " > ".join(reversed(names))

    return sorted(
        ({"id": str(c["id"]), "path": path(c)} for c in rows if c.get("is_leaf")),
        key=lambda c: c["path"],
    )


def template_choices(account_id: int, kind: str) -> list[tuple[str, str]]:
    row = onboarding(account_id, kind)
    out = []
    for item in (row.payload if row else []) or []:
        value = str(item.get("template_id", item.get("id", "")))
        out.append((value, str(item.get("name") or value)))
    return out


def _int(data: dict[str, Any], name: str) -> int | None:
    raw = str(data.get(name) or "").strip()
    if raw == "":
        return None
    if not raw.isdigit():
        raise ServiceError("Enter a whole number.", name)
    return int(raw)


def _float(data: dict[str, Any], name: str) -> float | None:
    raw = str(data.get(name) or "").strip()
    if raw == "":
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise ServiceError("Enter a number.", name) from exc
    if value < 0:
        raise ServiceError("Cannot be negative.", name)
    return value


def save_template(
    template: ListingTemplate | None, data: dict[str, Any], *, actor: Any = None
) -> ListingTemplate:
    """Create or update from the posted form; a new category fetches its schema."""
    template_id = template.id if template else None
    code = validate_template_code(str(data.get("code") or ""), template_id)
    name = " ".join(str(data.get("name") or "").split())
    if not name:
        raise ServiceError("Enter a name.", "name")
    account_id = _int(data, "account_id")
    account = db.session.get(Account, account_id) if account_id else None
    if account is None:
        raise ServiceError("Choose an AliExpress account.", "account_id")
    if template is None:
        template = ListingTemplate(code=code, name=name, account_id=account.id)
        db.session.add(template)
    elif template.account_id != account.id and _listing_count(template):
        raise ServiceError("The account cannot change while products are assigned.", "account_id")
    template.code, template.name, template.account_id = code, name, account.id
    template.active = str(data.get("active", "1")) in ("1", "on", "true", "y")
    category = str(data.get("category_id") or "").strip()
    if category and "(" in category and category.endswith(")"):
        category = category.rsplit("(", 1)[1].rstrip(")")  # "Path > Leaf (id)" from the picker
    if category and not category.isdigit():
        raise ServiceError("Choose a leaf category from the list.", "category_id")
    changed_category = category != (template.category_id or "")
    if category:
        leaves = {c["id"]: c["path"] for c in leaf_categories(account.id)}
        if leaves and category not in leaves:
            raise ServiceError("Choose a leaf category from the list.", "category_id")
        template.category_id, template.category_name = category, leaves.get(category, category)
    for field in ("image_policy_id", "pricing_policy_id", "inventory_policy_id"):
        setattr(template, field, _int(data, field))
    for field in INT_FIELDS:
        setattr(template, field, _int(data, field))
    template.weight = _float(data, "weight")
    template.weight_attribute = str(data.get("weight_attribute") or "").strip() or None
    for name in ("length", "width", "height"):
        field = f"package_{name}_attribute"
        setattr(template, field, str(data.get(field) or "").strip() or None)
    template.freight_template_id = str(data.get("freight_template_id") or "").strip() or None
    template.service_template_id = str(data.get("service_template_id") or "").strip() or "0"
    template.language = str(data.get("language") or "en").strip() or "en"
    template.title_attribute = str(data.get("title_attribute") or "name").strip() or "name"
    template.description_attribute = (
        str(data.get("description_attribute") or "description").strip() or "description"
    )
    template.extra_languages = data.get("extra_languages") or {}
    template.attribute_mapping = data.get("attribute_mapping") or {}
    template.sku_attribute_mapping = data.get("sku_attribute_mapping") or {}
    rules = []
    for rule in data.get("rules") or []:
        if rule.get("field") not in RULE_FIELDS or rule.get("op") not in RULE_OPS:
            raise ServiceError("Each rule needs a field and a condition.", "rules")
        rules.append(rule)
    template.rules = rules
    db.session.flush()
    if changed_category and category:
        fetch_category_schema(template)
        template.attribute_mapping = {
            k: v
            for k, v in (template.attribute_mapping or {}).items()
            if k in {a["id"] for a in (template.category_schema or {}).get("attributes", [])}
        }
    log_activity(
        "template", "saved", f"Listing template '{template.name}' saved.", obj=template, actor=actor
    )
    return template


def _listing_count(template: ListingTemplate) -> int:
    return int(
        db.session.scalar(
            select(func.count()).select_from(Listing).where(Listing.template_id == template.id)
        )
        or 0
    )


def delete_templates(ids: list[int], *, actor: Any = None) -> tuple[int, list[str]]:
    deleted, refused = 0, []
    for template in db.session.scalars(select(ListingTemplate).where(ListingTemplate.id.in_(ids))):
        live = db.session.scalar(
            select(func.count())
            .select_from(Listing)
            .where(
                Listing.template_id == template.id,
                Listing.state.in_(("live", "queued", "uploading")),
            )
        )
        if live:
            refused.append(
                f"'{template.name}' has {live} product(s) on AliExpress; delete them first."
            )
            continue
        for listing in db.session.scalars(
            select(Listing).where(Listing.template_id == template.id)
        ):
            db.session.delete(listing)
        db.session.delete(template)
        log_activity(
            "template", "deleted", f"Listing template '{template.name}' deleted.", actor=actor
        )
        deleted += 1
    db.session.flush()
    return deleted, refused
