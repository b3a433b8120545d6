from __future__ import annotations

from typing import Any

from webapp.extensions import db
from webapp.models import ActivityLog


def log_activity(
    type_: str,
    subtype: str,
    comment: str,
    *,
    level: str = "info",
    obj: Any | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    actor: Any | None = None,
) -> ActivityLog:
    """Append a row to the activity log (flushed with the caller's transaction)."""
    if obj is not None:
        object_type = object_type or getattr(obj, "__tablename__", type(obj).__name__.lower())
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    entry = ActivityLog(
        type=type_,
        subtype=subtype,
        level=level,
        comment=comment,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        user_id=getattr(actor, "id", None),
    )
    db.session.add(entry)
    db.session.flush()
    return entry
