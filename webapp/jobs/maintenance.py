"""Housekeeping jobs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Delete, delete

from webapp.database import utcnow
from webapp.extensions import db
from webapp.jobs.registry import job
from webapp.jobs.runner import JobContext
from webapp.models import ActivityLog, CronLog
from webapp.services.settings import get_setting


def _delete(statement: Delete) -> int:
    result = db.session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


@job("log_purge", "Log purge", interval_seconds=24 * 3600)
def purge_logs(ctx: JobContext) -> dict[str, int]:
    """Delete cron and activity log rows older than the retention setting."""
    days = int(get_setting("log_retention_days"))
    cutoff = utcnow() - timedelta(days=days)
    cron = _delete(delete(CronLog).where(CronLog.created_at < cutoff, CronLog.id != ctx.run.id))
    activity = _delete(delete(ActivityLog).where(ActivityLog.created_at < cutoff))
    ctx.log(f"Deleted {cron} cron log and {activity} activity log rows older than {days} days.")
    return {"cron_logs_deleted": cron, "activity_logs_deleted": activity, "retention_days": days}
