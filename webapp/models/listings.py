from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.database import UTCDateTime, utcnow
from webapp.extensions import db
from webapp.models.accounts import Account


class ListingTemplate(db.Model):
    """The manuals' "profile": category, attribute mapping, policies, shipping, assignment."""

    __tablename__ = "listing_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    category_id: Mapped[str | None] = mapped_column(String(32))
    category_name: Mapped[str | None] = mapped_column(String(255))
    #: the parsed category schema (webapp.listings.schema.CategorySchema.to_dict())
    category_schema: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    attribute_mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sku_attribute_mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    image_policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"))
    pricing_policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"))
    inventory_policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"))
    freight_template_id: Mapped[str | None] = mapped_column(String(32))
    service_template_id: Mapped[str | None] = mapped_column(String(32))
    shipping_lead_time: Mapped[int | None] = mapped_column(Integer, default=3)
    weight: Mapped[float | None] = mapped_column(Float)
    weight_attribute: Mapped[str | None] = mapped_column(String(64), default="weight")
    package_length: Mapped[int | None] = mapped_column(Integer)
    package_width: Mapped[int | None] = mapped_column(Integer)
    package_height: Mapped[int | None] = mapped_column(Integer)
    #: Magento attributes holding the package dimensions (cm); the static numbers are fallbacks
    package_length_attribute: Mapped[str | None] = mapped_column(String(64))
    package_width_attribute: Mapped[str | None] = mapped_column(String(64))
    package_height_attribute: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="en")
    #: language -> Magento store view code, for translated titles and descriptions
    extra_languages: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    title_attribute: Mapped[str] = mapped_column(String(64), default="name")
    description_attribute: Mapped[str] = mapped_column(String(64), default="description")
    #: product assignment rules: [{"field", "op", "value"}], all must match
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    account: Mapped[Account] = relationship()


class Listing(db.Model):
    """One Magento product (a configurable with its children, or a simple) on one account."""

    __tablename__ = "listings"
    __table_args__ = (
        UniqueConstraint("account_id", "sku"),
        Index("ix_listings_account_state", "account_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    template_id: Mapped[int | None] = mapped_column(ForeignKey("listing_templates.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255), default="", index=True)
    ae_product_id: Mapped[str | None] = mapped_column(String(32), index=True)
    #: not_uploaded | queued | uploading | live | error | deleted | unmanaged
    state: Mapped[str] = mapped_column(String(16), default="not_uploaded", index=True)
    assigned_by: Mapped[str] = mapped_column(String(16), default="manual")  # manual|rule|match
    #: last pushed fingerprint per aspect: content, images, price, quantity
    fingerprints: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: values on AliExpress as last pushed: {"price": {sku: p}, "quantity": {sku: q}}
    pushed: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    magento_price: Mapped[float | None] = mapped_column(Float)
    magento_qty: Mapped[float | None] = mapped_column(Float)
    ae_price: Mapped[float | None] = mapped_column(Float)
    ae_qty: Mapped[int | None] = mapped_column(Integer)
    thumbnail: Mapped[str | None] = mapped_column(Text)
    issues: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    template: Mapped[ListingTemplate | None] = relationship()
    account: Mapped[Account] = relationship()

    STATES = (
        ("not_uploaded", "Not uploaded"),
        ("queued", "Queued"),
        ("uploading", "Uploading"),
        ("live", "Live"),
        ("error", "Error"),
        ("deleted", "Deleted"),
        ("unmanaged", "Unmanaged"),
    )

    @property
    def state_label(self) -> str:
        return dict(self.STATES).get(self.state, self.state)

    @property
    def blocked(self) -> bool:
        return any(i.get("level") == "mandatory" for i in self.issues or [])


class Instruction(db.Model):
    """A pending change of one aspect of a listing; reconcile writes, push drains (M2E Pro)."""

    __tablename__ = "instructions"
    __table_args__ = (UniqueConstraint("listing_id", "aspect"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    aspect: Mapped[str] = mapped_column(String(16))  # content | images | price | quantity
    reason: Mapped[str] = mapped_column(String(255), default="")
    priority: Mapped[int] = mapped_column(Integer, default=10)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class Feed(db.Model):
    """One submission to AliExpress: a batch update, an upload, a delete or an async feed."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    operation: Mapped[str] = mapped_column(String(32), index=True)
    api_method: Mapped[str] = mapped_column(String(128), default="")
    job_id: Mapped[str | None] = mapped_column(String(64))
    #: submitted | processing | finished | failed | timeout
    status: Mapped[str] = mapped_column(String(16), default="submitted", index=True)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    success_count: Mapped[int] = mapped_column(Integer, default=0)
    failure_count: Mapped[int] = mapped_column(Integer, default=0)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    request: Mapped[Any] = mapped_column(JSON, nullable=True)
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    OPERATIONS = (
        ("PRODUCT_CREATE", "Product create"),
        ("PRODUCT_FULL_UPDATE", "Product update"),
        ("PRODUCT_STOCKS_UPDATE", "Stock update"),
        ("PRODUCT_PRICES_UPDATE", "Price update"),
        ("PRODUCT_DELETE", "Product delete"),
    )
    STATUSES = (
        ("submitted", "Submitted"),
        ("processing", "Processing"),
        ("finished", "Finished"),
        ("failed", "Failed"),
        ("timeout", "Timed out"),
    )
