"""Background jobs: the registry, the runner and the scheduler.

Importing this package declares every job (each module registers its jobs on import).
"""

from webapp.jobs import (  # noqa: F401 - registers the jobs
    accounts,
    catalog,
    listings,
    maintenance,
    orders,
)
from webapp.jobs.registry import REGISTRY, get_job, job

__all__ = ["REGISTRY", "get_job", "job"]
