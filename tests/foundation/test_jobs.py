"""Jobs: registry, runner with cron logs, log purge, run now with progress, CLI, scheduler lock."""

import time
from datetime import timedelta

from sqlalchemy import select

from webapp.database import utcnow
from webapp.extensions import db
from webapp.jobs.registry import REGISTRY, job
from webapp.jobs.runner import run_job
from webapp.jobs.scheduler import build_scheduler, start_scheduler
from webapp.models import ActivityLog, CronLog


def test_registry_declares_jobs_with_stable_ids_in_the_scheduler(app):
    assert "log_purge" in REGISTRY
    scheduler = app.extensions["scheduler"]
    assert not scheduler.running  # the factory never starts it
    ids = {j.id for j in scheduler.get_jobs()}
    assert {"log_purge", "heartbeat"} <= ids


def test_run_job_records_success_and_result(app):
    run_id = run_job(app, "log_purge", trigger="cli")
    with app.app_context():
        run = db.session.get(CronLog, run_id)
        assert run.status == "success"
        assert run.trigger == "cli"
        assert run.executed_at and run.finished_at and run.finished_at >= run.executed_at
        assert run.result["retention_days"] == 30


def test_failing_job_is_recorded_not_raised(app):
    @job("test_boom", "Boom")
    def boom(ctx):
        ctx.log("about to fail")
        raise RuntimeError("kaput")

    try:
        run_id = run_job(app, "test_boom")
        with app.app_context():
            run = db.session.get(CronLog, run_id)
            assert run.status == "error"
            assert "kaput" in run.messages
    finally:
        REGISTRY.pop("test_boom")


def test_log_purge_deletes_only_rows_older_than_retention(app):
    with app.app_context():
        old = utcnow() - timedelta(days=31)
        db.session.add_all(
            [
                ActivityLog(type="t", subtype="old", comment="old", created_at=old),
                ActivityLog(type="t", subtype="new", comment="new"),
                CronLog(job_code="log_purge", status="success", created_at=old),
            ]
        )
        db.session.commit()
    run_id = run_job(app, "log_purge")
    with app.app_context():
        assert [a.subtype for a in db.session.scalars(select(ActivityLog))] == ["new"]
        assert db.session.get(CronLog, run_id).result == {
            "cron_logs_deleted": 1,
            "activity_logs_deleted": 1,
            "retention_days": 30,
        }


def test_run_now_shows_progress_until_done(app, login):
    operator = login("operator")
    response = operator.post("/jobs/log_purge/run", htmx=True)
    assert response.status_code == 202
    html = response.get_data(as_text=True)
    assert 'role="progressbar"' in html
    import re

    run_id = int(re.search(r'id="progress-(\d+)"', html).group(1))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        poll = operator.get(f"/jobs/runs/{run_id}", headers={"HX-Request": "true"})
        if "done" in poll.get_data(as_text=True):
            break
        time.sleep(0.1)
    assert "done" in poll.get_data(as_text=True)
    assert "job-finished" in poll.headers["HX-Trigger"]
    assert "hx-trigger" not in poll.get_data(as_text=True)  # stops polling once finished
    cron = operator.get("/logs/cron?f_job_code=log_purge").get_data(as_text=True)
    assert "manual" in cron


def test_unknown_job_is_404(login):
    assert login("operator").post("/jobs/nope/run").status_code == 404


def test_cli_lists_and_runs_jobs(app):
    runner = app.test_cli_runner()
    listing = runner.invoke(args=["jobs", "list"])
    assert "log_purge" in listing.output
    result = runner.invoke(args=["jobs", "run-now", "log_purge"])
    assert result.exit_code == 0, result.output
    assert "log_purge: success" in result.output
    unknown = runner.invoke(args=["jobs", "run-now", "nope"])
    assert unknown.exit_code != 0


def test_scheduler_runs_once_per_machine(make_app):
    first = make_app(SCHEDULER_ENABLED=True)
    second = make_app(SCHEDULER_ENABLED=True, INSTANCE_PATH=first.instance_path)
    try:
        assert start_scheduler(first) is True
        assert start_scheduler(first) is True  # idempotent in the same process
        assert start_scheduler(second) is False  # the lock is held
        assert not second.extensions["scheduler"].running
    finally:
        first.extensions["scheduler"].shutdown(wait=True)
        import webapp.jobs.scheduler as sched

        if sched._lock_handle:
            sched._lock_handle.close()
            sched._lock_handle = None


def test_scheduler_disabled_by_configuration(make_app):
    app = make_app(SCHEDULER_ENABLED=False)
    assert start_scheduler(app) is False
    assert build_scheduler(app).running is False


def test_activity_log_grid_links_objects_and_filters(app, login):
    from webapp.services.activity import log_activity

    admin = login("admin")
    with app.app_context():
        log_activity("policy", "saved", "Policy 'X' saved.", object_type="policies", object_id=7)
        log_activity("user", "created", "Someone created.")
        db.session.commit()
    page = admin.get("/logs/activity?f_q=Policy").get_data(as_text=True)
    assert 'href="/policies/7"' in page and "Someone created." not in page
    assert admin.get("/logs/activity?export=csv").status_code == 200
