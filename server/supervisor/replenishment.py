"""Replenishment page: the items at or below their reorder point (CSV export for purchasing), recomputing the
parameters from demand history, and the channel's Price & Quantity file as a download."""

from __future__ import annotations

from flask import Response, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext, ngettext
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..catalog.queries import item_by_sku
from ..errors import NotFound
from ..replenishment import queries, services
from .export import export_name, rows_response
from .pages import bp, submit

PAGE_ROWS = 500


class ComputeForm(FlaskForm):
    days = IntegerField(lazy_gettext("Days of demand history"),
                        [InputRequired(lazy_gettext("Enter how many days.")), NumberRange(min=7, max=730)],
                        default=services.DEFAULT_DAYS)


class LeadTimeForm(FlaskForm):
    sku = StringField(lazy_gettext("SKU"), [InputRequired(lazy_gettext("Enter the SKU.")), Length(max=64)])
    lead_time_days = DecimalField(lazy_gettext("Lead time (days)"),
                                  [InputRequired(lazy_gettext("Enter the lead time.")), NumberRange(min=0.1, max=365)])
    lead_time_sd_days = DecimalField(lazy_gettext("Lead time spread (days)"), [Optional(), NumberRange(min=0, max=365)],
                                     default=0)
    service_level = DecimalField(lazy_gettext("Service level (0.5–0.999)"),
                                 [Optional(), NumberRange(min=0.5, max=0.999)], default=0.95)


@bp.get("/replenishment")
def replenishment():
    """The low-stock list (furthest below the reorder point first), the recompute and the lead-time forms."""
    return render_template("supervisor/replenishment/index.html", rows=queries.low_stock(limit=PAGE_ROWS),
                           form=ComputeForm(formdata=None), lead_form=LeadTimeForm(formdata=None))


@bp.post("/replenishment/lead-time")
def replenishment_lead_time():
    """Set one item's lead time and service level; its safety stock and reorder point follow at once."""
    form = LeadTimeForm()

    def save():
        item = item_by_sku(form.sku.data.strip())
        if item is None:
            raise NotFound(_("There is no item %(sku)s.", sku=form.sku.data.strip()), field="sku")
        params = services.set_item_inputs(
            item, lead_time_days=float(form.lead_time_days.data),
            lead_time_sd_days=float(form.lead_time_sd_days.data or 0),
            service_level=float(form.service_level.data) if form.service_level.data is not None else None)
        return item.sku, params.reorder_point

    return submit(form, save, to=url_for("supervisor.replenishment"),
                  done=lambda r: _("%(sku)s: reorder point %(rop)s.", sku=r[0], rop=r[1]))


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
