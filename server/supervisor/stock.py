"""Stock pages: stock by item, stock by location (both with CSV export), adjust stock, opening stock import."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _

from ..inventory import moves, queries
from .export import csv_response, export_name
from .forms import AdjustForm, ImportForm
from .imports import import_page
from .pages import bp, page_info, page_of, paging, submit, web_actor

STOCK_ITEM_COLUMNS = ("sku", "name", "unit", "on_hand", "reserved", "available", "locations")
STOCK_LOCATION_COLUMNS = ("location", "zone", "kind", "parent", "sku", "name", "lot", "expiry", "qty", "reserved",
                          "available")
OPENING_STOCK_COLUMNS = ("item", "location", "qty", "lot", "expiry")
# The adjust form calls the place "location"; the ledger names a full destination "to".
ADJUST_ALIASES = {"to": "location"}


def _wants_csv() -> bool:
    return request.args.get("format") == "csv"


# --- Stock by item ---------------------------------------------------------------------------------

def _stock_by_item_filters() -> tuple[str, int, bool]:
    q, page = paging()
    return q, page, request.args.get("in_stock") == "1"


def _stock_by_item_csv():
    q, _page, in_stock = _stock_by_item_filters()
    stmt = queries.stock_by_item_rows(q or None, in_stock_only=in_stock)
    return csv_response(export_name("stock-by-item"), STOCK_ITEM_COLUMNS, stmt,
                        lambda r: (r.sku, r.name, r.unit, r.on_hand, r.reserved, r.available, r.locations))


@bp.get("/stock")
def stock():
    """Stock per item (on hand, reserved, available, locations), searched by SKU, name or barcode."""
    if _wants_csv():
        return _stock_by_item_csv()
    q, page, in_stock = _stock_by_item_filters()
    rows, total = page_of(queries.stock_by_item_rows(q or None, in_stock_only=in_stock), page)
    args = {k: v for k, v in (("q", q), ("in_stock", "1" if in_stock else "")) if v}
    return render_template("supervisor/stock/by_item.html", rows=rows, q=q, in_stock=in_stock, args=args,
                           paging=page_info(page, total, len(rows)))


@bp.get("/stock/export.csv")
def stock_export():
    """Stock per item as CSV, with the filters of the page (every page, not just one)."""
    return _stock_by_item_csv()


# --- Stock by location -----------------------------------------------------------------------------

def _stock_by_location_filters() -> tuple[str, int, str]:
    q, page = paging()
    return q, page, request.args.get("zone", "").strip().upper()


def _stock_by_location_csv():
    q, _page, zone = _stock_by_location_filters()
    stmt = queries.stock_by_location_rows(q or None, zone=zone or None)
    return csv_response(export_name("stock-by-location"), STOCK_LOCATION_COLUMNS, stmt,
                        lambda r: (r.location, r.zone, r.kind, r.parent, r.sku, r.name, r.lot, r.expiry,
                                   r.qty, r.reserved, r.available))


@bp.get("/stock/locations")
def stock_locations():
    """What each location holds (item, lot, quantity), in walking order, by location code and zone."""
    if _wants_csv():
        return _stock_by_location_csv()
    q, page, zone = _stock_by_location_filters()
    rows, total = page_of(queries.stock_by_location_rows(q or None, zone=zone or None), page)
    args = {k: v for k, v in (("q", q), ("zone", zone)) if v}
    return render_template("supervisor/stock/by_location.html", rows=rows, q=q, zone=zone, args=args,
                           zones=queries.zone_codes(), paging=page_info(page, total, len(rows)))


@bp.get("/stock/locations/export.csv")
def stock_locations_export():
    """Stock per location as CSV, with the filters of the page."""
    return _stock_by_location_csv()


# --- Adjust and opening stock ----------------------------------------------------------------------

def _adjust(form: AdjustForm) -> dict:
    moved = moves.adjust_stock(item_code=form.item.data.strip(), location_code=form.location.data.strip(),
                               delta=form.qty.data, reason=form.reason.data,
                               lot=(form.lot.data or "").strip() or None, expiry=form.expiry.data,
                               actor=web_actor())
    move = moved[0]
    loc = move.dst if form.qty.data > 0 else move.src
    return {"sku": move.item.sku, "location": loc.code, "ids": [m.id for m in moved]}


@bp.route("/stock/adjust", methods=["GET", "POST"])
def stock_adjust():
    """Add or remove stock in a location with a reason; the ledger records who and why."""
    form = AdjustForm() if request.method == "POST" else AdjustForm(formdata=None, data={
        k: request.args.get(k, "") for k in ("item", "location", "lot")})
    return submit(form, lambda: _adjust(form), page="supervisor/stock/adjust.html", aliases=ADJUST_ALIASES,
                  done=lambda r: _("%(sku)s in %(loc)s changed by %(delta)+d.", sku=r["sku"],
                                      loc=r["location"], delta=form.qty.data),
                  to=lambda r: url_for("supervisor.item_detail", sku=r["sku"]) + "#stock")


@bp.route("/stock/import", methods=["GET", "POST"])
def stock_import():
    """Go-live: post opening balances from a CSV (item, location, qty, lot, expiry) as ledger entries."""
    actor = web_actor()
    return import_page(ImportForm(), moves.OPENING_STOCK_IMPORT, params=moves.actor_params(actor),
                       columns=OPENING_STOCK_COLUMNS, required=("item", "location", "qty"),
                       title=_("Import opening stock"),
                       note=_("Each line adds its quantity to the location as an opening balance: "
                              "import a file once. Correct mistakes with an adjustment."),
                       nav="stock", back=url_for("supervisor.stock"), back_label=_("Back to stock"))
