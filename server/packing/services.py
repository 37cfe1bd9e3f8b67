"""The pack flow: find the order to pack (tote, cart slot or order), check every unit scanned against what was
picked for it, fill its packages (1 of n), close them with a box and a weight, and mark the order packed when
every unit is in a closed package (or a supervisor's override says so, with a reason).

Stock moves tote → the package's carton through the ledger (reservations.pack_reserved: MoveKind.PACK,
consuming the reservation). Order status changes go through orders.status. Nothing here commits; replays of a
scan are answered by the HTTP layer's Idempotency-Key table before any of this runs, and two stations packing
one order queue on the order's row lock.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ..auth.models import Role, User
from ..catalog.models import Item
from ..db import claim_write_lock, utcnow
from ..errors import InvalidInput
from ..extensions import db
from ..inventory import reservations
from ..inventory.codes import CONTAINER_KINDS, LocationKind
from ..inventory.ledger import Actor
from ..inventory.ledger_models import NO_LOT, Reservation, StockBalance
from ..inventory.locations import create_location, find_location
from ..inventory.models import Location
from ..orders.models import Order, OrderLine, OrderStatus
from ..orders.status import change_status, record_event
from ..picking.models import BatchOrder, PickBatch
from ..scanning.resolve import resolve_code
from . import slips
from .boxes import suggest_box
from .errors import (
    EmptyPackage, NothingLeftOfItem, NothingToPack, NotAPackStation, NotReadyToPack, OrderNotPackable,
    OverrideNotAllowed, PackageClosed, ScanItemFirst, TooMany, UnknownBox, WrongItem, WrongLot,
)
from .models import BoxType, Package, PackageLine, PackageStatus, PackOverride

CART_SLOT = re.compile(r"^(?P<cart>.+?)[/#](?P<slot>\d{1,3})$")  # "CART-1/3": the cart's third tote
PACKING = (OrderStatus.PICKING, OrderStatus.PICKED)
OVERRIDERS = frozenset({Role.SUPERVISOR, Role.ADMIN})


# --- finding the order ---------------------------------------------------------------------------------

def pack_station(code: str | None) -> Location | None:
    """The pack station a code names (None: packing without one)."""
    if not code:
        return None
    loc = find_location(code)
    if loc is None or loc.kind != LocationKind.PACK_STATION:
        raise NotAPackStation(_("%(code)s is not a pack station.", code=code), field="station",
                              expected="a pack station")
    return loc


def _orders_in(container: Location) -> list[Order]:
    """The orders whose picked units wait in this tote (reservations on its balance rows), most urgent first."""
    ids = sa.select(OrderLine.order_id).join(Reservation, Reservation.order_line_id == OrderLine.id).join(
        StockBalance, StockBalance.id == Reservation.balance_id).where(StockBalance.location_id == container.id)
    return list(db.session.scalars(sa.select(Order).where(Order.id.in_(ids))
                                   .order_by(Order.ship_by.is_(None), Order.ship_by, Order.id)))


def _cart_slot(code: str) -> Order | None:
    """An order by its cart slot ("CART-1/3"): the newest batch on that cart, tote number 3."""
    match = CART_SLOT.match(code.strip())
    cart = find_location(match["cart"]) if match else None
    if cart is None or cart.kind != LocationKind.CART:
        return None
    order_id = db.session.scalar(sa.select(BatchOrder.order_id).join(PickBatch, PickBatch.id == BatchOrder.batch_id)
                                 .where(PickBatch.cart_id == cart.id, BatchOrder.tote_number == int(match["slot"]))
                                 .order_by(PickBatch.id.desc()).limit(1))
    if order_id is None:
        raise NothingToPack(_("Nothing was picked into slot %(slot)s of %(cart)s.", slot=match["slot"],
                              cart=cart.code), field="code")
    return db.session.get(Order, order_id)


def _item_of(code: str, lines: Sequence[OrderLine] = ()) -> tuple[Item, dict]:
    """The item a scan names and what the scan said (units of a case pack, GS1 lot); another kind: wrong_item.
    An item of one of `lines` (loaded with their items) is taken from them, not read again."""
    scan = resolve_code(code)
    if scan.get("kind") != "item":
        raise WrongItem(_("%(code)s is not an item: scan the item's barcode.", code=code.strip()), field="code",
                        expected="an item of the order")
    found = scan["item"]
    item = next((line.item for line in lines if line.item.sku == found["sku"]), None)
    return item or db.session.scalar(sa.select(Item).where(Item.sku == found["sku"])), found


def find_order(code: str, *, item_code: str | None = None) -> Order:
    """The order a scan names: a tote (with several orders, a sort-later tote, the item scanned says which),
    a cart slot, an order (ORD-<id>) or a channel order id."""
    order = _cart_slot(code)
    if order is not None:
        return order
    scan = resolve_code(code)
    kind = scan["kind"]
    if kind == "order":
        return db.session.get(Order, scan["order"]["id"])
    loc = find_location(scan[kind]["code"]) if kind in ("tote", "location") else None
    if loc is None or loc.kind not in CONTAINER_KINDS:
        raise NothingToPack(_("%(code)s is not a tote, cart slot or order.", code=code.strip()), field="code",
                            expected="a tote, cart slot or order")
    orders = _orders_in(loc)
    if not orders:
        raise NothingToPack(_("Nothing waits to be packed in %(code)s.", code=loc.code), field="code")
    if len(orders) == 1:
        return orders[0]
    if item_code is None:
        raise ScanItemFirst(_("%(code)s holds %(n)d orders: scan an item to find its order.", code=loc.code,
                              n=len(orders)), field="item", expected="an item from the tote")
    item, _found = _item_of(item_code)
    for order in orders:
        if any(line.item_id == item.id for line in order.lines) and left_by_line(order, item_id=item.id):
            return order
    raise WrongItem(_("No order in %(code)s waits for %(sku)s.", code=loc.code, sku=item.sku), field="item",
                    expected="an item from the tote")


def _lock_order(order: Order, *, with_lines: bool = False) -> Order:
    """Lock the order's row and re-read it in the same statement (with its lines and their items, when asked:
    two statements more that spare a lazy load per line later)."""
    claim_write_lock(db.session)
    query = (sa.select(Order).where(Order.id == order.id).with_for_update()
             .execution_options(populate_existing=True))
    if with_lines:
        query = query.options(selectinload(Order.lines).selectinload(OrderLine.item))
    return db.session.scalars(query).one()


def overridden(order: Order) -> PackOverride | None:
    return db.session.scalar(sa.select(PackOverride).where(PackOverride.order_id == order.id)
                             .order_by(PackOverride.id.desc()).limit(1))


def _require_packing(order: Order) -> None:
    if order.status == OrderStatus.PICKED or (order.status == OrderStatus.PICKING and overridden(order)):
        return
    if order.status == OrderStatus.PICKING:
        raise NotReadyToPack(_("Order %(order)s is still being picked; a supervisor may let it be packed as it is.",
                               order=order.channel_order_id), field="code", expected="a picked order")
    raise OrderNotPackable(_("Order %(order)s is %(status)s: there is nothing to pack.",
                             order=order.channel_order_id, status=order.status.label), field="code")


def start_packing(code: str, *, station: str | None = None, item_code: str | None = None,
                  actor: Actor) -> Order:
    """Start (or resume) packing the order a scan names at a station: package 1 opens by itself."""
    order = _lock_order(find_order(code, item_code=item_code))
    where = pack_station(station)
    if order.status == OrderStatus.PACKED:
        return order  # packed already: the packer sees its packages, to label them
    _require_packing(order)
    if not live_packages(order):
        _open_package(order, where)
    elif where is not None:
        for package in live_packages(order):
            if package.status == PackageStatus.OPEN:
                package.station_id = where.id
    db.session.flush()
    return order


# --- packages ------------------------------------------------------------------------------------------

def live_packages(order: Order) -> list[Package]:
    """The order's packages but the voided ones, by number, with their lines (one read for all of them)."""
    return list(db.session.scalars(sa.select(Package).where(Package.order_id == order.id,
                                                            Package.status != PackageStatus.VOIDED)
                                   .order_by(Package.number).options(selectinload(Package.lines))))


