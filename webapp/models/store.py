from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.database import UTCDateTime, utcnow
from webapp.extensions import db
from webapp.security.crypto import EncryptedText


class Store(db.Model):
    """The Magento store (one per install, as the manuals have it) and its cached structure."""

    __tablename__ = "stores"

    id: Mapped[int] = mapped_column(primary_key=True)
    base_url: Mapped[str] = mapped_column(String(500))
    auth_mode: Mapped[str] = mapped_column(String(16), default="oauth1")  # oauth1 | bearer
    consumer_key: Mapped[str | None] = mapped_column(String(255))
    consumer_secret: Mapped[str | None] = mapped_column(EncryptedText())
    access_token: Mapped[str | None] = mapped_column(EncryptedText())
    access_token_secret: Mapped[str | None] = mapped_column(EncryptedText())
    bearer_token: Mapped[str | None] = mapped_column(EncryptedText())
    default_store_code: Mapped[str] = mapped_column(String(64), default="default")
    website_code: Mapped[str] = mapped_column(String(64), default="base")
    status: Mapped[str] = mapped_column(String(16), default="untested")  # connected | error
    last_error: Mapped[str | None] = mapped_column(Text)
    last_tested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    magento_version: Mapped[str | None] = mapped_column(String(64))
    product_count: Mapped[int | None] = mapped_column(Integer)
    base_currency: Mapped[str | None] = mapped_column(String(8))
    base_media_url: Mapped[str | None] = mapped_column(String(500))
    #: cached structure: store_views, websites, store_configs, attribute_sets, attributes,
    #: categories, sources
    cache: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    cache_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def store_views(self) -> list[dict[str, Any]]:
        return [v for v in (self.cache or {}).get("store_views", []) if v.get("id") != 0]


class CatalogProduct(db.Model):
    """Local cache of the Magento catalog, kept fresh by the import and stock-scan jobs."""

    __tablename__ = "catalog_products"
    __table_args__ = (
        Index("ix_catalog_products_type_status", "type_id", "status"),
        Index("ix_catalog_products_parent", "parent_sku"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    entity_id: Mapped[int | None] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(255), default="", index=True)
    type_id: Mapped[str] = mapped_column(String(32), default="simple")
    attribute_set_id: Mapped[int | None] = mapped_column(Integer, index=True)
    price: Mapped[float | None] = mapped_column(Float, index=True)
    special_price: Mapped[float | None] = mapped_column(Float)
    qty: Mapped[float | None] = mapped_column(Float, index=True)
    salable_qty: Mapped[float | None] = mapped_column(Float)
    in_stock: Mapped[bool] = mapped_column(Boolean, default=True)
    manage_stock: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[int] = mapped_column(Integer, default=1, index=True)  # 1 enabled, 2 disabled
    visibility: Mapped[int] = mapped_column(Integer, default=4, index=True)
    weight: Mapped[float | None] = mapped_column(Float)
    category_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    parent_sku: Mapped[str | None] = mapped_column(String(64))
    #: configurable parents: axis attribute codes and child entity ids
    configurable_attributes: Mapped[list[str]] = mapped_column(JSON, default=list)
    child_entity_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    #: {code: {"value": raw, "label": text}}
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: [{"url", "file", "label", "position", "roles"}] with full URLs
    images: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: {source_code: {"quantity": q, "in_stock": bool}}
    sources: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: per store view: {code: {"name": ..., "description": ...}}
    translations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    magento_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    deleted_in_magento: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def enabled(self) -> bool:
        return self.status == 1

    TYPE_CHOICES = (
        ("simple", "Simple"),
        ("configurable", "Configurable"),
        ("virtual", "Virtual"),
        ("bundle", "Bundle"),
        ("grouped", "Grouped"),
        ("downloadable", "Downloadable"),
    )
    VISIBILITY_CHOICES = (
        ("1", "Not Visible Individually"),
        ("2", "Catalog"),
        ("3", "Search"),
        ("4", "Catalog, Search"),
    )
