"""Location endpoints (stock and moves join them in the ledger issue)."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Boolean, Float, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Range

from ..api import APIBlueprint
from ..auth.guard import ANY_ROLE, require_role
from ..auth.models import Role
from ..errors import NotFound
from ..schemas import CsvUpload, ImportResult, PageQuery
from . import locations
from .codes import LocationKind

bp = APIBlueprint("inventory", __name__, url_prefix="/api", tag="Locations and stock")


class LocationOut(Schema):
    code = String()
    zone = String(allow_none=True)
    kind = String()
    parent = String(allow_none=True)


class LocationPage(Schema):
    locations = List(Nested(LocationOut))
    total = Integer()


class LocationQuery(PageQuery):
    kind = String(load_default=None, validate=OneOf([k.value for k in LocationKind]))


class LocationIn(Schema):
    code = String(required=True, validate=Length(1, 64))
    kind = String(load_default="bin", validate=OneOf([k.value for k in LocationKind if k != "virtual"]))
    zone = String(load_default=None, validate=Length(1, 16))
    parent = String(load_default=None, validate=Length(1, 64))
    aisle = Integer(load_default=None, validate=Range(0))
    bay = Integer(load_default=None, validate=Range(0))
    level = String(load_default=None, validate=Length(1, 4))
    x = Float(load_default=None)
    y = Float(load_default=None)
    pick_sequence = Integer(load_default=None, validate=Range(0))
    capacity_units = Integer(load_default=None, validate=Range(1))
    pickable = Boolean(load_default=True)
    blocked = Boolean(load_default=False)
    mixed_items_allowed = Boolean(load_default=True)


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
          summary="Create or update locations from a CSV file (go-live)")
def import_locations(files):
    return locations.import_locations_csv(files["file"].read())
