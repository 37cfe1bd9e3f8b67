"""Replenishment page: the items at or below their reorder point (CSV export for purchasing), recomputing the
parameters from demand history, and the channel's Price & Quantity file as a download."""

from __future__ import annotations

from flask import Response, render_template, url_for
from flask_babel import lazy_gettext, ngettext
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from ..replenishment import queries, services
from .export import export_name, rows_response
from .pages import bp, submit

PAGE_ROWS = 500


class ComputeForm(FlaskForm):
    days = IntegerField(lazy_gettext("Days of demand history"),
                        [InputRequired(lazy_gettext("Enter how many days.")), NumberRange(min=7, max=730)],
                        default=services.DEFAULT_DAYS)


@bp.get("/replenishment")
def replenishment():
    """The low-stock list (furthest below the reorder point first) and the recompute form."""
    return render_template("supervisor/replenishment/index.html", rows=queries.low_stock(limit=PAGE_ROWS),
                           form=ComputeForm(formdata=None))


@bp.post("/replenishment/compute")
def replenishment_compute():
    """Recompute every active item's demand, safety stock and reorder point from its shipments."""
    form = ComputeForm()
    return submit(form, lambda: len(services.compute_params(days=form.days.data)),
                  to=url_for("supervisor.replenishment"),
                  done=lambda n: ngettext("Reorder points computed for %(num)d item.",
                                          "Reorder points computed for %(num)d items.", n))


@bp.get("/replenishment/low-stock.csv")
def replenishment_export():
    """The whole low-stock list for purchasing."""
    return rows_response(export_name("low-stock"), queries.LOW_STOCK_COLUMNS,
                         (queries.low_stock_csv_row(r) for r in queries.low_stock()))


@bp.get("/replenishment/quantity-feed.txt")
def replenishment_feed():
    """The Amazon Price & Quantity file, as GET /api/channel/quantity-feed.txt gives it."""
    response = Response(queries.quantity_feed_text(), mimetype="text/tab-separated-values")
    response.headers["Content-Disposition"] = 'attachment; filename="price-quantity.txt"'
    response.headers["Cache-Control"] = "no-store"
    return response
