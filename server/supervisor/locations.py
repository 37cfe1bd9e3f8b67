"""Location pages: search, detail, create, CSV import and deactivate."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..errors import DomainError, InvalidInput
from ..http import run_in_transaction
from ..inventory import locations as services
from ..inventory import queries as stock_queries
from . import queries
from .forms import KIND_LABELS, ActionForm, ImportForm, LocationForm
from .imports import run_import
from .views import PAGE_SIZE, bp, page_info, paging, show_domain_error

LOCATION_CSV_COLUMNS = ("code", "zone", "kind", "parent", "aisle", "bay", "level", "position", "x", "y",
                        "pick_sequence", "capacity_units", "pickable", "blocked", "mixed_items_allowed")


@bp.app_template_filter("location_kind")
def _location_kind(kind) -> str:
    return str(KIND_LABELS.get(kind, kind))


@bp.get("/locations")
def locations():
    """List locations matching the search text in walking order, a page at a time."""
    q, page = paging()
    rows, total = services.search_locations(q or None, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_template("supervisor/locations/list.html", locations=rows, q=q,
                           paging=page_info(page, total, len(rows)))


def _create_location(form: LocationForm):
    parent_code, zone_code = (form.parent.data or "").strip(), (form.zone.data or "").strip()
    parent = services.find_location(parent_code) if parent_code else None
    if parent_code and parent is None:
        raise InvalidInput(_("There is no location %(code)s.", code=parent_code), field="parent")
    zone = services.get_or_create_zone(zone_code) if zone_code else None
    return services.create_location(form.code.data, kind=form.kind.data, zone=zone, parent=parent,
                                    **form.attrs())


@bp.route("/locations/new", methods=["GET", "POST"])
def location_new():
    """Show the new-location form and create the location."""
    form = LocationForm()
    status = 200
    if form.validate_on_submit():
        try:
            loc = run_in_transaction(_create_location, form)
        except DomainError as e:
            show_domain_error(form, e)
            status = 422
        else:
            flash(_("Location %(code)s created.", code=loc.code), "success")
            return redirect(url_for("supervisor.location_detail", code=loc.code))
    elif request.method == "POST":
        status = 422
    return render_template("supervisor/locations/new.html", form=form), status


@bp.route("/locations/import", methods=["GET", "POST"])
def location_import():
    """Create or update locations from an uploaded CSV and report each refused line."""
    form = ImportForm()
    result, status = None, 200
    if form.validate_on_submit():
        result = run_import(form, services.import_locations_csv)
        status = 200 if result is not None else 422
    elif request.method == "POST":
        status = 422
    return render_template("supervisor/import.html", form=form, result=result, columns=LOCATION_CSV_COLUMNS,
                           required=("code",), title=_("Import locations"),
                           back=url_for("supervisor.locations"), back_label=_("Back to locations")), status


@bp.get("/locations/<code>")
def location_detail(code: str):
    """Show one location with the stock it holds and the containers standing in it."""
    loc = services.find_location(code, include_inactive=True)
    if loc is None:
        abort(404)
    children = services.children_of(loc)
    return render_template("supervisor/locations/detail.html", loc=loc, children=children,
                           stock=stock_queries.stock_in_location(loc),
                           units=queries.units_in([c.id for c in children]))


@bp.post("/locations/<code>/deactivate")
def location_deactivate(code: str):
    """Deactivate a location (the ledger keeps referring to it)."""
    if not ActionForm().validate_on_submit():
        abort(400)

    def deactivate():
        loc = services.find_location(code, include_inactive=True)
        if loc is None:
            abort(404)
        services.deactivate_location(loc)
        return loc.code

    flash(_("Location %(code)s deactivated.", code=run_in_transaction(deactivate)), "success")
    return redirect(url_for("supervisor.location_detail", code=code))
