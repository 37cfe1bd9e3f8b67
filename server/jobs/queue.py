"""The transport between the web processes and the one job consumer: Huey, carrying only a job id.

Storage: a SQLite file in the instance folder by default (SHIPFLOOR_JOBS_QUEUE_FILE), whatever database
the app uses; Redis when SHIPFLOOR_REDIS_URL is set (then `pip install redis`), so that web servers on
several machines share one consumer. Tests run jobs immediately (JOBS_IMMEDIATE) after the request.
"""

from __future__ import annotations

import logging

from flask import Flask, after_this_request, current_app, has_request_context
from huey import Huey, RedisHuey, SqliteHuey

from . import services

log = logging.getLogger(__name__)

_hueys: dict[tuple, Huey] = {}
_consumer_app: Flask | None = None  # the app whose context the consumer's tasks run in


def huey_for(config) -> Huey:
    """The Huey instance for this configuration (one per process and storage), with our one task."""
    if config.get("JOBS_IMMEDIATE"):
        key = ("immediate",)
    elif config.get("JOBS_REDIS_URL"):
        key = ("redis", config["JOBS_REDIS_URL"])
    else:
        key = ("sqlite", str(config["JOBS_QUEUE_FILE"]))
    if key not in _hueys:
        if key[0] == "immediate":
            huey = Huey("shipfloor", results=False, immediate=True)
        elif key[0] == "redis":
            huey = RedisHuey("shipfloor", url=key[1], results=False)
        else:
            huey = SqliteHuey("shipfloor", filename=key[1], results=False)
        huey.run_job_task = huey.task(name="run_job")(_run_job_task)
        _hueys[key] = huey
    return _hueys[key]


def _run_job_task(job_id: int) -> None:
    app = _consumer_app or current_app._get_current_object()
    with app.app_context():  # a session of its own, also in immediate mode inside a request
        services.run_job(job_id)


def enqueue(job_id: int, app: Flask | None = None) -> None:
    """Hand the job to the consumer. Call it after the job's row is committed."""
    huey_for((app or current_app).config).run_job_task(job_id)


def enqueue_after_request(job_id: int) -> None:
    """Enqueue once the request's transaction has committed, i.e. when its answer is not an error."""
    if not has_request_context():
        enqueue(job_id)
        return

    @after_this_request
    def _enqueue(response):
        if response.status_code < 400:
            enqueue(job_id)
        return response


def run_consumer(app: Flask, *, workers: int = 1) -> None:
    """Resume interrupted jobs, then run the Huey consumer until SIGINT/SIGTERM (blocks)."""
    global _consumer_app
    _consumer_app = app
    huey = huey_for(app.config)
    with app.app_context():
        queued = services.resume_interrupted()
    for job_id in queued:  # a message may be queued twice: the claim runs each job once
        huey.run_job_task(job_id)
    log.info("job consumer: %d queued job(s) at start", len(queued))
    huey.create_consumer(workers=workers, worker_type="thread", periodic=False).run()
