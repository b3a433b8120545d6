"""System Requirement Check: our equivalents of the manual's cron / memory / execution-time checks.

Each check reports its requirement, the value found, pass or fail, and how to fix a failure.
Checks of the external systems are registered by the features that own them
(``@system_check``), so this module knows nothing of Magento or AliExpress.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import text

from webapp.extensions import db

MIN_FREE_DISK_BYTES = 1024**3  # 1 GiB


@dataclass(frozen=True)
class CheckResult:
    name: str
    requirement: str
    value: str
    ok: bool
    fix: str = ""


CheckFunc = Callable[[], list[CheckResult]]
_extra_checks: list[CheckFunc] = []


def system_check(func: CheckFunc) -> CheckFunc:
    """Register a feature's own checks (Magento reachable, AliExpress token valid...)."""
    if func not in _extra_checks:
        _extra_checks.append(func)
    return func


def check_scheduler() -> CheckResult:
    from webapp.jobs.scheduler import HEARTBEAT_SECONDS, last_heartbeat

    scheduler = current_app.extensions.get("scheduler")
    in_process = bool(scheduler is not None and scheduler.running)
    beat = last_heartbeat()
    fresh = beat is not None and datetime.now(UTC) - beat < timedelta(seconds=3 * HEARTBEAT_SECONDS)
    ok = in_process or fresh
    value = (
        "running in this process"
        if in_process
        else (f"last heartbeat {beat:%Y-%m-%d %H:%M:%S} UTC" if beat else "no heartbeat yet")
    )
    return CheckResult(
        "Scheduler (cron)",
        "The job scheduler runs and sends a heartbeat at least every 90 s.",
        value,
        ok,
        "Start the app with `make run` / gunicorn wsgi:app, or run `flask jobs run` beside the "
        "web workers (with ALIMENTO_SCHEDULER=1).",
    )


def check_database() -> list[CheckResult]:
    results = []
    try:
        with db.engine.begin() as conn:
            conn.execute(text("CREATE TEMPORARY TABLE alimento_write_probe (x INTEGER)"))
            conn.execute(text("INSERT INTO alimento_write_probe (x) VALUES (1)"))
            conn.execute(text("DROP TABLE alimento_write_probe"))
        results.append(
            CheckResult(
                "Database writable", "The database accepts writes.", db.engine.dialect.name, True
            )
        )
    except Exception as exc:
        results.append(
            CheckResult(
                "Database writable",
                "The database accepts writes.",
                type(exc).__name__,
                False,
                "Check ALIMENTO_DATABASE_URL, the database server and its permissions.",
            )
        )
        return results
    migrate = current_app.extensions["migrate"]
    script = ScriptDirectory(migrate.directory)
    heads = set(script.get_heads())
    with db.engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    results.append(
        CheckResult(
            "Database migrated",
            "The schema is at the newest migration.",
            ", ".join(sorted(current)) or "not migrated",
            current == heads,
            "Run `flask db upgrade` (make run does it).",
        )
    )
    return results


def check_disk() -> CheckResult:
    free = shutil.disk_usage(current_app.instance_path).free
    return CheckResult(
        "Free disk space",
        f"At least {MIN_FREE_DISK_BYTES // 1024**3} GiB free where the instance folder lives.",
        f"{free / 1024**3:.1f} GiB",
        free >= MIN_FREE_DISK_BYTES,
        "Free some space or move the instance folder and database to a larger disk.",
    )


def check_secrets() -> CheckResult:
    from webapp.config import env

    configured = bool(env("SECRET_KEY")) and bool(env("ENCRYPTION_KEYS"))
    generated = os.path.exists(os.path.join(current_app.instance_path, "encryption_key"))
    ok = bool(current_app.config.get("SECRET_KEY")) and bool(
        current_app.config.get("ENCRYPTION_KEYS")
    )
    value = (
        "from the environment"
        if configured
        else ("generated into instance/ (back it up with the database)" if generated else "missing")
    )
    return CheckResult(
        "Instance secrets",
        "A secret key and an encryption key are present (secrets at rest need them).",
        value,
        ok,
        "Set ALIMENTO_SECRET_KEY and ALIMENTO_ENCRYPTION_KEYS, or let the app generate them.",
    )


def run_checks() -> list[CheckResult]:
    results = [check_scheduler(), *check_database(), check_disk(), check_secrets()]
    for extra in _extra_checks:
        try:
            results.extend(extra())
        except Exception as exc:  # a broken check must not hide the others
            results.append(
                CheckResult(getattr(extra, "__name__", "check"), "Runs.", str(exc), False)
            )
    return results
