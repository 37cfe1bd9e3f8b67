"""Receipt pages: open and closed receipts with their progress, create, CSV import, blind start, close."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _

from ..errors import DomainError, InvalidInput
from ..inventory import queries as stock_queries
from ..receiving import queries, services
from ..receiving.models import ReceiptStatus
from . import clock
from .forms import ActionForm, ImportForm, ReceiptForm
from .imports import import_page
from .pages import PAGE_SIZE, bp, offset, page_info, page_number, page_of, submit

RECEIPT_CSV_COLUMNS = ("reference", "supplier", "item", "qty")
STATUSES = ("open", "closed", "all")


@bp.app_template_global("receipt_progress")
def _receipt_progress(receipt) -> dict:
    return queries.receipt_progress(receipt)


@bp.get("/receipts")
def receipts():
    """Receipts newest first, open ones by default, with received/expected per line."""
    status = request.args.get("status", "open")
    if status not in STATUSES:
        status = "open"
    page = page_number()
    rows, total = queries.receipt_page(None if status == "all" else status, limit=PAGE_SIZE,
                                       offset=offset(page))
    return render_template("supervisor/receipts/list.html", receipts=rows, status=status,
                           counts=queries.receipt_counts(), paging=page_info(page, total, len(rows)))


def _create(form: ReceiptForm):
    parsed = form.parsed_lines()
    expected_at = clock.day_start(form.expected_on.data) if form.expected_on.data else None
    try:
        return services.create_receipt(form.reference.data, lines=[(code, qty) for _n, code, qty in parsed],
                                       supplier=(form.supplier.data or "").strip() or None,
                                       expected_at=expected_at)
    except DomainError as e:
        # The service names a line by its index ("lines.2.item"); the form by its line in the text box.
        if e.field and e.field.startswith("lines."):
            n = parsed[int(e.field.split(".")[1])][0]
            raise InvalidInput(_("Line %(n)d: %(detail)s", n=n, detail=e.detail), field="lines") from None
        raise


def _to_receipt(receipt) -> str:
    return url_for("supervisor.receipt_detail", receipt_id=receipt.id)


@bp.route("/receipts/new", methods=["GET", "POST"])
def receipt_new():
    """Show the expected-receipt form (reference, supplier, one "SKU qty" per line) and create it."""
    form = ReceiptForm()
    return submit(form, lambda: _create(form), done=lambda r: _("Receipt %(ref)s created.", ref=r.reference),
                  to=_to_receipt, page="supervisor/receipts/new.html")


@bp.route("/receipts/import", methods=["GET", "POST"])
def receipt_import():
    """Create expected receipts from a CSV (one line per receipt line) and report refused lines."""
    return import_page(ImportForm(), services.RECEIPTS_IMPORT, columns=RECEIPT_CSV_COLUMNS,
                       required=("reference", "item", "qty"), title=_("Import receipts"),
                       note=_("One line per receipt line; lines with the same reference make one receipt. "
                              "A receipt with a refused line is not imported; fix it and import it again."),
                       nav="receipts", back=url_for("supervisor.receipts"), back_label=_("Back to receipts"))


@bp.post("/receipts/blind")
def receipt_blind():
    """Open a blind receipt: nothing is expected, what arrives is counted."""
    return submit(ActionForm(), services.start_blind_receipt, to=_to_receipt, back=url_for("supervisor.receipts"),
                  done=lambda r: _("Blind receipt %(ref)s started.", ref=r.reference))


@bp.get("/receipts/<int:receipt_id>")
def receipt_detail(receipt_id: int):
    """One receipt: expected, received and variance per line, and the movements that received it."""
    receipt = services.get_receipt(receipt_id)
    moves, _total = page_of(stock_queries.movement_rows(ref=("receipt", receipt.id))[0], 1)
    return render_template("supervisor/receipts/detail.html", receipt=receipt, lines=receipt.lines,
                           progress=queries.receipt_progress(receipt), moves=moves, ReceiptStatus=ReceiptStatus)


@bp.post("/receipts/<int:receipt_id>/close")
def receipt_close(receipt_id: int):
    """Close a receipt; short and over lines stay visible as variances."""
    return submit(ActionForm(), lambda: services.close_receipt(services.get_receipt(receipt_id)),
                  done=lambda r: _("Receipt %(ref)s closed.", ref=r.reference),
                  to=url_for("supervisor.receipt_detail", receipt_id=receipt_id))

