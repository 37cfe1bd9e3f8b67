"""`flask --app wsgi jobs ...`: the job consumer (one per deployment) and a look at recent jobs."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import AppGroup

# app.extensions key: context managers f(app) that `jobs worker` keeps running while it consumes.
WORKER_COMPANIONS = "shipfloor.worker_companions"

jobs_cli = AppGroup("jobs", help="Background jobs (imports; later print jobs and count lists).")


@jobs_cli.command("worker")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 16),
              help="Jobs run at the same time (threads).")
@click.option("--nice", default=10, show_default=True, type=click.IntRange(0, 19),
              help="CPU priority below the web workers: a job never slows the floor's scans and moves.")
def worker(workers, nice):
    """Run the job consumer and the print worker until stopped (SIGINT/SIGTERM); resumes jobs a stopped consumer
    left running."""
    import os
    from contextlib import ExitStack

    from .queue import run_consumer

    if nice:
        os.nice(nice)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = current_app._get_current_object()
    with ExitStack() as companions:
        # Loops that run beside the consumer, one per deployment (the print worker, server/printing/worker.py):
        # their packages register them in app.extensions, so this package depends on none of them.
        for companion in app.extensions.get(WORKER_COMPANIONS, ()):
            companions.enter_context(companion(app))
        run_consumer(app, workers=workers)


@jobs_cli.command("list")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
def list_jobs(limit):
    """Show recent jobs with their status and progress."""
    from .services import recent_jobs

    for job in recent_jobs(limit):
        click.echo(f"{job.id}\t{job.kind}\t{job.status.value}\t{job.done}/{job.total or '?'}\t"
                   f"{job.created_at:%Y-%m-%d %H:%M}\t{job.error or ''}")
