"""Item pages: search, detail, create, CSV import and deactivate."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..catalog import services
from ..errors import DomainError
from ..http import run_in_transaction
from ..inventory import queries as stock_queries
from . import queries
from .forms import ActionForm, ImportForm, ItemForm
from .imports import run_import
from .views import PAGE_SIZE, bp, page_info, paging, show_domain_error

ITEM_CSV_COLUMNS = ("sku", "name", "unit", "barcodes", "weight_g", "length_mm", "width_mm", "height_mm",
                    "value_cents", "home_zone", "tracks_lot", "tracks_expiry", "tracks_serial")


@bp.get("/items")
def items():
    """List items matching the search text, a page at a time."""
    q, page = paging()
    show_inactive = request.args.get("inactive") == "1"
    rows, total = services.search_items(q or None, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
                                        include_inactive=show_inactive)
    return render_template("supervisor/items/list.html", items=rows, q=q, show_inactive=show_inactive,
                           paging=page_info(page, total, len(rows)))


@bp.route("/items/new", methods=["GET", "POST"])
def item_new():
    """Show the new-item form and create the item."""
    form = ItemForm()
    status = 200
    if form.validate_on_submit():
        try:
            item = run_in_transaction(lambda: services.create_item(
                form.sku.data, form.name.data, barcodes=form.barcode_specs(), **form.attrs()))
        except DomainError as e:
            show_domain_error(form, e)
            status = 422
        else:
            flash(_("Item %(sku)s created.", sku=item.sku), "success")
            return redirect(url_for("supervisor.item_detail", sku=item.sku))
    elif request.method == "POST":
        status = 422
    return render_template("supervisor/items/new.html", form=form), status


@bp.route("/items/import", methods=["GET", "POST"])
def item_import():
    """Create or update items from an uploaded CSV and report each refused line."""
    form = ImportForm()
    result, status = None, 200
    if form.validate_on_submit():
        result = run_import(form, services.import_items_csv)
        status = 200 if result is not None else 422
    elif request.method == "POST":
        status = 422
    return render_template("supervisor/import.html", form=form, result=result, columns=ITEM_CSV_COLUMNS,
                           required=("sku", "name"), title=_("Import items"),
                           back=url_for("supervisor.items"), back_label=_("Back to items")), status


@bp.get("/items/<path:sku>")
def item_detail(sku: str):
    """Show one item with its barcodes and its stock per location and lot."""
    item = queries.item_by_sku(sku)
    if item is None:
        abort(404)
    return render_template("supervisor/items/detail.html", item=item, stock=stock_queries.stock_for_item(item))


@bp.post("/items/<path:sku>/deactivate")
def item_deactivate(sku: str):
    """Deactivate an item (kept for history, hidden from search and scans)."""
    if not ActionForm().validate_on_submit():
        abort(400)

    def deactivate():
        item = queries.item_by_sku(sku)
        if item is None:
            abort(404)
        services.deactivate_item(item)
        return item.sku

    flash(_("Item %(sku)s deactivated.", sku=run_in_transaction(deactivate)), "success")
    return redirect(url_for("supervisor.item_detail", sku=sku))
