"""GET /api/jobs/<id>: a background job's status and progress, and its result when done."""

from __future__ import annotations

from flask import g

from ..api import APIBlueprint
from ..auth.guard import ANY_ROLE, require_role
from . import services
from .schemas import JobOut

bp = APIBlueprint("jobs", __name__, url_prefix="/api", tag="Jobs")


@bp.get("/jobs/<int:job_id>")
@require_role(*ANY_ROLE)
@bp.output(JobOut)
@bp.doc(summary="A background job (an import of more than 1,000 rows): status, progress, result when done",
        responses={404: "No such job, or another user's"})
def get_job(job_id: int):
    return services.job_out(services.visible_job(job_id, g.current_user))
