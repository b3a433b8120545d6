"""Server entry point: ``gunicorn -w 1 --threads 8 wsgi:app``.

The scheduler starts here (not in the factory), once per machine thanks to its process lock.
"""

from webapp import create_app
from webapp.jobs.scheduler import start_scheduler

app = create_app()
start_scheduler(app)