def _open_package(order: Order, station: Location | None) -> Package:
    number = (db.session.scalar(sa.select(sa.func.max(Package.number)).where(Package.order_id == order.id)) or 0) + 1
    package = Package(order_id=order.id, number=number, station_id=station.id if station else None)
    db.session.add(package)
    db.session.flush()
    # The carton is a location of its own: the ledger shows what it holds until it ships.
    carton = create_location(f"PKG-{package.id}", kind=LocationKind.CARTON, parent=station, pickable=False)
    package.container_id = carton.id
    db.session.flush()
    return package


def new_package(order: Order, *, station: str | None = None, actor: Actor) -> Package:
    """Open package i+1 of the order (an open package with nothing in it yet is given back instead)."""
    order = _lock_order(order)
    _require_packing(order)
    packages = live_packages(order)
    empty = next((p for p in packages if p.status == PackageStatus.OPEN and not p.lines), None)
    if empty is not None:
        return empty
    where = pack_station(station) or (db.session.get(Location, packages[-1].station_id)
                                      if packages and packages[-1].station_id else None)
    return _open_package(order, where)


def _package_to_fill(order: Order, number: int | None, packages: list[Package]) -> Package:
    """The package a scan fills, out of the order's live packages (a package opened here is added to them)."""
    if number is None:
        open_ones = [p for p in packages if p.status == PackageStatus.OPEN]
        if open_ones:
            return open_ones[-1]
        if not packages:
            packages.append(_open_package(order, None))
            return packages[-1]
        raise PackageClosed(_("Every package of this order is closed: open a new package."), field="package",
                            expected="a new package")
    package = next((p for p in packages if p.number == number), None)
    if package is None:
        raise InvalidInput(_("Order %(order)s has no package %(n)d.", order=order.channel_order_id, n=number),
                           field="package")
    if package.status != PackageStatus.OPEN:
        raise PackageClosed(_("Package %(n)d is closed: open a new package.", n=number), field="package",
                            expected="an open package")
    return package


