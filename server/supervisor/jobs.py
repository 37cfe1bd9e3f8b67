"""Background jobs: the list of recent jobs, and the small JSON the import pages' progress bar polls."""

from __future__ import annotations

from flask import abort, jsonify, render_template

from ..auth.queries import usernames
from ..jobs import services as jobs
from .pages import bp

RECENT = 100
# The page that shows a job of each kind (with ?job=<id>): its progress, then its result table.
KIND_PAGES = {"import_items": "supervisor.item_import", "import_locations": "supervisor.location_import",
              "import_receipts": "supervisor.receipt_import", "import_opening_stock": "supervisor.stock_import",
              "print_labels": "supervisor.labels"}


@bp.get("/jobs")
def job_list():
    """Recent jobs with their status, progress, result and error."""
    recent = jobs.recent_jobs(RECENT)
    names = usernames(job.created_by for job in recent)
    return render_template("supervisor/jobs.html", jobs=recent, names=names, pages=KIND_PAGES)


@bp.get("/jobs/<int:job_id>/progress")
def job_progress(job_id: int):
    """Status and progress of one job (polled by static/jobs.js while it runs)."""
    job = jobs.get_job(job_id)
    if job is None:
        abort(404)
    return jsonify(status=job.status.value, label=str(job.status.label), done=job.done, total=job.total,
                   percent=job.percent, error=job.error)
