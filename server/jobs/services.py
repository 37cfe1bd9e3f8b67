"""A job's life: submitted (queued) → claimed by the consumer (running) → done or failed.

Every step is a short transaction of its own, and a kind's runner commits its progress together with
the work it describes (an import: each chunk and its row count in one transaction). So a consumer that
dies mid-job leaves the job 'running' with an exact `done`: the next consumer start resumes it from there
(resume_interrupted), and a job that stopped MAX_ATTEMPTS times is failed instead of tried for ever.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import gettext as _

from ..db import utcnow
from ..errors import NotFound
from ..extensions import db
from ..http import run_in_transaction
from .models import Job, JobStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
STAFF_ROLES = frozenset({"supervisor", "admin"})  # see every job; other roles see their own

_KINDS: dict[str, Callable[[int], None]] = {}


class JobFailed(Exception):
    """A runner's way to end its job as failed with a message for the people who started it."""


def register_kind(kind: str, runner: Callable[[int], None]) -> None:
    """runner(job_id) does the job's work in transactions of its own and ends with finish()."""
    _KINDS[kind] = runner


def submit(kind: str, *, params: dict | None = None, input: bytes | None = None, total: int | None = None,
           created_by: int | None = None) -> Job:
    """Record a queued job (flushed, in the caller's transaction). Enqueue it once that transaction commits:
    queue.enqueue(job.id) (queue.enqueue_after_request in a request)."""
    job = Job(kind=kind, params=params or {}, input=input, total=total, created_by=created_by,
              status=JobStatus.QUEUED, done=0)
    db.session.add(job)
    db.session.flush()
    return job


def get_job(job_id: int) -> Job | None:
    return db.session.get(Job, job_id)


def visible_job(job_id: int, user) -> Job:
    """The job if this user may see it (its creator, or staff); 404 otherwise, so ids reveal nothing."""
    job = get_job(job_id)
    role = getattr(getattr(user, "role", None), "value", None)
    if job is None or (role not in STAFF_ROLES and job.created_by != user.id):
        raise NotFound(_("No job %(id)d.", id=job_id))
    return job


def recent_jobs(limit: int = 50) -> list[Job]:
    return db.session.scalars(sa.select(Job).order_by(Job.id.desc()).limit(limit)).all()


def job_out(job: Job) -> dict:
    return {"id": job.id, "kind": job.kind, "status": job.status.value, "done": job.done, "total": job.total,
            "percent": job.percent, "result": job.result if job.status == JobStatus.DONE else None,
            "error": job.error, "created_at": job.created_at, "started_at": job.started_at,
            "finished_at": job.finished_at}


# --- in the runner's transactions --------------------------------------------------------------------

def record_progress(job_id: int, done: int, result: dict | None = None) -> None:
    """Flush the job's progress in the caller's transaction (the one that did that work)."""
    values = {"done": done} if result is None else {"done": done, "result": result}
    db.session.execute(sa.update(Job).where(Job.id == job_id).values(**values))


def finish(job_id: int, result: dict | None = None, *, done: int | None = None) -> None:
    """Mark the job done (flushed in the caller's transaction, best with its last piece of work)."""
    values = {"status": JobStatus.DONE, "finished_at": utcnow(), "error": None, "input": None}  # file not kept
    if result is not None:
        values["result"] = result
    if done is not None:
        values["done"] = done
    db.session.execute(sa.update(Job).where(Job.id == job_id).values(**values))


# --- the consumer's side ------------------------------------------------------------------------------

def _claim(job_id: int) -> str | None:
    """queued → running, atomically: a job enqueued twice (a resume and a stale message) runs once."""
    row = db.session.execute(
        sa.update(Job).where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, started_at=sa.func.coalesce(Job.started_at, utcnow()),
                attempts=Job.attempts + 1)
        .returning(Job.kind)).first()
    return row.kind if row else None


def _fail(job_id: int, message: str) -> None:
    db.session.execute(sa.update(Job).where(Job.id == job_id).values(
        status=JobStatus.FAILED, error=message, finished_at=utcnow(), input=None))


def run_job(job_id: int) -> None:
    """Run one queued job to its end; what went wrong is the job's error, never the consumer's crash."""
    kind = run_in_transaction(_claim, job_id)
    if kind is None:
        return  # done already, running, failed, or never committed
    runner = _KINDS.get(kind)
    try:
        if runner is None:
            raise JobFailed(_("This version of Shipfloor cannot run jobs of kind %(kind)s.", kind=kind))
        runner(job_id)
    except JobFailed as e:
        run_in_transaction(_fail, job_id, str(e))
    except Exception:
        log.exception("job %s (%s) failed", job_id, kind)
        db.session.rollback()
        done = db.session.scalar(sa.select(Job.done).where(Job.id == job_id)) or 0
        run_in_transaction(_fail, job_id, _(
            "The job stopped on an unexpected error after %(done)d rows; those are saved, the rest is not. "
            "The server log has the details.", done=done))
        return
    # A runner that forgot to finish: its work is committed, so the job is done.
    run_in_transaction(lambda: db.session.execute(
        sa.update(Job).where(Job.id == job_id, Job.status == JobStatus.RUNNING)
        .values(status=JobStatus.DONE, finished_at=utcnow())))


def resume_interrupted() -> list[int]:
    """At consumer start: jobs left 'running' by a consumer that died go back to the queue (their committed
    progress kept), unless they stopped MAX_ATTEMPTS times already; returns every queued job's id."""

    def resume() -> list[int]:
        db.session.execute(sa.update(Job).where(Job.status == JobStatus.RUNNING, Job.attempts >= MAX_ATTEMPTS)
                           .values(status=JobStatus.FAILED, finished_at=utcnow(), input=None, error=_(
                               "The job runner stopped %(n)d times while running this job: not tried again.",
                               n=MAX_ATTEMPTS)))
        db.session.execute(sa.update(Job).where(Job.status == JobStatus.RUNNING).values(status=JobStatus.QUEUED))
        return list(db.session.scalars(sa.select(Job.id).where(Job.status == JobStatus.QUEUED).order_by(Job.id)))

    return run_in_transaction(resume)
