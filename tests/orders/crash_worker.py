"""Run the order import (or the shipment sync) once in its own process, for the crash tests.

The parent passes the app's configuration as JSON in ``ALIMENTO_WORKER_CONFIG`` and may set
``ALIMENTO_CRASHPOINT`` so the process SIGKILLs itself at a step boundary
(:func:`webapp.services.orders.crashpoint`). Exit code 0 means the run completed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: the order import's step boundaries, and the push's (webapp/services/crashpoints.py)
IMPORT_BOUNDARIES = (
    "order_saved",
    "cart_prepared",
    "order_placed",
    "order_recorded",
    "commented",
    "invoiced",
)
PUSH_BOUNDARIES = ("push_sent",)


def worker_config(app) -> dict:  # type: ignore[no-untyped-def]
    """The settings a worker process needs to act as ``app`` (same database, same keys,
    the sandboxes reached over HTTP like a real deployment)."""
    from webapp.demo import sandbox_info

    ae = sandbox_info(app)["aliexpress"]
    return {
        "TESTING": True,
        "INSTANCE_PATH": app.config["INSTANCE_PATH"] + "-worker",
        "SECRET_KEY": app.config["SECRET_KEY"],
        "ENCRYPTION_KEYS": app.config["ENCRYPTION_KEYS"],
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SCHEDULER_ENABLED": False,
        "MOUNT_SANDBOXES": False,
        "DEMO_MODE": False,
        "AE_GATEWAY": ae["gateway"],
        "AE_APP_KEY": ae["app_key"],
        "AE_APP_SECRET": ae["app_secret"],
        "AE_BACKOFF": 0.01,
        "MAGENTO_BACKOFF": 0.01,
    }


def run_worker(app, crashpoint: str | None = None, what: str = "import") -> int:  # type: ignore[no-untyped-def]
    """Run the worker once; returns its exit code (0, or -SIGKILL at the crash point)."""
    env = {**os.environ, "ALIMENTO_WORKER_CONFIG": json.dumps(worker_config(app))}
    env.pop("ALIMENTO_CRASHPOINT", None)
    if crashpoint:
        env["ALIMENTO_CRASHPOINT"] = crashpoint
    done = subprocess.run(
        [sys.executable, "-m", "tests.orders.crash_worker", what],
        cwd=ROOT,
        env=env,
        timeout=300,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in (0, -signal.SIGKILL):
        raise RuntimeError(f"worker exited {done.returncode}: {done.stderr[-3000:]}")
    return done.returncode


def main() -> int:
    from sqlalchemy import select

    from webapp import create_app
    from webapp.extensions import db
    from webapp.models import Account
    from webapp.services import orders

    config = json.loads(os.environ["ALIMENTO_WORKER_CONFIG"])
    app = create_app(config)
    with app.app_context():
        what = sys.argv[1] if len(sys.argv) > 1 else "import"
        if what == "shipments":
            orders.sync_shipments()
        elif what == "cycle":
            # One scheduler tick: the sync cycle (import, reconcile, push), then the orders.
            from webapp.jobs.runner import run_job

            db.session.remove()
            run_job(app, "sync_cycle", trigger="manual")
            run_job(app, "order_import", trigger="manual")
        else:
            for account in db.session.scalars(
                select(Account).where(Account.status == "connected")
            ).all():
                orders.import_orders(account)
        db.session.remove()
        db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
