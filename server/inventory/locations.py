"""Locations: creation, lookup by scanned code, search, CSV import for go-live."""

from __future__ import annotations

import functools

import re

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, joinedload

from ..csvio import CsvImport, CsvRow, RowError
from ..errors import InvalidInput, NotFound
from ..extensions import db
from .codes import LocationKind
from .models import Location, Warehouse, Zone

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_.]{0,63}$")


def code_key(code: str) -> str:
    return code.strip().upper()


def default_warehouse() -> Warehouse:
    wh = db.session.scalar(sa.select(Warehouse).order_by(Warehouse.id).limit(1))
    if wh is None:
        wh = Warehouse(code="MAIN", name="Main warehouse")
        db.session.add(wh)
        db.session.flush()
    return wh


def get_or_create_zone(code: str, name: str | None = None) -> Zone:
    wh = default_warehouse()
    zone = db.session.scalar(sa.select(Zone).where(Zone.warehouse_id == wh.id, Zone.code == code.upper()))
    if zone is None:
        zone = Zone(warehouse=wh, code=code.upper(), name=name or code.upper())
        db.session.add(zone)
        db.session.flush()
    return zone


def create_location(code: str, *, kind: LocationKind | str = LocationKind.BIN, zone: Zone | None = None,
                    parent: Location | None = None, **attrs) -> Location:
    """Create a location; containers (tote, cart, pallet, carton) stand under a parent location."""
    code = code.strip()
    if not CODE_PATTERN.match(code):
        raise InvalidInput(_("A location code is 1 to 64 letters, digits or - _ ."), field="code")
    try:
        kind = LocationKind(kind)
    except ValueError:
        raise InvalidInput(_("Unknown location kind %(k)s.", k=kind), field="kind",
                           expected=", ".join(k.value for k in LocationKind)) from None
    if db.session.scalar(sa.select(Location.id).where(Location.code_key == code_key(code))):
        raise InvalidInput(_("Location %(code)s exists already.", code=code), field="code")
    loc = Location(code=code, code_key=code_key(code), kind=kind, zone=zone, parent=parent,
                   warehouse_id=default_warehouse().id if kind != LocationKind.VIRTUAL else None, **attrs)
    db.session.add(loc)
    db.session.flush()
    return loc


def walking_order(loc=Location) -> tuple:
    """THE walking order of locations (ORDER BY clauses): pick sequence, unsequenced last, then code.

    loc may be an alias of Location. Pickers, put-away suggestions and every list walk the floor this way.
    """
    return (loc.pick_sequence.is_(None), loc.pick_sequence, loc.code_key)


def _with_zone_and_parent(*conditions):
    # Zone and parent come in the same query: every scan of a location shows both.
    return (sa.select(Location).where(*conditions)
            .options(joinedload(Location.zone), joinedload(Location.parent)))


def find_location(code: str, *, include_inactive: bool = False) -> Location | None:
    stmt = _with_zone_and_parent(Location.code_key == code_key(code))
    if not include_inactive:
        stmt = stmt.where(Location.active)
    return db.session.scalar(stmt)


@functools.cache
def _active_by_keys():
    # Built once: every move and put-away runs it, and building it costs more than running it.
    return _with_zone_and_parent(Location.code_key.in_(sa.bindparam("keys", expanding=True)), Location.active)


def get_location(code: str, *, field: str = "location") -> Location:
    return get_locations({field: code})[field]


def get_locations(codes_by_field: dict[str, str]) -> dict[str, Location]:
    """Active locations by code, in ONE query, keyed by the input field that named each (from, to, ...).

    An unknown code is a 404 naming its field, the first in the order given.
    """
    keys = {field: code_key(code) for field, code in codes_by_field.items()}
    found = {loc.code_key: loc for loc in db.session.scalars(_active_by_keys(), {"keys": sorted(set(keys.values()))})}
    for field, key in keys.items():
        if key not in found:
            raise NotFound(_("There is no location %(code)s.", code=codes_by_field[field]), field=field)
    return {field: found[key] for field, key in keys.items()}


def search_locations(q: str | None, *, limit: int, offset: int, kind: str | None = None,
                     include_virtual: bool = False):
    """Page through locations whose code contains q, in walking (pick-sequence) order."""
    stmt = sa.select(Location).where(Location.active)
    if not include_virtual:
        stmt = stmt.where(Location.kind != LocationKind.VIRTUAL)
    if kind:
        stmt = stmt.where(Location.kind == kind)
    if q:
        stmt = stmt.where(Location.code_key.like(f"%{q.strip().upper()}%"))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(
        stmt.order_by(*walking_order())
        .limit(limit).offset(offset)).all()
    return rows, total


def location_out(loc: Location) -> dict:
    return {"code": loc.code, "zone": loc.zone.code if loc.zone else None, "kind": loc.kind.value,
            "parent": loc.parent.code if loc.parent else None}


def deactivate_location(loc: Location) -> None:
    """Locations are never deleted: the ledger refers to them."""
    loc.active = False


LOCATION_COLUMNS = {"code"}


def _location_saver(_params: dict):
    """Create or update locations from CSV: each row is the API's LocationIn (code, kind, zone, parent, aisle,
    bay, level, position, ...); an update changes the cells given."""
    def save(rows: list[CsvRow]) -> str:
        row = rows[0]
        attrs = dict(row.values)
        code, kind, zone_code, parent_code = (attrs.pop(k) for k in ("code", "kind", "zone", "parent"))
        zone = get_or_create_zone(zone_code) if zone_code else None
        parent = None
        if parent_code:
            parent = find_location(parent_code)
            if parent is None:
                raise RowError(_("Unknown parent location %(p)s.", p=parent_code))
        existing = find_location(code, include_inactive=True)
        if existing is None:
            create_location(code, kind=kind, zone=zone, parent=parent, **attrs)
            return "created"
        if "kind" in row.given:
            existing.kind = LocationKind(kind)
        existing.zone, existing.parent = zone or existing.zone, parent or existing.parent
        for key, value in attrs.items():
            if key in row.given:
                setattr(existing, key, value)
        return "updated"

    return save


def _location_schema():
    from .schemas import LocationIn  # schemas → queries → this module: imported when used
    return LocationIn()


LOCATIONS_IMPORT = CsvImport("import_locations", _location_schema, _location_saver,
                             required=frozenset(LOCATION_COLUMNS))


def import_locations_csv(data: bytes | str) -> dict:
    """Create or update locations from CSV (LOCATIONS_IMPORT) in the caller's transaction."""
    return LOCATIONS_IMPORT.run(data)


def children_of(loc: Location) -> list[Location]:
    child = aliased(Location)
    return db.session.scalars(sa.select(child).where(child.parent_id == loc.id)).all()