# --- scanning units ------------------------------------------------------------------------------------

def _waiting(order: Order, *, item_id: int | None = None) -> list[tuple[Reservation, StockBalance, OrderLine]]:
    """The order's picked units still to pack: its lines' reservations in totes (containers), oldest first."""
    lines = {line.id: line for line in order.lines if item_id is None or line.item_id == item_id}
    if not lines:
        return []
    rows = db.session.execute(
        sa.select(Reservation, StockBalance).join(StockBalance, StockBalance.id == Reservation.balance_id)
        .join(Location, Location.id == StockBalance.location_id)
        .where(Reservation.order_line_id.in_(sorted(lines)), Location.kind.in_(sorted(CONTAINER_KINDS)),
               Location.kind != LocationKind.CARTON)
        .order_by(Reservation.order_line_id, StockBalance.expiry.is_(None), StockBalance.expiry, Reservation.id))
    return [(r, b, lines[r.order_line_id]) for r, b in rows]


Waiting = list[tuple[Reservation, StockBalance, OrderLine]]


def left_by_line(order: Order, *, item_id: int | None = None, waiting: Waiting | None = None) -> dict[int, int]:
    """Units still to pack by order line (from `waiting`, the order's _waiting rows, when the caller has them)."""
    left: dict[int, int] = {}
    for reservation, _balance, line in _waiting(order, item_id=item_id) if waiting is None else waiting:
        left[line.id] = left.get(line.id, 0) + reservation.qty
    return left


def still_to_pack(order: Order, *, waiting: Waiting | None = None) -> str:
    """What is left, as a packer reads it: "SKU-1 ×2, SKU-2 ×1" (or "nothing")."""
    left: dict[str, int] = {}
    for reservation, _balance, line in _waiting(order) if waiting is None else waiting:
        left[line.item.sku] = left.get(line.item.sku, 0) + reservation.qty
    return ", ".join(f"{sku} ×{n}" for sku, n in left.items()) or _("nothing")


