from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.database import UTCDateTime, utcnow
from webapp.extensions import db


class ApiCall(db.Model):
    """One HTTP exchange with AliExpress or Magento, secrets masked (the API call log).

    Written in the caller's transaction: a job or request that rolls back also drops its call
    rows, so failures are additionally written to the activity log after the rollback.
    """

    __tablename__ = "api_calls"
    __table_args__ = (Index("ix_api_calls_system_created", "system", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    system: Mapped[str] = mapped_column(String(16))  # "aliexpress" | "magento"
    api: Mapped[str] = mapped_column(String(128), index=True)
    http_method: Mapped[str] = mapped_column(String(8), default="POST")
    url: Mapped[str] = mapped_column(Text, default="")
    http_status: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[float] = mapped_column(Float, default=0.0)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    ok: Mapped[bool] = mapped_column(default=True, index=True)
    error: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[str | None] = mapped_column(String(128))
    request_id: Mapped[str | None] = mapped_column(String(128))
    account_id: Mapped[int | None] = mapped_column(Integer, index=True)
    request: Mapped[Any] = mapped_column(JSON, default=dict)
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
