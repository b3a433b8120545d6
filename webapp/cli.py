"""``flask`` commands for scripts: users, jobs, sandbox details."""

from __future__ import annotations

import contextlib
import json
import signal
import threading

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from webapp.config import ENV_VARIABLES, PREFIX
from webapp.extensions import db
from webapp.models import Role
from webapp.services.errors import ServiceError
from webapp.services.users import create_user


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(config_reference)


@click.group("users", cls=AppGroup, help="Manage team members.")
def users_cli() -> None:
    pass


@users_cli.command("create")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.OPERATOR.value)
def users_create(email: str, password: str, role: str) -> None:
    """Create a user."""
    try:
        user = create_user(email, password, role)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role.value}).")


@click.group("jobs", cls=AppGroup, help="Background jobs.")
def jobs_cli() -> None:
    pass


@jobs_cli.command("list")
def jobs_list() -> None:
    """List the declared jobs."""
    from webapp.jobs.registry import REGISTRY

    for spec in REGISTRY.values():
        every = f"every {spec.interval_seconds}s" if spec.interval_seconds else "on demand"
        click.echo(f"{spec.id:<24} {spec.name:<32} {every}")


@jobs_cli.command("run-now")
@click.argument("job_id")
def jobs_run_now(job_id: str) -> None:
    """Run one job now, in this process; exits non-zero when it fails."""
    from webapp.jobs.registry import get_job
    from webapp.jobs.runner import run_job
    from webapp.models import CronLog

    if get_job(job_id) is None:
        raise click.ClickException(f"unknown job {job_id!r}; see `flask jobs list`")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    run_id = run_job(app, job_id, trigger="cli")
    run = db.session.get(CronLog, run_id)
    assert run is not None
    click.echo(f"{job_id}: {run.status}")
    if run.messages:
        click.echo(run.messages)
    if run.result:
        click.echo(json.dumps(run.result, default=str))
    if run.status != "success":
        raise SystemExit(1)


@jobs_cli.command("run")
def jobs_run() -> None:
    """Run the scheduler in the foreground (for a separate jobs process)."""
    from webapp.jobs.scheduler import start_scheduler

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not start_scheduler(app):
        raise click.ClickException("scheduler not started (disabled, or another process runs it)")
    click.echo("Scheduler running; Ctrl+C to stop.")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    app.extensions["scheduler"].shutdown()


@click.command("config-reference")
@with_appcontext
def config_reference() -> None:
    """Print every configuration variable as a Markdown table."""
    click.echo("| variable | default | meaning |\n|---|---|---|")
    for name, (default, meaning) in ENV_VARIABLES.items():
        click.echo(f"| `{PREFIX}{name}` | {default} | {meaning} |")
