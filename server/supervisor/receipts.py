"""Receipt pages: open and closed receipts with their progress, create, CSV import, blind start, close."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..errors import DomainError, InvalidInput
from ..extensions import db
from ..http import run_in_transaction
from ..receiving import services
from ..receiving.models import Receipt, ReceiptStatus
from . import clock, queries
from .forms import ActionForm, ImportForm, ReceiptForm
from .imports import run_import
from .views import PAGE_SIZE, bp, offset, page_info, page_number, show_domain_error

RECEIPT_CSV_COLUMNS = ("reference", "supplier", "item", "qty")
STATUSES = ("open", "closed", "all")


def progress(receipt: Receipt) -> dict:
    """Units received against units expected, over the whole receipt."""
    expected = sum(line.expected_qty for line in receipt.lines)
    received = sum(line.received_qty for line in receipt.lines)
    percent = min(100, round(100 * received / expected)) if expected else (100 if received else 0)
    return {"expected": expected, "received": received, "percent": percent}


@bp.app_template_global("receipt_progress")
def _receipt_progress(receipt: Receipt) -> dict:
    return progress(receipt)


@bp.get("/receipts")
def receipts():
    """Receipts newest first, open ones by default, with received/expected per line."""
    status = request.args.get("status", "open")
    if status not in STATUSES:
        status = "open"
    page = page_number()
    rows, total = queries.receipt_page(None if status == "all" else status, limit=PAGE_SIZE, offset=offset(page))
    return render_template("supervisor/receipts/list.html", receipts=rows, status=status,
                           counts=queries.receipt_counts(), paging=page_info(page, total, len(rows)))


def _create(form: ReceiptForm) -> Receipt:
    parsed = form.parsed_lines()
    expected_at = clock.day_start(form.expected_on.data) if form.expected_on.data else None
    try:
        return services.create_receipt(form.reference.data, lines=[(code, qty) for _n, code, qty in parsed],
                                       supplier=(form.supplier.data or "").strip() or None, expected_at=expected_at)
    except DomainError as e:
        # The service names a line by its index ("lines.2.item"); the form by its line in the text box.
        if e.field and e.field.startswith("lines."):
            n = parsed[int(e.field.split(".")[1])][0]
            raise InvalidInput(_("Line %(n)d: %(detail)s", n=n, detail=e.detail), field="lines") from None
        raise


@bp.route("/receipts/new", methods=["GET", "POST"])
def receipt_new():
    """Show the expected-receipt form (reference, supplier, one "SKU qty" per line) and create it."""
    form = ReceiptForm()
    status = 200
    if form.validate_on_submit():
        try:
            receipt = run_in_transaction(_create, form)
        except DomainError as e:
            show_domain_error(form, e)
            status = 422
        else:
            flash(_("Receipt %(ref)s created.", ref=receipt.reference), "success")
            return redirect(url_for("supervisor.receipt_detail", receipt_id=receipt.id))
    elif request.method == "POST":
        status = 422
    return render_template("supervisor/receipts/new.html", form=form), status


@bp.route("/receipts/import", methods=["GET", "POST"])
def receipt_import():
    """Create expected receipts from a CSV (one line per receipt line) and report refused lines."""
    form = ImportForm()
    result, status = None, 200
    if form.validate_on_submit():
        result = run_import(form, services.import_receipts_csv)
        status = 200 if result is not None else 422
    elif request.method == "POST":
        status = 422
    return render_template("supervisor/import.html", form=form, result=result, columns=RECEIPT_CSV_COLUMNS,
                           required=("reference", "item", "qty"), title=_("Import receipts"),
                           note=_("One line per receipt line; lines with the same reference make one receipt. "
                                  "A receipt with a refused line is not imported; fix it and import it again."),
                           nav="receipts", back=url_for("supervisor.receipts"),
                           back_label=_("Back to receipts")), status


@bp.post("/receipts/blind")
def receipt_blind():
    """Open a blind receipt: nothing is expected, what arrives is counted."""
    if not ActionForm().validate_on_submit():
        abort(400)
    receipt = run_in_transaction(services.start_blind_receipt)
    flash(_("Blind receipt %(ref)s started.", ref=receipt.reference), "success")
    return redirect(url_for("supervisor.receipt_detail", receipt_id=receipt.id))


def _load(receipt_id: int) -> Receipt:
    receipt = db.session.get(Receipt, receipt_id)
    if receipt is None:
        abort(404)
    return receipt


@bp.get("/receipts/<int:receipt_id>")
def receipt_detail(receipt_id: int):
    """One receipt: expected, received and variance per line, and the movements that received it."""
    receipt = _load(receipt_id)
    stmt, _count = queries.movements(ref=("receipt", receipt.id))
    moves = db.session.execute(stmt.limit(PAGE_SIZE)).all()
    return render_template("supervisor/receipts/detail.html", receipt=receipt, lines=receipt.lines,
                           progress=progress(receipt), moves=moves, ReceiptStatus=ReceiptStatus)


@bp.post("/receipts/<int:receipt_id>/close")
def receipt_close(receipt_id: int):
    """Close a receipt; short and over lines stay visible as variances."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        ref = run_in_transaction(lambda: services.close_receipt(_load(receipt_id)).reference)
    except DomainError as e:
        flash(e.detail, "error")
    else:
        flash(_("Receipt %(ref)s closed.", ref=ref), "success")
    return redirect(url_for("supervisor.receipt_detail", receipt_id=receipt_id))
