"""App-wide settings kept in the database, with typed defaults."""

from __future__ import annotations

from typing import Any

from webapp.extensions import db
from webapp.models import AppSetting

DEFAULTS: dict[str, Any] = {
    "log_retention_days": 30,
    "notification_email": "",
}


def get_setting(key: str) -> Any:
    row = db.session.get(AppSetting, key)
    if row is None:
        return DEFAULTS.get(key)
    return row.value


def set_setting(key: str, value: Any) -> None:
    row = db.session.get(AppSetting, key)
    if row is None:
        db.session.add(AppSetting(key=key, value=value))
    else:
        row.value = value
    db.session.flush()
