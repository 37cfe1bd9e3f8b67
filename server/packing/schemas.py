"""The packing API's request and response shapes (docs/packing-api.md), and the order's pack state built from
the models: one answer the handheld and the pack station both show as is."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from apiflask import Schema
from apiflask.fields import Boolean, DateTime, Integer, List, Nested, String
from apiflask.validators import Length, Range

from ..auth.models import User
from ..catalog.models import ItemBarcode
from ..extensions import db
from ..inventory.codes import MAX_QTY
from ..inventory.ledger import lot_out
from ..inventory.models import Location
from ..orders.models import Order
from ..orders.schemas import ShipToOut
from ..orders.services import order_out
from . import services
from .models import Package, PackageStatus

SIDE = Range(1, 5000)


# --- input -----------------------------------------------------------------------------------------------

class PackStartIn(Schema):
    code = String(required=True, validate=Length(1, 512),
                  metadata={"description": "the scanned tote, cart slot (CART-1/3), order (ORD-<id>) or channel order id"})
    station = String(load_default=None, validate=Length(1, 64), metadata={"description": "the pack station"})
    item = String(load_default=None, validate=Length(1, 512),
                  metadata={"description": "a sort-later tote holds several orders: the item scanned says which"})


class PackScanIn(Schema):
    code = String(required=True, validate=Length(1, 512),
                  metadata={"description": "exactly what the scanner sent: SKU, barcode, case pack or GS1"})
    package = Integer(load_default=None, strict=True, validate=Range(1, 999),
                      metadata={"description": "the package number; left out: the open one"})
    qty = Integer(load_default=None, strict=True, validate=Range(1, MAX_QTY),
                  metadata={"description": "units; left out: the units of the scanned barcode"})
    lot = String(load_default=None, validate=Length(1, 40))


class PackNewPackageIn(Schema):
    station = String(load_default=None, validate=Length(1, 64))


class PackCloseIn(Schema):
    box = String(load_default=None, validate=Length(1, 32), metadata={"description": "a box type's code"})
    length_mm = Integer(load_default=None, strict=True, validate=SIDE)
    width_mm = Integer(load_default=None, strict=True, validate=SIDE)
    height_mm = Integer(load_default=None, strict=True, validate=SIDE)
    weight_g = Integer(load_default=None, strict=True, validate=Range(1, 1_000_000))
    weight = String(load_default=None, validate=Length(1, 40),
                    metadata={"description": "what a keyboard-wedge scale typed (\"1.25 kg\", \"2.5 lb\"), instead "
                                             "of weight_g"})


class PackReasonIn(Schema):
    reason = String(required=True, validate=Length(1, 300))


class PackSendBackIn(PackReasonIn):
    to = String(load_default=None, validate=Length(1, 64),
                metadata={"description": "a bin: the order's units go back to stock; left out: they stay in the tote"})


# --- output ----------------------------------------------------------------------------------------------

class PackBarcodeOut(Schema):
    code = String()
    units = Integer()


class PackLineOut(Schema):
    id = Integer()
    channel_line_id = String(allow_none=True)
    sku = String()
    name = String()
    qty = Integer()
    picked = Integer()
    packed = Integer()
    left = Integer(metadata={"description": "picked units still to pack"})
    short = Integer(metadata={"description": "units not picked"})
    barcodes = List(Nested(PackBarcodeOut))


class PackPackageLineOut(Schema):
    sku = String()
    name = String()
    lot = String(allow_none=True)
    qty = Integer()


class PackBoxOut(Schema):
    code = String()
    name = String()
    length_mm = Integer()
    width_mm = Integer()
    height_mm = Integer()


class PackBoxList(Schema):
    boxes = List(Nested(PackBoxOut))


class PackedPackageOut(Schema):
    id = Integer()
    number = Integer()
    status = String()
    container = String(allow_none=True)
    station = String(allow_none=True)
    box = String(allow_none=True)
    length_mm = Integer(allow_none=True)
    width_mm = Integer(allow_none=True)
    height_mm = Integer(allow_none=True)
    weight_g = Integer(allow_none=True)
    sscc = String(allow_none=True)
    tracking_number = String(allow_none=True)
    shipment_id = Integer(allow_none=True)
    units = Integer()
    lines = List(Nested(PackPackageLineOut))
    suggested_box = Nested(PackBoxOut, allow_none=True)


class PackOverrideOut(Schema):
    reason = String()
    by = String(allow_none=True)
    at = DateTime()


class PackUnitsOut(Schema):
    ordered = Integer()
    picked = Integer()
    packed = Integer()
    left = Integer()


class PackLastScanOut(Schema):
    sku = String()
    qty = Integer()
    package = Integer()


class PackStateOut(Schema):
    id = Integer()
    channel = String()
    channel_order_id = String()
    status = String()
    ship_by = DateTime(allow_none=True)
    service_level = String(allow_none=True)
    ship_to = Nested(ShipToOut)
    lines = List(Nested(PackLineOut))
    units = Nested(PackUnitsOut)
    packages = List(Nested(PackedPackageOut))
    open_package = Integer(allow_none=True)
    all_packed = Boolean()
    ready_to_ship = Boolean(metadata={"description": "packed: every package closed; shipping may label it"})
    override = Nested(PackOverrideOut, allow_none=True)
    still_to_pack = String()
    last = Nested(PackLastScanOut, allow_none=True)


# --- the state ---------------------------------------------------------------------------------------------

def _box(box) -> dict | None:
    return None if box is None else {"code": box.code, "name": box.name, "length_mm": box.length_mm,
                                     "width_mm": box.width_mm, "height_mm": box.height_mm}


def _package_out(package: Package, codes: dict[int, str]) -> dict:
    suggestion = services.suggested_box(package) if package.status == PackageStatus.OPEN and package.lines else None
    return {"id": package.id, "number": package.number, "status": package.status.value,
            "container": codes.get(package.container_id), "station": codes.get(package.station_id),
            "box": package.box_type.code if package.box_type else None, "length_mm": package.length_mm,
            "width_mm": package.width_mm, "height_mm": package.height_mm, "weight_g": package.weight_g,
            "sscc": package.sscc, "tracking_number": package.tracking_number, "shipment_id": package.shipment_id,
            "units": sum(line.qty for line in package.lines),
            "lines": [{"sku": line.item.sku, "name": line.item.name, "lot": lot_out(line.lot), "qty": line.qty}
                      for line in package.lines],
            "suggested_box": _box(suggestion)}


def pack_state(order: Order, *, last: dict | None = None, packages: list[Package] | None = None) -> dict:
    """What the packer needs to see of an order: its lines (ordered, picked, packed, left), its packages with
    their contents and the box suggested for the open one, and whether it may be labelled. `packages`: the
    order's live packages when the caller holds them (a scan, under the order's lock), not read again."""
    packages = services.live_packages(order) if packages is None else packages
    packed: dict[int, int] = defaultdict(int)
    for package in packages:
        for line in package.lines:
            packed[line.order_line_id] += line.qty
    waiting = services._waiting(order)  # read once: the lines' "left" and still_to_pack
    left = services.left_by_line(order, waiting=waiting)
    item_ids = [line.item_id for line in order.lines]
    barcodes: dict[int, list[dict]] = defaultdict(list)
    for item_id, code, units in db.session.execute(
            sa.select(ItemBarcode.item_id, ItemBarcode.code, ItemBarcode.units)
            .where(ItemBarcode.item_id.in_(item_ids or [0])).order_by(ItemBarcode.id)):
        barcodes[item_id].append({"code": code, "units": units})
    location_ids = {p.container_id for p in packages} | {p.station_id for p in packages}
    codes = dict(db.session.execute(sa.select(Location.id, Location.code)
                                    .where(Location.id.in_([i for i in location_ids if i] or [0]))).all())
    lines = [{"id": line.id, "channel_line_id": line.channel_line_id, "sku": line.item.sku, "name": line.item.name,
              "qty": line.qty, "picked": line.qty_picked, "packed": packed[line.id], "left": left.get(line.id, 0),
              "short": line.qty - line.qty_picked, "barcodes": barcodes[line.item_id]} for line in order.lines]
    override = services.overridden(order)
    by = db.session.get(User, override.user_id).username if override and override.user_id else None
    open_ones = [p.number for p in packages if p.status == PackageStatus.OPEN]
    return {"id": order.id, "channel": order.channel, "channel_order_id": order.channel_order_id,
            "status": order.status.value, "ship_by": order.ship_by, "service_level": order.service_level,
            "ship_to": order_out(order)["ship_to"],
            "lines": lines,
            "units": {"ordered": sum(x["qty"] for x in lines), "picked": sum(x["picked"] for x in lines),
                      "packed": sum(x["packed"] for x in lines), "left": sum(x["left"] for x in lines)},
            "packages": [_package_out(p, codes) for p in packages],
            "open_package": open_ones[-1] if open_ones else None,
            "all_packed": all(x["packed"] >= x["qty"] for x in lines),
            "ready_to_ship": order.status.value == "packed",
            "override": {"reason": override.reason, "by": by, "at": override.created_at} if override else None,
            "still_to_pack": services.still_to_pack(order, waiting=waiting),
            "last": last}
