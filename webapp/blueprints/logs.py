"""Developer > Cron Logs and Activity Logs."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_login import current_user
from sqlalchemy import delete, select

from webapp.auth import admin_required
from webapp.extensions import db
from webapp.grid import Column, Grid, render_grid_page
from webapp.jobs.registry import REGISTRY
from webapp.models import ActivityLog, CronLog
from webapp.responses import redirect_to
from webapp.services.activity import log_activity

bp = Blueprint("logs", __name__, url_prefix="/logs")

#: activity log object type -> (endpoint, id argument) of the page showing it
OBJECT_LINKS = {
    "listings": ("products.detail", "listing_id"),
    "accounts": ("accounts.edit", "account_id"),
    "policies": ("policies.edit", "policy_id"),
    "listing_templates": ("templates.edit", "template_id"),
    "orders": ("orders.detail", "order_id"),
}

LEVELS = [("info", "Info"), ("warning", "Warning"), ("error", "Error")]


def cron_grid() -> Grid:
    return Grid(
        "cron",
        select(CronLog),
        [
            Column("id", "Id", CronLog.id),
            Column(
                "job_code",
                "Job",
                CronLog.job_code,
                filter="select",
                choices=[(spec.id, spec.name) for spec in REGISTRY.values()],
            ),
            Column(
                "status",
                "Status",
                CronLog.status,
                filter="select",
                choices=[(s, s.capitalize()) for s in CronLog.STATUSES],
            ),
            Column(
                "trigger",
                "Trigger",
                CronLog.trigger,
                filter="select",
                choices=[("schedule", "Schedule"), ("manual", "Manual"), ("cli", "CLI")],
            ),
            Column("messages", "Messages", CronLog.messages, sortable=False),
            Column("created_at", "Created", CronLog.created_at, filter="date"),
            Column("scheduled_at", "Scheduled", CronLog.scheduled_at),
            Column("executed_at", "Executed", CronLog.executed_at),
            Column("finished_at", "Finished", CronLog.finished_at),
        ],
        id_column=CronLog.id,
        default_sort="created_at",
        default_direction="desc",
        search=[CronLog.messages],
    )


def activity_grid() -> Grid:
    return Grid(
        "activity",
        select(ActivityLog),
        [
            Column("id", "Id", ActivityLog.id),
            Column("type", "Type", ActivityLog.type, filter="text"),
            Column("subtype", "Subtype", ActivityLog.subtype, filter="text"),
            Column("level", "Level", ActivityLog.level, filter="select", choices=LEVELS),
            Column("comment", "Comment", ActivityLog.comment, sortable=False),
            Column(
                "object",
                "Object",
                None,
                sortable=False,
                export=lambda a: f"{a.object_type}:{a.object_id}" if a.object_type else "",
            ),
            Column("created_at", "Date", ActivityLog.created_at, filter="date"),
        ],
        id_column=ActivityLog.id,
        default_sort="created_at",
        default_direction="desc",
        search=[ActivityLog.comment],
    )


@bp.route("/cron")
def cron():
    grid = cron_grid()
    state = grid.parse(request.args)
    if request.args.get("export") == "csv":
        return grid.csv_response(state, "cron-logs.csv")
    return render_grid_page(
        "logs/cron.html",
        "logs/_cron_grid.html",
        grid,
        grid.page(state),
        jobs=list(REGISTRY.values()),
    )


@bp.route("/cron/truncate", methods=["POST"])
@admin_required
def cron_truncate():
    count = db.session.execute(
        delete(CronLog).where(CronLog.status.in_(("success", "error", "missed")))
    ).rowcount
    log_activity("logs", "truncate", f"Cron log truncated ({count} rows).", actor=current_user)
    db.session.commit()
    flash(f"Deleted {count} finished cron log rows.", "success")
    return redirect_to(url_for("logs.cron"))


@bp.route("/activity")
def activity():
    grid = activity_grid()
    state = grid.parse(request.args)
    if request.args.get("export") == "csv":
        return grid.csv_response(state, "activity-logs.csv")
    return render_grid_page(
        "logs/activity.html",
        "logs/_activity_grid.html",
        grid,
        grid.page(state),
        object_links=OBJECT_LINKS,
    )


@bp.route("/activity/mass-delete", methods=["POST"])
@admin_required
def activity_mass_delete():
    grid = activity_grid()
    ids = grid.selected_ids(request.form, request.form.getlist)
    count = db.session.execute(delete(ActivityLog).where(ActivityLog.id.in_(ids))).rowcount
    db.session.commit()
    flash(
        f"Deleted {count} activity log rows." if count else "Select at least one row.",
        "success" if count else "error",
    )
    return redirect_to(url_for("logs.activity"))


@bp.route("/activity/truncate", methods=["POST"])
@admin_required
def activity_truncate():
    count = db.session.execute(delete(ActivityLog)).rowcount
    log_activity("logs", "truncate", f"Activity log truncated ({count} rows).", actor=current_user)
    db.session.commit()
    flash(f"Deleted {count} activity log rows.", "success")
    return redirect_to(url_for("logs.activity"))
