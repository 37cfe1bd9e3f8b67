"""Build a pick batch: the most urgent allocated orders that make a short walk, one tote each (issue 8, 4).

Which orders: allocated orders (and, for zone batches, orders already picking in another zone) with units
reserved in pickable bins that no active batch covers. selection.choose_batch picks them (most urgent first,
then the ones that add the least walking). Each reservation becomes one pick task (order line x bin x lot),
sequenced along the walking route over the bins' floor coordinates (routing.route_order); bins without
coordinates come after, in their pick sequence.

Zone picking (zone_id): a batch holds only the tasks in that zone; an order with lines in several zones is
picked by one batch per zone, each into its own tote, and becomes picked when every line is picked. An order
on an active batch without a zone is on no zone batch, and the other way round.

Sort later: only single-unit orders, all into tote 1 (sorted at the pack station).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..db import utcnow
from ..extensions import db
from ..inventory.codes import CONTAINER_KINDS
from ..inventory.ledger import Actor
from ..inventory.ledger_models import Reservation, StockBalance
from ..inventory.models import Location
from ..orders.models import Order, OrderLine, OrderStatus
from . import allocation, routing, selection
from .errors import NothingToBatch
from .models import BatchOrder, BatchStatus, PickBatch, PickTask, TaskStatus

ACTIVE_BATCH_STATUSES = (BatchStatus.DRAFT, BatchStatus.RELEASED, BatchStatus.PICKING)
DEFAULT_BATCH_SIZE = 8


@dataclass
class _Stock:
    """One reservation to pick: what the task is made of."""

    reservation_id: int
    order_id: int
    order_line_id: int
    item_id: int
    location_id: int
    lot: str
    qty: int
    x: float | None
    y: float | None
    pick_sequence: int | None
    code_key: str


def _pickable_reservations(zone_id: int | None) -> dict[int, list[_Stock]]:
    """Reserved, unpicked units of batchable orders, by order: one query for all of them."""
    busy = (sa.select(BatchOrder.order_id).join(PickBatch)
            .where(PickBatch.status.in_(ACTIVE_BATCH_STATUSES)))
    if zone_id is not None:  # another zone's batch does not hold this zone's lines
        busy = busy.where(sa.or_(PickBatch.zone_id.is_(None), PickBatch.zone_id == zone_id))
    statuses = [OrderStatus.ALLOCATED] + ([OrderStatus.PICKING] if zone_id is not None else [])
    stmt = (sa.select(Reservation.id, Order.id, OrderLine.id, OrderLine.item_id, StockBalance.location_id,
                      StockBalance.lot, Reservation.qty, Location.x, Location.y, Location.pick_sequence,
                      Location.code_key)
            .join(StockBalance, StockBalance.id == Reservation.balance_id)
            .join(Location, Location.id == StockBalance.location_id)
            .join(OrderLine, OrderLine.id == Reservation.order_line_id)
            .join(Order, Order.id == OrderLine.order_id)
            # Units already picked sit reserved in a tote: never picked again.
            .where(Order.status.in_(statuses), Location.kind.not_in(CONTAINER_KINDS), Order.id.not_in(busy))
            .order_by(Order.id, Reservation.id))
    if zone_id is not None:
        stmt = stmt.where(Location.zone_id == zone_id)
    by_order: dict[int, list[_Stock]] = defaultdict(list)
    for row in db.session.execute(stmt):
        stock = _Stock(*row)
        by_order[stock.order_id].append(stock)
    return by_order


def _candidates(by_order: dict[int, list[_Stock]], *, sort_later: bool) -> list[selection.Candidate]:
    if not by_order:
        return []
    times = dict(((oid, (ship_by, ordered_at)) for oid, ship_by, ordered_at in db.session.execute(
        sa.select(Order.id, Order.ship_by, Order.ordered_at).where(Order.id.in_(list(by_order))))))
    out = []
    for order_id, stock in by_order.items():
        units = sum(s.qty for s in stock)
        if sort_later and units != 1:
            continue
        ship_by, ordered_at = times[order_id]
        points = tuple(sorted({(s.x, s.y) for s in stock if s.x is not None and s.y is not None}))
        out.append(selection.Candidate(order_id=order_id, ship_by=ship_by, ordered_at=ordered_at,
                                       units=units, points=points))
    return out


def sequence_stops(stops: list[_Stock]) -> tuple[list[_Stock], float | None]:
    """The stops in walking order and the route's length (metres, over the bins with coordinates).

    Lines at one bin come one after the other; bins without coordinates follow, in their pick sequence."""
    placed = [s for s in stops if s.x is not None and s.y is not None]
    unplaced = sorted((s for s in stops if s.x is None or s.y is None),
                      key=lambda s: (s.pick_sequence is None, s.pick_sequence or 0, s.code_key, s.reservation_id))
    route_m = None
    if placed:
        # One stop per bin (two bins may share a spot: different levels of one bay): the bins are routed.
        bins: dict[int, list[_Stock]] = {}
        for s in sorted(placed, key=lambda s: (s.pick_sequence is None, s.pick_sequence or 0, s.code_key,
                                               s.reservation_id)):
            bins.setdefault(s.location_id, []).append(s)
        firsts = [group[0] for group in bins.values()]
        points = [(s.x, s.y) for s in firsts]
        layout = routing.layout_from_points(points)
        route_stops = routing.stops_from_points(layout, points)
        order = routing.route_order(layout, route_stops)
        route_m = round(routing.route_length(layout, route_stops, order), 1)
        placed = [s for i in order for s in bins[firsts[i].location_id]]
    return placed + unplaced, route_m


def _setting_release(release: bool | None) -> bool:
    if release is not None:
        return release
    return str(current_app.config.get("PICK_RELEASE", "manual")).lower() == "auto"


def build_batch(*, size: int | None = None, zone_id: int | None = None, sort_later: bool = False, actor: Actor,
                release: bool | None = None, now: datetime | None = None) -> PickBatch:
    """Build a batch of up to `size` of the most urgent allocated orders, sequenced into a walking route.

    Open orders are allocated first. release: None follows the PICK_RELEASE setting (auto: released now)."""
    size = size or int(current_app.config.get("PICK_BATCH_SIZE", DEFAULT_BATCH_SIZE))
    now = now or utcnow()
    if db.session.scalar(sa.select(sa.exists().where(Order.status == OrderStatus.OPEN))):
        allocation.allocate(actor=actor)
    by_order = _pickable_reservations(zone_id)
    chosen = selection.choose_batch(_candidates(by_order, sort_later=sort_later), size=size, now=now,
                                    policy="ship_by")
    if not chosen:
        raise NothingToBatch(_("No allocated orders are waiting for a batch."))
    batch = PickBatch(status=BatchStatus.DRAFT, zone_id=zone_id, sort_later=sort_later, created_by=actor.user_id)
    db.session.add(batch)
    for n, order_id in enumerate(chosen, start=1):
        batch.orders.append(BatchOrder(order_id=order_id, tote_number=1 if sort_later else n))
    tote_of = {order_id: 1 if sort_later else n for n, order_id in enumerate(chosen, start=1)}
    walk, batch.route_m = sequence_stops([s for order_id in chosen for s in by_order[order_id]])
    for seq, s in enumerate(walk, start=1):
        batch.tasks.append(PickTask(order_line_id=s.order_line_id, reservation_id=s.reservation_id,
                                    item_id=s.item_id, location_id=s.location_id, lot=s.lot, qty=s.qty,
                                    tote_number=tote_of[s.order_id], sequence=seq, status=TaskStatus.OPEN))
    if _setting_release(release):
        batch.status, batch.released_at = BatchStatus.RELEASED, now
    db.session.flush()
    return batch