@dataclass(frozen=True)
class Packed:
    """What one scan packed: into which package, which item, how many units."""

    package: Package
    sku: str
    qty: int
    packages: list[Package] = field(default_factory=list)  # the order's live packages after the scan


def scan_item(order: Order, code: str, *, package_number: int | None = None, qty: int | None = None,
              lot: str | None = None, actor: Actor) -> Packed:
    """Pack the units one scan stands for (a case pack counts its units) into the open package: each must be
    a picked unit of this order still waiting to be packed."""
    order = _lock_order(order, with_lines=True)
    _require_packing(order)
    item, found = _item_of(code, order.lines)
    if not any(line.item_id == item.id for line in order.lines):
        left = still_to_pack(order)
        raise WrongItem(_("Wrong item: %(sku)s is not in order %(order)s. Still to pack: %(left)s.", sku=item.sku,
                          order=order.channel_order_id, left=left), field="code", expected=left)
    units = qty if qty is not None else int(found.get("units") or 1)
    lot = (found.get("lot") or lot or "").strip() or None
    waiting = _waiting(order, item_id=item.id)
    left = sum(r.qty for r, _b, _l in waiting)
    if left == 0:
        everything_left = still_to_pack(order)
        raise NothingLeftOfItem(_("Every %(sku)s of this order is packed already. Still to pack: %(left)s.",
                                  sku=item.sku, left=everything_left), field="code", expected=everything_left)
    if lot is not None and item.tracks_lot:
        lots = sorted({b.lot for _r, b, _l in waiting})
        waiting = [w for w in waiting if w[1].lot.upper() == lot.upper()]
        if not waiting:
            raise WrongLot(_("Lot %(lot)s of %(sku)s was not picked for this order; it has lot %(lots)s.", lot=lot,
                             sku=item.sku, lots=", ".join(lots)), field="lot", expected=", ".join(lots))
        left = sum(r.qty for r, _b, _l in waiting)
    if units > left:
        raise TooMany(_("Only %(n)d more of %(sku)s to pack; this scan is %(units)d.", n=left, sku=item.sku,
                        units=units), field="qty", expected=f"at most {left}")
    packages = live_packages(order)
    package = _package_to_fill(order, package_number, packages)
    carton = db.session.get(Location, package.container_id)
    remaining = units
    for reservation, balance, line in waiting:
        n = min(reservation.qty, remaining)
        balance_lot = balance.lot
        reservations.pack_reserved(reservation, qty=n, to=carton, actor=actor, ref_type="package", ref_id=package.id)
        _add_line(package, line, balance_lot, n)
        remaining -= n
        if remaining == 0:
            break
    db.session.flush()
    return Packed(package, item.sku, units, packages)


def _add_line(package: Package, line: OrderLine, lot: str, qty: int) -> None:
    row = next((p for p in package.lines if p.order_line_id == line.id and p.lot == lot), None)
    if row is None:
        package.lines.append(PackageLine(order_line_id=line.id, item_id=line.item_id, lot=lot or NO_LOT, qty=qty))
    else:
        row.qty += qty


# --- closing -------------------------------------------------------------------------------------------

