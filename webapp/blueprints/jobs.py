"""Run now, and the progress component that polls a run until it is done."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from webapp.extensions import db
from webapp.jobs.registry import get_job
from webapp.models import CronLog
from webapp.responses import start_job

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


@bp.route("/<job_id>/run", methods=["POST"])
def run_now(job_id: str):
    spec = get_job(job_id)
    if spec is None:
        abort(404, description="No such job.")
    return start_job(job_id)


@bp.route("/runs/<int:run_id>")
def run_status(run_id: int):
    run = db.get_or_404(CronLog, run_id, description="No such run.")
    response = current_app.make_response(
        render_template("jobs/_progress.html", run=run, spec=get_job(run.job_code))
    )
    if run.finished:
        from webapp.responses import add_trigger

        add_trigger(
            response, "job-finished", {"id": run.id, "job": run.job_code, "status": run.status}
        )
    return response
