"""The orders import page: an Amazon unshipped-orders report, or a CSV file through a saved column mapping,
with the other imports' progress bar for large files (imports.import_page)."""

from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from wtforms import SelectField

from ..orders import imports
from .forms import ImportForm
from .imports import import_page
from .pages import bp, web_actor

AMAZON_CHOICE = ""


class OrderImportForm(ImportForm):
    mapping = SelectField(lazy_gettext("File layout"), default=AMAZON_CHOICE)


@bp.route("/orders/import", methods=["GET", "POST"])
def order_import():
    """Import orders and report each refused line, the duplicates and the channel's cancel requests."""
    form = OrderImportForm()
    form.mapping.choices = [(AMAZON_CHOICE, _("Amazon unshipped-orders report"))] + [
        (m.name, _("CSV: %(name)s (%(channel)s)", name=m.name, channel=m.channel)) for m in imports.list_mappings()]
    params = None
    if request.method == "POST" and form.mapping.data in {value for value, _label in form.mapping.choices}:
        chosen = form.mapping.data or None
        params = imports.upload_params(b"", format=None if chosen else imports.AMAZON, mapping=chosen,
                                       actor=web_actor())
    return import_page(form, imports.ORDERS_IMPORT, params=params, template="supervisor/import_orders.html",
                       utf8_only=False, nav="orders", columns=imports.AMAZON_DOCUMENTED,
                       required=imports.AMAZON_REQUIRED,
                       note=_("Re-importing a file adds no order twice; an order with a refused line is left out."),
                       title=_("Import orders"), back=url_for("supervisor.orders"), back_label=_("Back to orders"))
