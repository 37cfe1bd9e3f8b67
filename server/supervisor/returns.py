"""Returns page: the latest returns with their graded lines, and the refund-ready lines' CSV export (which marks
them exported, so each line is handed to refunds once)."""

from __future__ import annotations

from flask import abort, render_template
from flask_wtf import FlaskForm

from ..http import run_in_transaction
from ..returns import queries
from ..returns import services as return_services
from ..returns.models import Condition, Disposition
from .export import export_name, rows_response
from .pages import bp


class RefundExportForm(FlaskForm):
    """A button-only POST: nothing but the CSRF token."""


@bp.get("/returns")
def returns():
    return render_template("supervisor/returns/index.html", returns=queries.recent_returns(),
                           refund_ready=queries.refund_ready_count(), export_form=RefundExportForm(formdata=None),
                           labels={e.value: e.label for e in (*Condition, *Disposition)})


@bp.post("/returns/refunds/export")
def returns_refund_export():
    if not RefundExportForm().validate_on_submit():
        abort(400)
    rows = run_in_transaction(return_services.export_refunds)
    return rows_response(export_name("refunds"), return_services.REFUND_COLUMNS, rows)
