"""APScheduler wiring: built in the factory, started only by the server entry point or
``flask jobs run``, guarded by a config flag and an exclusive process lock so it never runs twice.
"""

from __future__ import annotations

import fcntl
import logging
import os
from datetime import UTC, datetime
from typing import IO

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from webapp.extensions import db
from webapp.jobs.registry import REGISTRY
from webapp.jobs.runner import run_job
from webapp.services.settings import get_setting, set_setting

log = logging.getLogger(__name__)

HEARTBEAT_KEY = "scheduler_heartbeat"
HEARTBEAT_SECONDS = 30

_lock_handle: IO[str] | None = None


def build_scheduler(app: Flask) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        timezone=UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )
    for spec in REGISTRY.values():
        if spec.interval_seconds:
            scheduler.add_job(
                run_job,
                "interval",
                seconds=spec.interval_seconds,
                args=[app, spec.id],
                id=spec.id,
                name=spec.name,
                replace_existing=True,
            )
    scheduler.add_job(
        heartbeat,
        "interval",
        seconds=HEARTBEAT_SECONDS,
        args=[app],
        id="heartbeat",
        next_run_time=datetime.now(UTC),
    )
    return scheduler


def heartbeat(app: Flask) -> None:
    with app.app_context():
        set_setting(HEARTBEAT_KEY, datetime.now(UTC).isoformat())
        db.session.commit()
        db.session.remove()


def last_heartbeat() -> datetime | None:
    value = get_setting(HEARTBEAT_KEY)
    return datetime.fromisoformat(value) if value else None


def _acquire_lock(path: str) -> bool:
    global _lock_handle
    os.makedirs(os.path.dirname(path), exist_ok=True)
    handle = open(path, "w")  # noqa: SIM115 - held open for the life of the process
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return False
    handle.write(str(os.getpid()))
    handle.flush()
    _lock_handle = handle
    return True


def start_scheduler(app: Flask) -> bool:
    """Start the scheduler once per machine; returns whether this process runs it."""
    if not app.config.get("SCHEDULER_ENABLED", True):
        log.info("scheduler disabled by configuration")
        return False
    scheduler: BackgroundScheduler = app.extensions["scheduler"]
    if scheduler.running:
        return True
    if not _acquire_lock(os.path.join(app.instance_path, "scheduler.lock")):
        log.warning("another process holds the scheduler lock; not starting the scheduler")
        return False
    scheduler.start()
    log.info("scheduler started with %d jobs", len(scheduler.get_jobs()))
    return True
