"""The CSV upload pages (items, locations, receipts, opening stock): one form, one result table.

A small file is imported in the request; a large one becomes a background job (server/jobs): the page
redirects to itself with ?job=<id>, shows a progress bar (static/jobs.js polls the job's JSON) and, once
the job is done, the same result table.
"""

from __future__ import annotations

import csv

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..csvio import CsvImport
from ..errors import DomainError
from ..http import run_in_transaction
from ..jobs import queue
from ..jobs import services as jobs
from ..jobs.models import JobStatus
from .access import current_supervisor

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def run_import(form, spec: CsvImport, params: dict | None = None, *, utf8_only: bool = True) -> dict | int | None:
    """Import the uploaded file: its result (small file), a queued job's id (large file), or None with a
    field error when the file is unreadable (utf8_only=False: the kind decodes other encodings itself)."""
    data = form.file.data.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        form.file.errors = [_("The file is larger than %(mb)d MB. Split it and import the parts.",
                              mb=MAX_UPLOAD_BYTES // (1024 * 1024))]
        return None
    try:
        if utf8_only:
            data.decode("utf-8-sig")
    except UnicodeDecodeError:
        form.file.errors = [_("The file is not UTF-8 text. Save it as CSV (UTF-8) and try again.")]
        return None
    user_id = current_supervisor().id

    def start():
        outcome = spec.start(data, params=params, created_by=user_id)
        return outcome if isinstance(outcome, dict) else outcome.id

    try:
        return run_in_transaction(start)
    except csv.Error:
        # The sniffer found no column separator: a one-column file or not CSV at all.
        form.file.errors = [_("The file is not a CSV with a header line; separate columns with , or ;.")]
    except DomainError as e:
        form.file.errors = [e.detail]
    return None


def import_page(form, spec: CsvImport, *, params: dict | None = None, template: str = "supervisor/import.html",
                utf8_only: bool = True, **context):
    """Show an import page; on upload import the file and show what it did (422: nothing read), or queue a
    job for a large file and show its progress (?job=<id>).

    context: columns, required, title, back, back_label, and optionally note and nav for the template.
    """
    result, status, job = None, 200, None
    if form.validate_on_submit():
        outcome = run_import(form, spec, params, utf8_only=utf8_only)
        if isinstance(outcome, int):
            queue.enqueue(outcome)
            return redirect(url_for(request.endpoint, job=outcome), 303)
        result = outcome
        status = 200 if result is not None else 422
    elif request.method == "POST":
        status = 422
    elif request.args.get("job"):
        job = jobs.get_job(request.args.get("job", type=int) or 0)
        if job is None or job.kind != spec.kind:
            abort(404)
        if job.status == JobStatus.DONE:
            result = job.result
    return render_template(template, form=form, result=result, job=job, **context), status
