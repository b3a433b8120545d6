"""The one list of background jobs, each with a stable id (cron logs, the CLI and the UI)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from webapp.jobs.runner import JobContext

JobFunc = Callable[["JobContext"], dict[str, Any] | None]


@dataclass(frozen=True)
class JobSpec:
    id: str
    name: str
    func: JobFunc
    interval_seconds: int | None
    description: str = ""


REGISTRY: dict[str, JobSpec] = {}


def job(
    id: str, name: str, *, interval_seconds: int | None = None, description: str = ""
) -> Callable[[JobFunc], JobFunc]:
    """Declare a job. Ids are stable: cron logs and scripts refer to them."""

    def decorate(func: JobFunc) -> JobFunc:
        if id in REGISTRY and REGISTRY[id].func is not func:
            raise ValueError(f"job id {id!r} declared twice")
        REGISTRY[id] = JobSpec(
            id, name, func, interval_seconds, description or (func.__doc__ or "")
        )
        return func

    return decorate


def get_job(job_id: str) -> JobSpec | None:
    return REGISTRY.get(job_id)
