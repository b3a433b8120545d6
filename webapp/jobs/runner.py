"""Run a job inside an app context, recording it as a cron log row.

Jobs are the commit boundary for background work: a job may commit after each chunk through
``ctx.progress`` so that the UI's progress bar moves and a crash loses at most one chunk.
"""

from __future__ import annotations

import logging
import threading
import traceback
from typing import Any

from flask import Flask

from webapp.database import utcnow
from webapp.extensions import db
from webapp.jobs.registry import get_job
from webapp.models import CronLog

log = logging.getLogger(__name__)


class JobContext:
    def __init__(self, run: CronLog, params: dict[str, Any] | None = None) -> None:
        self.run = run
        self.params = params or {}

    def log(self, message: str) -> None:
        self.run.messages = (self.run.messages + "\n" + message).strip()

    def progress(self, done: int, total: int | None = None) -> None:
        """Record progress and commit the work done so far."""
        self.run.progress_done = done
        if total is not None:
            self.run.progress_total = total
        db.session.commit()


def create_run(job_id: str, *, trigger: str, params: dict[str, Any] | None = None) -> CronLog:
    if get_job(job_id) is None:
        raise KeyError(job_id)
    run = CronLog(job_code=job_id, status="pending", trigger=trigger, params=params or {})
    run.scheduled_at = utcnow()
    db.session.add(run)
    db.session.flush()
    return run


def run_job(
    app: Flask,
    job_id: str,
    *,
    trigger: str = "schedule",
    run_id: int | None = None,
    params: dict[str, Any] | None = None,
) -> int:
    """Execute one job; returns the cron log id. Never raises for a job failure."""
    spec = get_job(job_id)
    if spec is None:
        raise KeyError(job_id)
    with app.app_context():
        try:
            run = db.session.get(CronLog, run_id) if run_id else None
            if run is None:
                run = create_run(job_id, trigger=trigger, params=params)
            run.status = "running"
            run.executed_at = utcnow()
            db.session.commit()
            run_id = run.id
            ctx = JobContext(run, params if params is not None else run.params)
            result = spec.func(ctx) or {}
            run.result = result
            run.status = "success"
            run.finished_at = utcnow()
            if run.progress_total is not None:
                run.progress_done = run.progress_total
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            log.exception("job %s failed", job_id)
            failed = db.session.get(CronLog, run_id) if run_id else None
            if failed is not None:
                failed.status = "error"
                failed.finished_at = utcnow()
                detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
                failed.messages = (failed.messages + "\n" + detail).strip()
                db.session.commit()
        finally:
            db.session.remove()
    return run_id or 0


def enqueue_run(
    app: Flask, job_id: str, *, trigger: str = "manual", params: dict[str, Any] | None = None
) -> int:
    """Create a pending run now and execute it in the background; returns its id.

    The caller's request commits nothing else here: the pending row is committed so the
    progress component can poll it at once.
    """
    run = create_run(job_id, trigger=trigger, params=params)
    db.session.commit()
    scheduler = app.extensions.get("scheduler")
    kwargs = {"trigger": trigger, "run_id": run.id, "params": params}
    if scheduler is not None and scheduler.running:
        scheduler.add_job(
            run_job, args=[app, job_id], kwargs=kwargs, id=f"manual-{run.id}", replace_existing=True
        )
    else:
        thread = threading.Thread(
            target=run_job, args=(app, job_id), kwargs=kwargs, name=f"job-{run.id}", daemon=True
        )
        thread.start()
    return run.id
