"""The CSV upload pages (items, locations, receipts, opening stock): one form, one result table."""

from __future__ import annotations

import csv

from flask import render_template, request
from flask_babel import gettext as _

from ..errors import DomainError
from ..http import run_in_transaction

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def run_import(form, import_csv) -> dict | None:
    """Run import_csv on the uploaded file in one transaction; None (with a field error) if unreadable."""
    data = form.file.data.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        form.file.errors = [_("The file is larger than %(mb)d MB. Split it and import the parts.",
                              mb=MAX_UPLOAD_BYTES // (1024 * 1024))]
        return None
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        form.file.errors = [_("The file is not UTF-8 text. Save it as CSV (UTF-8) and try again.")]
        return None
    try:
        return run_in_transaction(import_csv, data)
    except csv.Error:
        # The sniffer found no column separator: a one-column file or not CSV at all.
        form.file.errors = [_("The file is not a CSV with a header line; separate columns with , or ;.")]
    except DomainError as e:
        form.file.errors = [e.detail]
    return None


def import_page(form, import_csv, **context):
    """Show an import page; on upload run import_csv on the file and show what it did (422: nothing read).

    context: columns, required, title, back, back_label, and optionally note and nav for the template.
    """
    result, status = None, 200
    if form.validate_on_submit():
        result = run_import(form, import_csv)
        status = 200 if result is not None else 422
    elif request.method == "POST":
        status = 422
    return render_template("supervisor/import.html", form=form, result=result, **context), status
