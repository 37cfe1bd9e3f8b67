"""Movement history: the ledger's rows, filtered and paged, with CSV export and reversal of a wrong movement."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..auth.queries import all_users, user_by_name
from ..catalog.queries import item_by_sku_or_code
from ..errors import DomainError
from ..inventory import ledger, queries
from ..inventory.codes import MoveKind
from ..inventory.locations import find_location
from ..schemas import in_calendar
from . import clock
from .access import safe_next
from .export import csv_response, export_name
from .forms import ReverseForm
from .pages import bp, page_info, page_number, page_of, submit, web_actor

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
        day = date.fromisoformat(value)
    except ValueError:
        filters.errors[key] = _("Write the date like %(example)s.", example=clock.today().isoformat())
        return None
    if not in_calendar(day):  # the day after 9999-12-31 does not exist
        filters.errors[key] = _("Choose a date between 1970 and 2999.")
        return None
    return day


def read_filters() -> Filters:
    """Turn the query string into movement_history criteria; an unknown item, place or user is an error,
    never a silently ignored filter (that would show every movement)."""
    f = Filters(raw={k: request.args.get(k, "").strip() for k in FILTERS})
    if f.raw["item"]:
        item = item_by_sku_or_code(f.raw["item"])
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
        user = user_by_name(f.raw["user"])
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
        stmt, count = queries.movement_rows(**filters.criteria)
        rows, total = page_of(stmt, page, count_stmt=count)
    return render_template("supervisor/movements/list.html", rows=rows, filters=filters, kinds=list(MoveKind),
                           users=all_users(), paging=page_info(page, total, len(rows)),
                           here=request.full_path.rstrip("?")), status


def _export():
    filters = read_filters()
    if filters.errors:
        return _page(filters, 422)
    stmt, _count = queries.movement_rows(**filters.criteria)
    return csv_response(export_name("movements"), MOVEMENT_COLUMNS, stmt, lambda r: (
        r.id, r.created_at, r.kind, r.sku, r.name, r.qty, r.src, r.dst, r.lot, r.expiry, r.reason, r.ref_type,
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
    """One movement with all it records, the movement it reverses or that reversed it, and the reversal form."""
    row = queries.movement_row(move_id)
    if row is None:
        abort(404)
    back = safe_next(request.args.get("next")) or url_for("supervisor.movements")
    return render_template("supervisor/movements/detail.html", m=row, here=request.full_path.rstrip("?"),
                           form=ReverseForm(row.kind, formdata=None, data={"next": back}))


@bp.post("/movements/<int:move_id>/reverse")
def movement_reverse(move_id: int):
    """Correct a wrong movement with its linked mirror image (the original stays as it was)."""
    move = queries.get_move(move_id)
    form = ReverseForm(move.kind)
    back = safe_next(form.next.data) or url_for("supervisor.movements")

    def reverse():
        try:
            moved = ledger.reverse_move(queries.get_move(move_id), actor=web_actor(), reason=form.reason.data)
        except IntegrityError:
            # Another supervisor reversed it in the same instant (reverses_id is unique): theirs stands.
            raise DomainError(_("Movement %(id)d was reversed already.", id=move_id)) from None
        return [m.id for m in moved]

    return submit(form, reverse, to=back,
                  done=lambda ids: _("Movement %(id)d reversed by movement %(new)s.", id=move_id,
                                     new=", ".join(map(str, ids))))
