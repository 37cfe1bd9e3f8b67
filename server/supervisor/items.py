"""Item pages: search, detail, create, CSV import and deactivate."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _

from ..catalog import queries, services
from ..inventory import queries as stock_queries
from .forms import ActionForm, ImportForm, ItemForm
from .imports import import_page
from .pages import PAGE_SIZE, bp, offset, page_info, paging, submit

ITEM_CSV_COLUMNS = ("sku", "name", "unit", "barcodes", "weight_g", "length_mm", "width_mm", "height_mm",
                    "value_cents", "home_zone", "tracks_lot", "tracks_expiry", "tracks_serial")


@bp.get("/items")
def items():
    """List items matching the search text, a page at a time."""
    q, page = paging()
    show_inactive = request.args.get("inactive") == "1"
    rows, total = services.search_items(q or None, limit=PAGE_SIZE, offset=offset(page),
                                        include_inactive=show_inactive)
    return render_template("supervisor/items/list.html", items=rows, q=q, show_inactive=show_inactive,
                           paging=page_info(page, total, len(rows)))


@bp.route("/items/new", methods=["GET", "POST"])
def item_new():
    """Show the new-item form and create the item."""
    form = ItemForm()
    return submit(form, lambda: services.create_item(form.sku.data, form.name.data, barcodes=form.barcode_specs(),
                                                     **form.attrs()),
                  done=lambda item: _("Item %(sku)s created.", sku=item.sku),
                  to=lambda item: url_for("supervisor.item_detail", sku=item.sku),
                  page="supervisor/items/new.html")


@bp.route("/items/import", methods=["GET", "POST"])
def item_import():
    """Create or update items from an uploaded CSV and report each refused line."""
    return import_page(ImportForm(), services.ITEMS_IMPORT, columns=ITEM_CSV_COLUMNS, required=("sku", "name"),
                       title=_("Import items"), back=url_for("supervisor.items"), back_label=_("Back to items"))


def _item(sku: str):
    item = queries.item_by_sku(sku)
    if item is None:
        abort(404)
    return item


@bp.get("/items/<path:sku>")
def item_detail(sku: str):
    """Show one item with its barcodes and its stock per location and lot."""
    item = _item(sku)
    return render_template("supervisor/items/detail.html", item=item, stock=stock_queries.stock_for_item(item))


@bp.post("/items/<path:sku>/deactivate")
def item_deactivate(sku: str):
    """Deactivate an item (kept for history, hidden from search and scans)."""

    def deactivate():
        item = _item(sku)
        services.deactivate_item(item)
        return item

    return submit(ActionForm(), deactivate, done=lambda item: _("Item %(sku)s deactivated.", sku=item.sku),
                  to=url_for("supervisor.item_detail", sku=sku))