def _positive(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidInput(_("Give %(field)s as a whole number above zero.", field=field), field=field,
                           expected="a positive whole number")
    return value


def close_package(package: Package, *, weight_g: int, box: str | None = None, length_mm: int | None = None,
                  width_mm: int | None = None, height_mm: int | None = None, actor: Actor) -> Package:
    """Close a package: its box (a box type's code, or the dimensions measured) and its weight in grams.
    When it was the last one open and every unit is packed, the order is packed."""
    order = _lock_order(db.session.get(Order, package.order_id))
    db.session.refresh(package)
    if package.status != PackageStatus.OPEN:
        raise PackageClosed(_("Package %(n)d is closed already.", n=package.number), field="package")
    if not package.lines:
        raise EmptyPackage(_("Package %(n)d is empty: scan items into it first.", n=package.number),
                           field="package")
    weight_g = _positive(weight_g, "weight_g")
    if box:
        box_type = db.session.scalar(sa.select(BoxType).where(sa.func.upper(BoxType.code) == box.strip().upper(),
                                                              BoxType.active))
        if box_type is None:
            raise UnknownBox(_("%(code)s is not a box we have.", code=box), field="box")
        package.box_type_id = box_type.id
        dims = (length_mm or box_type.length_mm, width_mm or box_type.width_mm, height_mm or box_type.height_mm)
    elif length_mm is None or width_mm is None or height_mm is None:
        raise InvalidInput(_("Scan or choose the box, or give its length, width and height."), field="box",
                           expected="a box code, or length_mm, width_mm and height_mm")
    else:
        dims = (length_mm, width_mm, height_mm)
    package.length_mm, package.width_mm, package.height_mm = (_positive(v, f) for v, f in
                                                              zip(dims, ("length_mm", "width_mm", "height_mm")))
    package.weight_g = weight_g
    package.status, package.packed_by, package.packed_at = PackageStatus.PACKED, actor.user_id, utcnow()
    db.session.flush()
    settle(order, actor=actor)
    return package


def all_packed(order: Order) -> bool:
    """Every unit of every line is in a package (so: picked, and packed)."""
    packed = dict(db.session.execute(
        sa.select(PackageLine.order_line_id, sa.func.sum(PackageLine.qty)).join(Package)
        .where(Package.order_id == order.id, Package.status != PackageStatus.VOIDED)
        .group_by(PackageLine.order_line_id)).all())
    return all(packed.get(line.id, 0) >= line.qty for line in order.lines)


def settle(order: Order, *, actor: Actor | None) -> None:
    """The order is packed when no package with units is open and every unit is packed, or a supervisor
    overrode; empty open packages are dropped then. Packing slips print on the station's printer."""
    packages = live_packages(order)
    if not any(p.lines for p in packages) or any(p.status == PackageStatus.OPEN and p.lines for p in packages):
        return
    override = overridden(order)
    if not all_packed(order) and override is None:
        return
    for package in packages:
        if package.status == PackageStatus.OPEN:
            db.session.delete(package)
    db.session.flush()
    note = None
    if override is not None and not all_packed(order):
        note = _("Packed short: %(reason)s", reason=override.reason)
        # Units left in the tote ship with nothing: their promise ends, and the tote shows them as free stock
        # to put away (reservations.stock_elsewhere).
        reservations.release([r for r, _b, _l in _waiting(order)], actor=actor)
    if order.status == OrderStatus.PICKING:
        change_status(order, OrderStatus.PICKED, actor=actor, note=note)
    if order.status == OrderStatus.PICKED:
        change_status(order, OrderStatus.PACKED, actor=actor,
                      note=note or _("%(n)d package(s)", n=len([p for p in packages if p.lines])))
        slips.print_packing_slips(order, live_packages(order), actor=actor)
    db.session.flush()


# --- a supervisor's override ------------------------------------------------------------------------------

def pack_override(order: Order, *, reason: str, actor: Actor) -> PackOverride:
    """Let an order be packed and labelled although units are missing (not picked, or not packed): a
    supervisor's decision, with the reason in the order's history."""
    user = db.session.get(User, actor.user_id) if actor.user_id else None
    if user is None or user.role not in OVERRIDERS:
        raise OverrideNotAllowed(_("Only a supervisor can let an order ship incomplete."), field="reason")
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise InvalidInput(_("Say why the order may ship incomplete."), field="reason",
                           expected="a reason of 3 characters or more")
    order = _lock_order(order)
    if order.status not in PACKING:
        raise OrderNotPackable(_("Order %(order)s is %(status)s: an override is for an order being packed.",
                                 order=order.channel_order_id, status=order.status.label), field="order")
    override = PackOverride(order_id=order.id, reason=reason[:300], user_id=user.id)
    db.session.add(override)
    record_event(order, order.status, actor=actor, note=_("Pack override: %(reason)s", reason=reason))
    db.session.flush()
    settle(order, actor=actor)
    return override


def suggested_box(package: Package) -> BoxType | None:
    """The box suggest_box picks for what the package holds."""
    return suggest_box([(line.item, line.qty) for line in package.lines])
