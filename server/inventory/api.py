"""Location endpoints (stock and moves join them in the ledger issue)."""

from __future__ import annotations

from ..api import APIBlueprint
from ..auth.guard import ANY_ROLE, require_role
from ..auth.models import Role
from ..errors import NotFound
from ..csvio import import_upload
from ..schemas import CsvUpload, ImportResult
from . import locations
from .schemas import LocationIn, LocationOut, LocationPage, LocationQuery

bp = APIBlueprint("inventory", __name__, url_prefix="/api", tag="Locations and stock")


@bp.get("/locations")
@require_role(*ANY_ROLE)
@bp.input(LocationQuery, location="query", arg_name="query")
@bp.output(LocationPage)
@bp.doc(summary="Search locations (bins, docks, totes, carts, pallets) by code")
def list_locations(query):
    rows, total = locations.search_locations(query["q"], limit=query["limit"], offset=query["offset"],
                                             kind=query["kind"])
    return {"locations": [locations.location_out(r) for r in rows], "total": total}


@bp.write("/locations", roles=Role.SUPERVISOR, body=LocationIn, out=LocationOut, status=201,
          summary="Create a location")
def create_location(body):
    zone_code, parent_code = body.pop("zone"), body.pop("parent")
    zone = locations.get_or_create_zone(zone_code) if zone_code else None
    parent = None
    if parent_code:
        parent = locations.find_location(parent_code)
        if parent is None:
            raise NotFound(f"There is no location {parent_code}.", field="parent")
    loc = locations.create_location(body.pop("code"), kind=body.pop("kind"), zone=zone, parent=parent, **body)
    return locations.location_out(loc)


@bp.write("/locations/import", roles=Role.SUPERVISOR, files=CsvUpload, out=ImportResult,
          queued=True,
          summary="Create or update locations from a CSV file (go-live)")
def import_locations(files):
    return import_upload(locations.LOCATIONS_IMPORT, files["file"].read())
