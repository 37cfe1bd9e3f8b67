"""Movement history: the ledger's rows, filtered and paged, with CSV export and reversal of a wrong movement."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..errors import DomainError
from ..extensions import db
from ..http import run_in_transaction
from ..inventory import ledger
from ..inventory.codes import MoveKind
from ..inventory.ledger_models import NO_LOT, StockMove
from ..inventory.locations import find_location
from . import clock, queries
from .access import safe_next
from .export import csv_response, export_name
from .forms import MOVE_KIND_LABELS, ActionForm
from .views import PAGE_SIZE, bp, offset, page_info, page_number, web_actor

FILTERS = ("item", "location", "kind", "user", "from", "to")
MOVEMENT_COLUMNS = ("id", "time", "kind", "sku", "name", "qty", "from", "to", "lot", "expiry", "reason",
                    "ref_type", "ref_id", "user", "device", "scanned_at", "reverses", "reversed_by")


@dataclass
class Filters:
    """The history filters as typed (for the form), what they select, and what could not be understood."""

    raw: dict[str, str]
    criteria: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def args(self) -> dict[str, str]:
        """The filters to carry into paging and export links."""
        return {k: v for k, v in self.raw.items() if v}


def _date(filters: Filters, key: str) -> date | None:
    value = filters.raw[key]
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        filters.errors[key] = _("Write the date like %(example)s.", example=clock.today().isoformat())
        return None


def read_filters() -> Filters:
    """Turn the query string into movement_history criteria; an unknown item, place or user is an error,
    never a silently ignored filter (that would show every movement)."""
    f = Filters(raw={k: request.args.get(k, "").strip() for k in FILTERS})
    if f.raw["item"]:
        item = queries.item_for_filter(f.raw["item"])
        if item is None:
            f.errors["item"] = _("No item has the SKU or barcode %(code)s.", code=f.raw["item"])
        else:
            f.criteria["item_id"] = item.id
    if f.raw["location"]:
        loc = find_location(f.raw["location"], include_inactive=True)
        if loc is None:
            f.errors["location"] = _("There is no location %(code)s.", code=f.raw["location"])
        else:
            f.criteria["location_id"] = loc.id
    if f.raw["kind"]:
        if f.raw["kind"] in MoveKind._value2member_map_:
            f.criteria["kind"] = f.raw["kind"]
        else:
            f.errors["kind"] = _("Choose a kind from the list.")
    if f.raw["user"]:
        user = queries.user_by_name(f.raw["user"])
        if user is None:
            f.errors["user"] = _("There is no user %(name)s.", name=f.raw["user"])
        else:
            f.criteria["user_id"] = user.id
    first, last = _date(f, "from"), _date(f, "to")
    if first and last and last < first:
        f.errors["to"] = _("The end date is before the start date.")
    f.criteria["since"], f.criteria["until"] = clock.day_range(first, last)
    return f


def _page(filters: Filters, status: int = 200):
    page = page_number()
    rows, total = [], 0
    if not filters.errors:
        stmt, count = queries.movements(**filters.criteria)
        rows, total = queries.page_of(stmt, limit=PAGE_SIZE, offset=offset(page), count_stmt=count)
    return render_template("supervisor/movements/list.html", rows=rows, filters=filters,
                           kinds=MOVE_KIND_LABELS, users=queries.all_users(), lot=_lot,
                           paging=page_info(page, total, len(rows)),
                           here=request.full_path.rstrip("?")), status


def _lot(lot: str | None) -> str | None:
    return None if lot in (None, NO_LOT) else lot


def _export():
    filters = read_filters()
    if filters.errors:
        return _page(filters, 422)
    stmt, _count = queries.movements(**filters.criteria)
    return csv_response(export_name("movements"), MOVEMENT_COLUMNS, stmt, lambda r: (
        r.id, r.created_at, r.kind, r.sku, r.name, r.qty, r.src, r.dst, _lot(r.lot), r.expiry, r.reason, r.ref_type,
        r.ref_id, r.user, r.device_id, r.scanned_at, r.reverses_id, r.reversed_by))


@bp.get("/movements")
def movements():
    """Movement history, newest first, filtered by item, location, kind, user and warehouse dates."""
    if request.args.get("format") == "csv":
        return _export()
    filters = read_filters()
    return _page(filters, 422 if filters.errors else 200)


@bp.get("/movements/export.csv")
def movements_export():
    """Every movement the filters select, as CSV, streamed."""
    return _export()


@bp.get("/movements/<int:move_id>")
def movement_detail(move_id: int):
    """One movement with all it records, and the movement it reverses or that reversed it."""
    stmt, _count = queries.movements()
    row = db.session.execute(stmt.where(StockMove.id == move_id)).first()
    if row is None:
        abort(404)
    return render_template("supervisor/movements/detail.html", m=row, lot=_lot,
                           here=request.full_path.rstrip("?"))


@bp.post("/movements/<int:move_id>/reverse")
def movement_reverse(move_id: int):
    """Correct a wrong movement with its linked mirror image (the original stays as it was)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    back = safe_next(request.form.get("next")) or url_for("supervisor.movements")

    def reverse():
        move = db.session.get(StockMove, move_id)
        if move is None:
            abort(404)
        return [m.id for m in ledger.reverse_move(move, actor=web_actor())]

    try:
        ids = run_in_transaction(reverse)
    except DomainError as e:
        flash(e.detail, "error")
    except IntegrityError:
        # Another supervisor reversed it in the same instant (reverses_id is unique): theirs stands.
        flash(_("Movement %(id)d was reversed already.", id=move_id), "error")
    else:
        flash(_("Movement %(id)d reversed by movement %(new)s.", id=move_id,
                new=", ".join(str(i) for i in ids)), "success")
    return redirect(back)
