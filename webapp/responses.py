"""Our few htmx response helpers: toasts, events, redirects and 422 form answers."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, get_flashed_messages, make_response, redirect, request


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def add_trigger(response: Response, event: str, detail: Any = True) -> Response:
    """Merge an event into the response's HX-Trigger header."""
    current = response.headers.get("HX-Trigger")
    events: dict[str, Any] = {}
    if current:
        try:
            events = json.loads(current)
        except ValueError:
            events = {name.strip(): True for name in current.split(",")}
    if event == "toast" and isinstance(events.get("toast"), list) and isinstance(detail, list):
        events["toast"].extend(detail)
    else:
        events[event] = detail
    response.headers["HX-Trigger"] = json.dumps(events)
    return response


def flashes_to_toasts(response: Response) -> Response:
    """On htmx answers, turn pending flash messages into a ``toast`` event."""
    if not is_htmx() or response.status_code in (301, 302, 303, 307, 308):
        return response
    if "HX-Redirect" in response.headers or "HX-Refresh" in response.headers:
        return response
    messages = get_flashed_messages(with_categories=True)
    if messages:
        toasts = [{"level": level, "message": message} for level, message in messages]
        add_trigger(response, "toast", toasts)
    return response


def redirect_to(url: str) -> Response:
    """303 for plain forms; a client-side redirect for htmx."""
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)


def start_job(job_id: str, params: dict[str, Any] | None = None) -> tuple[str, int]:
    """Start a job in the background and answer 202 with its progress component (the
    component polls the run until it finishes)."""
    from flask import current_app, render_template

    from webapp.extensions import db
    from webapp.jobs.registry import get_job
    from webapp.jobs.runner import enqueue_run
    from webapp.models import CronLog

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    run_id = enqueue_run(app, job_id, trigger="manual", params=params)
    run = db.session.get(CronLog, run_id)
    return render_template("jobs/_progress.html", run=run, spec=get_job(job_id)), 202
