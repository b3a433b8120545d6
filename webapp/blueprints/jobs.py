"""Run now, and the progress component that polls a run until it is done."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from webapp.extensions import db
from webapp.jobs.registry import get_job
from webapp.jobs.runner import enqueue_run
from webapp.models import CronLog

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


@bp.route("/<job_id>/run", methods=["POST"])
def run_now(job_id: str):
    spec = get_job(job_id)
    if spec is None:
        abort(404, description="No such job.")
    run_id = enqueue_run(current_app._get_current_object(), job_id, trigger="manual")  # type: ignore[attr-defined]
    run = db.session.get(CronLog, run_id)
    return render_template("jobs/_progress.html", run=run, spec=spec), 202


@bp.route("/runs/<int:run_id>")
def run_status(run_id: int):
    run = db.session.get(CronLog, run_id)
    if run is None:
        abort(404, description="No such run.")
    response = current_app.make_response(
        render_template("jobs/_progress.html", run=run, spec=get_job(run.job_code))
    )
    if run.finished:
        from webapp.responses import add_trigger

        add_trigger(
            response, "job-finished", {"id": run.id, "job": run.job_code, "status": run.status}
        )
    return response
