"""Read-only views of background jobs for the supervisor's dashboard."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from .models import Job, JobStatus


def active_jobs() -> list[dict]:
    """Jobs waiting for the job runner or running, oldest first, with their progress (done of total)."""
    jobs = db.session.scalars(sa.select(Job).where(Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)))
                              .order_by(Job.id))
    return [{"id": job.id, "kind": job.kind, "status": job.status.value, "done": job.done, "total": job.total,
             "label": job.kind_label} for job in jobs]
