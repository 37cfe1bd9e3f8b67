"""An order that cannot ship (a unit is missing or damaged): it goes back, with its reason in its history.

Its unlabelled packages are emptied: the units go back into the order's tote, still promised to it (the next
allocation reserves only what is missing), or — a bin named — everything of the order goes into that bin and
is free again (its reservations released, nothing counted as picked: the order starts over). Either way the
order is open again, its packages gone, their cartons retired. A labelled package must be voided first.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from ..errors import InvalidInput
from ..extensions import db
from ..inventory import reservations
from ..inventory.codes import MoveKind
from ..inventory.ledger import Actor, post_move
from ..inventory.locations import get_location
from ..inventory.models import Location
from ..orders.models import Order, OrderLine, OrderStatus
from ..orders.status import change_status
from ..picking.models import BatchOrder
from .errors import OrderNotPackable
from .models import Package, PackageStatus
from .services import _lock_order, _waiting, live_packages

SENDABLE = (OrderStatus.PICKED, OrderStatus.PACKED)


def _tote_of(order: Order) -> Location | None:
    """Where the order's picked units wait: a tote holding its reservations, else the newest tote it had."""
    waiting = _waiting(order)
    if waiting:
        return db.session.get(Location, waiting[0][1].location_id)
    tote_id = db.session.scalar(sa.select(BatchOrder.tote_id).where(BatchOrder.order_id == order.id,
                                                                    BatchOrder.tote_id.is_not(None))
                                .order_by(BatchOrder.id.desc()).limit(1))
    return db.session.get(Location, tote_id) if tote_id else None


def send_back(order: Order, *, reason: str, to: str | None = None, actor: Actor) -> Order:
    """Take an order off the pack bench with a reason: back to open, its units in its tote or (to: a bin)
    back in stock."""
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise InvalidInput(_("Say why the order cannot ship."), field="reason",
                           expected="a reason of 3 characters or more")
    bin_ = get_location(to, field="to") if to else None
    order = _lock_order(order)
    if order.status not in SENDABLE:
        raise OrderNotPackable(_("Order %(order)s is %(status)s: only a picked or packed order goes back from "
                                 "packing.", order=order.channel_order_id, status=order.status.label),
                               field="order")
    packages = live_packages(order)
    labelled = [p for p in packages if p.status not in (PackageStatus.OPEN, PackageStatus.PACKED)]
    if labelled:
        raise OrderNotPackable(_("Package %(n)d has a label: void the shipment first.", n=labelled[0].number),
                               field="order")
    tote = _tote_of(order)
    if bin_ is None and tote is None:
        raise InvalidInput(_("This order has no tote: name the bin its units go back to."), field="to",
                           expected="a bin")
    for package in packages:
        carton = db.session.get(Location, package.container_id)
        for line in list(package.lines):
            if bin_ is not None:
                post_move(kind=MoveKind.MOVE, item=line.item, qty=line.qty, src=carton, dst=bin_, lot=line.lot,
                          actor=actor, ref_type="package", ref_id=package.id)
            else:
                reservations.unpack_reserved(order_line_id=line.order_line_id, item=line.item, lot=line.lot,
                                             qty=line.qty, src=carton, to=tote, actor=actor, ref_id=package.id)
        carton.active = False
        db.session.delete(package)
    db.session.flush()
    if bin_ is not None:
        _back_to_stock(order, bin_, actor)
    change_status(order, OrderStatus.OPEN, actor=actor, note=_("Back from packing: %(reason)s", reason=reason))
    db.session.flush()
    return order


def _back_to_stock(order: Order, bin_: Location, actor: Actor) -> None:
    """Everything the order had picked goes into the bin, unreserved; its lines count nothing picked."""
    for reservation, balance, line in _waiting(order):
        qty, lot, src = reservation.qty, balance.lot, db.session.get(Location, balance.location_id)
        reservations.release([reservation], actor=actor)
        post_move(kind=MoveKind.MOVE, item=line.item, qty=qty, src=src, dst=bin_, lot=lot, actor=actor,
                  ref_type="order", ref_id=order.id)
    for line in db.session.scalars(sa.select(OrderLine).where(OrderLine.order_id == order.id)):
        line.qty_picked = 0
    order.short_units = 0  # the next allocation run says what is missing
