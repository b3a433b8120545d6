from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.database import UTCDateTime, utcnow
from webapp.extensions import db
from webapp.models.policies import Policy
from webapp.security.crypto import EncryptedText


class Account(db.Model):
    """An AliExpress seller account connected through OAuth."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    title_key: Mapped[str] = mapped_column(String(120), unique=True)
    region: Mapped[str] = mapped_column(String(8))
    store_view_code: Mapped[str] = mapped_column(String(64), default="default")
    #: pending (never authorized) | connected | expired | invalid | disconnected
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    seller_id: Mapped[str | None] = mapped_column(String(64), index=True)
    seller_name: Mapped[str | None] = mapped_column(String(255))
    access_token: Mapped[str | None] = mapped_column(EncryptedText())
    refresh_token: Mapped[str | None] = mapped_column(EncryptedText())
    access_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    sync_policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"))
    order_policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"))
    connected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disconnected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    sync_policy: Mapped[Policy | None] = relationship(foreign_keys=[sync_policy_id])
    order_policy: Mapped[Policy | None] = relationship(foreign_keys=[order_policy_id])

    STATUSES = (
        ("pending", "Pending"),
        ("connected", "Connected"),
        ("expired", "Expired"),
        ("invalid", "Invalid"),
        ("disconnected", "Disconnected"),
    )

    @property
    def is_connected(self) -> bool:
        return self.status == "connected"

    @property
    def status_label(self) -> str:
        return dict(self.STATUSES).get(self.status, self.status)


class OAuthState(db.Model):
    """A single-use OAuth ``state``: only its hash is stored, it expires, it is used once."""

    __tablename__ = "oauth_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OnboardingData(db.Model):
    """What an account offers (categories, carriers, statuses...), fetched from AliExpress."""

    __tablename__ = "onboarding_data"
    __table_args__ = (UniqueConstraint("account_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[Any] = mapped_column(JSON, default=list)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
