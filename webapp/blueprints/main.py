from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, current_app, render_template, url_for
from sqlalchemy import func, select, text
from werkzeug.routing import BuildError

from webapp.auth import public
from webapp.blueprints.products import products_grid
from webapp.extensions import db
from webapp.jobs.registry import REGISTRY
from webapp.jobs.scheduler import HEARTBEAT_SECONDS, last_heartbeat
from webapp.models import CronLog
from webapp.services.dashboard import dashboard_data

bp = Blueprint("main", __name__)


def optional_url(endpoint: str, **values: Any) -> str | None:
    """The URL of a screen, or None while that screen is not built: the page never breaks."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def products_url() -> Callable[..., str]:
    """``link(state="live", account_id=3)``: the products grid filtered by what it understands.

    Filters the grid does not declare are left out rather than sent: the grid would ignore them
    anyway, and a link should not pretend to filter what it does not.
    """
    known = set(products_grid().parse({}).filters)

    def link(**filters: Any) -> str:
        args = {f"f_{key}": value for key, value in filters.items() if key in known}
        return url_for("products.index", **args)

    return link


def scheduler_status() -> dict[str, object]:
    scheduler = current_app.extensions.get("scheduler")
    in_process = bool(scheduler is not None and scheduler.running)
    try:
        beat = last_heartbeat()
    except Exception:  # the database may be the thing that is down
        beat = None
    alive = in_process or (
        beat is not None and datetime.now(UTC) - beat < timedelta(seconds=3 * HEARTBEAT_SECONDS)
    )
    return {
        "running": alive,
        "in_process": in_process,
        "last_heartbeat": beat.isoformat() if beat else None,
    }


@bp.route("/health")
@public
def health():
    database = {"ok": True}
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:
        database = {"ok": False, "error": type(exc).__name__}
    finally:
        db.session.rollback()
    scheduler = scheduler_status()
    body = {
        "status": "ok" if database["ok"] else "error",
        "database": database,
        "scheduler": scheduler,
        "version": current_app.config["VERSION"],
        "demo_mode": current_app.config["DEMO_MODE"],
    }
    return body, 200 if database["ok"] else 503


@bp.route("/")
def dashboard():
    last_runs = {
        row.job_code: row
        for row in db.session.scalars(
            select(CronLog).where(
                CronLog.id.in_(select(func.max(CronLog.id)).group_by(CronLog.job_code))
            )
        )
    }
    scheduler = current_app.extensions.get("scheduler")
    next_runs = {}
    if scheduler is not None and scheduler.running:
        next_runs = {job.id: job.next_run_time for job in scheduler.get_jobs()}
    jobs = [
        {"spec": spec, "last": last_runs.get(spec.id), "next": next_runs.get(spec.id)}
        for spec in REGISTRY.values()
    ]
    return render_template(
        "dashboard.html",
        jobs=jobs,
        scheduler=scheduler_status(),
        data=dashboard_data(),
        products_url=products_url(),
        orders_url=optional_url("orders.index"),
        failed_orders_url=optional_url("orders.failed"),
    )
