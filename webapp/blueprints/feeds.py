"""Developer > API Feeds: every submission to AliExpress with its per-item results."""

from __future__ import annotations

import json

from flask import Blueprint, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import delete, select

from webapp.auth import admin_required
from webapp.extensions import db
from webapp.grid import Column, Grid, render_grid_page
from webapp.models.listings import Feed
from webapp.responses import redirect_to, start_job
from webapp.services.activity import log_activity

bp = Blueprint("feeds", __name__, url_prefix="/feeds")


def feeds_grid() -> Grid:
    return Grid(
        "feeds",
        select(Feed),
        [
            Column("id", "Id", Feed.id),
            Column(
                "operation", "Operation", Feed.operation, filter="select", choices=Feed.OPERATIONS
            ),
            Column("item_count", "Items", Feed.item_count, filter="number"),
            Column("status", "Status", Feed.status, filter="select", choices=Feed.STATUSES),
            Column("submitted_at", "Submitted", Feed.submitted_at, filter="date"),
            Column("finished_at", "Finished", Feed.finished_at),
            Column("success_count", "Success", Feed.success_count),
            Column("failure_count", "Failure", Feed.failure_count, filter="number"),
        ],
        id_column=Feed.id,
        default_sort="submitted_at",
        default_direction="desc",
        search=[Feed.api_method, Feed.error],
    )


@bp.route("/")
def index():
    grid = feeds_grid()
    state = grid.parse(request.args)
    if request.args.get("export") == "csv":
        return grid.csv_response(state, "api-feeds.csv")
    return render_grid_page("feeds/index.html", "feeds/_grid.html", grid, grid.page(state))


@bp.route("/<int:feed_id>")
def detail(feed_id: int):
    feed = db.get_or_404(Feed, feed_id, description="No such feed.")
    dump = lambda value: json.dumps(value, indent=2, ensure_ascii=False, default=str)  # noqa: E731
    return render_template(
        "feeds/detail.html",
        feed=feed,
        request_body=dump(feed.request),
        response_body=dump(feed.response),
    )


@bp.route("/sync", methods=["POST"])
def sync():
    return start_job("feed_poll")


@bp.route("/truncate", methods=["POST"])
@admin_required
def truncate():
    count = db.session.execute(delete(Feed)).rowcount  # type: ignore[attr-defined]
    log_activity("feeds", "truncate", f"API feed log truncated ({count} rows).", actor=current_user)
    db.session.commit()
    flash(f"Deleted {count} feed rows.", "success")
    return redirect_to(url_for("feeds.index"))
