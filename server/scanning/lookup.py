"""Look a scanned code up as every kind of thing at once: one UNION ALL query, one round trip.

A scan may be a location, an item (by barcode or SKU), an order, a user badge, or GS1 data naming a
license plate or a GTIN. Asking each table in turn cost up to six queries for an unknown code; this asks
them all in one statement and returns plain rows, from which resolve.py builds the answer (no ORM
objects, so nothing is lazily re-read while the response is built).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..auth.models import User
from ..catalog.models import Item, ItemBarcode
from ..extensions import db
from ..inventory.models import Location, Zone
from ..orders.models import Order

# Every branch of the UNION returns these columns, in this order and with these types.
_COLUMNS = {"tag": sa.String, "id": sa.Integer, "owner": sa.Integer, "match": sa.String, "code": sa.String,
            "name": sa.String, "extra": sa.String, "kind": sa.String, "units": sa.Integer,
            "f1": sa.Boolean, "f2": sa.Boolean, "f3": sa.Boolean}


def _branch(tag: str, **values) -> sa.Select:
    cols = [sa.literal_column(f"'{tag}'", sa.String).label("tag")]
    for name, type_ in _COLUMNS.items():
        if name != "tag":
            value = values.pop(name, None)
            cols.append(sa.cast(sa.null() if value is None else value, type_).label(name))
    assert not values, values
    return sa.select(*cols)


@dataclass
class Wanted:
    """The keys one scan may stand for (normalised: code keys and SKUs upper-case, GTINs 14 digits)."""

    location_keys: set[str] = field(default_factory=set)
    barcodes: set[str] = field(default_factory=set)
    sku_keys: set[str] = field(default_factory=set)
    order_id: int | None = None
    channel_order_id: str | None = None
    badge: str | None = None

    def __bool__(self) -> bool:
        return bool(self.location_keys or self.barcodes or self.sku_keys or self.order_id is not None
                    or self.channel_order_id or self.badge)


@dataclass
class Found:
    """What the query found, keyed by what matched."""

    locations: dict[str, dict] = field(default_factory=dict)       # by code key
    items_by_barcode: dict[str, dict] = field(default_factory=dict)  # by barcode code, with units
    items_by_sku: dict[str, dict] = field(default_factory=dict)      # by SKU key
    barcodes: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))  # item id → codes
    orders: list[dict] = field(default_factory=list)
    users: list[dict] = field(default_factory=list)


def _shape(want: Wanted) -> tuple:
    """Which branches a scan needs: statements are built once per shape and reused with new values."""
    order_by = "id" if want.order_id is not None else ("channel" if want.channel_order_id else None)
    return bool(want.location_keys), bool(want.barcodes), bool(want.sku_keys), order_by, bool(want.badge)


def _params(want: Wanted) -> dict:
    return {"location_keys": sorted(want.location_keys), "barcodes": sorted(want.barcodes),
            "sku_keys": sorted(want.sku_keys), "order_id": want.order_id,
            "channel_order_id": want.channel_order_id, "badge": want.badge}


@functools.cache
def _statement(shape: tuple) -> sa.CompoundSelect | sa.Select:
    # Building this UNION costs more than running it (≈2.5 ms a scan when built each time): the few shapes
    # a scan can take are built once, with bound parameters, so SQLAlchemy's compiled cache applies too.
    locations, barcodes, skus, order_by, badge = shape
    in_ = functools.partial(sa.bindparam, expanding=True)
    branches = []
    if locations:
        parent = aliased(Location)
        branches.append(
            _branch("location", id=Location.id, match=Location.code_key, code=Location.code, name=Zone.code,
                    extra=parent.code, kind=Location.kind, f1=Location.blocked, f2=Location.pickable)
            .select_from(Location).outerjoin(Zone, Location.zone_id == Zone.id)
            .outerjoin(parent, Location.parent_id == parent.id)
            .where(Location.code_key.in_(in_("location_keys")), Location.active))
    if barcodes or skus:
        def item(tag: str, match, units):
            return _branch(tag, id=Item.id, match=match, code=Item.sku, name=Item.name, extra=Item.unit,
                           units=units, f1=Item.tracks_lot, f2=Item.tracks_expiry, f3=Item.tracks_serial)
        matched_ids = []
        if barcodes:
            branches.append(item("barcode_item", ItemBarcode.code, ItemBarcode.units).select_from(Item)
                            .join(ItemBarcode).where(ItemBarcode.code.in_(in_("barcodes")), Item.active))
            matched_ids.append(sa.select(ItemBarcode.item_id).where(ItemBarcode.code.in_(in_("barcodes"))))
        if skus:
            branches.append(item("sku_item", Item.sku_key, 1)
                            .where(Item.sku_key.in_(in_("sku_keys")), Item.active))
            matched_ids.append(sa.select(Item.id).where(Item.sku_key.in_(in_("sku_keys"))))
        # Every barcode of the matched items: the answer lists them.
        branches.append(_branch("barcode", id=ItemBarcode.id, owner=ItemBarcode.item_id,
                                code=ItemBarcode.code)
                        .where(sa.or_(*(ItemBarcode.item_id.in_(ids) for ids in matched_ids))))
    if order_by:
        by = (Order.id == sa.bindparam("order_id")) if order_by == "id" else (
            Order.channel_order_id == sa.bindparam("channel_order_id"))
        branches.append(_branch("order", id=Order.id, code=Order.channel, name=Order.channel_order_id,
                                extra=Order.status).where(by))
    if badge:
        branches.append(_branch("user", id=User.id, name=User.display_name, extra=User.role)
                        .where(User.badge_code == sa.bindparam("badge"), User.active))
    return branches[0] if len(branches) == 1 else sa.union_all(*branches)


def _text(value) -> str | None:
    return getattr(value, "value", value)  # enum columns come back as enums on some paths


def look_up(want: Wanted) -> Found:
    """Run the one query for everything `want` names (none at all when it names nothing)."""
    found = Found()
    if not want:
        return found
    for row in db.session.execute(_statement(_shape(want)), _params(want)).mappings():
        tag = row["tag"]
        if tag == "location":
            found.locations[row["match"]] = {
                "code": row["code"], "zone": row["name"], "kind": _text(row["kind"]), "parent": row["extra"],
                "blocked": bool(row["f1"]), "pickable": bool(row["f2"])}
        elif tag in ("barcode_item", "sku_item"):
            item = {"id": row["id"], "sku": row["code"], "name": row["name"], "unit": row["extra"],
                    "units": row["units"], "tracks_lot": bool(row["f1"]), "tracks_expiry": bool(row["f2"]),
                    "tracks_serial": bool(row["f3"])}
            target = found.items_by_barcode if tag == "barcode_item" else found.items_by_sku
            target[row["match"]] = item
        elif tag == "barcode":
            found.barcodes[row["owner"]].append((row["id"], row["code"]))
        elif tag == "order":
            found.orders.append({"id": row["id"], "channel": row["code"], "channel_order_id": row["name"],
                                 "status": _text(row["extra"])})
        elif tag == "user":
            found.users.append({"id": row["id"], "name": row["name"], "role": _text(row["extra"])})
    for codes in found.barcodes.values():
        codes.sort()  # by barcode id: the order they were added in
        codes[:] = [code for _id, code in codes]
    found.orders.sort(key=lambda o: o["id"])
    return found
