"""Location pages: search, detail, create, CSV import and deactivate."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_babel import gettext as _

from ..errors import InvalidInput
from ..inventory import locations as services
from ..inventory import queries as stock_queries
from .forms import ActionForm, ImportForm, LocationForm
from .imports import import_page
from .pages import PAGE_SIZE, bp, offset, page_info, paging, submit

LOCATION_CSV_COLUMNS = ("code", "zone", "kind", "parent", "aisle", "bay", "level", "position", "x", "y",
                        "pick_sequence", "capacity_units", "pickable", "blocked", "mixed_items_allowed")


@bp.get("/locations")
def locations():
    """List locations matching the search text in walking order, a page at a time."""
    q, page = paging()
    rows, total = services.search_locations(q or None, limit=PAGE_SIZE, offset=offset(page))
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
    return submit(form, lambda: _create_location(form),
                  done=lambda loc: _("Location %(code)s created.", code=loc.code),
                  to=lambda loc: url_for("supervisor.location_detail", code=loc.code),
                  page="supervisor/locations/new.html")


@bp.route("/locations/import", methods=["GET", "POST"])
def location_import():
    """Create or update locations from an uploaded CSV and report each refused line."""
    return import_page(ImportForm(), services.LOCATIONS_IMPORT, columns=LOCATION_CSV_COLUMNS,
                       required=("code",), title=_("Import locations"), back=url_for("supervisor.locations"),
                       back_label=_("Back to locations"))


def _location(code: str):
    loc = services.find_location(code, include_inactive=True)
    if loc is None:
        abort(404)
    return loc


@bp.get("/locations/<code>")
def location_detail(code: str):
    """Show one location with the stock it holds and the containers standing in it."""
    loc = _location(code)
    children = services.children_of(loc)
    return render_template("supervisor/locations/detail.html", loc=loc, children=children,
                           stock=stock_queries.stock_in_location(loc),
                           units=stock_queries.units_in([c.id for c in children]))


@bp.post("/locations/<code>/deactivate")
def location_deactivate(code: str):
    """Deactivate a location (the ledger keeps referring to it)."""

    def deactivate():
        loc = _location(code)
        services.deactivate_location(loc)
        return loc

    return submit(ActionForm(), deactivate, done=lambda loc: _("Location %(code)s deactivated.", code=loc.code),
                  to=url_for("supervisor.location_detail", code=code))
