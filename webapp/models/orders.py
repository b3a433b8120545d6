"""AliExpress orders and what became of them in Magento.

An AliExpress order is unique per account (``account_id, ae_order_id``). The Magento side is
found again by the cart (quote) id stored here *before* the order is placed: Magento keeps
``quote_id`` on the order, so a crash between "placed in Magento" and "recorded here" is repaired
by looking the order up by that id instead of placing a second one.
"""

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


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("account_id", "ae_order_id"),
        Index("ix_orders_state_account", "import_state", "account_id"),
    )

    #: waiting: the AliExpress status has not reached the policy's "create order when" yet;
    #: pending: to be created in Magento; creating: a cart exists (its id is stored);
    #: imported: the Magento order exists; failed: see ``failure_reason``; ignored: by a user;
    #: not_created: the policy does not create Magento orders
    STATES = (
        ("waiting", "Waiting for status"),
        ("pending", "Pending"),
        ("creating", "Creating"),
        ("imported", "Imported"),
        ("failed", "Failed"),
        ("ignored", "Ignored"),
        ("not_created", "Not created (policy)"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    ae_order_id: Mapped[str] = mapped_column(String(32))
    ae_status: Mapped[str] = mapped_column(String(32), default="", index=True)
    buyer_login_id: Mapped[str | None] = mapped_column(String(128))
    buyer_name: Mapped[str] = mapped_column(String(255), default="", index=True)
    buyer_email: Mapped[str | None] = mapped_column(String(255))
    buyer_country: Mapped[str | None] = mapped_column(String(8))
    currency: Mapped[str] = mapped_column(String(8), default="USD")
    total: Mapped[float] = mapped_column(Float, default=0.0, index=True)
    shipping_amount: Mapped[float] = mapped_column(Float, default=0.0)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    address: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    logistics_service: Mapped[str | None] = mapped_column(String(64))
    memo: Mapped[str | None] = mapped_column(Text)
    placed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ae_modified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    import_state: Mapped[str] = mapped_column(String(16), default="waiting", index=True)
    #: the order detail (address, e-mail, lines) has been read; nothing is created before
    detail_read: Mapped[bool] = mapped_column(Boolean, default=False)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    magento_quote_id: Mapped[int | None] = mapped_column(Integer)
    magento_order_id: Mapped[int | None] = mapped_column(Integer, index=True)
    magento_increment_id: Mapped[str | None] = mapped_column(String(64), index=True)
    magento_status: Mapped[str | None] = mapped_column(String(32), index=True)
    magento_total: Mapped[float | None] = mapped_column(Float)
    #: follow-up steps done once the Magento order exists (``invoiced``: the invoice step is
    #: done, an invoice created or none wanted by the policy)
    commented: Mapped[bool] = mapped_column(Boolean, default=False)
    invoiced: Mapped[bool] = mapped_column(Boolean, default=False)
    notified: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the AliExpress status whose mapped Magento status was last applied
    status_applied: Mapped[str | None] = mapped_column(String(32))
    #: something a person must look at (a cancellation after shipment, say)
    attention: Mapped[str | None] = mapped_column(Text)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    account: Mapped[Account] = relationship()
    items: Mapped[list[OrderItem]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderItem.id"
    )
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderEvent.id"
    )
    shipments: Mapped[list[OrderShipment]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderShipment.id"
    )

    @property
    def state_label(self) -> str:
        return dict(self.STATES).get(self.import_state, self.import_state)


class OrderItem(db.Model):
    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    child_id: Mapped[str] = mapped_column(String(32), default="")
    ae_product_id: Mapped[str | None] = mapped_column(String(32))
    sku_code: Mapped[str] = mapped_column(String(64), default="")
    #: the Magento SKU the line was matched to (None until matched)
    magento_sku: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255), default="")
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price: Mapped[float] = mapped_column(Float, default=0.0)
    total: Mapped[float] = mapped_column(Float, default=0.0)
    properties: Mapped[Any] = mapped_column(JSON, default=list)

    order: Mapped[Order] = relationship(back_populates="items")


class OrderEvent(db.Model):
    """The history of syncs of one order, newest last."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: info | success | warning | error
    level: Mapped[str] = mapped_column(String(16), default="info")
    message: Mapped[str] = mapped_column(Text)

    order: Mapped[Order] = relationship(back_populates="events")


class OrderShipment(db.Model):
    """A shipment to report to AliExpress: from a Magento shipment, or entered on the screen."""

    __tablename__ = "order_shipments"
    __table_args__ = (UniqueConstraint("order_id", "magento_shipment_id", "tracking_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    magento_shipment_id: Mapped[int | None] = mapped_column(Integer)
    tracking_number: Mapped[str] = mapped_column(String(128))
    magento_carrier: Mapped[str | None] = mapped_column(String(64))
    ae_service: Mapped[str | None] = mapped_column(String(64))
    tracking_url: Mapped[str | None] = mapped_column(String(512))
    send_type: Mapped[str] = mapped_column(String(8), default="all")
    #: units this shipment carries (to tell a full shipment from a partial one)
    quantity: Mapped[float] = mapped_column(Float, default=0.0)
    source: Mapped[str] = mapped_column(String(16), default="magento")  # magento | manual
    #: pending | pushed | failed
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    order: Mapped[Order] = relationship(back_populates="shipments")
